"""The validated, immutable `Problem`: arrays channels-first plus the resolved geometry.

Past the boundary (source/document.py reads the JSON document, source/build.py
checks the arrays, source/layers.py the layer keys) every array is float64,
channels-first (N, C, *spatial), read-only and consistent. One Problem
describes one layer: a convolution (grouped, 1-D, 2-D or 3-D), a transposed
convolution, or max / average pooling.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass, field

import numpy as np

from .geometry import Geometry

LAYERS = ("conv", "conv_transpose", "max_pool", "avg_pool")
LAYOUTS = ("NCHW", "NHWC")
# Axis names of each rank, per layout, for promotion messages.
IMAGE_AXES = {"NCHW": "(N, C, H, W)", "NHWC": "(N, H, W, C)"}
KERNEL_AXES = {"NCHW": "(K, C, kh, kw)", "NHWC": "(K, kh, kw, C)"}
OUTPUT_AXES = {"NCHW": "(N, K, H', W')", "NHWC": "(N, H', W', K)"}


@dataclass(frozen=True)
class Problem:
    """A layer ready to run. Arrays are read-only float64, channels-first.

    images:  (N, C, *spatial)          spatial = (L,), (H, W) or (D, H, W)
    kernels: conv (K, C/groups, *k); conv_transpose (C, K/groups, *k); pools None.
             As written (not flipped; see `applied_kernels`).
    bias:    (K,) or None
    grad_output: (N, K, *out) or None
    """

    images: np.ndarray
    kernels: np.ndarray | None
    bias: np.ndarray | None
    geometry: Geometry
    flip: bool = False
    layout: str = "NCHW"
    grad_output: np.ndarray | None = None
    title: str | None = None
    description: str | None = None
    notes: tuple[str, ...] = field(default=())  # e.g. how low-rank inputs were promoted
    layer: str = "conv"  # one of LAYERS
    groups: int = 1
    pool_size: tuple[int, ...] | None = None
    ceil_mode: bool = False
    count_include_pad: bool = True
    causal: bool = False

    @property
    def dims(self) -> int:
        """Spatial axes: 1, 2 or 3."""
        return self.images.ndim - 2

    @property
    def output_padding(self) -> tuple[int, ...]:
        """Extra cells at the end of each output axis (transposed only; zeros otherwise)."""
        return self.geometry.output_padding

    @property
    def is_plain_conv2d(self) -> bool:
        """True for the first release's layer: 2-D convolution without groups (its own loop and views)."""
        return self.layer == "conv" and self.dims == 2 and self.groups == 1

    @property
    def input_shape(self) -> tuple[int, ...]:
        """(N, C, *spatial)."""
        return tuple(self.images.shape)

    @property
    def kernel_shape(self) -> tuple[int, ...] | None:
        """(K, C/groups, *k) for conv, (C, K/groups, *k) for conv_transpose, None for pools."""
        return None if self.kernels is None else tuple(self.kernels.shape)

    @property
    def out_channels(self) -> int:
        """K: output channels (C for pools)."""
        if self.layer == "conv":
            return self.kernels.shape[0]
        if self.layer == "conv_transpose":
            return self.kernels.shape[1] * self.groups
        return self.images.shape[1]

    @property
    def output_shape(self) -> tuple[int, ...]:
        """(N, K, *out): (N, K, H', W') in 2-D."""
        return (self.images.shape[0], self.out_channels, *self.geometry.out_size)

    @property
    def steps(self) -> int:
        """Number of output values, one event each in the naive loop: N * K * H' * W'."""
        return int(np.prod(self.output_shape))

    @property
    def applied_kernels(self) -> np.ndarray:
        """The kernels as the sliding window uses them (every spatial axis rotated when flip)."""
        if self.flip and self.kernels is not None:
            return self.kernels[(slice(None), slice(None)) + (slice(None, None, -1),) * self.dims]
        return self.kernels

    @property
    def bias_or_zeros(self) -> np.ndarray:
        """(K,): the bias, or zeros when there is none."""
        return self.bias if self.bias is not None else np.zeros(self.out_channels)

    def padded_images(self) -> np.ndarray:
        """(N, C, H+top+bottom, W+left+right): the images with their zero padding."""
        padded = np.pad(self.images, ((0, 0), (0, 0), *self.geometry.padding))
        padded.setflags(write=False)
        return padded

    def to_layout(self, array: np.ndarray) -> np.ndarray:
        """A channels-first (N, X, H, W) array -> the document's layout."""
        return array.transpose(0, 2, 3, 1) if self.layout == "NHWC" else array

    def shape_in_layout(self, nchw_shape) -> list[int]:
        """(N, C, H, W) -> the same shape written in the document's layout."""
        if self.layout == "NHWC":
            n, c, *spatial = nchw_shape
            return [n, *spatial, c]
        return list(nchw_shape)


# What used to live here moved to modules of its own; old imports keep working.
_MOVED = {
    "load": "document", "problem_from_document": "document", "apply_overrides": "document",
    "unknown_key_message": "document", "KEYS": "document", "parse_json": "jsontext",
    "build_problem": "build", "parse_padding": "settings", "MEANING": "settings",
}


def __getattr__(name: str):
    if name in _MOVED:
        return getattr(importlib.import_module(f"{__package__}.{_MOVED[name]}"), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
