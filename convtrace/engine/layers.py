"""The vectorized engine for every convolution layer: grouped, 1-D, 2-D, 3-D and transposed (NumPy only).

Three whole-array operations do all the work, one kernel tap at a time (a tap's
cells form a strided grid of the input, so each tap is one matrix product per
group and nothing of size N*C*H'*W'*kh*kw is ever built):

    correlate(x_pad, w)   (N, C, *P), (K, C/G, *k) -> (N, K, *O)   the sliding window
    scatter(y, w)         (N, K, *O), (K, C/G, *k) -> (N, C, *P)   its adjoint: each y stamps w back
    weight_grad(x_pad, y) (N, C, *P), (N, K, *O)   -> (K, C/G, *k)

A convolution is `correlate`; its input gradient is `scatter`. A transposed
convolution is exactly that input gradient used as a layer: `scatter` of the
input with the kernels (C, K/G, *k), cropped by the padding; its gradients are
`correlate` and `weight_grad` with the roles of input and output swapped.
"""

from __future__ import annotations

import numpy as np

from ..source.geometry import Geometry


def tap_region(tap, stride, dilation, out_size) -> tuple[slice, ...]:
    """Slices of the spatial axes holding tap `tap`'s cell of every output position: u*d + i*s, i < O."""
    return tuple(slice(u * d, u * d + (o - 1) * s + 1, s) for u, s, d, o in zip(tap, stride, dilation, out_size))


def correlate(x_pad: np.ndarray, w: np.ndarray, groups: int, stride, dilation, out_size) -> np.ndarray:
    """(N, C, *P), (K, C/G, *k) -> (N, K, *O): out[n,k,i] = sum over c, u of x_pad[n, c, i*s + u*d] * w[k, c, u]."""
    n, c = x_pad.shape[:2]
    k, cg = w.shape[:2]
    kg = k // groups
    xg = x_pad.reshape(n, groups, cg, *x_pad.shape[2:])
    wg = w.reshape(groups, kg, cg, *w.shape[2:])
    out = np.zeros((n, groups, kg, *out_size), dtype=np.result_type(x_pad, w))
    for tap in np.ndindex(*w.shape[2:]):
        region = xg[(Ellipsis, *tap_region(tap, stride, dilation, out_size))]  # (N, G, C/G, *O)
        taps = wg[(Ellipsis, *tap)]  # (G, K/G, C/G)
        if cg == 1:  # depthwise: a broadcast multiply, no product needed
            out += region * taps.reshape(1, groups, kg, *(1,) * len(out_size))
        else:
            flat = region.reshape(n, groups, cg, -1)
            out += (taps @ flat).reshape(out.shape)  # (G, K/G, C/G) @ (N, G, C/G, O) -> (N, G, K/G, O)
    return out.reshape(n, k, *out_size)


def scatter(y: np.ndarray, w: np.ndarray, groups: int, stride, dilation, full_size) -> np.ndarray:
    """(N, K, *O), (K, C/G, *k) -> (N, C, *P): each y[n,k,i] adds y * w[k, c, u] to cell i*s + u*d of channel c."""
    n, k = y.shape[:2]
    cg = w.shape[1]
    kg = k // groups
    out_size = y.shape[2:]
    yg = y.reshape(n, groups, kg, -1)
    wg = w.reshape(groups, kg, cg, *w.shape[2:])
    full = np.zeros((n, groups, cg, *full_size), dtype=np.result_type(y, w))
    for tap in np.ndindex(*w.shape[2:]):
        taps = wg[(Ellipsis, *tap)].transpose(0, 2, 1)  # (G, C/G, K/G)
        back = (taps @ yg).reshape(n, groups, cg, *out_size)  # summed over the group's output channels
        full[(Ellipsis, *tap_region(tap, stride, dilation, out_size))] += back
    return full.reshape(n, groups * cg, *full_size)


