"""Max and average pooling, vectorized, any dims: (N, C, *S) -> (N, C, *O), with their gradients.

Exactly PyTorch's max_pool / avg_pool, borders included:

* max: padding counts as minus infinity, so it never wins; ties go to the
  first maximum in row-major order, and the gradient goes there too.
* avg: per axis the window is clipped to the padded input (start = i*s - p,
  end = min(start + k, size + p)); with count_include_pad the divisor counts
  that clipped window, padding included, otherwise only the real cells it
  covers. ceil_mode windows that run past the padding read nothing there.
"""

from __future__ import annotations

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from ..source.geometry import Geometry


def padded_for_pooling(x: np.ndarray, geometry: Geometry, fill: float) -> np.ndarray:
    """(N, C, *S) -> (N, C, *P): padding (and any ceil_mode overhang) filled with `fill`."""
    sides = [(a.before, a.after + a.overhang) for a in geometry.axes]
    return np.pad(x, ((0, 0), (0, 0), *sides), constant_values=fill)


def pool_windows(x_pad: np.ndarray, geometry: Geometry) -> np.ndarray:
    """(N, C, *P) -> (N, C, *O, *k): every window's taps as a view (stride and dilation applied)."""
    dims = geometry.dims
    spans = tuple(a.span for a in geometry.axes)
    view = sliding_window_view(x_pad, spans, axis=tuple(range(2, 2 + dims)))
    keep = tuple(slice(0, (a.out - 1) * a.stride + 1, a.stride) for a in geometry.axes)
    taps = tuple(slice(None, None, a.dilation) for a in geometry.axes)
    return view[(slice(None), slice(None), *keep, *taps)]


def max_pool_forward(x: np.ndarray, geometry: Geometry) -> tuple[np.ndarray, np.ndarray]:
    """(N, C, *S) -> the maxima (N, C, *O) and which tap won, as a flat row-major index (N, C, *O)."""
    dims = geometry.dims
    windows = pool_windows(padded_for_pooling(x, geometry, -np.inf), geometry)
    flat = windows.reshape(*windows.shape[: 2 + dims], -1)
    winner = flat.argmax(axis=-1)  # argmax returns the first maximum: PyTorch's tie rule
    return np.take_along_axis(flat, winner[..., None], axis=-1)[..., 0], winner


def max_pool_grad(x: np.ndarray, g: np.ndarray, geometry: Geometry) -> np.ndarray:
    """dL/dx (N, C, *S): each g[n, c, i] goes to the input cell its window's first maximum came from."""
    _, winner = max_pool_forward(x, geometry)
    taps = np.unravel_index(winner, geometry.kernel_size)  # tap index per axis, each (N, C, *O)
    grid = np.indices(winner.shape)  # n, c, *i
    padded = [grid[2 + a] * axis.stride + taps[a] * axis.dilation for a, axis in enumerate(geometry.axes)]
    grad = np.zeros(padded_for_pooling(x, geometry, 0.0).shape, dtype=np.result_type(x, g))
    np.add.at(grad, (grid[0], grid[1], *padded), g)  # add.at: overlapping windows may pick the same cell
    crop = tuple(slice(a.before, a.before + a.size) for a in geometry.axes)
    return np.ascontiguousarray(grad[(Ellipsis, *crop)])


def avg_divisors(geometry: Geometry, count_include_pad: bool) -> np.ndarray:
    """(*O,) integer divisors, PyTorch's rule: the product over axes of each clipped window's length."""
    divisor = np.ones((), dtype=np.int64)
    for axis in geometry.axes:
        start = np.arange(axis.out) * axis.stride - axis.before
        end = np.minimum(start + axis.kernel, axis.size + axis.after)
        if count_include_pad:
            length = end - start
        else:
            length = np.minimum(end, axis.size) - np.maximum(start, 0)
        divisor = np.multiply.outer(divisor, length)
    return divisor


def avg_pool_forward(x: np.ndarray, geometry: Geometry, count_include_pad: bool = True) -> np.ndarray:
    """(N, C, *S) -> (N, C, *O): window sums over the zero-padded input, each divided by its divisor."""
    dims = geometry.dims
    windows = pool_windows(padded_for_pooling(x, geometry, 0.0), geometry)
    sums = windows.sum(axis=tuple(range(2 + dims, 2 + 2 * dims)))
    return sums / avg_divisors(geometry, count_include_pad).astype(sums.dtype)


def avg_pool_grad(x: np.ndarray, g: np.ndarray, geometry: Geometry, count_include_pad: bool = True) -> np.ndarray:
    """dL/dx (N, C, *S): each g[n, c, i] / divisor is added to every cell of its window."""
    share = g / avg_divisors(geometry, count_include_pad)
    grad = np.zeros(padded_for_pooling(x, geometry, 0.0).shape, dtype=share.dtype)
    for tap in np.ndindex(*geometry.kernel_size):
        region = tuple(slice(u * a.dilation, u * a.dilation + (a.out - 1) * a.stride + 1, a.stride)
                       for u, a in zip(tap, geometry.axes))
        grad[(Ellipsis, *region)] += share
    crop = tuple(slice(a.before, a.before + a.size) for a in geometry.axes)
    return np.ascontiguousarray(grad[(Ellipsis, *crop)])
