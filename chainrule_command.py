"""The `chainrule` command's entry point: Ctrl-C is caught from the first moment on, while the
project's modules are still loading; then viz.cli.main runs the command (and catches it itself).

While the modules load, Ctrl-C only sets a flag (no library code in between can swallow it); it
is answered once they are loaded. This module imports nothing of the project at its top, so its
message and exit code are spelled out here rather than taken from viz.cli.
"""

import signal
import sys

EXIT_INTERRUPTED = 130


def main() -> int:
    """Load viz.cli and run it; Ctrl-C while loading prints one line and returns 130."""
    pressed: list[int] = []
    try:
        previous = signal.signal(signal.SIGINT, lambda signum, frame: pressed.append(signum))
        try:
            from viz.cli import main as run_command
        finally:
            signal.signal(signal.SIGINT, previous)
    except KeyboardInterrupt:  # before the flag was set up
        pressed.append(signal.SIGINT)
    if pressed:
        print("chainrule: interrupted (Ctrl-C) while starting; nothing was written",
              file=sys.stderr)
        return EXIT_INTERRUPTED
    return run_command()
