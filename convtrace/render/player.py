"""Playing a trace: frames printed in sequence, stepped through by key, or animated in place.

    summary -> one frame per chosen window position -> every feature map + the agreement line

The engine's steps stream through once; every step's value goes into a
Collector (the feature maps are drawn from it), and only the chosen steps
become frames. Interactive modes need a terminal on stdin and stdout; without
one the frames are printed in sequence, never animated.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from rich.console import Console
from rich.style import Style

from ..engine.naive import Step
from ..source.problem import Problem
from ..engine.tracecheck import Collector, agreement
from .export import Exporter
from .lines import Paragraph, blank
from .maps import FeatureMaps
from .pages import KEYS_BACK, KEYS_NEXT, KEYS_QUIT, Page, footer, interactive, print_pages, show_pages, step_pages  # noqa: F401
from .steps import StepView
from .summary import ProblemSummary

FRAME_CAP = 100  # frames drawn by default; the rest are traced and counted, not drawn
NOTE = Style(italic=True)


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

    def pages(self) -> Iterator[Page]:
        """Summary, one frame per chosen step (up to the cap), a note on the rest, the feature maps; made lazily."""
        yield Page((ProblemSummary(self.problem),), "summary")
        drawn = skipped = 0
        for step in self.frames:
            if self.cap is not None and drawn >= self.cap:
                skipped += 1
                continue
            yield Page((self.view.frame(step),), f"step {step.step} of 0..{self.problem.steps - 1}", frame=True)
            drawn += 1
        if skipped:
            yield Page((self._skipped_note(drawn, skipped), blank()), "not drawn")
        # made only now: the collector has seen every step the frames passed
        yield Page((self._finale(),), "the end", last=True)

    def print_all(self, delay: float | None = None) -> None:
        """Summary, frames, feature maps, one after the other; with `delay`, frames replace each other in place."""
        # every part fits the width already (blocks crop, paragraphs wrap): skip Rich's line cropping
        print_pages(self.pages(), self.console, delay=delay, exporter=self.exporter, crop=False)

    def step_through(self) -> None:
        """Classroom stepping: Enter/space next, b back, q quit. The cursor is hidden meanwhile and always restored."""
        step_pages(self.pages(), self.console, exporter=self.exporter)


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
    show_pages(player.pages(), console, stepping=stepping, delay=delay, exporter=exporter, crop=False)
