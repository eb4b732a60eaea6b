"""im2col: the whole convolution as one matrix product.

The four steps, with their shapes:

1. column matrix  (N*H'*W', C*kh*kw): one row per window position (n, row, col),
                  holding that window's patch flattened in (c, u, v) order
2. kernel matrix  (K, C*kh*kw): one row per kernel, flattened the same way
3. product        columns @ kernel_matrix.T -> (N*H'*W', K): every window against
                  every kernel; plus bias[k] in column k
4. reshape        (N*H'*W', K) -> (N, H', W', K) -> transpose -> (N, K, H', W')

Each number of the product is one `value` of the naive loop: row (n, row, col)
times kernel row k is sum(patch * kernel[k]). The price is memory: every input
cell is copied into the column matrix once per window that covers it (up to
kh*kw times).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..errors import DataError
from .fast import problem_output, windows
from ..source.geometry import Geometry
from ..source.problem import Problem

# Above this many entries the column matrix is too big to build just to show it.
MAX_SHOWN_ENTRIES = 20_000_000


def column_matrix(x_pad: np.ndarray, geometry: Geometry) -> np.ndarray:
    """(N, C, Hp, Wp) padded images -> (N*H'*W', C*kh*kw): one flattened window per row."""
    taps = windows(x_pad, geometry)  # (N, C, H', W', kh, kw), a view
    n, c, h_out, w_out, kh, kw = taps.shape
    # rows in loop order (n, row, col), columns in (c, u, v) order; reshape copies here
    return taps.transpose(0, 2, 3, 1, 4, 5).reshape(n * h_out * w_out, c * kh * kw)


def kernel_matrix(kernels: np.ndarray) -> np.ndarray:
    """(K, C, kh, kw) -> (K, C*kh*kw): one flattened kernel per row, (c, u, v) order."""
    return kernels.reshape(kernels.shape[0], -1)


def back_to_nchw(product: np.ndarray, n: int, h_out: int, w_out: int) -> np.ndarray:
    """(N*H'*W', K) -> (N, H', W', K) -> (N, K, H', W')."""
    return product.reshape(n, h_out, w_out, -1).transpose(0, 3, 1, 2)


def conv2d_im2col(
    images: np.ndarray,
    kernels: np.ndarray,
    bias: np.ndarray | None,
    geometry: Geometry,
    flip: bool = False,
) -> np.ndarray:
    """(N, C, H, W) x (K, C, kh, kw) -> (N, K, H', W') by im2col and one matrix product."""
    (top, bottom), (left, right) = geometry.padding
    x_pad = np.pad(images, ((0, 0), (0, 0), (top, bottom), (left, right)))
    w = kernels[:, :, ::-1, ::-1] if flip else kernels
    product = column_matrix(x_pad, geometry) @ kernel_matrix(w).T  # (N*H'*W', K)
    if bias is not None:
        product += np.asarray(bias, dtype=product.dtype)
    return np.ascontiguousarray(back_to_nchw(product, images.shape[0], *geometry.out_size))


@dataclass(frozen=True)
class Im2col:
    """Every intermediate of im2col for one Problem, with labels for its rows and columns.

    columns:       (N*H'*W', C*kh*kw)
    kernel_matrix: (K, C*kh*kw), the kernels as applied (rotated when flip is on)
    product:       (N*H'*W', K), columns @ kernel_matrix.T + bias
    output:        (N, K, H', W'), the product reshaped and transposed
    """

    columns: np.ndarray
    kernel_matrix: np.ndarray
    product: np.ndarray
    output: np.ndarray
    bias: np.ndarray  # (K,), zeros when the document has none
    has_bias: bool
    row_labels: tuple[tuple[int, int, int], ...]  # (n, row, col) of each column-matrix row
    column_labels: tuple[tuple[int, int, int], ...]  # (c, u, v) of each column
    loop_difference: float  # max |output - the sliding-window result|: 0 up to rounding

    @property
    def shapes(self) -> dict[str, tuple[int, ...]]:
        """Every step's shape: columns, kernel matrix, product, reshaped (N, H', W', K), output."""
        n, k, h_out, w_out = self.output.shape
        return {
            "columns": self.columns.shape,
            "kernel_matrix": self.kernel_matrix.shape,
            "product": self.product.shape,
            "reshaped": (n, h_out, w_out, k),
            "output": self.output.shape,
        }


def im2col(problem: Problem) -> Im2col:
    """The Problem's convolution done the im2col way, keeping every intermediate (for showing)."""
    n, c, _, _ = problem.input_shape
    k, _, kh, kw = problem.kernel_shape
    h_out, w_out = problem.geometry.out_size
    entries = n * h_out * w_out * c * kh * kw
    if entries > MAX_SHOWN_ENTRIES:
        raise DataError(
            f"the column matrix would have {n * h_out * w_out:,} rows x {c * kh * kw:,} columns "
            f"({entries:,} numbers), too many to show; try a smaller input (fewer images or a crop)"
        )
    columns = column_matrix(problem.padded_images(), problem.geometry)
    kernels = kernel_matrix(problem.applied_kernels)
    bias = problem.bias_or_zeros
    product = columns @ kernels.T + bias  # (N*H'*W', K)
    output = np.ascontiguousarray(back_to_nchw(product, n, h_out, w_out))
    difference = float(np.max(np.abs(output - problem_output(problem)))) if output.size else 0.0
    for array in (columns, kernels, product, output):
        array.setflags(write=False)
    rows = tuple((i, r, col) for i in range(n) for r in range(h_out) for col in range(w_out))
    cols = tuple((ch, u, v) for ch in range(c) for u in range(kh) for v in range(kw))
    return Im2col(columns, kernels, product, output, bias, problem.bias is not None, rows, cols, difference)
