"""FFT convolution: pointwise products in the frequency domain.

The convolution theorem: convolving two signals is multiplying their Fourier
transforms, frequency by frequency. A CNN layer is a cross-correlation, which
is a convolution with the kernel rotated 180 degrees, so for one image channel
x (Hp, Wp), padded as the geometry says, and one kernel channel w (kh, kw):

    1. both into an L1 x L2 grid of zeros (L >= the padded size), the kernel rotated
    2. X = FFT2(x), W = FFT2(w_rotated)                    the spectra, (L1, L2//2 + 1)
    3. P = X * W                                           one complex product per frequency
    4. z = inverse FFT2(P)                                 (L1, L2): a *circular* convolution
    5. crop z[span-1 : Hp, span-1 : Wp] (every stride-th)  = the correlation, (H', W')

Grid cells up to Hp wrap around onto nothing: outputs from span-1 on only read
real cells, so the crop is exact. Summed over channels (the products add up
before the inverse transform: a (K, C) x (C, N) product per frequency) it is
the layer. The work is about L1*L2*log(L1*L2) per map, whatever the kernel
size, so FFT wins when kernels are large; for 3x3 kernels the direct method
or Winograd is cheaper.

* `conv2d_fft`: the whole layer, (N, C, H, W) x (K, C, kh, kw) -> (N, K, H', W').
* `fft_pair`: one image channel and one kernel channel with every intermediate
  kept (a frozen `FftPair`), for `convtrace run --method fft`.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..errors import DataError
from ..source.geometry import Geometry
from ..source.problem import Problem

# Bytes of one block's spectra (images and outputs), so a block stays in cache.
BLOCK_BYTES = 4 * 1024 * 1024


def fast_size(n: int) -> int:
    """The smallest 2^a * 3^b * 5^c >= n: FFT lengths with small prime factors are the fast ones."""
    best = 1
    while best < n:
        best *= 2
    power5 = 1
    while power5 < best:
        power3 = power5
        while power3 < best:
            size = power3
            while size < n:
                size *= 2
            best = min(best, size)
            power3 *= 3
        power5 *= 5
    return best


def grid_size(geometry: Geometry) -> tuple[int, int]:
    """(L1, L2): the FFT grid, at least the padded input (see the module docstring)."""
    hp, wp = geometry.padded_size
    return fast_size(hp), fast_size(wp)


def rotated_kernels(kernels: np.ndarray, geometry: Geometry) -> np.ndarray:
    """(K, C, kh, kw) -> (K, C, span_h, span_w): rotated 180 degrees, dilation's gaps filled with zeros."""
    k, c, _, _ = kernels.shape
    (dh, dw) = geometry.dilation
    spread = np.zeros((k, c, geometry.rows.span, geometry.cols.span), kernels.dtype)
    spread[:, :, ::dh, ::dw] = kernels[:, :, ::-1, ::-1]
    return spread


def _crop(z: np.ndarray, geometry: Geometry) -> np.ndarray:
    """(..., L1, L2) circular convolutions -> (..., H', W'): the cells that read no wrapped-around zeros."""
    (sh, sw) = geometry.stride
    h_out, w_out = geometry.out_size
    r0, c0 = geometry.rows.span - 1, geometry.cols.span - 1
    return z[..., r0 : r0 + (h_out - 1) * sh + 1 : sh, c0 : c0 + (w_out - 1) * sw + 1 : sw]


