"""The naive loop: one `Step` event per window position, in the order n, k, row, col.

This is the loop a learner writes by hand, kept readable on purpose:

    for n in range(N):
        for k in range(K):
            for row in range(H_out):
                for col in range(W_out):
                    patch = x_pad[n, :, top : top + span_h : dh, left : left + span_w : dw]
                    out[n, k, row, col] = bias[k] + sum(patch * w[k])

`trace` yields exactly what that loop computes, one Step per position in that
order. To be quick it does the loop body for a batch of rows at once with NumPy
(the same products and sums), then hands the results out one position at a
time. It never prints and never builds the list of all steps: memory stays
flat however many positions there are.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import NamedTuple

import numpy as np

from .fast import windows
from ..source.problem import Problem


class Step(NamedTuple):
    """What happened at one window position: an immutable record. Arrays are read-only.

    patch:    (C, kh, kw) input values under the kernel taps (dilation applied)
    kernel:   (C, kh, kw) the kernel slice used (rotated 180 degrees when flip is on)
    products: (C, kh, kw) patch * kernel
    partials: (C,) per-channel sums of products
    """

    step: int  # 0-based index in loop order
    n: int  # image
    k: int  # kernel = output channel
    row: int  # output row
    col: int  # output column
    top: int  # window's first row in padded-input coordinates (row * stride_h)
    left: int  # window's first column in padded-input coordinates (col * stride_w)
    patch: np.ndarray
    kernel: np.ndarray
    products: np.ndarray
    partials: np.ndarray
    bias: float
    value: float  # sum(partials) + bias = out[n, k, row, col]


# How many multiplied numbers one batch of precomputed steps may hold (about 4 MB of float64):
# enough positions that numpy's per-call cost vanishes, small enough that memory stays flat.
BATCH_NUMBERS = 500_000


def trace(problem: Problem, start: int = 0) -> Iterator[Step]:
    """Yield a Step for every window position of `problem`, from step index `start` on.

    (N, C, H, W) x (K, C, kh, kw) -> N*K*H'*W' steps, the values of (N, K, H', W').
    """
    x_pad = problem.padded_images()  # (N, C, Hp, Wp), zeros around the data
    w = problem.applied_kernels  # (K, C, kh, kw), already rotated when flip is on
    bias = problem.bias_or_zeros  # (K,)
    g = problem.geometry
    sh, sw = g.stride
    n_images, n_kernels = x_pad.shape[0], w.shape[0]
    h_out, w_out = g.out_size
    # every window's taps at once, as a read-only view: taps[n, :, row, col] is the patch
    # x_pad[n, :, top : top + span_h : dh, left : left + span_w : dw] of the loop above
    taps = windows(x_pad, g)  # (N, C, H', W', kh, kw)
    rows_per_batch = max(1, BATCH_NUMBERS // (w_out * w[0].size))

    index = start
    n, rest = divmod(start, n_kernels * h_out * w_out)
    k, rest = divmod(rest, h_out * w_out)
    first_row, first_col = divmod(rest, w_out)
    while n < n_images:
        while k < n_kernels:
            kernel, b = w[k], float(bias[k])
            for row0 in range(first_row, h_out, rows_per_batch):
                rows = range(row0, min(row0 + rows_per_batch, h_out))
                # the loop body for a batch of rows at once, in NumPy; the loop below hands it out
                patches = taps[n, :, rows.start : rows.stop].transpose(1, 2, 0, 3, 4)  # (rows, W', C, kh, kw)
                products = patches * kernel
                partials = products.sum(axis=(3, 4))  # (rows, W', C)
                values = (partials.sum(axis=2) + b).tolist()
                products.flags.writeable = False  # the steps below are views of these
                partials.flags.writeable = False
                for r, row in enumerate(rows):
                    top, c0 = row * sh, first_col
                    each = zip(range(c0, w_out), patches[r, c0:], products[r, c0:], partials[r, c0:], values[r][c0:])
                    for col, patch, product, partial, value in each:
                        yield Step(index, n, k, row, col, top, col * sw, patch, kernel, product, partial, b, value)
                        index += 1
                    first_col = 0
            first_row = 0
            k += 1
        k = 0
        n += 1


def naive_output(problem: Problem) -> np.ndarray:
    """(N, K, H', W') assembled from the naive loop's steps (slow; for checking)."""
    out = np.empty(problem.output_shape)
    for s in trace(problem):
        out[s.n, s.k, s.row, s.col] = s.value
    return out
