"""The lesson quiz: grade a prediction of the output shape and of one output value, and say why.

The expected answers come from the Problem's geometry and the engine's Step for
the chosen cell; a wrong answer is compared with the usual slips (forgetting
k-1, the padding, the stride, the floor, the bias, the flip...) so the reason
names the likely one. Lessons on the backward pass also ask a gradient cell:
convtrace.teach.quiz_grad.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np

from ..errors import DataError, UsageError
from ..text import number

AXES = {"NCHW": ("N", "K", "H'", "W'"), "NHWC": ("N", "H'", "W'", "K")}


@dataclass(frozen=True)
class Verdict:
    """Right or wrong, with the worked reason."""

    question: str  # e.g. "the output shape (N, K, H', W')"
    given: str
    expected: str
    right: bool
    reason: str


def output_axes(problem) -> tuple[str, ...]:
    """Names of the output's axes in the document's layout."""
    if not problem.is_plain_conv2d:  # pooling keeps C; 1-D and 3-D have other axes
        from .layer_quiz import axes_names

        return axes_names(problem)
    return AXES[problem.layout]


def parse_shape(text: str) -> tuple[int, ...]:
    """'1,1,3,3', '(1, 1, 3, 3)', '1x1x3x3' or '1 1 3 3' -> (1, 1, 3, 3)."""
    parts = [p for p in re.split(r"[\s,x×()\[\]]+", str(text).strip()) if p]
    if not parts or not all(p.isdigit() for p in parts):
        raise UsageError(f"{text!r} is not a shape; write whole numbers like 1,1,3,3")
    return tuple(int(p) for p in parts)


def parse_value(text: str) -> float:
    try:
        return float(str(text).strip())
    except ValueError:
        raise UsageError(f"{text!r} is not a number; write it like 12 or -3.5") from None


# ----------------------------------------------------------------------------- the shape


def grade_shape(problem, text: str) -> Verdict:
    """A predicted output shape (document layout) -> Verdict with the output-size formula."""
    if not problem.is_plain_conv2d:
        from .layer_quiz import grade_layer_shape

        return grade_layer_shape(problem, parse_shape(text), Verdict)
    names = output_axes(problem)
    expected = tuple(problem.shape_in_layout(problem.output_shape))
    question = f"the output shape ({', '.join(names)})"
    given = parse_shape(text)
    g = problem.geometry
    n, c, _, _ = problem.input_shape
    k = problem.kernel_shape[0]
    worked = (
        f"N = {n} image{'s' * (n != 1)}, K = {k} kernel{'s' * (k != 1)}; "
        f"{g.rows.out_formula()}; {g.cols.out_formula()}"
    )
    show = _tuple_text(expected)
    if given == expected:
        return Verdict(question, _tuple_text(given), show, True, worked + ".")
    if len(given) != len(expected):
        reason = f"the output has {len(expected)} axes ({', '.join(names)}), you gave {len(given)} numbers"
        return Verdict(question, _tuple_text(given), show, False, f"{reason}. {worked}.")
    if problem.layout == "NHWC" and given == tuple(problem.output_shape):
        reason = "that is the NCHW order; this document is NHWC, so the output is (N, H', W', K)"
        return Verdict(question, _tuple_text(given), show, False, f"{reason}. {worked}.")
    reasons = []
    by_name = dict(zip(names, range(4)))
    if given[by_name["N"]] != n:
        reasons.append(f"N: the output has one item per input image, and there {'are' if n != 1 else 'is'} {n}")
    if given[by_name["K"]] != k:
        slip = f" (you gave C = {c}, the input channels: each kernel sums all of them into one value)" if given[by_name["K"]] == c != k else ""
        reasons.append(f"K: the output has one channel per kernel, and there {'are' if k != 1 else 'is'} {k}{slip}")
    for name, axis in (("H'", g.rows), ("W'", g.cols)):
        said = given[by_name[name]]
        if said != axis.out:
            slip = axis_slip(axis, said)
            reasons.append(f"{axis.out_formula()}, you said {said}" + (f": {slip}" if slip else ""))
    return Verdict(question, _tuple_text(given), show, False, "; ".join(reasons) + ".")


def axis_slip(axis, said: int) -> str | None:
    """The usual mistakes that give `said` for this axis's output size (several can), or None."""
    what = "rows" if axis.name == "H" else "columns"
    padded, span, s, d, k = axis.padded, axis.span, axis.stride, axis.dilation, axis.kernel
    pads = axis.before + axis.after
    candidates = [
        ((padded - 1) // s + 1, f"did you forget to subtract d*(k-1) = {d * (k - 1)}? The kernel needs room to fit"),
        ((axis.size - span) // s + 1 if pads else None,
         f"did you forget the padding? {axis.before} + {axis.after} zero {what} are added"),
        (padded - span + 1 if s > 1 else None, f"did you forget to divide by the stride {s}? A window starts every {s} {what}"),
        (-(-(padded - span) // s) + 1 if (padded - span) % s else None,
         f"the division rounds down (floor): the last {axis.dropped} {what} fit no whole window and are dropped"),
        ((padded - k) // s + 1 if d > 1 else None,
         f"did you forget the dilation? {k} taps {d} apart span d*(k-1)+1 = {span} {what}"),
        ((padded - span) // s, "did you forget the + 1? The first window is there before any step"),
        (axis.size, "that is the input size; this padding and stride do not keep it"),
    ]
    slips = [slip for value, slip in candidates if value is not None and value == said and said != axis.out]
    return "; or ".join(slips) if slips else None


# ----------------------------------------------------------------------------- one value


def parse_cell(spec: str, problem) -> tuple[int, ...]:
    """'out[0,0,1,0]' or '0,0,1,0' (document layout) -> (0, 0, 1, 0), checked against the output shape."""
    text = spec.strip()
    if text.startswith("out"):
        text = text[3:]
    shape = problem.shape_in_layout(problem.output_shape)
    try:
        cell = parse_shape(text)
    except UsageError:
        cell = ()
    names = ", ".join(output_axes(problem))
    if len(cell) != 4 or any(i >= size for i, size in zip(cell, shape)):
        raise DataError(f"quiz cell {spec!r} is not a position of the output {tuple(shape)} ({names}); write it like out[0,0,1,0]")
    return cell


def default_cell(problem) -> tuple[int, ...]:
    """The last output position (document layout)."""
    return tuple(size - 1 for size in problem.shape_in_layout(problem.output_shape))


def step_at(problem, cell: tuple[int, ...]):
    """The engine's Step for an output cell given in the document's layout."""
    from ..engine.naive import trace

    n, k, row, col = (cell[0], cell[3], cell[1], cell[2]) if problem.layout == "NHWC" else cell
    _, kernels, h_out, w_out = problem.output_shape
    return next(trace(problem, start=((n * kernels + k) * h_out + row) * w_out + col))


def worked_value(step) -> str:
    """'4*1 + 5*0 + 7*0 + 8*2 = 20', one sum per channel, then the channels and the bias."""
    sums = []
    for c in range(step.patch.shape[0]):
        terms = " + ".join(f"{number(x)}*{number(w)}" for x, w in zip(step.patch[c].ravel(), step.kernel[c].ravel()))
        sums.append(f"{terms} = {number(step.partials[c])}")
    body = "; ".join(f"channel {c}: {s}" for c, s in enumerate(sums)) if len(sums) > 1 else sums[0]
    if len(sums) > 1 or step.bias:
        parts = " + ".join(number(p) for p in step.partials)
        body += f"; {parts} + bias {number(step.bias)} = {number(step.value)}"
    return body


def grade_value(problem, cell: tuple[int, ...], text: str) -> Verdict:
    """A predicted value of out[cell] -> Verdict with the window's products written out."""
    if not problem.is_plain_conv2d:
        from .layer_quiz import grade_layer_value

        return grade_layer_value(problem, cell, parse_value(text), Verdict)
    step = step_at(problem, cell)
    label = f"out[{','.join(map(str, cell))}]"
    said = parse_value(text)
    worked = f"{label} = {worked_value(step)}"
    tolerance = 1e-6 * max(1.0, float(np.abs(step.products).sum()))
    close = lambda a, b: abs(a - b) <= tolerance  # noqa: E731
    if close(said, step.value):
        return Verdict(label, number(said), number(step.value), True, worked + ".")
    slip = _value_slip(problem, step, said, close, cell)
    reason = f"{slip}. {worked}." if slip else worked + "."
    return Verdict(label, number(said), number(step.value), False, reason)


def _value_slip(problem, step, said: float, close, cell) -> str | None:
    """The usual mistake that gives `said` instead of the value, if one does."""
    if step.bias and close(said, step.value - step.bias):
        return f"you left out the bias: kernel {step.k} adds {number(step.bias)}"
    if step.partials.size > 1:
        for c, partial in enumerate(step.partials):
            if close(said, partial) or close(said, partial + step.bias):
                return f"that is channel {c} alone; a kernel sums its products over all {step.partials.size} channels"
    other = float((step.patch * step.kernel[:, ::-1, ::-1]).sum()) + step.bias
    if not close(other, step.value) and close(said, other):
        if problem.flip:
            return "you used the kernel as written; with flip on, it is rotated 180 degrees before it slides"
        return "you rotated the kernel; a CNN layer (flip off) slides it as written, without the flip"
    from ..engine.fast import problem_output

    out = problem.to_layout(problem_output(problem))
    for index in np.ndindex(out.shape):
        if index != tuple(cell) and close(said, out[index]):
            return (
                f"that is the value of out[{','.join(map(str, index))}]; the window of this cell starts at "
                f"row {step.top}, column {step.left} of the padded input"
            )
    return None


def _tuple_text(values) -> str:
    return "(" + ", ".join(str(v) for v in values) + ")"
