"""`compare`: the same images and kernels under several padding modes and strides, run side by side.

Every run goes through the vectorized engine (fast.conv2d_nchw) with a
geometry from geometry.make_geometry, exactly as `convtrace run` would compute
it. For each output cell the run also says whether its window reads any of the
zero padding: those are the values a padding mode adds or changes; a window
entirely inside the input gives the same number in every mode.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..errors import DataError, UsageError
from ..source.choices import MODES
from ..source.axis import Axis
from ..source.geometry import Geometry, make_geometry
from ..source.problem import Problem

DEFAULT_MODES = ("valid", "same", "full")
DEFAULT_STRIDES = (1, 2)


@dataclass(frozen=True)
class Run:
    """One (mode, stride) combination: its geometry and output, or why no window fits."""

    mode: str
    stride: int
    geometry: Geometry | None
    output: np.ndarray | None  # (N, K, H', W') in NCHW order
    touches_padding: np.ndarray | None  # (H', W') bool: the window reads at least one padding zero
    error: str | None = None

    @property
    def dropped_input(self) -> tuple[int, int]:
        """(rows, cols) of the input that no window reaches: what the floor throws away."""
        return floor_drops(self.geometry.rows)[0], floor_drops(self.geometry.cols)[0]

    @property
    def unread_padding(self) -> tuple[int, int]:
        """(rows, cols) of zero padding past the last window: unread, but nothing is lost."""
        return floor_drops(self.geometry.rows)[1], floor_drops(self.geometry.cols)[1]

    @property
    def formulas(self) -> tuple[str, ...]:
        """The output-size formula per axis; one line "H' = W' = ..." when both axes have the same numbers."""
        rows, cols = self.geometry.rows.out_formula(), self.geometry.cols.out_formula()
        if rows.split(" = ", 1)[1] == cols.split(" = ", 1)[1]:
            return ("H' = W' = " + rows.split(" = ", 1)[1],)
        return rows, cols


def floor_drops(axis: Axis) -> tuple[int, int]:
    """(input cells, padding cells) at the end of an axis that no window reaches.

    Only the first are lost data (the floor throws them away); the second are
    zeros of the padding past the last window (under 'full' at stride 2, say),
    and leaving them out loses nothing.
    """
    if axis.dropped_range is None:
        return 0, 0
    start, end = axis.dropped_range  # input coordinates, half-open
    data = max(0, min(end, axis.size) - max(start, 0))
    return data, axis.dropped - data


@dataclass(frozen=True)
class Comparison:
    """Every run on the same problem."""

    problem: Problem
    runs: tuple[Run, ...]


def touches_padding(g: Geometry) -> np.ndarray:
    """(H', W') bool: True where the window at that output position reads a zero of the padding."""

    def per_axis(axis: Axis) -> np.ndarray:
        return np.array([any(axis.is_padding(t) for t in axis.taps(c)) for c in axis.corners()], dtype=bool)

    return per_axis(g.rows)[:, None] | per_axis(g.cols)[None, :]


def run_one(problem: Problem, mode: str, stride: int) -> Run:
    from ..engine.fast import conv2d_nchw

    try:
        g = make_geometry(
            problem.geometry.input_size, problem.geometry.kernel_size,
            stride=stride, dilation=problem.geometry.dilation, mode=mode,
        )
    except DataError as err:
        return Run(mode, stride, None, None, None, str(err))
    output = conv2d_nchw(problem.images, problem.kernels, problem.bias, g, problem.flip)
    return Run(mode, stride, g, output, touches_padding(g))


def compare(problem: Problem, modes=DEFAULT_MODES, strides=DEFAULT_STRIDES) -> Comparison:
    """(N, C, H, W) x (K, C, kh, kw) under every mode x stride -> one Run each, modes outermost."""
    for mode in modes:
        if mode not in MODES:
            raise UsageError(f"--modes: {mode!r} is not one of {', '.join(MODES)}")
    for stride in strides:
        if stride < 1:
            raise UsageError(f"--strides: {stride} must be >= 1 (1 means no skipping)")
    runs = tuple(run_one(problem, mode, stride) for mode in modes for stride in strides)
    if all(r.error for r in runs):
        raise DataError(f"no combination fits: {runs[0].error}")
    return Comparison(problem, runs)


def record(comparison: Comparison) -> dict:
    """The `compare --json` object: shapes in the document's layout and one entry per run."""
    p = comparison.problem
    k, c, kh, kw = p.kernel_shape
    runs = []
    for r in comparison.runs:
        entry = {"mode": r.mode, "stride": [r.stride, r.stride]}
        if r.error:
            entry["error"] = r.error
            runs.append(entry)
            continue
        g = r.geometry
        n, kk, h, w = r.output.shape
        entry.update({
            "padding": [list(side) for side in g.padding],
            "output_shape": p.shape_in_layout((n, kk, h, w)),
            "formula": {"rows": g.rows.out_formula(), "cols": g.cols.out_formula()},
            # input rows/cols the floor drops (data lost), apart from padding no window reaches (nothing lost)
            "dropped": {"rows": floor_drops(g.rows)[0], "cols": floor_drops(g.cols)[0]},
            "unread_padding": {"rows": floor_drops(g.rows)[1], "cols": floor_drops(g.cols)[1]},
            "touches_padding": r.touches_padding.tolist(),
            "output": p.to_layout(r.output).tolist(),
        })
        runs.append(entry)
    return {
        "layout": p.layout,
        "input_shape": p.shape_in_layout(p.input_shape),
        "kernel_shape": [k, kh, kw, c] if p.layout == "NHWC" else [k, c, kh, kw],
        "dilation": list(p.geometry.dilation),
        "flip": p.flip,
        "runs": runs,
    }
