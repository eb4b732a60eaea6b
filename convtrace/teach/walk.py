"""A walk through a trace in any order: what the classroom player asks for, computed here, not in the renderer.

    Walk(problem, positions)
        .positions      the step numbers to visit (all, or those --at picked), 0-based as in every view
        .step(i)        the engine's Step at step number i (the naive loop, started at i)
        .output         (N, K, H', W') from the vectorized engine: the map cells before a step
        .finished()     the naive loop run to the end, and its agreement with the vectorized engine
        .collector()    the output as a Collector, for the views that draw feature maps from one

Going back, jumping to the last step or playing from the middle needs each
step on demand; the naive loop can start at any step number, so a Step is
never older than the key press that asked for it.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import cached_property

import numpy as np

from ..engine.naive import Step, trace
from ..engine.tracecheck import Agreement, Collector, agreement
from ..source.problem import Problem


class Walk:
    """The steps of `problem` a player can visit, by position in `positions`."""

    def __init__(self, problem: Problem, positions: Sequence[int] | None = None):
        self.problem = problem
        self.positions = range(problem.steps) if positions is None else positions
        self._finished: tuple[Collector, Agreement] | None = None

    def __len__(self) -> int:
        return len(self.positions)

    def step(self, index: int) -> Step:
        """The Step at position `index` of the walk (0 <= index < len(self))."""
        return next(trace(self.problem, start=self.positions[index]))

    def index_of(self, step_number: int) -> int | None:
        """Where step number `step_number` sits in the walk, or None when the walk does not visit it."""
        if isinstance(self.positions, range):
            return step_number if 0 <= step_number < len(self.positions) else None
        try:
            return list(self.positions).index(step_number)
        except ValueError:
            return None

    def step_number(self, n: int, k: int, row: int, col: int) -> int:
        """Loop index of out[n, k, row, col] (loop order n, k, row, col)."""
        _, K, H, W = self.problem.output_shape
        return ((n * K + k) * H + row) * W + col

    @cached_property
    def output(self) -> np.ndarray:
        """(N, K, H', W') from the vectorized engine."""
        from ..engine.fast import problem_output

        return problem_output(self.problem)

    def collector(self, upto: int | None = None) -> Collector:
        """The output as a Collector that has seen the steps before step number `upto` (all when None)."""
        collected = Collector(self.problem)
        collected.values = self.output
        collected.count = self.problem.steps if upto is None else upto
        return collected

    def finished(self) -> tuple[Collector, Agreement]:
        """The naive loop run to the end (once, when first asked): its values, and how they agree
        with the vectorized engine."""
        if self._finished is None:
            traced = Collector(self.problem)
            for s in trace(self.problem):
                traced.add(s)
            self._finished = (traced, agreement(self.problem, traced))
        return self._finished


def selected_positions(problem: Problem, chosen) -> list[int]:
    """The step numbers `chosen` (an --at Selection) accepts, without computing any step's values."""
    N, K, H, W = problem.output_shape
    picked = []
    for number, (n, k, row, col) in enumerate(np.ndindex(N, K, H, W)):
        if chosen(_Where(number, n, k, row, col)):
            picked.append(number)
    return picked


class _Where:
    """The position fields a Selection reads, without the step's arrays."""

    __slots__ = ("step", "n", "k", "row", "col")

    def __init__(self, step, n, k, row, col):
        self.step, self.n, self.k, self.row, self.col = step, n, k, row, col


SMALL_TRACE = 36  # up to this many positions, a printed trace draws them all


def teaching_steps(problem: Problem, first: int = 3) -> list[int] | None:
    """The step numbers a long printed trace draws by default; None when the trace is short enough for all.

    The first `first` positions (the loop starting), the first window over real data
    only (a big padded input otherwise shows nothing but zeros), the middle and the last
    position of the first map, and the very last step.
    """
    total = problem.steps
    if total <= SMALL_TRACE:
        return None
    _, _, h_out, w_out = problem.output_shape
    g = problem.geometry
    picks = set(range(min(first, total)))
    row = _first_clear(g.rows, g.stride[0], g.dilation[0], g.kernel_size[0], h_out)
    col = _first_clear(g.cols, g.stride[1], g.dilation[1], g.kernel_size[1], w_out)
    if row is not None and col is not None:
        picks.add(row * w_out + col)
    picks.add((h_out // 2) * w_out + w_out // 2)
    picks.add(h_out * w_out - 1)
    picks.add(total - 1)
    return sorted(picks)


def _first_clear(axis, stride: int, dilation: int, size: int, count: int) -> int | None:
    """The first output index along an axis whose window taps touch no padding."""
    for i in range(count):
        if not any(axis.is_padding(i * stride + u * dilation) for u in range(size)):
            return i
    return None
