"""The naive loop: one `Step` event per window position, in the order n, k, row, col.

This is the loop a learner writes by hand, and the lesson itself: four nested
loops, a slice of the padded input under the kernel's taps, a product and
per-channel sums. It never prints; the renderers consume its Steps. The
vectorized engine (engine/fast.py) computes the same numbers without a loop
and the tests hold the two against each other.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import NamedTuple

import numpy as np

from ..source.problem import Problem


class Step(NamedTuple):
    """What happened at one window position: an immutable record. Arrays are read-only.

    patch:    (C, kh, kw) input values under the kernel taps (dilation applied)
    kernel:   (C, kh, kw) the kernel slice used (rotated 180 degrees when flip is on)
    products: (C, kh, kw) patch * kernel
    partials: (C,) per-channel sums of products
    """

    step: int  # 0-based index in loop order: the same number in every view
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
    """Yield a Step for every window position of `problem`, from step number `start` on.

    (N, C, H, W) x (K, C, kh, kw) -> N*K*H'*W' steps, the values of (N, K, H', W').
    """
    x_pad = problem.padded_images()  # (N, C, H + top + bottom, W + left + right)
    w = problem.applied_kernels  # (K, C, kh, kw), already rotated when flip is on
    bias = problem.bias_or_zeros  # (K,)
    N, K = x_pad.shape[0], w.shape[0]
    H_out, W_out = problem.geometry.out_size
    (sh, sw), (dh, dw) = problem.geometry.stride, problem.geometry.dilation
    span_h, span_w = problem.geometry.rows.span, problem.geometry.cols.span  # d*(k-1) + 1

    step = 0
    for n in range(N):
        for k in range(K):
            for row in range(H_out):
                if step + W_out <= start:  # skipping ahead to `start`: a whole row at a time
                    step += W_out
                    continue
                for col in range(W_out):
                    if step >= start:
                        top, left = row * sh, col * sw
                        patch = x_pad[n, :, top : top + span_h : dh, left : left + span_w : dw]
                        products = patch * w[k]
                        products.flags.writeable = False  # a Step is a record, not a scratch pad
                        partials = products.sum(axis=(1, 2))
                        partials.flags.writeable = False
                        value = float(partials.sum() + bias[k])
                        yield Step(step, n, k, row, col, top, left, patch, w[k], products, partials, float(bias[k]), value)
                    step += 1


def naive_output(problem: Problem) -> np.ndarray:
    """(N, K, H', W') assembled from the naive loop's steps (slow; for checking)."""
    out = np.empty(problem.output_shape)
    for s in trace(problem):
        out[s.n, s.k, s.row, s.col] = s.value
    return out
