"""Depthwise convolution at stride 1: every channel one long row, every tap one constant shift.

In a depthwise layer (groups = C = K) output channel c is channel c of the
images correlated with its own kernel: a multiply-add per kernel tap, no
matrix product. Lay each padded channel out as one row, cell (i, j) at
i*Wp + j (any number of axes alike). Output position (i, j) then sits at the
same index as padded cell (i, j), and tap (u, v) reads the cell
u*dh*Wp + v*dw further on, for every position at once: each tap is

    out_row += w[c, u, v] * padded_row[shift(u, v) : shift(u, v) + length]

one pass over contiguous memory per channel. The positions past the output's
last column (j >= W') are computed too and dropped at the end: that is the
price of the constant shift. A few images at a time are padded into a work
array and finished while they are in cache; every core takes whole blocks
(engine/blocks.py).
"""

from __future__ import annotations

import numpy as np

from ..source.geometry import Geometry
from .workspace import work_array

BLOCK_BYTES = 1 << 20  # a block's output rows: near the size of a core's cache


def depthwise_rows(x: np.ndarray, w: np.ndarray, geometry: Geometry) -> np.ndarray:
    """(N, C, *S) x (C, 1, *k) -> (N, C, *O), stride 1, any padding and dilation, computed in the inputs' dtype."""
    from .blocks import blocks_on_every_core

    n, c = x.shape[:2]
    dtype = np.result_type(x, w)
    padded = tuple(size + before + after for size, (before, after) in zip(x.shape[2:], geometry.padding))
    out_size = geometry.out_size
    steps = [int(np.prod(padded[axis + 1 :])) for axis in range(len(padded))]  # cells between neighbours
    kernel_size = w.shape[2:]
    shifts = [sum(u * d * step for u, d, step in zip(tap, geometry.dilation, steps)) for tap in np.ndindex(*kernel_size)]
    length = sum((o - 1) * step for o, step in zip(out_size, steps)) + 1  # up to the last output position
    taps = w.reshape(c, -1).T.astype(dtype)[:, None, :, None]  # (T, 1, C, 1): tap t's weight of every channel
    size = int(np.prod(padded))
    out = np.empty((n, c, *out_size), dtype)
    per_block = max(1, BLOCK_BYTES // (c * size * np.dtype(dtype).itemsize))
    inside = tuple(slice(before, before + s) for (before, _), s in zip(geometry.padding, x.shape[2:]))
    kept = tuple(slice(0, o) for o in out_size)

    def block(start: int) -> None:
        stop = min(start + per_block, n)
        m = stop - start
        rows = work_array("depthwise_rows", (m, c, size), dtype, zero=True)  # zeros: the padding
        rows.reshape(m, c, *padded)[(Ellipsis, *inside)] = x[start:stop]
        total = work_array("depthwise_sum", (m, c, size), dtype)
        spare = work_array("depthwise_tap", (m, c, length), dtype)
        into = total[..., :length]
        np.multiply(rows[..., shifts[0] : shifts[0] + length], taps[0], out=into)
        for t in range(1, len(shifts)):
            np.multiply(rows[..., shifts[t] : shifts[t] + length], taps[t], out=spare)
            into += spare
        out[start:stop] = total.reshape(m, c, *padded)[(Ellipsis, *kept)]

    blocks_on_every_core(range(0, n, per_block), block)
    return out
