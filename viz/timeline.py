"""The demo's training page: a slider (and Play) through the epochs, showing the decision boundary
and the loss curve as they were after each one. One self-contained HTML file, no network needed.

Each epoch's P(class 1) grid travels as base64 bytes (0-255), so 100 epochs stay small; the
browser smooths the coarse grid and traces the 0.5 line with marching squares.
"""

from __future__ import annotations

import base64
import json
import math
from collections.abc import Sequence
from typing import Protocol


class EpochPicture(Protocol):
    """What the page needs of one epoch (viz.demo.Snapshot has it)."""

    @property
    def epoch(self) -> int: ...
    @property
    def loss(self) -> float: ...
    @property
    def accuracy(self) -> float: ...
    @property
    def probability(self) -> list[list[float]]: ...


def timeline_html(
    epochs: Sequence[EpochPicture],
    grid_x: Sequence[float],
    grid_y: Sequence[float],
    X: Sequence[Sequence[float]],
    y: Sequence[int],
) -> str:
    """The page for `epochs` (P(class 1) on grid_y × grid_x each) and the training points X, y."""
    if not epochs:
        raise ValueError("timeline_html: no epochs to show (training stopped before the first)")
    for snapshot in epochs:
        shape = (len(snapshot.probability), {len(row) for row in snapshot.probability})
        if shape != (len(grid_y), {len(grid_x)}):
            raise ValueError(f"timeline_html: epoch {snapshot.epoch}'s grid is not "
                             f"{len(grid_y)} rows of {len(grid_x)}")
        if not math.isfinite(snapshot.loss):
            raise ValueError(f"timeline_html: epoch {snapshot.epoch}'s loss is {snapshot.loss!r}")
    data = {
        "gridX": [round(v, 6) for v in grid_x],
        "gridY": [round(v, 6) for v in grid_y],
        "points": [[round(p[0], 6), round(p[1], 6), int(label)] for p, label in zip(X, y)],
        "epochs": [
            {"epoch": s.epoch, "loss": s.loss, "accuracy": s.accuracy, "p": _bytes(s.probability)}
            for s in epochs
        ],
    }
    payload = json.dumps(data, separators=(",", ":")).replace("</", "<\\/")
    return TEMPLATE.replace("__DATA__", payload)


def _bytes(rows: list[list[float]]) -> str:
    """P(class 1) rounded to 0..255, row after row, as base64."""
    values = bytes(min(255, max(0, round(p * 255))) for row in rows for p in row)
    return base64.b64encode(values).decode("ascii")


