"""The vectorized engine: the same convolution as `engine.trace`, without a Python loop.

Two ideas, chosen by the size of the problem (`choose_strategy`):

* Small problems: a sliding-window *view* of the padded input gives every
  window at once, shape (N, C, H', W', kh, kw), without copying; one tensor
  contraction with the kernels (K, C, kh, kw) sums over C, kh and kw.

* Larger ones: matrix products over a *flat* copy of the input. Each channel
  of the padded images is laid out as one long row, buffer (C, positions), so
  that a window position is one index p and the cell under kernel tap (u, v)
  is always p + shift(u, v). "Every position's tap (u, v)" is then the slice
  buffer[:, p + shift] -- a (C, positions) matrix without copying -- and the
  convolution is a sum over taps of (K, C) @ (C, positions) products. The
  strategies differ in where that sum over taps happens:

      "im2col"   all taps inside one matrix product: copy the kh*kw shifted
                 slices into a column block (C*kh*kw, B), then (K, C*kh*kw) @ it
      "rows"     the taps of one kernel row inside (column block (C*kw, B)),
                 the kh kernel rows added afterwards with a row shift
      "shifted"  no copy at all: (kh*kw*K, C) @ buffer slice, then kh*kw
                 shifted adds

  Positions are processed in blocks of whole rows, a few thousand positions,
  so the column block and the partial results stay in cache; each block's
  kept cells go to the output while they are still there. A few positions
  per row (the columns past W') and per image are computed and thrown away:
  that is the price of one constant shift per tap. With a stride s the input
  is first split into s*s phases (every s-th row and column), which turns it
  into stride-1 slices.

Blocks are independent; engine/blocks.py says how they share the cores.
Two more strategies do fewer multiplications and live in their own modules:
"winograd" (F(2x2, 3x3), engine/winograd.py) and "fft" (engine/fft.py);
engine/choice.py says when they win.

Every strategy gives the same numbers up to float rounding order; float32
inputs are computed in float32, float64 in float64.
"""

from __future__ import annotations

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from ..errors import DataError
from ..source.geometry import Geometry, make_geometry, pair
from ..source.problem import Problem
from .flat import _conv_flat

STRATEGIES = ("windows", "im2col", "rows", "shifted", "winograd", "fft")

# Below this many multiply-adds the one-call tensordot on the window view wins:
# the flat strategies pay for building the buffer and a Python loop over blocks.
SMALL_PROBLEM = 200_000
def windows(x_pad: np.ndarray, geometry: Geometry) -> np.ndarray:
    """(N, C, Hp, Wp) -> (N, C, H', W', kh, kw): every window's taps, as a view (no copy)."""
    g = geometry
    (sh, sw), (dh, dw) = g.stride, g.dilation
    h_out, w_out = g.out_size
    view = sliding_window_view(x_pad, (g.rows.span, g.cols.span), axis=(2, 3))
    # keep every stride-th window and every dilation-th tap
    return view[:, :, : (h_out - 1) * sh + 1 : sh, : (w_out - 1) * sw + 1 : sw, ::dh, ::dw]


def choose_strategy(input_shape, kernel_shape, geometry: Geometry) -> str:
    """The fastest strategy for this shape, as measured on a 2-core machine (see benchmarks/)."""
    n, c, _, _ = input_shape
    k, _, kh, kw = kernel_shape
    h_out, w_out = geometry.out_size
    if n * k * h_out * w_out * c * kh * kw < SMALL_PROBLEM:
        return "windows"
    from .choice import better_way  # Winograd or FFT when they win (engine/choice.py)

    better = better_way(input_shape, kernel_shape, geometry)
    if better:
        return better
    if geometry.stride != (1, 1):
        return "im2col"  # the phases make "rows" shifts uneven; one product is simplest
    if kh > 1 and c * kw >= 32:
        return "rows"  # a (C*kw)-deep product is deep enough, and the copy is kh times smaller
    return "im2col"


def conv2d_nchw(
    images: np.ndarray,
    kernels: np.ndarray,
    bias: np.ndarray | None,
    geometry: Geometry,
    flip: bool = False,
    strategy: str = "auto",
) -> np.ndarray:
    """(N, C, H, W) x (K, C, kh, kw) -> (N, K, H', W'), computed in the inputs' dtype.

    strategy: "auto" picks one by shape (`choose_strategy`); any of STRATEGIES gives the same numbers.
    """
    w = kernels[:, :, ::-1, ::-1] if flip else kernels
    if strategy == "auto":
        strategy = choose_strategy(images.shape, w.shape, geometry)
    if strategy not in STRATEGIES:
        raise ValueError(f"strategy must be 'auto' or one of {', '.join(STRATEGIES)}, got {strategy!r}")
    if strategy in ("winograd", "fft"):  # the better ways, in their own modules
        from .choice import better_conv

        return better_conv(images, w, bias, geometry, strategy)
    if strategy in ("rows", "shifted") and geometry.stride != (1, 1):
        raise ValueError(f"strategy {strategy!r} needs stride 1; use 'im2col' or 'windows' for stride {geometry.stride}")
    n, k = images.shape[0], w.shape[0]
    h_out, w_out = geometry.out_size
    dtype = np.result_type(images, w)
    if images.size == 0 or w.size == 0:
        out = np.zeros((n, k, h_out, w_out), dtype)
    elif strategy == "windows":
        out = _conv_windows(images, w, geometry)
    else:  # the flat strategies add the bias while copying to the output: one pass instead of two
        bias = None if bias is None else np.asarray(bias, dtype=dtype)
        return _conv_flat(images, w, geometry, strategy, bias)
    if bias is not None:
        out += np.asarray(bias, dtype=out.dtype)[None, :, None, None]
    return out


