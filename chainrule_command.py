"""The `chainrule` command's entry point: Ctrl-C is caught from the first moment on, while the
project's modules are still loading; then viz.cli.main runs the command (and catches it itself).

This module imports nothing of the project at its top, so that there is nothing to interrupt
before the `try`. Its message and exit code are viz.cli's, which it cannot import yet.
"""

import sys


def main() -> int:
    """Load viz.cli and run it; Ctrl-C while loading prints one line and returns 130."""
    try:
        from viz.cli import main as run_command
    except KeyboardInterrupt:
        print("chainrule: interrupted (Ctrl-C) while starting; nothing was written",
              file=sys.stderr)
        return 130
    return run_command()