def weight_grad(x_pad: np.ndarray, y: np.ndarray, groups: int, stride, dilation, kernel_size) -> np.ndarray:
    """(N, C, *P), (N, K, *O) -> (K, C/G, *k): dw[k,c,u] = sum over n, i of y[n,k,i] * x_pad[n, c, i*s + u*d]."""
    n, c = x_pad.shape[:2]
    k = y.shape[1]
    cg, kg = c // groups, k // groups
    out_size = y.shape[2:]
    xg = x_pad.reshape(n, groups, cg, *x_pad.shape[2:])
    yg = y.reshape(n, groups, kg, -1)
    grad = np.zeros((groups, kg, cg, *kernel_size), dtype=np.result_type(x_pad, y))
    for tap in np.ndindex(*kernel_size):
        region = xg[(Ellipsis, *tap_region(tap, stride, dilation, out_size))].reshape(n, groups, cg, -1)
        grad[(Ellipsis, *tap)] = np.einsum("ngkp,ngcp->gkc", yg, region)
    return grad.reshape(k, cg, *kernel_size)


def _pad(x: np.ndarray, padding) -> np.ndarray:
    return np.pad(x, ((0, 0), (0, 0), *padding))


def _rot(w: np.ndarray) -> np.ndarray:
    """Every spatial axis reversed (180 degrees in 2-D)."""
    return w[(slice(None), slice(None)) + (slice(None, None, -1),) * (w.ndim - 2)]


def _add_bias(out: np.ndarray, bias) -> np.ndarray:
    if bias is not None:
        out += np.asarray(bias, dtype=out.dtype).reshape(1, -1, *(1,) * (out.ndim - 2))
    return out


def conv_forward(x, w, bias, geometry: Geometry, groups: int = 1, flip: bool = False) -> np.ndarray:
    """Convolution, any dims: (N, C, *S), (K, C/G, *k) -> (N, K, *O)."""
    applied = _rot(w) if flip else w
    out = correlate(_pad(x, geometry.padding), applied, groups, geometry.stride, geometry.dilation, geometry.out_size)
    return _add_bias(out, bias)


def conv_grads(x, w, g, geometry: Geometry, groups: int = 1, flip: bool = False):
    """(N, C, *S), (K, C/G, *k), g (N, K, *O) -> dL/dx (N, C, *S), dL/dw (K, C/G, *k), dL/db (K,)."""
    applied = _rot(w) if flip else w
    x_pad = _pad(x, geometry.padding)
    gx_pad = scatter(g, applied, groups, geometry.stride, geometry.dilation, x_pad.shape[2:])
    crop = tuple(slice(before, before + size) for (before, _), size in zip(geometry.padding, geometry.input_size))
    gw = weight_grad(x_pad, g, groups, geometry.stride, geometry.dilation, geometry.kernel_size)
    return np.ascontiguousarray(gx_pad[(Ellipsis, *crop)]), (_rot(gw) if flip else gw), g.sum(axis=(0, *range(2, g.ndim)))


def _full_size(geometry: Geometry) -> tuple[int, ...]:
    """A transposed output before cropping: (H-1)*s + d*(k-1) + 1 + output_padding per axis."""
    return tuple((a.size - 1) * a.stride + a.span + a.output_padding for a in geometry.axes)


def _crop(geometry: Geometry) -> tuple[slice, ...]:
    return tuple(slice(a.before, a.before + a.out) for a in geometry.axes)


def conv_transpose_forward(x, w, bias, geometry: Geometry, groups: int = 1) -> np.ndarray:
    """Transposed convolution: (N, C, *S), (C, K/G, *k) -> (N, K, *O), exactly dL/dx of a forward convolution."""
    full = scatter(x, w, groups, geometry.stride, geometry.dilation, _full_size(geometry))
    return _add_bias(np.ascontiguousarray(full[(Ellipsis, *_crop(geometry))]), bias)


def conv_transpose_grads(x, w, g, geometry: Geometry, groups: int = 1):
    """(N, C, *S), (C, K/G, *k), g (N, K, *O) -> dL/dx (N, C, *S), dL/dw (C, K/G, *k), dL/db (K,)."""
    g_full = np.zeros((*g.shape[:2], *_full_size(geometry)), dtype=g.dtype)
    g_full[(Ellipsis, *_crop(geometry))] = g  # the cropped cells received no gradient
    gx = correlate(g_full, w, groups, geometry.stride, geometry.dilation, geometry.input_size)
    gw = weight_grad(g_full, x, groups, geometry.stride, geometry.dilation, geometry.kernel_size)
    return gx, gw, g.sum(axis=(0, *range(2, g.ndim)))
