"""`LayerStep`: what happened at one output value of any layer other than plain 2-D convolution.

The naive loops of engine/naive_conv.py, naive_transposed.py and naive_pool.py
yield these, one per output value, in channels-first C order (n, k, then the
spatial axes); `step` numbers them 0, 1, ... in that order, the same number in
every view. Arrays are read-only.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np


class LayerStep(NamedTuple):
    """One output value: where it is, what it read, and how it was made.

    patch:    (C_read, *k) the input values under the window's taps (max pool: -inf on padding)
    kernel:   (C_read, *k) the kernel slice used, or None for pooling
    products: (C_read, *k) patch * kernel, or None for pooling
    partials: (C_read,) per-channel sums of products, or None for pooling
    real:     (*k) bool, True where a tap reads an input cell, False where it reads a zero
              the loop added (padding, a transposed stride's inserted zeros, ceil_mode's overhang)
    """

    step: int  # 0-based index in C order of the output: the same number in every view
    n: int  # image
    k: int  # output channel (for pooling: the channel, same as the input's)
    position: tuple[int, ...]  # output position, one index per spatial axis
    corner: tuple[int, ...]  # the window's first cell in the input the loop reads (padded, or zero-inserted)
    patch: np.ndarray
    kernel: np.ndarray | None
    products: np.ndarray | None
    partials: np.ndarray | None
    bias: float
    value: float  # the output value out[n, k, *position]
    channels: tuple[int, int]  # input channels read, [start, stop): a group's slice
    layer: str  # "conv", "conv_transpose", "max_pool" or "avg_pool"
    real: np.ndarray | None = None
    window_max_at: tuple[int, ...] | None = None  # max pool: input cell (unpadded) of the first maximum
    max_tap: tuple[int, ...] | None = None  # max pool: the same cell as a tap of the window (index into patch[0])
    total: float | None = None  # avg pool: the window's sum
    divisor: int | None = None  # avg pool: what the sum was divided by
    group: int = 0  # convolutions: the group output channel k belongs to


def frozen(array: np.ndarray) -> np.ndarray:
    """The array, read-only: a step is a record, not a scratch pad."""
    array.flags.writeable = False
    return array


def input_mask(spatial_size, sides) -> np.ndarray:
    """(*P) bool: True on the input's cells, False on the padding around them. sides: ((before, after), ...)."""
    mask = np.pad(np.ones(spatial_size, dtype=bool), sides)
    mask.setflags(write=False)
    return mask
