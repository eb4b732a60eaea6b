"""Engine events and results -> plain dicts for `--json` and `--format jsonl` (DESIGN.md section 3)."""

from __future__ import annotations

import numpy as np

from ..engine import Step
from ..problem import Problem


def step_record(step: Step) -> dict:
    """One window position as the jsonl contract spells it."""
    return {
        "step": step.step,
        "n": step.n,
        "k": step.k,
        "row": step.row,
        "col": step.col,
        "top": step.top,
        "left": step.left,
        "patch": step.patch.tolist(),
        "kernel": step.kernel.tolist(),
        "partials": step.partials.tolist(),
        "bias": step.bias,
        "value": step.value,
    }


def geometry_record(problem: Problem) -> dict:
    """Shapes (in the document's layout) and resolved geometry."""
    g = problem.geometry
    return {
        "layout": problem.layout,
        "input_shape": problem.shape_in_layout(problem.input_shape),
        "kernel_shape": _kernel_shape(problem),
        "output_shape": problem.shape_in_layout(problem.output_shape),
        "padding": [list(side) for side in g.padding],
        "stride": list(g.stride),
        "dilation": list(g.dilation),
        "flip": problem.flip,
    }


def result_record(problem: Problem, output_nchw: np.ndarray) -> dict:
    """The `run --json` object: geometry plus the output (N, K, H', W') written in the document's layout."""
    record = geometry_record(problem)
    record["output"] = problem.to_layout(output_nchw).tolist()
    return record


def _kernel_shape(problem: Problem) -> list[int]:
    k, c, kh, kw = problem.kernel_shape
    return [k, kh, kw, c] if problem.layout == "NHWC" else [k, c, kh, kw]