TEMPLATE = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Training, epoch by epoch</title>
<style>
  body { font-family: Helvetica, Arial, "Liberation Sans", sans-serif; color: #212121; margin: 0;
         padding: 10px 14px; font-size: 18px; background: #fff; }
  .controls { display: flex; align-items: center; gap: 14px; flex-wrap: wrap; margin-bottom: 8px; }
  button { font-size: 18px; padding: 6px 16px; border-radius: 6px; border: 1px solid #90a4ae;
           background: #eceff1; cursor: pointer; min-width: 90px; }
  input[type=range] { flex: 1; min-width: 200px; }
  #status { font-variant-numeric: tabular-nums; min-width: 22em; }
  .plots { display: grid; grid-template-columns: 52fr 46fr; gap: 16px; max-width: 1000px; }
  canvas { border: 1px solid #cfd8dc; border-radius: 6px; width: 100%; height: auto; }
  .key { color: #546e7a; font-size: 16px; margin: 6px 0 0; }
</style>
</head>
<body>
<div class="controls">
  <button id="play" type="button">Play</button>
  <input id="epoch" type="range" min="0" max="0" value="0" aria-label="epoch">
  <span id="status"></span>
</div>
<div class="plots">
  <canvas id="boundary" width="520" height="400" aria-label="decision boundary"></canvas>
  <canvas id="loss" width="460" height="400" aria-label="loss curve"></canvas>
</div>
<p class="key">Colour: the probability of class 1 the network gives each point of the plane
(blue near 1, orange near 0); black line: where it is 0.5, the decision boundary. Right: the mean
loss of each epoch (log scale), the dot at the epoch shown. Keys: ← → move one epoch, Space plays.
</p>
<script>
const DATA = __DATA__;
const slider = document.getElementById("epoch"), play = document.getElementById("play");
const statusText = document.getElementById("status");
const boundary = document.getElementById("boundary"), lossCanvas = document.getElementById("loss");
const nx = DATA.gridX.length, ny = DATA.gridY.length, last = DATA.epochs.length - 1;
const grids = DATA.epochs.map(e => Uint8Array.from(atob(e.p), c => c.charCodeAt(0)));
slider.max = String(last);
slider.value = String(last);
const PAD = 36;

function colour(p) {  // 0 → orange, 0.5 → white, 1 → blue
  const orange = [216, 67, 21], blue = [21, 101, 192], t = Math.abs(p - 0.5) * 2;
  const end = p < 0.5 ? orange : blue;
  return end.map(c => Math.round(255 + (c - 255) * t * 0.75));
}

function drawBoundary(index) {
  const ctx = boundary.getContext("2d");
  const w = boundary.width - 2 * PAD, h = boundary.height - 2 * PAD;
  const grid = grids[index], small = document.createElement("canvas");
  small.width = nx; small.height = ny;
  const sctx = small.getContext("2d"), image = sctx.createImageData(nx, ny);
  for (let row = 0; row < ny; row++) for (let col = 0; col < nx; col++) {
    const [r, g, b] = colour(grid[row * nx + col] / 255), at = ((ny - 1 - row) * nx + col) * 4;
    image.data.set([r, g, b, 255], at);
  }
  sctx.putImageData(image, 0, 0);
  ctx.clearRect(0, 0, boundary.width, boundary.height);
  ctx.imageSmoothingEnabled = true;
  ctx.drawImage(small, PAD, PAD, w, h);
  const px = x => PAD + (x - DATA.gridX[0]) / (DATA.gridX[nx - 1] - DATA.gridX[0]) * w;
  const py = y => PAD + h - (y - DATA.gridY[0]) / (DATA.gridY[ny - 1] - DATA.gridY[0]) * h;
  ctx.strokeStyle = "#000"; ctx.lineWidth = 2.5; ctx.beginPath();
  const v = (r, c) => grid[r * nx + c] / 255 - 0.5;
  for (let r = 0; r + 1 < ny; r++) for (let c = 0; c + 1 < nx; c++) {
    const corners = [[r, c], [r, c + 1], [r + 1, c + 1], [r + 1, c]], cuts = [];
    for (let k = 0; k < 4; k++) {
      const [r0, c0] = corners[k], [r1, c1] = corners[(k + 1) % 4], a = v(r0, c0), b = v(r1, c1);
      if ((a < 0) !== (b < 0)) {
        const t = a / (a - b);
        cuts.push([px(DATA.gridX[c0] + t * (DATA.gridX[c1] - DATA.gridX[c0])),
                   py(DATA.gridY[r0] + t * (DATA.gridY[r1] - DATA.gridY[r0]))]);
      }
    }
    for (let k = 0; k + 1 < cuts.length; k += 2) {
      ctx.moveTo(cuts[k][0], cuts[k][1]); ctx.lineTo(cuts[k + 1][0], cuts[k + 1][1]);
    }
  }
  ctx.stroke();
  for (const [x, y, label] of DATA.points) {
    ctx.fillStyle = label === 1 ? "#1565c0" : "#d84315";
    ctx.strokeStyle = "#000"; ctx.lineWidth = 0.8; ctx.beginPath();
    if (label === 1) ctx.rect(px(x) - 4, py(y) - 4, 8, 8); else ctx.arc(px(x), py(y), 4.5, 0, 7);
    ctx.fill(); ctx.stroke();
  }
  ctx.fillStyle = "#212121"; ctx.font = "17px Helvetica, Arial, sans-serif";
  ctx.fillText("Decision boundary after epoch " + DATA.epochs[index].epoch, PAD, 24);
  ctx.fillText("x\u2081", PAD + w / 2, boundary.height - 10);
  ctx.fillText("x\u2082", 8, PAD + h / 2);
}

function drawLoss(index) {
  const ctx = lossCanvas.getContext("2d"), w = lossCanvas.width - 2 * PAD - 20;
  const h = lossCanvas.height - 2 * PAD, left = PAD + 20;
  const logs = DATA.epochs.map(e => Math.log10(Math.max(e.loss, 1e-12)));
  const low = Math.min(...logs), high = Math.max(...logs), span = Math.max(high - low, 1e-9);
  const px = i => left + (last === 0 ? w / 2 : i / last * w);
  const py = i => PAD + (high - logs[i]) / span * h;
  ctx.clearRect(0, 0, lossCanvas.width, lossCanvas.height);
  ctx.strokeStyle = "#cfd8dc"; ctx.lineWidth = 1; ctx.strokeRect(left, PAD, w, h);
  for (const [upto, colourName, width] of [[last, "#b0bec5", 1.5], [index, "#1565c0", 3]]) {
    ctx.strokeStyle = colourName; ctx.lineWidth = width; ctx.beginPath();
    for (let i = 0; i <= upto; i++) i === 0 ? ctx.moveTo(px(i), py(i)) : ctx.lineTo(px(i), py(i));
    ctx.stroke();
  }
  ctx.fillStyle = "#d84315"; ctx.beginPath(); ctx.arc(px(index), py(index), 6, 0, 7); ctx.fill();
  ctx.fillStyle = "#212121"; ctx.font = "17px Helvetica, Arial, sans-serif";
  ctx.fillText("Mean loss per epoch (log scale)", left, 24);
  ctx.font = "14px Helvetica, Arial, sans-serif";
  ctx.fillText((10 ** high).toPrecision(3), 2, PAD + 5);
  ctx.fillText((10 ** low).toPrecision(3), 2, PAD + h);
  ctx.fillText("epoch " + DATA.epochs[0].epoch, left, lossCanvas.height - 10);
  ctx.fillText("epoch " + DATA.epochs[last].epoch, left + w - 60, lossCanvas.height - 10);
}

function show(index) {
  slider.value = String(index);
  const e = DATA.epochs[index];
  statusText.textContent = "epoch " + e.epoch + " of " + DATA.epochs[last].epoch + " \u00b7 loss " +
    e.loss.toFixed(4) + " \u00b7 training accuracy " + Math.round(e.accuracy * 100) + "%";
  drawBoundary(index); drawLoss(index);
}

let timer = null;
function stop() { clearInterval(timer); timer = null; play.textContent = "Play"; }
function start() {
  if (Number(slider.value) >= last) show(0);
  play.textContent = "Pause";
  timer = setInterval(() => {
    const next = Number(slider.value) + 1;
    if (next > last) stop(); else show(next);
  }, 120);
}
play.addEventListener("click", () => (timer ? stop() : start()));
slider.addEventListener("input", () => { stop(); show(Number(slider.value)); });
document.addEventListener("keydown", event => {
  if (event.target === slider && event.key !== " ") return;  // the slider moves itself
  if (event.key === "ArrowRight") { stop(); show(Math.min(last, Number(slider.value) + 1)); }
  else if (event.key === "ArrowLeft") { stop(); show(Math.max(0, Number(slider.value) - 1)); }
  else if (event.key === " ") { event.preventDefault(); timer ? stop() : start(); }
});
show(last);
</script>
</body>
</html>
"""
