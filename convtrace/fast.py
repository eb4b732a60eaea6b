"""The vectorized engine: the same convolution as `engine.trace`, without a Python loop.

The trick: a sliding-window *view* of the padded input gives every window at
once, shape (N, C, H', W', kh, kw), without copying; one tensor contraction
with the kernels (K, C, kh, kw) then sums over C, kh and kw for every window.
"""

from __future__ import annotations

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from .errors import DataError
from .geometry import Geometry, make_geometry, pair
from .problem import Problem


def windows(x_pad: np.ndarray, geometry: Geometry) -> np.ndarray:
    """(N, C, Hp, Wp) -> (N, C, H', W', kh, kw): every window's taps, as a view (no copy)."""
    g = geometry
    (sh, sw), (dh, dw) = g.stride, g.dilation
    h_out, w_out = g.out_size
    view = sliding_window_view(x_pad, (g.rows.span, g.cols.span), axis=(2, 3))
    # keep every stride-th window and every dilation-th tap
    return view[:, :, : (h_out - 1) * sh + 1 : sh, : (w_out - 1) * sw + 1 : sw, ::dh, ::dw]


def conv2d_nchw(
    images: np.ndarray,
    kernels: np.ndarray,
    bias: np.ndarray | None,
    geometry: Geometry,
    flip: bool = False,
) -> np.ndarray:
    """(N, C, H, W) x (K, C, kh, kw) -> (N, K, H', W'), computed in the inputs' dtype."""
    (top, bottom), (left, right) = geometry.padding
    x_pad = np.pad(images, ((0, 0), (0, 0), (top, bottom), (left, right)))
    w = kernels[:, :, ::-1, ::-1] if flip else kernels
    win = windows(x_pad, geometry)  # (N, C, H', W', kh, kw)
    # sum over c, u, v: out[n, k, i, j] = sum win[n, c, i, j, u, v] * w[k, c, u, v]
    out = np.tensordot(win, w, axes=([1, 4, 5], [1, 2, 3]))  # (N, H', W', K)
    out = out.transpose(0, 3, 1, 2)
    if bias is not None:
        out = out + np.asarray(bias, dtype=out.dtype)[None, :, None, None]
    return np.ascontiguousarray(out)


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
) -> np.ndarray:
    """2-D convolution as a CNN layer computes it (cross-correlation unless flip=True).

    images (N, C, H, W), kernels (K, C, kh, kw) -> (N, K, H', W') for layout="NCHW";
    images (N, H, W, C), kernels (K, kh, kw, C) -> (N, H', W', K) for layout="NHWC".
    padding: "valid", "same", "full", an int, (ph, pw) or ((top, bottom), (left, right)).
    float32 inputs stay float32; everything else is computed in float64.
    """
    x = np.asarray(images)
    w = np.asarray(kernels)
    dtype = np.result_type(x, w)
    dtype = dtype if dtype in (np.float32, np.float64) else np.float64
    x, w = x.astype(dtype, copy=False), w.astype(dtype, copy=False)
    if layout == "NHWC":
        x, w = x.transpose(0, 3, 1, 2), w.transpose(0, 3, 1, 2)
    if x.ndim != 4 or w.ndim != 4:
        raise DataError(f"conv2d needs rank-4 images and kernels, got shapes {x.shape} and {w.shape}")
    if x.shape[1] != w.shape[1]:
        raise DataError(f"kernels expect {w.shape[1]} channels, images have {x.shape[1]}")
    mode = padding if isinstance(padding, str) else None
    geometry = make_geometry(
        x.shape[2:], w.shape[2:],
        stride=pair(stride), dilation=pair(dilation),
        mode=mode, padding=None if mode else padding,
    )
    out = conv2d_nchw(x, w, bias, geometry, flip)
    return out.transpose(0, 2, 3, 1) if layout == "NHWC" else out
