"""Engine events and results -> plain dicts for `--json` and `--format jsonl` (README.md, the run command)."""

from __future__ import annotations

import numpy as np

from ...engine.naive import Step
from ...source.problem import Problem


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


def step_lines():
    """A function Step -> its jsonl line: the text of json.dumps(step_record(step)), built faster.

    A nested list of floats prints as JSON already (str([[1.0, -2.5]]) is '[[1.0, -2.5]]',
    and repr of a float is what json writes), so the line is assembled from str() of lists,
    skipping the generic encoder. The kernel's text is reused while the same kernel object
    comes back, which the engine guarantees for every position of one (n, k).
    """
    last_kernel, kernel_text = None, ""

    def line(step: Step) -> str:
        nonlocal last_kernel, kernel_text
        if step.kernel is not last_kernel:
            last_kernel, kernel_text = step.kernel, str(step.kernel.tolist())
        return (
            f'{{"step": {step.step}, "n": {step.n}, "k": {step.k}, "row": {step.row}, "col": {step.col}, '
            f'"top": {step.top}, "left": {step.left}, "patch": {step.patch.tolist()}, "kernel": {kernel_text}, '
            f'"partials": {step.partials.tolist()}, "bias": {step.bias!r}, "value": {step.value!r}}}'
        )

    return line


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
