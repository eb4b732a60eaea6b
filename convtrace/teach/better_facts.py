"""Fact names for lessons about the better ways (Winograd, FFT), worked out by the engine.

teach/facts.py asks `better_value` for these names; the values come from the
engine's records (engine/winograd.py, engine/fft.py), for image 0, kernel 0,
channel 0 and the first tile unless the lesson indexes further.
"""

from __future__ import annotations

import numpy as np

NAMES = {
    "loop_multiplications": "N*K*H'*W' * C*kh*kw: the naive loop's multiplications",
    "winograd_multiplications": "16 per 2x2 output tile and channel: N*K*C*ceil(H'/2)*ceil(W'/2)*16",
    "winograd_d": "the first tile's input d (C, 4, 4) of image 0",
    "winograd_v": "B^T d B of the first tile (C, 4, 4)",
    "winograd_u": "G g G^T of kernel 0 (C, 4, 4)",
    "winograd_m": "the first tile's products summed over the channels (4, 4)",
    "fft_grid": "[L1, L2]: the FFT grid, at least the padded input, factors 2, 3, 5 only",
    "fft_products": "complex products per channel pair: L1 * (L2 // 2 + 1)",
}
INDEXED = ("winograd_d", "winograd_v", "winograd_u", "winograd_m")


def better_value(name: str, problem):
    """The engine's value for one of NAMES (whole arrays for the indexed ones)."""
    from ..engine.fft import grid_size
    from ..engine.winograd import MULTIPLICATIONS, OUT, winograd_tile

    n, c, _, _ = problem.input_shape
    k, _, kh, kw = problem.kernel_shape
    h_out, w_out = problem.geometry.out_size
    if name == "loop_multiplications":
        return n * k * h_out * w_out * c * kh * kw
    if name == "winograd_multiplications":
        return n * k * c * -(-h_out // OUT) * -(-w_out // OUT) * MULTIPLICATIONS
    if name == "fft_grid":
        return list(grid_size(problem.geometry))
    if name == "fft_products":
        l1, l2 = grid_size(problem.geometry)
        return l1 * (l2 // 2 + 1)
    tile = winograd_tile(problem)
    return np.asarray({"winograd_d": tile.d, "winograd_v": tile.v, "winograd_u": tile.u,
                       "winograd_m": tile.m}[name])
