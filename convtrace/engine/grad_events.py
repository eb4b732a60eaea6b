"""The backward pass's events: frozen records of every preparation, cell and result (engine/grad_trace.py yields them).

    dL/dimages   ImagesPrepare, ImagesCell per cell of dL/dx_pad, ImagesResult (the crop)
    dL/dkernels  KernelsPrepare, KernelsCell per kernel tap, KernelsResult (rotated back when flip)
    dL/dbias     BiasCell per kernel, BiasResult (only when the problem has a bias)
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

import numpy as np


@dataclass(frozen=True, slots=True)
class ImagesPrepare:
    """The arrays dL/dimages slides over, built before the first window.

    grad_output:     (N, K, H', W')  g
    spread:          (N, K, Hs, Ws)  g': s-1 zeros between elements, Hs = (H'-1)*s + 1
    kernels:         (K, C, kh, kw)  the kernels the forward window applied (rotated when flip)
    kernels_spread:  (K, C, eh, ew)  w': d-1 zeros between taps, eh = d*(kh-1) + 1
    kernels_rotated: (K, C, eh, ew)  rot180(w'), what the window multiplies by
    padded:          (N, K, Hs + 2*(eh-1), Ws + 2*(ew-1))  g' with 'full' padding
    spread_mask:     (Hs, Ws)  True where `spread` holds a value of g (not an inserted zero)
    data_mask:       (Hs + 2*(eh-1), Ws + 2*(ew-1))  True where `padded` holds a value of g
    tap_mask:        (eh, ew)  True where w' (and rot180(w'), the same pattern) holds a tap, not a dilation zero
    """

    grad: ClassVar[str] = "images"
    event: ClassVar[str] = "prepare"
    grad_output: np.ndarray
    spread: np.ndarray
    kernels: np.ndarray
    kernels_spread: np.ndarray
    kernels_rotated: np.ndarray
    padded: np.ndarray
    spread_mask: np.ndarray
    data_mask: np.ndarray
    tap_mask: np.ndarray
    stride: tuple[int, int]
    dilation: tuple[int, int]
    flip: bool  # the forward pass applied rot180(kernels); `kernels` holds that
    full_padding: tuple[int, int]  # (eh-1, ew-1) zeros on every side of g'
    size: tuple[int, int]  # (rows, cols) of the full correlation = (Hs + eh - 1, Ws + ew - 1)
    cells: int  # N * C * rows * cols: how many ImagesCell events follow


@dataclass(frozen=True, slots=True)
class ImagesCell:
    """One cell of dL/dx_pad: one window of padded g' against rot180(w') for every kernel.

    patch:    (K, eh, ew)  padded g'[n, :, row : row + eh, col : col + ew]
    kernel:   (K, eh, ew)  rot180(w')[:, c]: the slice of every kernel for channel c
    products: (K, eh, ew)  patch * kernel
    partials: (K,)         per-kernel sums of products (the kernels play the part of channels)
    patch_mask: (eh, ew)   True where the patch holds a value of g (not an inserted or padding zero)
    tap_mask:   (eh, ew)   True where the kernel slice holds a tap (not a dilation zero)
    """

    grad: ClassVar[str] = "images"
    event: ClassVar[str] = "cell"
    step: int  # 0-based among the cells of dL/dimages, loop order n, c, row, col
    n: int
    c: int
    row: int  # the cell of dL/dx_pad being filled (padded-input coordinates)
    col: int
    top: int  # the window's corner in padded g' (= row, col: the full correlation runs at stride 1)
    left: int
    input_row: int | None  # the cell of dL/dimages this becomes, or None when it is padding the crop drops
    input_col: int | None
    patch: np.ndarray
    kernel: np.ndarray
    products: np.ndarray
    partials: np.ndarray
    patch_mask: np.ndarray
    tap_mask: np.ndarray
    value: float  # sum(partials) = dL/dx_pad[n, c, row, col]


@dataclass(frozen=True, slots=True)
class ImagesResult:
    """The full correlation, zero-filled where the floor dropped rows, cropped to dL/dimages.

    full:        (N, C, rows, cols)  the cells the walk filled
    padded:      (N, C, Hp, Wp)      dL/dx_pad: `full` plus `dropped` zero rows (bottom) and columns (right)
    grad_images: (N, C, H, W)        padded[:, :, crop rows, crop cols]
    """

    grad: ClassVar[str] = "images"
    event: ClassVar[str] = "result"
    full: np.ndarray
    padded: np.ndarray
    grad_images: np.ndarray
    dropped: tuple[int, int]  # (rows, cols) no window reached; their gradient is zero
    crop: tuple[tuple[int, int], tuple[int, int]]  # ((top, top + H), (left, left + W)) in padded coordinates


@dataclass(frozen=True, slots=True)
class KernelsPrepare:
    """The arrays dL/dkernels reads: the padded input and g.

    padded_images: (N, C, Hp, Wp)  x_pad, as the forward pass read it
    data_mask:     (Hp, Wp)        True inside the image, False on its zero padding
    grad_output:   (N, K, H', W')  g
    spread:        (N, K, Hs, Ws)  g' (zeros inserted by the stride): reading x_pad every s-th
                                   cell against g is sliding g' over x_pad
    spread_mask:   (Hs, Ws)        True where `spread` holds a value of g (not an inserted zero)
    """

    grad: ClassVar[str] = "kernels"
    event: ClassVar[str] = "prepare"
    padded_images: np.ndarray
    data_mask: np.ndarray
    grad_output: np.ndarray
    spread: np.ndarray
    spread_mask: np.ndarray
    stride: tuple[int, int]
    dilation: tuple[int, int]
    flip: bool
    cells: int  # K * C * kh * kw: how many KernelsCell events follow


@dataclass(frozen=True, slots=True)
class KernelsCell:
    """One tap (row, col) of kernel k, channel c: the input values it met, against g, over the batch.

    patch:    (N, H', W')  x_pad[:, c, top :: sh, left :: sw], the H' x W' cells this tap read
    kernel:   (N, H', W')  g[:, k]: here the gradient plays the kernel
    products: (N, H', W')  patch * kernel
    partials: (N,)         per-image sums of products (the batch plays the part of channels)
    patch_mask: (H', W')   True where the patch is image data, False on zero padding
    """

    grad: ClassVar[str] = "kernels"
    event: ClassVar[str] = "cell"
    step: int  # 0-based among the cells of dL/dkernels, loop order k, c, row, col
    k: int
    c: int
    row: int  # the tap of the applied kernel being filled (of w_rot = rot180(w) when flip)
    col: int
    top: int  # the first x_pad row this tap read: row * dh
    left: int  # the first x_pad column: col * dw
    rows: tuple[int, ...]  # every x_pad row it read: top, top + sh, ... (H' of them)
    cols: tuple[int, ...]
    target: tuple[int, int, int, int]  # the cell of dL/dkernels this is: (k, c, row, col), rotated when flip
    rotated: bool  # flip is on: this is the gradient of w_rot = rot180(w), which `target` rotates back
    patch: np.ndarray
    kernel: np.ndarray
    products: np.ndarray
    partials: np.ndarray
    patch_mask: np.ndarray
    value: float  # sum(partials)


@dataclass(frozen=True, slots=True)
class KernelsResult:
    """dL/dkernels. With flip the walk filled the gradient of rot180(w); rotating it back gives dL/dw.

    applied:      (K, C, kh, kw)  the gradient of the kernels the window applied
    grad_kernels: (K, C, kh, kw)  the gradient of the kernels as written (= applied unless flip)
    """

    grad: ClassVar[str] = "kernels"
    event: ClassVar[str] = "result"
    applied: np.ndarray
    grad_kernels: np.ndarray
    rotated: bool


@dataclass(frozen=True, slots=True)
class BiasCell:
    """dL/dbias[k]: bias[k] was added once to every output of kernel k, so its gradient sums g[:, k].

    patch:    (N, H', W')  g[:, k]
    partials: (N,)         per-image sums
    """

    grad: ClassVar[str] = "bias"
    event: ClassVar[str] = "cell"
    step: int
    k: int
    patch: np.ndarray
    partials: np.ndarray
    value: float


@dataclass(frozen=True, slots=True)
class BiasResult:
    """grad_bias: (K,)."""

    grad: ClassVar[str] = "bias"
    event: ClassVar[str] = "result"
    grad_bias: np.ndarray