def conv2d_fft(images: np.ndarray, kernels: np.ndarray, bias, geometry: Geometry) -> np.ndarray:
    """(N, C, H, W) x (K, C, kh, kw) -> (N, K, H', W') by FFTs, in blocks of images on every core.

    Any stride and dilation (the stride-1 result is computed and every stride-th
    cell kept). float32 stays float32 (complex64 spectra), anything else float64.
    """
    from .blocks import blocks_on_every_core

    n, c, _, _ = images.shape
    k = kernels.shape[0]
    dtype = np.result_type(images, kernels)
    size = grid_size(geometry)
    (top, bottom), (left, right) = geometry.padding
    h_out, w_out = geometry.out_size
    out = np.empty((n, k, h_out, w_out), dtype)
    freqs = size[0] * (size[1] // 2 + 1)
    # kernel spectra, one (C, K) matrix per frequency: (F, C, K)
    spectra = np.fft.rfft2(rotated_kernels(kernels.astype(dtype, copy=False), geometry), s=size)
    spectra = np.ascontiguousarray(spectra.reshape(k, c, freqs).transpose(2, 1, 0))
    bias = None if bias is None else np.asarray(bias, dtype)[None, :, None, None]
    per_block = max(1, BLOCK_BYTES // (freqs * (c + k) * 2 * np.dtype(dtype).itemsize))
    per_block = -(-n // -(-n // per_block))  # blocks of even size

    def one_block(first: int) -> None:
        """Images first .. first+count-1: their spectra, the products summed over C, back, cropped."""
        x = images[first : first + per_block]
        count = x.shape[0]
        x_pad = np.pad(x, ((0, 0), (0, 0), (top, bottom), (left, right)))
        spec = np.fft.rfft2(x_pad, s=size).reshape(count, c, freqs).transpose(2, 0, 1)  # (F, count, C)
        product = np.matmul(spec, spectra)  # (F, count, K): sum over c of X[c] * W[k, c], each frequency
        z = np.fft.irfft2(product.transpose(1, 2, 0).reshape(count, k, size[0], -1), s=size)  # (count, K, L1, L2)
        target = out[first : first + count]
        if bias is None:
            np.copyto(target, _crop(z, geometry))
        else:
            np.add(_crop(z, geometry), bias, out=target)

    blocks_on_every_core(range(0, n, per_block), one_block)
    return out


# ----------------------------------------------------------------------------- one pair, shown


@dataclass(frozen=True)
class FftPair:
    """FFT convolution of image n's channel c with kernel k's channel c, every step kept (float64).

    x:        (L1, L2) the padded image channel in a grid of zeros
    w:        (L1, L2) the kernel channel rotated 180 degrees (dilation's gaps as zeros), in zeros
    x_hat:    (L1, L2//2 + 1) complex: the image's spectrum (rfft2: the other half mirrors it)
    w_hat:    (L1, L2//2 + 1) complex: the kernel's spectrum
    product:  (L1, L2//2 + 1) complex: x_hat * w_hat, frequency by frequency
    circular: (L1, L2) the inverse transform: the circular convolution
    cropped:  (H', W') the cells from span - 1 on (every stride-th): this channel's part of out[n, k]
    loop:     (H', W') the naive loop's partial sums for channel c at every position of (n, k)
    """

    n: int
    k: int
    c: int
    size: tuple[int, int]
    x: np.ndarray
    w: np.ndarray
    x_hat: np.ndarray
    w_hat: np.ndarray
    product: np.ndarray
    circular: np.ndarray
    cropped: np.ndarray
    loop: np.ndarray
    difference: float  # max |cropped - loop|: 0 up to rounding
    crop_start: tuple[int, int]  # (span_h - 1, span_w - 1)


def fft_pair(problem: Problem, n: int = 0, k: int = 0, c: int = 0) -> FftPair:
    """One channel pair of the Problem done the FFT way, checked against the loop's per-channel partial sums."""
    from .naive import trace

    g = problem.geometry
    size = grid_size(g)
    if size[0] * size[1] > 4096:
        raise DataError(f"the FFT grid would be {size[0]}x{size[1]}, too large to show; "
                        "try a smaller input (a crop of at most 64x64)")
    x_pad = problem.padded_images()[n, c]  # (Hp, Wp)
    x = np.zeros(size)
    x[: x_pad.shape[0], : x_pad.shape[1]] = x_pad
    w = np.zeros(size)
    kernel = rotated_kernels(problem.applied_kernels[k : k + 1, c : c + 1], g)[0, 0]
    w[: kernel.shape[0], : kernel.shape[1]] = kernel
    x_hat, w_hat = np.fft.rfft2(x), np.fft.rfft2(w)
    product = x_hat * w_hat
    circular = np.fft.irfft2(product, s=size)
    cropped = np.array(_crop(circular, g))
    h_out, w_out = g.out_size
    first = (n * problem.kernel_shape[0] + k) * h_out * w_out
    loop = np.empty((h_out, w_out))
    for step in trace(problem, start=first):
        if step.n != n or step.k != k:
            break
        loop[step.row, step.col] = step.partials[c]  # the loop's sum over channel c only
    difference = float(np.abs(cropped - loop).max(initial=0.0))
    for array in (x, w, x_hat, w_hat, product, circular, cropped, loop):
        array.setflags(write=False)
    return FftPair(n, k, c, size, x, w, x_hat, w_hat, product, circular, cropped, loop, difference,
                   (g.rows.span - 1, g.cols.span - 1))
