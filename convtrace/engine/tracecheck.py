"""Collect the values a trace produced and check them against the vectorized engine.

The step view draws the output feature maps from the values the naive loop
yielded, never from a second computation, and then says how far they are from
`convtrace.engine.fast` (they should agree to the last few bits).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .naive import Step
from ..source.problem import Problem


class Collector:
    """The output (N, K, H', W') filled in as steps stream by, in loop order n, k, row, col.

    `count` steps have been seen; because the loop order is fixed, the cells
    already computed are exactly those whose loop index is below `count`.
    """

    def __init__(self, problem: Problem):
        self.shape = problem.output_shape
        self.values = np.zeros(self.shape)
        self.count = 0

    def add(self, step: Step) -> None:
        """Store one step's value at its output position."""
        self.values[step.n, step.k, step.row, step.col] = step.value
        self.count = step.step + 1

    @property
    def total(self) -> int:
        """N * K * H' * W': how many values the whole trace produces."""
        n, k, h, w = self.shape
        return n * k * h * w

    def index(self, n: int, k: int, row: int, col: int) -> int:
        """Loop index of output position (n, k, row, col)."""
        _, n_kernels, h, w = self.shape
        return ((n * n_kernels + k) * h + row) * w + col

    def traced(self) -> np.ndarray:
        """(N, K, H', W'): the values produced so far, NaN where the trace has not been yet."""
        values = self.values.copy()
        values.reshape(-1)[self.count:] = np.nan
        return values



@dataclass(frozen=True)
class Agreement:
    """How the traced values compare with the vectorized engine."""

    compared: int  # number of output values compared
    total: int  # N * K * H' * W'
    max_difference: float  # max |trace - vectorized| over the compared values
    tolerance: float  # the largest difference rounding can explain, at the worst value
    agrees: bool


def agreement(problem: Problem, collector: Collector) -> Agreement:
    """Compare the collected values with `fast.problem_output` over the positions traced so far.

    The tolerance scales with sum |x| * |w| per output (plus |bias|), as the
    rounding of a sum of products does.
    """
    from .fast import conv2d_nchw, problem_output

    count = collector.count
    expected = problem_output(problem).reshape(-1)[:count]
    traced = collector.values.reshape(-1)[:count]
    if count == 0:
        return Agreement(0, collector.total, 0.0, 0.0, True)
    bias = None if problem.bias is None else np.abs(problem.bias)
    scale = conv2d_nchw(np.abs(problem.images), np.abs(problem.kernels), bias, problem.geometry, problem.flip)
    taps = problem.kernels[0].size
    allowed = 4 * (taps + 1) * np.finfo(np.float64).eps * scale.reshape(-1)[:count]
    difference = np.abs(traced - expected)
    return Agreement(
        compared=count,
        total=collector.total,
        max_difference=float(difference.max()),
        tolerance=float(allowed.max()),
        agrees=bool(np.all(difference <= allowed)),
    )
