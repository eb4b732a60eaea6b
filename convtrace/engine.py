"""The naive loop: one `Step` event per window position, in the order n, k, row, col.

This is the loop a learner writes by hand, kept readable on purpose:

    for n in range(N):
        for k in range(K):
            for row in range(H_out):
                for col in range(W_out):
                    patch = x_pad[n, :, top : top + span_h : dh, left : left + span_w : dw]
                    out[n, k, row, col] = bias[k] + sum(patch * w[k])

`trace` never prints and never builds the list of steps: it yields them one at
a time, so memory stays flat however many positions there are.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np

from .problem import Problem


@dataclass(frozen=True, slots=True)
class Step:
    """What happened at one window position. Arrays are read-only.

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


def trace(problem: Problem, start: int = 0) -> Iterator[Step]:
    """Yield a Step for every window position of `problem`, from step index `start` on.

    (N, C, H, W) x (K, C, kh, kw) -> N*K*H'*W' steps, the values of (N, K, H', W').
    """
    x_pad = problem.padded_images()  # (N, C, Hp, Wp), zeros around the data
    w = problem.applied_kernels  # (K, C, kh, kw), already rotated when flip is on
    bias = problem.bias_or_zeros  # (K,)
    g = problem.geometry
    (sh, sw), (dh, dw) = g.stride, g.dilation
    span_h, span_w = g.rows.span, g.cols.span
    n_images, n_kernels = x_pad.shape[0], w.shape[0]
    h_out, w_out = g.out_size
    per_image = n_kernels * h_out * w_out

    index = start
    n, rest = divmod(start, per_image)
    k, rest = divmod(rest, h_out * w_out)
    first_row, first_col = divmod(rest, w_out)
    while n < n_images:
        while k < n_kernels:
            for row in range(first_row, h_out):
                for col in range(first_col, w_out):
                    top, left = row * sh, col * sw
                    # every dh-th row and dw-th column: the taps of a dilated kernel
                    patch = x_pad[n, :, top : top + span_h : dh, left : left + span_w : dw]
                    products = patch * w[k]
                    partials = products.sum(axis=(1, 2))
                    value = float(partials.sum()) + float(bias[k])
                    products.flags.writeable = False
                    partials.flags.writeable = False
                    yield Step(index, n, k, row, col, top, left, patch, w[k], products, partials, float(bias[k]), value)
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
