"""The lesson quiz for the other layers (groups, transposed convolution, pooling): shape and one value.

convtrace.teach.quiz grades plain 2-D convolution; a layer problem comes here.
The shape's reason is each axis's formula with its numbers (the transposed one
for transposed convolution, ceil for ceil_mode); the value's reason is the
engine's LayerStep for that cell written out: the window's maximum, its sum
over the divisor, or its products.
"""

from __future__ import annotations

import numpy as np

from ..text import number

CHANNELS = {"conv": "kernel", "conv_transpose": "output channel", "max_pool": "channel", "avg_pool": "channel"}


def axes_names(problem) -> tuple[str, ...]:
    """('N', 'C', "H'", "W'") for pooling (channels pass through), ('N', 'K', ...) otherwise."""
    spatial = ("L'",) if problem.dims == 1 else ("D'", "H'", "W'")[-problem.dims:]
    middle = "C" if problem.layer.endswith("_pool") else "K"
    if problem.layout == "NHWC":
        return ("N", *spatial, middle)
    return ("N", middle, *spatial)


def grade_layer_shape(problem, given: tuple[int, ...], verdict):
    """A predicted output shape -> Verdict(question, given, expected, right, reason)."""
    names = axes_names(problem)
    expected = tuple(problem.shape_in_layout(problem.output_shape))
    n, c = problem.input_shape[:2]
    k = problem.out_channels
    if problem.layer.endswith("_pool"):
        channels = f"C = {c} channel{'s' * (c != 1)} (pooling keeps each channel on its own)"
    elif problem.layer == "conv_transpose":
        channels = f"K = {k} output channel{'s' * (k != 1)} (kernels (C, K/groups, kh, kw): K is the second axis)"
    else:
        channels = f"K = {k} kernel{'s' * (k != 1)}"
    formulas = "; ".join(axis.out_formula() for axis in problem.geometry.axes)
    worked = f"N = {n} image{'s' * (n != 1)}, {channels}; {formulas}"
    question = f"the output shape ({', '.join(names)})"
    show = _tuple(expected)
    if given == expected:
        return verdict(question, _tuple(given), show, True, worked + ".")
    reasons = []
    if len(given) != len(expected):
        reasons.append(f"the output has {len(expected)} axes ({', '.join(names)}), you gave {len(given)} numbers")
    elif problem.layer.endswith("_pool") and given[names.index("C")] != c:
        reasons.append("pooling has no kernels: the output has as many channels as the input")
    return verdict(question, _tuple(given), show, False, "; ".join(reasons + [worked]) + ".")


def step_at_cell(problem, cell: tuple[int, ...]):
    """The engine's LayerStep for an output cell given in the document's layout."""
    from itertools import islice

    from ..engine.dispatch import trace_layer

    index = (cell[0], cell[-1], *cell[1:-1]) if problem.layout == "NHWC" else tuple(cell)
    flat = int(np.ravel_multi_index(index, problem.output_shape))
    return next(islice(trace_layer(problem), flat, None))


def worked_layer_value(step) -> str:
    """'max(0, 2, 1, 1) = 2', '(1 + 5 + 3 + 4) / 4 = 3.25' or '1*9 + 2*7 + ... = 36'."""
    if step.layer == "max_pool":
        cells = [number(v) for v in step.patch[0].ravel() if np.isfinite(v)]
        return f"max({', '.join(cells)}) = {number(step.value)}"
    if step.layer == "avg_pool":
        cells = " + ".join(number(v) for v, real in zip(step.patch[0].ravel(), _real(step).ravel()) if real)
        return f"({cells}) / {step.divisor} = {number(step.value)}"
    terms = [f"{number(x)}*{number(w)}" for x, w, real in zip(step.patch.ravel(), step.kernel.ravel(),
                                                                np.broadcast_to(_real(step), step.patch.shape).ravel())
             if real]
    bias = f" + bias {number(step.bias)}" if step.bias else ""
    return f"{' + '.join(terms) or '0'}{bias} = {number(step.value)}"


def grade_layer_value(problem, cell: tuple[int, ...], said: float, verdict):
    """A predicted value of out[cell] -> Verdict with the window worked out."""
    step = step_at_cell(problem, cell)
    label = f"out[{','.join(map(str, cell))}]"
    worked = f"{label} = {worked_layer_value(step)}"
    scale = np.abs(step.patch[np.isfinite(step.patch)]).sum() * (1 if step.kernel is None else np.abs(step.kernel).max())
    close = abs(said - step.value) <= 1e-6 * max(1.0, float(scale))
    if close:
        return verdict(label, number(said), number(step.value), True, worked + ".")
    slip = _slip(problem, step, said)
    return verdict(label, number(said), number(step.value), False, (f"{slip}. " if slip else "") + worked + ".")


def _slip(problem, step, said: float) -> str | None:
    """The usual mistake behind `said`, if one is recognisable."""
    cells = step.patch[0][np.isfinite(step.patch[0])]
    if step.layer == "max_pool" and cells.size and np.isclose(said, cells.mean()):
        return "that is the window's average; max pooling keeps the largest cell"
    if step.layer == "avg_pool":
        if np.isclose(said, cells.max()):
            return "that is the window's maximum; average pooling keeps the mean"
        if np.isclose(said, cells.sum()):
            return f"that is the window's sum; average pooling divides it by {step.divisor}"
    if step.layer == "conv_transpose" and np.isclose(said, float((step.patch * step.kernel[:, ::-1, ::-1]).sum())):
        return "you used the kernel as written; in the gather view it is rotated 180 degrees"
    return None


def _real(step) -> np.ndarray:
    return np.ones(step.patch.shape[1:], dtype=bool) if step.real is None else np.asarray(step.real)


def _tuple(values) -> str:
    return "(" + ", ".join(str(v) for v in values) + ")"