def _conv_windows(images: np.ndarray, w: np.ndarray, geometry: Geometry) -> np.ndarray:
    """The sliding-window view and one tensordot: (N, C, H, W) x (K, C, kh, kw) -> (N, K, H', W')."""
    (top, bottom), (left, right) = geometry.padding
    x_pad = np.pad(images, ((0, 0), (0, 0), (top, bottom), (left, right)))
    win = windows(x_pad, geometry)  # (N, C, H', W', kh, kw)
    # sum over c, u, v: out[n, k, i, j] = sum win[n, c, i, j, u, v] * w[k, c, u, v]
    out = np.tensordot(win, w, axes=([1, 4, 5], [1, 2, 3]))  # (N, H', W', K)
    return np.ascontiguousarray(out.transpose(0, 3, 1, 2))


# ----------------------------------------------------------------------------- front doors


def problem_output(problem: Problem) -> np.ndarray:
    """The Problem's output (N, K, H', W'), float64."""
    return conv2d_nchw(problem.images, problem.kernels, problem.bias, problem.geometry, problem.flip)


def conv2d(
    images,
    kernels,
    bias=None,
    *,
    stride=1,
    padding=0,
    dilation=1,
    flip: bool = False,
    layout: str = "NCHW",
    strategy: str = "auto",
    groups: int = 1,
) -> np.ndarray:
    """2-D convolution as a CNN layer computes it (cross-correlation unless flip=True).

    images (N, C, H, W), kernels (K, C, kh, kw) -> (N, K, H', W') for layout="NCHW";
    images (N, H, W, C), kernels (K, kh, kw, C) -> (N, H', W', K) for layout="NHWC".
    padding: "valid", "same", "full", an int, (ph, pw) or ((top, bottom), (left, right)).
    float32 inputs stay float32; everything else is computed in float64.
    strategy: "auto" (by shape) or one of STRATEGIES; all give the same numbers.
    groups: kernels (K, C/groups, kh, kw); output channel k reads its group's channels (engine/layers.py).
    """
    if groups != 1:
        from .layer_api import conv_nd

        x, w = (np.moveaxis(np.asarray(a), -1, 1) for a in (images, kernels)) if layout == "NHWC" else (images, kernels)
        out = conv_nd(x, w, bias, dims=2, stride=stride, padding=padding, dilation=dilation, groups=groups,
                      flip=flip, caller="conv2d")
        return np.moveaxis(out, 1, -1) if layout == "NHWC" else out
    x, w, geometry = prepare_arrays(images, kernels, stride, padding, dilation, layout, "conv2d")
    out = conv2d_nchw(x, w, bias, geometry, flip, strategy)
    return out.transpose(0, 2, 3, 1) if layout == "NHWC" else out


def prepare_arrays(images, kernels, stride, padding, dilation, layout: str, caller: str):
    """Array-API arguments -> (images (N, C, H, W), kernels (K, C, kh, kw), Geometry), checked.

    Both arrays get a common float dtype: float32 stays float32, anything else becomes float64.
    """
    x, w = np.asarray(images), np.asarray(kernels)
    dtype = np.result_type(x, w)
    dtype = dtype if dtype in (np.float32, np.float64) else np.float64
    x, w = x.astype(dtype, copy=False), w.astype(dtype, copy=False)
    if x.ndim != 4 or w.ndim != 4:
        raise DataError(f"{caller} needs rank-4 images and kernels, got shapes {x.shape} and {w.shape}")
    if layout == "NHWC":
        x, w = x.transpose(0, 3, 1, 2), w.transpose(0, 3, 1, 2)
    if x.shape[1] != w.shape[1]:
        raise DataError(f"kernels expect {w.shape[1]} channels, images have {x.shape[1]}")
    mode = padding if isinstance(padding, str) else None
    geometry = make_geometry(
        x.shape[2:], w.shape[2:],
        stride=pair(stride), dilation=pair(dilation),
        mode=mode, padding=None if mode else padding,
    )
    return x, w, geometry
