"""Calls that hand the same case over arranged another way, to name a layout mix-up.

When no known mistake explains a wrong answer, the grader calls the function
again with each probe's arrays. A right answer there proves the function reads
its inputs in that other arrangement:

* the other layout (NCHW <-> NHWC) for images, kernels and output;
* under --layout NHWC, kernels in TensorFlow's order (kh, kw, C, K) instead
  of (K, kh, kw, C).

A function that reads the other layout and also makes another mistake is not
right there either; but when it runs there and returns that layout's output
shape, where the graded layout gave an error or a wrong shape, the shapes say
which layout it is written for (`shapes_diagnosis`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import numpy as np

from .cases import Case, in_layout, other_layout
from .situation import Diagnosis


@dataclass(frozen=True)
class Probe:
    layout: str  # how the images are handed over
    kernels: Callable[[Case], np.ndarray]  # the kernels as handed over
    answers: Callable[[Case], list[np.ndarray]]  # outputs that count as right under this probe
    diagnosis: Diagnosis
    shaped: Callable[[Case], Diagnosis | None] | None = None  # named when only the output's shape fits


def layout_diagnosis(layout: str) -> Diagnosis:
    """Named when the function gets this case right once the arrays are handed over in the other layout."""
    if layout == "NCHW":
        text = ("Given the same numbers channels-last (images (N, H, W, C), kernels (K, kh, kw, C)), your "
                "function answers correctly: it reads NHWC, but convtrace passed NCHW (N, C, H, W). "
                "Run with --layout NHWC if that is your convention, or index images[n, c, i, j].")
    else:
        text = ("Given the same numbers channels-first (images (N, C, H, W), kernels (K, C, kh, kw)), your "
                "function answers correctly: it reads NCHW, but --layout NHWC passed (N, H, W, C). "
                "Run without --layout NHWC, or index images[n, i, j, c].")
    return Diagnosis("layout_mixed", "NCHW and NHWC mixed up", text)


SHAPES_FIT = "layout_shapes"  # the mistake id of shapes_diagnosis


def shapes_diagnosis(layout: str, case: Case) -> Diagnosis | None:
    """Named when the function, given the other layout, runs and returns that layout's output shape.

    None when the two layouts' output shapes are equal for this case (K == H' == W'):
    then the shape tells nothing.
    """
    other = other_layout(layout)
    theirs, ours = in_layout(case.expected, other).shape, in_layout(case.expected, layout).shape
    if theirs == ours:
        return None
    if layout == "NCHW":
        text = (f"Given the same numbers channels-last (images (N, H, W, C), kernels (K, kh, kw, C)), your "
                f"function runs and returns the channels-last shape (N, H', W', K) = {_shape(theirs)}, "
                f"though some values are still wrong: it reads channels from the last axis, but convtrace "
                f"passed NCHW (N, C, H, W). Run with --layout NHWC to grade it in its own layout and see "
                f"what else is wrong.")
    else:
        text = (f"Given the same numbers channels-first (images (N, C, H, W), kernels (K, C, kh, kw)), your "
                f"function runs and returns the channels-first shape (N, K, H', W') = {_shape(theirs)}, "
                f"though some values are still wrong: it reads channels from axis 1, but --layout NHWC "
                f"passed (N, H, W, C). Run without --layout NHWC to grade it in its own layout and see "
                f"what else is wrong.")
    return Diagnosis(SHAPES_FIT, f"channels read from the wrong axis: the shapes fit {other}", text)


def _shape(shape) -> str:
    return str(tuple(int(n) for n in shape))


TENSORFLOW = Diagnosis(
    "tensorflow_kernels", "kernels read in TensorFlow's order (kh, kw, C, K)",
    "Given the kernels as (kh, kw, C, K), TensorFlow's order, your function answers correctly. With "
    "--layout NHWC convtrace passes kernels as (K, kh, kw, C): one kernel per first index, like the "
    "output's last axis. Either index kernels[k, u, v, c], or turn them into your order first: "
    "w = kernels.transpose(1, 2, 3, 0)  # (K, kh, kw, C) -> (kh, kw, C, K).",
)


def probes(layout: str) -> list[Probe]:
    """The probes for a learner working in `layout`, most specific first."""
    other = other_layout(layout)
    swapped = Probe(other, lambda case: in_layout(case.kernels, other),
                    lambda case: [in_layout(case.expected, other), in_layout(case.expected, layout)],
                    layout_diagnosis(layout), lambda case: shapes_diagnosis(layout, case))
    if layout == "NHWC":
        tensorflow = Probe("NHWC", lambda case: np.ascontiguousarray(case.kernels.transpose(2, 3, 1, 0)),
                           lambda case: [in_layout(case.expected, "NHWC")], TENSORFLOW)
        return [tensorflow, swapped]
    return [swapped]
