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


def _tap_matrices(w: np.ndarray, groups: int) -> np.ndarray:
    """(K, C/G, *k) -> (taps, G, K/G, C/G), contiguous: one small matrix per tap and group, ready for BLAS."""
    k, cg = w.shape[:2]
    wg = w.reshape(groups, k // groups, cg, -1)
    return np.ascontiguousarray(wg.transpose(3, 0, 1, 2))


def correlate(x_pad: np.ndarray, w: np.ndarray, groups: int, stride, dilation, out_size) -> np.ndarray:
    """(N, C, *P), (K, C/G, *k) -> (N, K, *O): out[n,k,i] = sum over c, u of x_pad[n, c, i*s + u*d] * w[k, c, u]."""
    n = x_pad.shape[0]
    k, cg = w.shape[:2]
    kg = k // groups
    xg = x_pad.reshape(n, groups, cg, *x_pad.shape[2:])
    mats = _tap_matrices(w, groups)  # (taps, G, K/G, C/G)
    dtype = np.result_type(x_pad, w)
    if cg == 1 and kg == 1:  # depthwise, one output per channel
        out = np.empty((n, groups, *out_size), dtype=dtype)
        return _depthwise(xg[:, :, 0], mats[:, :, 0, 0], w.shape[2:], stride, dilation, out)
    out = np.zeros((n, groups, kg, *out_size), dtype=dtype)
    for t, tap in enumerate(np.ndindex(*w.shape[2:])):
        region = xg[(Ellipsis, *tap_region(tap, stride, dilation, out_size))]  # (N, G, C/G, *O)
        if cg == 1:  # one input channel per group: a broadcast multiply, no product needed
            out += region * mats[t].reshape(1, groups, kg, *(1,) * len(out_size))
        else:
            flat = region.reshape(n, groups, cg, -1)
            out += (mats[t] @ flat).reshape(out.shape)  # (G, K/G, C/G) @ (N, G, C/G, O) -> (N, G, K/G, O)
    return out.reshape(n, k, *out_size)


def _depthwise(x_pad: np.ndarray, taps: np.ndarray, kernel_size, stride, dilation, out: np.ndarray) -> np.ndarray:
    """(N, C, *P), taps (T, C) -> (N, C, *O): one weight per channel and tap, a multiply-add per tap.

    Done a few images at a time, so the output block stays in cache across the taps;
    every core takes whole blocks (engine/blocks.py). A stride-1 layer takes the
    faster road of engine/depthwise.py before it gets here.
    """
    from .blocks import blocks_on_every_core

    n, c = x_pad.shape[:2]
    out_size = out.shape[2:]
    shape = (1, c, *(1,) * len(out_size))
    per_block = max(1, (1 << 20) // max(1, out[0].nbytes))

    def block(start: int) -> None:
        stop = min(start + per_block, n)
        target, tmp = out[start:stop], np.empty(out[start:stop].shape, dtype=out.dtype)
        for t, tap in enumerate(np.ndindex(*kernel_size)):
            region = x_pad[(slice(start, stop), slice(None), *tap_region(tap, stride, dilation, out_size))]
            if t == 0:
                np.multiply(region, taps[t].reshape(shape), out=target)
            else:
                np.multiply(region, taps[t].reshape(shape), out=tmp)
                target += tmp

    blocks_on_every_core(range(0, n, per_block), block)
    return out


def scatter(y: np.ndarray, w: np.ndarray, groups: int, stride, dilation, full_size) -> np.ndarray:
    """(N, K, *O), (K, C/G, *k) -> (N, C, *P): each y[n,k,i] adds y * w[k, c, u] to cell i*s + u*d of channel c."""
    n, k = y.shape[:2]
    cg = w.shape[1]
    kg = k // groups
    out_size = y.shape[2:]
    taps = int(np.prod(w.shape[2:]))
    # channels first, then images: (G, K/G, N*O), so one product per group covers every image
    yg = np.ascontiguousarray(np.moveaxis(y, 1, 0)).reshape(groups, kg, -1)
    # every tap's (C/G, K/G) matrix stacked: that product gives all taps' contributions at once
    stacked = np.ascontiguousarray(_tap_matrices(w, groups).transpose(1, 0, 3, 2)).reshape(groups, taps * cg, kg)
    full = np.zeros((groups, cg, n, *full_size), dtype=np.result_type(y, w))
    for g in range(groups):
        back = (stacked[g] @ yg[g]).reshape(taps, cg, n, *out_size)  # each tap's block is contiguous
        for t, tap in enumerate(np.ndindex(*w.shape[2:])):
            full[(g, slice(None), slice(None), *tap_region(tap, stride, dilation, out_size))] += back[t]
    return np.moveaxis(full.reshape(groups * cg, n, *full_size), 0, 1)  # (N, C, *P), a view


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
    if groups == x.shape[1] == w.shape[0] and all(s == 1 for s in geometry.stride):
        from .depthwise import depthwise_rows  # one long row per channel: contiguous passes

        return _add_bias(depthwise_rows(x, applied, geometry), bias)
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
