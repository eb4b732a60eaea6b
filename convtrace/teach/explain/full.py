"""'full': why it pads d*(k-1) and not k, and its part in the backward pass (computed on the example)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ...errors import DataError
from ...source.axis import Axis
from ...source.geometry import Geometry, make_geometry
from .axes import distinct_axes, only_zero_windows, out_steps
from .example import MAP_LIMIT, Example, run


@dataclass(frozen=True)
class FullNote:
    """Why full pads d*(k-1) and not k, and the input gradient of a valid convolution."""

    why: tuple[str, ...]
    wrong: tuple[str, ...]  # what padding k would do instead
    gradient: tuple[str, ...]
    grad_output_shape: tuple[int, int] | None
    grad_input: np.ndarray | None  # (H, W): dL/dx for dL/dout = 1 everywhere, or None


def full_note(g: Geometry, example: Example, flip: bool = False) -> FullNote:
    """Why 'full' pads d*(k-1), and the input gradient of a valid layer on the example.

    flip: example.w is the kernel the windows slide (w rotated), so rotating it back gives w as written.
    """
    why = []
    wrong = []
    for axis, what in distinct_axes(g):
        k, d = axis.kernel, axis.dilation
        why.append(
            f"{what}: the last tap sits d*(k-1) = {d}*({k}-1) = {d * (k - 1)} cell{'' if d * (k - 1) == 1 else 's'} "
            f"after the window's "
            f"start, so the first window that still reaches the input's first cell starts {d * (k - 1)} before it"
        )
        # the common mistake: k zeros on each side instead of d*(k-1)
        bad = Axis(axis.name, axis.size, k, axis.stride, d, k, k)
        zeros = only_zero_windows(bad) if bad.out >= 1 else []
        if zeros:
            wrong.append(
                f"{what} padded with k = {k} instead: {out_steps(bad)}; output {what} "
                f"{' and '.join(map(str, zeros))} would read nothing but zeros"
            )
        elif k < d * (k - 1):
            wrong.append(
                f"{what} padded with k = {k} instead: the dilated kernel reaches d*(k-1) = {d * (k - 1)} > k cells, "
                f"so windows that overlap the input by their last tap only would be missed"
            )
    gradient = [
        "In training, the gradient of a valid convolution (stride 1) with respect to its input is a "
        "full cross-correlation of dL/dout with the kernel rotated 180 degrees (equivalently, a true "
        "convolution with the kernel as it is).",
    ]
    if flip:
        gradient.append("With --flip the windows slide w rotated 180 degrees, so rotating that back gives w as "
                        "written: dL/dx is a full cross-correlation of dL/dout with w itself.")
    try:
        valid = make_geometry(example.input_size, example.kernel_size, dilation=g.dilation)
    except DataError:
        return FullNote(tuple(why), tuple(wrong), tuple(gradient) + (
            "(The kernel does not fit the input without padding, so there is no valid convolution to differentiate here.)",
        ), None, None)
    back = make_geometry(valid.out_size, example.kernel_size, dilation=g.dilation, mode="full")
    for axis, what in distinct_axes(back):
        steps = out_steps(axis).split(" = ", 1)[1]
        size = valid.rows.size if axis is back.rows else valid.cols.size
        gradient.append(f"{what} of dL/dx = {steps} = the input's {size}")
    grad_output = np.ones(valid.out_size)
    grad_input = run(grad_output, example.w[::-1, ::-1].copy(), back)
    shown = grad_input if max(grad_input.shape) <= MAP_LIMIT else None
    return FullNote(tuple(why), tuple(wrong), tuple(gradient), valid.out_size, shown)
