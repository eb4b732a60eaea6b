"""When the better ways win: Winograd for 3x3 layers, FFT for large kernels (measured, see benchmarks/).

The direct strategies of engine/fast.py do N*K*H'*W' * C*kh*kw multiply-adds
in matrix products. The better ways do fewer, at a price paid elsewhere:

* Winograd F(2x2, 3x3) does 16 of every 36 multiplications, plus transforms
  of the input (16 numbers per 2x2 tile and channel) and of the output. The
  transforms are element-wise passes over memory, so it wins when the matrix
  products are deep and wide enough to dominate: many channels and kernels.
* FFT does about L1*L2*log2(L1*L2) work per image channel, kernel channel and
  output map whatever the kernel size, plus C*K complex products per
  frequency. It wins when kernels are large (13x13 and up here) and the stride is 1
  (with a stride it would compute every stride-1 output and drop most of them).
"""

from __future__ import annotations

import math

import numpy as np

from ..source.geometry import Geometry
from .winograd import applies

# Winograd wins once the layer's products are this big (multiply-adds of the direct method)
# and both C and K are at least WINOGRAD_CHANNELS. Measured on a 2-core machine, float32,
# Winograd / "rows" time: C = K = 32 1.4 (direct wins), 64 0.97, 128 0.93, 256 0.70: the
# transforms cost per channel, the saved multiplications per channel *and* kernel.
WINOGRAD_WORK = 20_000_000
WINOGRAD_CHANNELS = 64
# FFT: kernels of at least this many taps (13x13), stride 1, and the direct method's multiply-adds
# at least FFT_ADVANTAGE times the FFT estimate below. NumPy's FFTs are single-threaded calls
# with a per-call cost, and BLAS runs the direct products near its peak, so FFT needs a wide
# margin on paper: on a 2-core machine 7x7 and 9x9 layers were still faster direct.
FFT_TAPS = 169
FFT_ADVANTAGE = 9.0


def direct_work(input_shape, kernel_shape, geometry: Geometry) -> int:
    """Multiply-adds of the direct method: N*K*H'*W' * C*kh*kw."""
    n, c, _, _ = input_shape
    k, _, kh, kw = kernel_shape
    h_out, w_out = geometry.out_size
    return n * k * h_out * w_out * c * kh * kw


def fft_work(input_shape, kernel_shape, geometry: Geometry) -> float:
    """A rough count for FFT: transforms of N*C + K*C + N*K maps, then N*K*C complex products per frequency."""
    from .fft import grid_size

    n, c, _, _ = input_shape
    k = kernel_shape[0]
    l1, l2 = grid_size(geometry)
    transforms = (n * c + k * c + n * k) * l1 * l2 * math.log2(max(2, l1 * l2))
    products = 4 * n * k * c * l1 * (l2 // 2 + 1)
    return transforms + products


def better_way(input_shape, kernel_shape, geometry: Geometry) -> str | None:
    """"winograd", "fft" or None (a direct strategy is the fastest)."""
    n, c, _, _ = input_shape
    k, _, kh, kw = kernel_shape
    work = direct_work(input_shape, kernel_shape, geometry)
    if applies(kernel_shape, geometry) and work >= WINOGRAD_WORK and min(c, k) >= WINOGRAD_CHANNELS:
        return "winograd"
    if (kh * kw >= FFT_TAPS and geometry.stride == (1, 1)
            and work >= FFT_ADVANTAGE * fft_work(input_shape, kernel_shape, geometry)):
        return "fft"
    return None


def better_conv(images: np.ndarray, w: np.ndarray, bias, geometry: Geometry, strategy: str) -> np.ndarray:
    """The "winograd" (engine/winograd.py) and "fft" (engine/fft.py) strategies of conv2d_nchw.

    (N, C, H, W) x (K, C, kh, kw), kernels already rotated when flip is on -> (N, K, H', W').
    """
    if images.size == 0 or w.size == 0:
        dtype = np.result_type(images, w)
        out = np.zeros((images.shape[0], w.shape[0], *geometry.out_size), dtype)
        return out + (0 if bias is None else np.asarray(bias, dtype)[None, :, None, None])
    if strategy == "winograd":
        from .winograd import conv2d_winograd

        if not applies(w.shape, geometry):
            raise ValueError("strategy 'winograd' needs 3x3 kernels, stride 1 and dilation 1")
        return conv2d_winograd(images, w, bias, geometry)
    from .fft import conv2d_fft

    return conv2d_fft(images, w, bias, geometry)
