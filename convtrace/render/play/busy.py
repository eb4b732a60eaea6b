"""A progress line on stderr while long work runs, so a long trace shows it is alive.

    with Busy("tracing", total=problem.steps) as busy:
        for step in steps:
            busy.advance()

It appears only after about a second (short runs stay silent), only when
stderr is a terminal, and only when stdout is not that terminal too: output
going to the screen already shows progress, and a progress line redrawn
between its lines would tear them. It is transient: nothing stays behind.
"""

from __future__ import annotations

import sys
import time

AFTER = 1.0  # seconds of silence before the progress line appears


def wanted() -> bool:
    """True when a progress line can be drawn without mixing into the output: stderr a terminal, stdout not."""
    try:
        return sys.stderr.isatty() and not sys.stdout.isatty()
    except (AttributeError, ValueError):
        return False


class Busy:
    """Counts work done; shows a Rich progress bar on stderr once the work has taken longer than AFTER.

    One line at a time: an inner Busy (tracing inside a page) takes the line over from an outer one.
    """

    shown: Busy | None = None  # the one whose line is on screen

    def __init__(self, what: str, total: int | None = None, after: float = AFTER):
        self.what, self.total, self.after = what, total, after
        self.enabled = wanted()
        self.started = time.monotonic()
        self.done = 0
        self._progress = None
        self._task = None
        self._checked = 0.0

    def __enter__(self) -> Busy:
        return self

    def __exit__(self, *exc) -> None:
        self.stop()

    def advance(self, count: int = 1, what: str | None = None) -> None:
        self.done += count
        if not self.enabled:
            return
        now = time.monotonic()
        if now - self._checked < 0.1:  # cheap when called per step: look at the clock at most 10 times a second
            return
        self._checked = now
        if self._progress is None and now - self.started >= self.after:
            if Busy.shown is not None and Busy.shown is not self:
                Busy.shown.stop()
            self._start()
            Busy.shown = self
        if self._progress is not None:
            self._progress.update(self._task, completed=self.done, description=what or self.what)

    def _start(self) -> None:
        from rich.console import Console
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

        columns = [SpinnerColumn(), TextColumn("{task.description}")]
        if self.total:
            columns += [BarColumn(), MofNCompleteColumn()]
        columns.append(TimeElapsedColumn())
        self._progress = Progress(*columns, console=Console(stderr=True), transient=True)
        self._task = self._progress.add_task(self.what, total=self.total)
        self._progress.start()

    def stop(self) -> None:
        if self._progress is not None:
            self._progress.stop()
            self._progress = None
        if Busy.shown is self:
            Busy.shown = None
