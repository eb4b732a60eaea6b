"""Backward-pass events -> Rich frames (render/output/grad_records.py writes the JSON and plain lines). Nothing here computes.

Every number shown comes from a `grad_trace` event or the `grad.Gradients`
result; the only state kept is where earlier cells' values go on the board of
the array being filled (so the learner sees it grow, with the current cell in
brackets).
"""

from __future__ import annotations

import numpy as np
from rich.console import Console, ConsoleOptions, RenderResult
from rich.table import Table
from rich.text import Text

from ...engine.grad_events import (
    BiasCell, BiasResult, ImagesCell, ImagesPrepare, ImagesResult, KernelsCell, KernelsPrepare, KernelsResult,
)
from ...source.problem import Problem
from ...teach.grad_words import Explanation
from .grad_cells import (
    BiasCellFrame, BiasResultFrame, ImagesCellFrame, ImagesPrepareFrame, ImagesResultFrame, KernelsCellFrame,
    KernelsPrepareFrame, KernelsResultFrame,
)
from ..output.grad_records import NAMES


class GradHeader:
    """Title, description, promotion notes and the shapes the backward pass works with."""

    def __init__(self, problem: Problem, given_grad: bool):
        self.problem = problem
        self.given_grad = given_grad

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        p = self.problem
        if p.title:
            yield Text(p.title, style="bold")
        if p.description:
            yield Text(p.description)
        for note in p.notes:
            yield Text(f"note: {note}", style="italic")
        source = "from the document" if self.given_grad else "not given, so all ones"
        yield Text(
            f"backward pass of images {p.input_shape} x kernels {p.kernel_shape} -> output {p.output_shape} (NCHW); "
            f"g = dL/dout {source}; loss L = sum(out * g)"
        )
        if p.layout == "NHWC":
            yield Text("the document is NHWC; the trace reads every array in NCHW order [n, c, row, col]")
        yield Text("")


class GradView:
    """Turns each backward-pass event into a Rich frame, keeping the boards of the arrays being filled."""

    def __init__(self, problem: Problem):
        self.problem = problem
        self.images_prepare: ImagesPrepare | None = None
        self.kernels_prepare: KernelsPrepare | None = None
        self.boards: dict[tuple, np.ndarray] = {}

    def frame(self, event):
        """The renderable for one event."""
        if isinstance(event, ImagesPrepare):
            self.images_prepare = event
            return ImagesPrepareFrame(event)
        if isinstance(event, ImagesCell):
            board = self._board(("images", event.n, event.c), self.images_prepare.size)
            board[event.row, event.col] = event.value
            return ImagesCellFrame(event, self.images_prepare, board.copy())
        if isinstance(event, ImagesResult):
            return ImagesResultFrame(event)
        if isinstance(event, KernelsPrepare):
            self.kernels_prepare = event
            return KernelsPrepareFrame(event)
        if isinstance(event, KernelsCell):
            board = self._board(("kernels", event.k, event.c), self.problem.kernel_shape[2:])
            board[event.row, event.col] = event.value
            return KernelsCellFrame(event, self.kernels_prepare, board.copy())
        if isinstance(event, KernelsResult):
            return KernelsResultFrame(event)
        if isinstance(event, BiasCell):
            return BiasCellFrame(event)
        if isinstance(event, BiasResult):
            return BiasResultFrame(event)
        raise TypeError(f"not a backward-pass event: {event!r}")

    def _board(self, key, shape) -> np.ndarray:
        if key not in self.boards:
            self.boards[key] = np.full(shape, np.nan)
        return self.boards[key]


class ExplanationFrame:
    """The summary of one gradient: its forward mode, its rotation and why."""

    def __init__(self, part: Explanation):
        self.part = part

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        yield Text(self.part.title, style="bold")
        lines = Table.grid()
        lines.add_column(width=2)
        lines.add_column()
        for line in self.part.lines:
            lines.add_row("", Text(line))  # wrapped lines stay indented
        yield lines
        yield Text("")


class SkippedNote:
    """How many cells were traced but not drawn before a result: by --limit, or by the default cap."""

    def __init__(self, grad: str, skipped: int, cap: int | None = None):
        if cap is None:
            self.text = f"... {skipped} more {NAMES[grad]} cell(s) not shown (--limit)"
        else:
            self.text = (
                f"... {skipped} more {NAMES[grad]} cell(s) traced but not drawn (the first {cap} of each gradient "
                f"are drawn by default); draw them all with --limit {cap + skipped}, or list them with --format plain"
            )

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        yield Text(self.text, style="italic")
        yield Text("")
