"""Playing a trace: printed in sequence, stepped through by key, or animated in place.

    printed  summary -> one frame per chosen position -> a note on the rest -> every feature map
    pages    the same, each frame page also fitted to a screen on demand (render/play/fit.py), as `lesson run`
             steps through them (the player's `c` picks the channel, `i` the image)
    --step   the same pages on the alternate screen, one per screen, each fitted to the terminal
             (render/play/fit.py), moved through by single keys (render/play/stage.py)
    --delay  the frames played in place on the alternate screen, the map filling in; then the
             last frame and the feature maps stay on the normal screen

Printing streams the engine's steps once: every step's value goes into a
Collector (the maps are drawn from it) and only the chosen steps become frames.
Stepping needs steps in any order; a Walk (teach/walk.py) hands them over.
The numbers that close a trace (how the loop agrees with the vectorized
engine) are computed by the caller and handed in as `finish`.

`convtrace grad` goes through the same pages: `grad_pages` lays out its
events (preparation, cells, result per gradient), `limited_events` caps them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from functools import partial

from rich.console import Console
from rich.style import Style

from .caps import FRAME_CAP, GRAD_FRAME_CAP
from ...engine.naive import Step
from ...engine.tracecheck import Collector
from ...source.problem import Problem
from ..output.export import Exporter
from ..toolkit.lines import Paragraph, blank
from ..frames.maps import FeatureMaps
from .pages import FramePlace, Page, print_pages
from ..frames.steps import StepView
from ..frames.summary import ProblemSummary

NOTE = Style(italic=True)


def chosen_steps(steps: Iterable[Step], collector: Collector, chosen, limit: int | None) -> Iterator[Step]:
    """The steps to draw: those `chosen` accepts, at most `limit`; every step passing by is collected."""
    from .busy import Busy

    drawn = 0
    if limit == 0:
        return
    with Busy("tracing window positions", total=collector.total) as busy:
        for step in steps:
            busy.advance()
            collector.add(step)
            if chosen(step):
                yield step
                drawn += 1
                if limit is not None and drawn >= limit:
                    return


class Player:
    """One trace printed on `console` (and recorded by `exporter`, when given).

    `picked`: the step numbers a long trace draws by default (see teach/walk.teaching_steps),
    or None to draw every chosen step (up to `cap`).
    `finish(collector)`: the agreement line's numbers, computed by the caller when the trace is done.
    """

    def __init__(self, problem: Problem, steps: Iterable[Step], console: Console, *,
                 chosen=lambda step: True, limit: int | None = None, cap: int | None = FRAME_CAP,
                 exporter: Exporter | None = None, picked: Sequence[int] | None = None,
                 finish: Callable | None = None, view: str = "full", numbers=None):
        self.problem = problem
        self.console = console
        self.collector = Collector(problem)
        self.view = StepView(problem, self.collector, numbers=numbers)
        self.numbers = self.view.fmt
        self.picked = None if picked is None else set(picked)
        if self.picked is not None:
            chosen = _by_number(self.picked.__contains__)
        self.frames = chosen_steps(steps, self.collector, chosen, limit)
        self.limit = limit
        self.cap = None if (limit is not None or picked is not None) else cap  # --limit draws all it asks for
        self.exporter = exporter
        self.finish = finish
        self.mode = view

    def _finale(self) -> FeatureMaps:
        return FeatureMaps(self.problem, self.collector, self.finish(self.collector) if self.finish else None,
                           self.numbers.out)

    def _skipped_note(self, drawn: int, skipped: int):
        total = self.problem.steps
        return Paragraph(
            f"... {skipped} more window position{'s' * (skipped != 1)} traced but not drawn "
            f"(the first {drawn} frames are drawn by default). Draw them all with --limit {drawn + skipped}, "
            f"pick some with --at (e.g. --at step=0..9, --at n=0,k=0 or --at row=0,col=0), "
            f"or list all {total} with --format plain.",
            NOTE,
        )

    def _picked_note(self):
        total = self.problem.steps
        numbers = ", ".join(str(n) for n in sorted(self.picked))
        return Paragraph(
            f"{len(self.picked)} of the {total} window positions are drawn (steps {numbers}): the first ones, "
            f"one whose window covers only real data, and the last; every position is traced, and the maps "
            f"below hold them all. See more: --step (a key per position), --at step=N or --at row=R,col=C, "
            f"--limit N (the first N), --format plain (a line each).",
            NOTE,
        )

    def frame(self, step: Step):
        if self.mode == "compact":
            return _Fitted(self.view, step)
        return self.view.frame(step)

    def _fitted(self, step: Step, width: int, height: int, channel: int):
        """The frame of `step` as `run --step` fits it to a width x height screen (channel: the one `c` picked)."""
        from .fit import fitted_frame

        return fitted_frame(self.view, step, width, height, "compact" if self.mode == "compact" else "auto", channel)

    def _place(self, step: Step) -> FramePlace:
        """The frame's output cell, images and channels, for the stepping player's `c` and `i` keys."""
        n_images, c_count = self.problem.images.shape[:2]
        return FramePlace(step.n, step.k, step.row, step.col, n_images, min(c_count, self.view.max_channels))

    def pages(self) -> Iterator[Page]:
        """Summary, one frame per chosen step (up to the cap), a note on the rest, the feature maps; made lazily."""
        note = self.numbers.note()
        yield Page((ProblemSummary(self.problem),) + ((Paragraph(note, NOTE), blank()) if note else ()), "summary")
        if self.picked is not None and len(self.picked) < self.problem.steps:
            yield Page((self._picked_note(), blank()), "which frames")
        drawn = skipped = 0
        for step in self.frames:
            if self.cap is not None and drawn >= self.cap:
                skipped += 1
                continue
            yield Page((self.frame(step),), f"step {step.step} of 0..{self.problem.steps - 1}", frame=True,
                       fit=partial(self._fitted, step), place=self._place(step))
            drawn += 1
        if skipped:
            yield Page((self._skipped_note(drawn, skipped), blank()), "not drawn")
        # made only now: the collector has seen every step the frames passed
        yield Page((self._finale(),), "the end", last=True)

    def print_all(self) -> None:
        """Summary, frames, feature maps, one after the other."""
        # every part fits the width already (blocks crop, paragraphs wrap): skip Rich's line cropping
        print_pages(self.pages(), self.console, exporter=self.exporter, crop=False)


def _by_number(contains):
    return lambda step: contains(step.step)


class _Fitted:
    """A frame in the compact layout at whatever width the console offers (--view compact, printed)."""

    def __init__(self, view: StepView, step: Step):
        self.view, self.step = view, step

    def __rich_console__(self, console, options):
        from .fit import fitted_frame

        yield fitted_frame(self.view, self.step, options.max_width, None, "compact")


# ---------------------------------------------------------------- `convtrace grad`: the same player


class Skipped:
    """Stands for the cells --limit left out of one gradient."""

    def __init__(self, grad: str, count: int):
        self.grad, self.count = grad, count
        self.text = f"... {count} more {grad} cell(s) not shown (--limit)"


def limited_events(events, bias_cells: int):
    """Pass every event, and before a result a note of the cells the walk left out (its `limit`).

    dL/dimages and dL/dkernels say their cell count in their preparation; dL/dbias has one cell per kernel.
    """
    cells, shown = bias_cells, 0
    for event in events:
        if event.event == "prepare":
            cells, shown = event.cells, 0
        elif event.event == "cell":
            shown += 1
        else:
            if cells > shown:
                yield Skipped(event.grad, cells - shown)
            cells, shown = bias_cells, 0
        yield event


def grad_pages(problem, events, parts, capped: bool):
    """Header, then per gradient its preparation, cells (the frames) and result, then what each gradient is."""
    from rich.rule import Rule

    from ..frames.grad import NAMES, ExplanationFrame, GradHeader, GradView, SkippedNote

    yield Page((GradHeader(problem, problem.grad_output is not None),), "backward pass")
    view = GradView(problem)
    cells = {"bias": problem.kernel_shape[0]}  # one dL/dbias cell per kernel; the others say in their preparation
    for event in events:
        if isinstance(event, Skipped):
            yield Page((SkippedNote(event.grad, event.count, GRAD_FRAME_CAP if capped else None),),
                       f"{NAMES[event.grad]}: cells not drawn")
            continue
        name = NAMES[event.grad]
        if event.event == "prepare":
            cells[event.grad] = event.cells
            yield Page((view.frame(event),), f"{name}: preparation")
        elif event.event == "cell":
            yield Page((view.frame(event),), f"{name} step {event.step} of 0..{cells[event.grad] - 1}", frame=True)
        else:
            yield Page((view.frame(event),), f"{name}: result")
    rule = Rule("What each gradient is")
    if not parts:
        yield Page((rule,), "the end", last=True)
    for i, part in enumerate(parts):
        first, last = i == 0, i == len(parts) - 1
        yield Page(((rule,) if first else ()) + (ExplanationFrame(part),),
                   f"what {NAMES[part.grad]} is" + (", the end" if last else ""), last=last)
