"""A walk through a trace in any order: what the classroom player asks for, computed here, not in the renderer.

    Walk(problem, positions)
        .positions      the step numbers to visit (all, or those --at picked), 0-based as in every view
        .step(i)        the engine's Step at step number i (the naive loop, started at i)
        .output         (N, K, H', W') from the vectorized engine: the map cells before a step
        .agreement()    the naive loop run to the end against the vectorized engine (once, when asked)
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
        self._agreement: Agreement | None = None

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

    def agreement(self) -> Agreement:
        """Every value of the naive loop compared with the vectorized engine (runs the loop once)."""
        if self._agreement is None:
            traced = Collector(self.problem)
            for s in trace(self.problem):
                traced.add(s)
            self._agreement = agreement(self.problem, traced)
        return self._agreement

    def traced_collector(self) -> Collector:
        """A Collector filled by the naive loop (for the end page: the maps show traced values)."""
        traced = Collector(self.problem)
        for s in trace(self.problem):
            traced.add(s)
        return traced


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
