"""The console a command prints its step view on, and what happens when the reader of stdout goes away.

Without an --export, a reader going away (`convtrace run | head -n 1`) ends the
command at once, quietly (Rich points stdout at /dev/null and exits; the CLI
turns that into exit 0). With an --export the file is the part that matters:
the screen side falls silent and the command carries on, so the page, the
text or the pictures are finished whatever happened to stdout.
"""

from __future__ import annotations

import os
import sys

from rich.console import Console


class ScreenThatMayClose(Console):
    """A Console whose reader may go away while an export is still being written: it then prints nothing more."""

    reader_gone = False

    def on_broken_pipe(self) -> None:
        # what Rich does, without its SystemExit: later writes, ours and Python's final flush, go nowhere
        self.quiet = True
        self.reader_gone = True
        devnull = os.open(os.devnull, os.O_WRONLY)
        try:
            os.dup2(devnull, sys.stdout.fileno())
        finally:
            os.close(devnull)


def command_console(export: str | None) -> Console:
    """The step view's console: with an export, one that outlives a closed stdout; without, Rich's own."""
    if export:
        return ScreenThatMayClose(highlight=False)
    return Console(highlight=False)
