"""The example an explanation computes on: which mode, and one channel of data x (H, W), w (kh, kw).

`settings_for` turns a mode name into padding, stride and dilation; the data is
either the built-in ramps (every cell different, so shifts show) or the first
channel of a document. `run` computes on it with the vectorized engine.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ...errors import DataError
from ...source.choices import EXPLAINED_MODES
from ...source.geometry import Geometry, pair
from ...source.limits import DEFAULT_MAX_ELEMENTS, check_elements


DEFAULT_INPUT = 5  # per axis, raised when a dilated kernel would not fit
DEFAULT_KERNEL = (3, 3)
DRAW_LIMIT = 40  # padded cells per axis above which the diagram is not drawn
MAP_LIMIT = 16  # output cells per axis above which example maps are not printed


# ----------------------------------------------------------------------------- settings and data


@dataclass(frozen=True)
class Settings:
    """Which convolution to explain: the mode's name and the padding, stride and dilation it uses."""

    mode: str  # one of EXPLAINED_MODES
    padding_mode: str  # "valid", "same" or "full": what make_geometry resolves
    stride: tuple[int, int]
    dilation: tuple[int, int]


def settings_for(mode: str, stride=None, dilation=None) -> Settings:
    """A mode name (+ stride and dilation, None when not given) -> Settings.

    'strided' and 'dilated' are valid padding with stride 2 / dilation 2 unless told otherwise.
    """
    if mode not in EXPLAINED_MODES:
        raise DataError(f"mode {mode!r} is not one of {', '.join(EXPLAINED_MODES)}")
    default_stride = (2, 2) if mode == "strided" else (1, 1)
    default_dilation = (2, 2) if mode == "dilated" else (1, 1)
    padding_mode = mode if mode in ("valid", "same", "full") else "valid"
    return Settings(
        mode,
        padding_mode,
        pair(stride) if stride is not None else default_stride,
        pair(dilation) if dilation is not None else default_dilation,
    )


@dataclass(frozen=True)
class Example:
    """The one-channel data the explanation computes on: x (H, W) and w (kh, kw)."""

    x: np.ndarray
    w: np.ndarray
    source: str  # where the numbers come from, for the reader

    @property
    def input_size(self) -> tuple[int, int]:
        return tuple(self.x.shape)

    @property
    def kernel_size(self) -> tuple[int, int]:
        return tuple(self.w.shape)


def default_input_size(kernel_size: tuple[int, int], dilation: tuple[int, int]) -> tuple[int, int]:
    """5x5, or larger when the (dilated) kernel would not fit with room to move: span + 2."""
    return tuple(max(DEFAULT_INPUT, d * (k - 1) + 3) for k, d in zip(kernel_size, dilation))


def ramp_example(input_size: tuple[int, int], kernel_size: tuple[int, int]) -> Example:
    """x = 1, 2, 3, ... and w = 1, 2, 3, ... row by row: every cell different, so shifts show."""
    (h, w_), (kh, kw) = input_size, kernel_size
    x = np.arange(1, h * w_ + 1, dtype=np.float64).reshape(h, w_)
    w = np.arange(1, kh * kw + 1, dtype=np.float64).reshape(kh, kw)
    return Example(x, w, f"the built-in ramps x = 1..{h * w_} and w = 1..{kh * kw} (row by row)")


def problem_example(problem, name: str) -> Example:
    """A Problem's first image channel and first kernel channel (what a one-channel library sees)."""
    n, c, _, _ = problem.input_shape
    k = problem.kernel_shape[0]
    whole = n == 1 and c == 1 and k == 1
    source = name if whole else f"{name}: image 0, channel 0 and kernel 0, channel 0"
    return Example(np.array(problem.images[0, 0]), np.array(problem.kernels[0, 0]), source)

# ----------------------------------------------------------------------------- computing on the example


def run(x: np.ndarray, w: np.ndarray, g: Geometry, flip: bool = False) -> np.ndarray:
    """(H, W) x (kh, kw) -> (H', W') with the vectorized engine."""
    from ...engine.fast import conv2d_nchw

    return conv2d_nchw(x[None, None], w[None, None], None, g, flip)[0, 0]


def small_enough(g: Geometry) -> bool:
    return max(g.out_size) <= MAP_LIMIT


def check_size(g: Geometry, max_elements: int | None = DEFAULT_MAX_ELEMENTS) -> None:
    """DataError when the padded example or its output would be too large to compute (source/limits.py).

    explain computes every mode on (H + top + bottom) x (W + left + right) cells;
    a document's dilation can make that huge even when its arrays are small.
    """
    (ph, pw), (oh, ow) = g.padded_size, g.out_size
    fix = "explain is for small examples: use a smaller dilation or stride, or `convtrace run` for big ones"
    check_elements(ph * pw, f"the padded example ({ph} x {pw})", max_elements, fix)
    check_elements(oh * ow, f"the output ({oh} x {ow})", max_elements, fix)
