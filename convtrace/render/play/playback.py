"""`run --step` and `run --delay` in a terminal: the trace as a deck of screens for the Stage.

    index 0            the summary
    1 .. len(walk)     one frame per position the walk visits, fitted to the screen
    len(walk) + 1      the end: every feature map and the agreement line

The walk (teach/walk.py) computes; this module only lays out what it hands over.
"""

from __future__ import annotations

from rich.console import Console

from .fit import fitted_frame
from ..frames.maps import FeatureMaps
from .stage import Stage
from ..frames.steps import StepView
from ..frames.summary import ProblemSummary
from .terminal import Screen


class RunDeck:
    """The pages of a traced convolution, made on demand for the screen's size."""

    def __init__(self, walk, mode: str = "auto", summary: bool = True, end: bool = True, numbers=None):
        self.walk = walk
        self.problem = walk.problem
        self.mode = mode
        self.offset = 1 if summary else 0  # page index of the first frame
        self.end = end
        self.channels = min(self.problem.images.shape[1], 4)
        self.view = StepView(self.problem, walk.collector(), numbers=numbers)
        self._last: tuple[int, object] | None = None  # (index, Step): the step drawn last, reused on redraws

    def __len__(self) -> int:
        return self.offset + len(self.walk) + (1 if self.end else 0)

    def more(self) -> bool:
        return False  # every page is known from the start

    def first_last(self) -> tuple[int, int]:
        return self.offset, self.offset + len(self.walk) - 1

    def _is_frame(self, index: int) -> bool:
        return self.offset <= index < self.offset + len(self.walk)

    def channels_at(self, index: int) -> int:
        return self.channels if self._is_frame(index) else 1

    def images_at(self, index: int) -> int:
        return self.problem.output_shape[0] if self._is_frame(index) else 1

    def is_last(self, index: int) -> bool:
        return index == len(self) - 1

    def step(self, index: int):
        if self._last is None or self._last[0] != index:
            self._last = (index, self.walk.step(index - self.offset))
        return self._last[1]

    def page(self, index: int, width: int, height: int, channel: int):
        if index < self.offset:
            return ProblemSummary(self.problem)
        if index >= self.offset + len(self.walk):
            collector, agreement = self.walk.finished()
            return FeatureMaps(self.problem, collector, agreement, self.view.fmt.out)
        return fitted_frame(self.view, self.step(index), width, height, self.mode, channel)

    def label(self, index: int) -> str:
        if index < self.offset:
            return "summary"
        if index >= self.offset + len(self.walk):
            return "the end"
        number = self.walk.positions[index - self.offset]
        return f"step {number} of 0..{self.problem.steps - 1}"

    def goto(self, index: int, answer: str) -> int:
        """'12' -> step 12; '1,2' -> row 1, column 2 of the map on screen."""
        total = self.problem.steps
        if "," in answer:
            _, _, h_out, w_out = self.problem.output_shape
            try:
                row, col = (int(part) for part in answer.split(","))
            except ValueError:
                raise ValueError(f"{answer!r} is not row,col (e.g. 1,2)") from None
            if not (0 <= row < h_out and 0 <= col < w_out):
                raise ValueError(f"row,col must be within 0..{h_out - 1},0..{w_out - 1}")
            here = self.step(index) if self._is_frame(index) else None
            n, k = (here.n, here.k) if here is not None else (0, 0)
            number = self.walk.step_number(n, k, row, col)
        else:
            try:
                number = int(answer)
            except ValueError:
                raise ValueError(f"{answer!r} is not a step number (0..{total - 1})") from None
        found = self.walk.index_of(number)
        if found is None:
            raise ValueError(f"step {number} is not shown (steps 0..{total - 1}; --at may have picked fewer)")
        return self.offset + found

    def other_image(self, index: int) -> int | None:
        n_images = self.problem.output_shape[0]
        if n_images == 1 or not self._is_frame(index):
            return None
        s = self.step(index)
        for shift in range(1, n_images):
            found = self.walk.index_of(self.walk.step_number((s.n + shift) % n_images, s.k, s.row, s.col))
            if found is not None:
                return self.offset + found
        return None


def step_through(walk, console: Console, mode: str = "auto", numbers=None) -> str:
    """`run --step`: the deck on the alternate screen until q; the terminal is restored however it ends."""
    with Screen() as screen:
        return Stage(screen, console).run(RunDeck(walk, mode, numbers=numbers))


def animate(walk, console: Console, delay: float, mode: str = "auto", numbers=None) -> str:
    """`run --delay`: the frames played in place (keys still work: p pauses, q stops); returns how it ended."""
    with Screen() as screen:
        return Stage(screen, console).run(RunDeck(walk, mode, summary=False, end=False, numbers=numbers),
                                          playing=True, delay=delay, leave_at_end=True)
