"""Playing a trace: frames printed in sequence, stepped through by key, or animated in place.

    summary -> one frame per chosen window position -> every feature map + the agreement line

The engine's steps stream through once; every step's value goes into a
Collector (the feature maps are drawn from it), and only the chosen steps
become frames. Interactive modes need a terminal on stdin and stdout; without
one the frames are printed in sequence, never animated.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Iterable, Iterator

from rich.console import Console
from rich.style import Style

from ..engine import Step
from ..problem import Problem
from ..tracecheck import Collector, agreement
from .export import Exporter
from .lines import Paragraph, blank, text
from .maps import FeatureMaps
from .steps import StepView
from .summary import ProblemSummary

FRAME_CAP = 100  # frames drawn by default; the rest are traced and counted, not drawn
NOTE = Style(italic=True)
KEYS_NEXT = ("\r", "\n", " ", "n", "\x1b[C", "\x1b[B", "j", "l")
KEYS_BACK = ("b", "p", "\x1b[D", "\x1b[A", "k", "h", "\x7f")
KEYS_QUIT = ("q", "Q")  # not Escape: an arrow key can arrive split, starting with it


def chosen_steps(steps: Iterable[Step], collector: Collector, chosen, limit: int | None) -> Iterator[Step]:
    """The steps to draw: those `chosen` accepts, at most `limit`; every step passing by is collected."""
    drawn = 0
    if limit == 0:
        return
    for step in steps:
        collector.add(step)
        if chosen(step):
            yield step
            drawn += 1
            if limit is not None and drawn >= limit:
                return


def interactive(console: Console) -> bool:
    """True when keys can be read and the screen redrawn: stdin and stdout are both terminals."""
    return console.is_terminal and sys.stdin.isatty() and sys.stdout.isatty()


class Player:
    """One trace shown on `console` (and recorded by `exporter`, when given)."""

    def __init__(
        self,
        problem: Problem,
        steps: Iterable[Step],
        console: Console,
        *,
        chosen=lambda step: True,
        limit: int | None = None,
        cap: int | None = FRAME_CAP,
        exporter: Exporter | None = None,
    ):
        self.problem = problem
        self.console = console
        self.collector = Collector(problem)
        self.view = StepView(problem, self.collector)
        self.frames = chosen_steps(steps, self.collector, chosen, limit)
        self.limit = limit
        self.cap = None if limit is not None else cap  # an explicit --limit draws all it asks for
        self.exporter = exporter

    def _out(self, renderable) -> None:
        # every part fits the width already (blocks crop, paragraphs wrap): skip Rich's line cropping
        self.console.print(renderable, crop=False)
        if self.exporter is not None:
            self.exporter.add(renderable)

    def _finale(self) -> FeatureMaps:
        return FeatureMaps(self.problem, self.collector, agreement(self.problem, self.collector))

    def _skipped_note(self, drawn: int, skipped: int):
        total = self.problem.steps
        return Paragraph(
            f"... {skipped} more window position{'s' * (skipped != 1)} traced but not drawn "
            f"(the first {drawn} frames are drawn by default). Draw them all with --limit {drawn + skipped}, "
            f"pick some with --at (e.g. --at n=0,k=0 or --at row=0,col=0), "
            f"or list all {total} with --format plain.",
            NOTE,
        )

    def print_all(self, delay: float | None = None) -> None:
        """Summary, frames, feature maps, one after the other; with `delay`, frames replace each other in place."""
        self._out(ProblemSummary(self.problem))
        drawn = skipped = 0
        live = None
        if delay is not None:
            from rich.live import Live

            live = Live(console=self.console, auto_refresh=False, transient=False, vertical_overflow="ellipsis")
            live.start()
        try:
            for step in self.frames:
                if self.cap is not None and drawn >= self.cap:
                    skipped += 1
                    continue
                frame = self.view.frame(step)
                if live is not None:
                    live.update(frame, refresh=True)
                    if self.exporter is not None:
                        self.exporter.add(frame)
                    time.sleep(delay)
                else:
                    self._out(frame)
                drawn += 1
        finally:
            if live is not None:
                live.stop()
        if skipped:
            self._out(self._skipped_note(drawn, skipped))
            self._out(blank())
        self._out(self._finale())

    def step_through(self) -> None:
        """Classroom stepping: Enter/space next, b back, q quit. The cursor is hidden meanwhile and always restored."""
        import click

        console = self.console
        history: list[Step] = []
        position = 0  # 0: the summary; i >= 1: frame history[i-1]; len(history)+1 after the last: the maps
        finished = False
        finale = None
        if self.exporter is not None:
            self.exporter.add(ProblemSummary(self.problem))
        console.show_cursor(False)
        try:
            while True:
                if position > len(history) and not finished:
                    step = next(self.frames, None)
                    if step is None:
                        finished = True
                    else:
                        history.append(step)
                        if self.exporter is not None:
                            self.exporter.add(self.view.frame(step))
                if position == 0:
                    page, where = ProblemSummary(self.problem), "summary"
                elif position <= len(history):
                    step = history[position - 1]
                    page, where = self.view.frame(step), f"step {step.step + 1} of {self.problem.steps}"
                else:
                    if finale is None:
                        finale = self._finale()
                        if self.exporter is not None:
                            self.exporter.add(finale)
                    page, where = finale, "the end"
                console.clear()
                console.print(page)
                console.print(footer(where, at_end=position > len(history)), end="")
                key = click.getchar()
                if key in KEYS_QUIT:
                    break
                if key in KEYS_NEXT:
                    if position > len(history):
                        break
                    position += 1
                elif key in KEYS_BACK:
                    position = max(position - 1, 0)
        finally:
            console.show_cursor(True)
            console.print()


def footer(where: str, at_end: bool):
    keys = "Enter/space: quit" if at_end else "Enter/space: next"
    return text(f"[{where}]  {keys}   b: back   q: quit", Style(reverse=True))


def play(
    problem: Problem,
    steps: Iterable[Step],
    console: Console,
    *,
    chosen=lambda step: True,
    limit: int | None = None,
    stepping: bool = False,
    delay: float | None = None,
    exporter: Exporter | None = None,
) -> None:
    """Show a trace the way the options ask; interactive modes fall back to plain printing off a terminal."""
    live = interactive(console)
    player = Player(problem, steps, console, chosen=chosen, limit=limit, cap=None if (stepping and live) else FRAME_CAP, exporter=exporter)
    try:
        if stepping and live:
            player.step_through()
        else:
            player.print_all(delay if (delay is not None and live) else None)
    finally:
        if exporter is not None:
            exporter.close()
