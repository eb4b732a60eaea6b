"""The battery: small convolutions that each isolate one idea, with their expected outputs.

The numbers are small signed integers (quarters and halves in `mixed_values`)
from a fixed walk with no symmetry: no kernel equals itself rotated or
mirrored, no two kernels or channels are alike, so a mistake cannot hide behind
all-ones data. Every product and sum is exact in float64 (and float32).

Arrays are kept in NCHW; `in_layout` writes them the way the learner stores them.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from functools import cached_property

import numpy as np

from ..engine.fast import conv2d

from ..source.choices import LAYOUTS  # noqa: E402


def pattern(shape: tuple[int, ...], start: int) -> np.ndarray:
    """Deterministic integers in -4..5 without zeros, shaped `shape` (float64)."""
    values: list[int] = []
    state = start
    while len(values) < math.prod(shape):
        state = (state * 7919 + 104729) % 9973  # a fixed walk; the primes only avoid short cycles
        value = state % 10 - 4
        if value:
            values.append(value)
    return np.array(values, dtype=np.float64).reshape(shape)


def pair(value) -> tuple[int, int]:
    """2 -> (2, 2); (2, 1) -> (2, 1): the rows' and the columns' setting."""
    return (value, value) if isinstance(value, int) else (int(value[0]), int(value[1]))


@dataclass(frozen=True)
class Case:
    """One convolution to hand to the learner's function.

    images (N, C, H, W), kernels (K, C, kh, kw), bias (K,) or None, all NCHW.
    stride and dilation: an int, or (rows, columns). padding: an int (zeros on
    every side), (rows, columns), or "full" (k-1 zeros on every side, per axis).
    """

    name: str
    idea: str  # what this case isolates, in one line
    images: np.ndarray
    kernels: np.ndarray
    bias: np.ndarray | None = None
    stride: int | tuple[int, int] = 1
    padding: int | str | tuple[int, int] = 0
    dilation: int | tuple[int, int] = 1
    flip: bool = False
    calls: int = 1  # 2: the function is called twice in a row and both answers must be right

    @property
    def kernel_size(self) -> tuple[int, int]:
        return self.kernels.shape[2], self.kernels.shape[3]

    @property
    def pad(self) -> tuple[int, int]:
        """Zeros added on each side of the rows and of the columns: (ph, pw)."""
        if self.padding == "full":
            (kh, kw), (dh, dw) = self.kernel_size, pair(self.dilation)
            return dh * (kh - 1), dw * (kw - 1)
        return pair(self.padding)

    def output(self, *, kernels=None, bias="case", stride=None, pad=None, flip=None, dilation=None) -> np.ndarray:
        """(N, K, H', W'): this case computed by the vectorized engine, with any setting changed.

        The changed settings are how `mistakes.py` models a wrong computation.
        pad: (ph, pw) or ((top, bottom), (left, right)).
        """
        return conv2d(
            self.images,
            self.kernels if kernels is None else kernels,
            self.bias if isinstance(bias, str) else bias,
            stride=pair(self.stride if stride is None else stride),
            padding=self.pad if pad is None else pad,
            dilation=pair(self.dilation if dilation is None else dilation),
            flip=self.flip if flip is None else flip,
        )

    @cached_property
    def expected(self) -> np.ndarray:
        """(N, K, H', W'): the right answer (computed once, read-only)."""
        out = self.output()
        out.setflags(write=False)
        return out

    @cached_property
    def scale(self) -> float:
        """The largest sum of |x| * |w| (+ |bias|) over the output: what rounding errors scale with."""
        bias = None if self.bias is None else np.abs(self.bias)
        magnitude = conv2d(np.abs(self.images), np.abs(self.kernels), bias, stride=pair(self.stride),
                           padding=self.pad, dilation=pair(self.dilation))
        return float(magnitude.max())


def conv2d_battery(flip: bool = False, with_flip_case: bool = False) -> list[Case]:
    """Every conv2d case, in the order they are run. flip=True grades a true convolution (rotated kernels).

    Between them the cases cover every parameter, rectangular kernels and
    inputs, N and K above 1 both equal and different, a bias with N > 1, each
    padding mode with an even and an odd kernel, stride on each axis alone,
    and dilation. No kernel side is 3 in `rectangular_kernel`, so a window
    hard-coded as 3 and one taken from a single kernel axis look different.
    """
    x, w = pattern, pattern
    cases = [
        Case("single_channel", "one image, one channel, one 3x3 kernel",
             x((1, 1, 5, 5), 1), w((1, 1, 3, 3), 2)),
        Case("channels", "3 channels, summed in every window",
             x((1, 3, 5, 5), 3), w((1, 3, 3, 3), 4)),
        Case("kernels", "3 kernels: one output channel each",
             x((1, 1, 5, 6), 5), w((3, 1, 3, 3), 6)),
        Case("batch", "a batch of 3 images: one output each",
             x((3, 1, 5, 5), 7), w((1, 1, 3, 3), 8)),
        Case("images_and_kernels", "2 images and 2 kernels: every image meets every kernel",
             x((2, 2, 5, 5), 27), w((2, 2, 3, 3), 28)),
        Case("non_square_input", "a 5x7 image: rows are not columns",
             x((1, 1, 5, 7), 9), w((1, 1, 3, 3), 10)),
        Case("rectangular_kernel", "a 2x4 kernel: its own height and width, both even",
             x((1, 1, 5, 6), 11), w((1, 1, 2, 4), 12)),
        Case("stride_2", "stride 2 on 8 rows: the floor drops the last",
             x((1, 1, 8, 7), 13), w((1, 1, 3, 3), 14), stride=2),
        Case("stride_rows", "stride (2, 1): rows step by 2, columns by 1",
             x((1, 1, 8, 7), 29), w((1, 1, 3, 3), 30), stride=(2, 1)),
        Case("stride_columns", "stride (1, 2): rows step by 1, columns by 2",
             x((1, 1, 6, 8), 31), w((1, 1, 3, 3), 32), stride=(1, 2)),
        Case("padding_1", "padding 1: a border of zeros",
             x((1, 1, 4, 5), 15), w((1, 1, 3, 3), 16), padding=1),
        Case("full_padding", "'full' padding: k-1 zeros on every side (3x3 kernel)",
             x((1, 1, 4, 5), 17), w((1, 1, 3, 3), 18), padding="full"),
        Case("full_rectangular", "'full' with a 2x3 kernel: kh-1 = 1 row, kw-1 = 2 columns",
             x((1, 1, 4, 5), 33), w((1, 1, 2, 3), 34), padding="full"),
        Case("dilation_2", "dilation 2: one gap between taps, a 3x3 kernel spans 5x5",
             x((1, 2, 8, 9), 35), w((2, 2, 3, 3), 36), dilation=2),
        Case("bias", "a bias per kernel, added once per value, for every image",
             x((2, 2, 5, 5), 19), w((3, 2, 3, 3), 20), bias=np.array([1.5, -2.0, 0.5])),
        Case("mixed_values", "signed fractions, 2 images, 2 channels, 3 kernels",
             x((2, 2, 5, 6), 21) / 4, w((3, 2, 3, 3), 22) / 2),
        Case("repeat_call", "the same call twice: the same answer",
             x((1, 2, 4, 5), 23), w((2, 2, 3, 3), 24), calls=2),
    ]
    cases = [replace(case, flip=flip) for case in cases]
    if with_flip_case:
        label = "flip=False: the kernel as written" if flip else "flip=True: the kernel rotated 180 degrees"
        cases.append(Case("flip", label, x((1, 2, 5, 5), 25), w((2, 2, 3, 3), 26), flip=not flip))
    return cases


# One battery per operation. Another layer (depthwise, transposed, pooling, 1-D) adds its own
# function here with its own cases and reference; the grader and the worker stay as they are.
BATTERIES = {"conv2d": conv2d_battery}


def battery(flip: bool = False, with_flip_case: bool = False, operation: str = "conv2d") -> list[Case]:
    """The cases of `operation` (today only conv2d), in the order they are run."""
    return BATTERIES[operation](flip, with_flip_case)


CASE_NAMES = tuple(case.name for case in battery(with_flip_case=True))


def in_layout(array: np.ndarray, layout: str) -> np.ndarray:
    """An NCHW-ordered rank-4 array (images, kernels or output) -> the learner's layout."""
    return np.ascontiguousarray(array.transpose(0, 2, 3, 1)) if layout == "NHWC" else array


def other_layout(layout: str) -> str:
    return "NHWC" if layout == "NCHW" else "NCHW"
