"""The Python API of every layer, in PyTorch's argument names: conv1d, conv3d, conv_transpose2d, max_pool2d, ...

Each takes channels-first arrays, (N, C, L), (N, C, H, W) or (N, C, D, H, W),
and returns the layer's output; float32 stays float32, anything else is
computed in float64. The numbers are those of `torch.nn.functional`.
"""

from __future__ import annotations

import numpy as np

from ..errors import DataError
from ..source.choices import MODES
from ..source.geometry import make_geometry
from . import layers, pooling


def _float(*arrays):
    """Arrays -> one common float dtype (float32 stays float32, else float64)."""
    arrays = [np.asarray(a) for a in arrays]
    dtype = np.result_type(*arrays)
    dtype = dtype if dtype in (np.float32, np.float64) else np.float64
    return [a.astype(dtype, copy=False) for a in arrays]


def _rank(x, dims: int, name: str, caller: str) -> None:
    if x.ndim != dims + 2:
        raise DataError(f"{caller} needs {name} of rank {dims + 2} (channels first), got shape {x.shape}")


def conv_nd(images, kernels, bias=None, *, dims: int, stride=1, padding=0, dilation=1, groups: int = 1,
            flip: bool = False, caller: str = "conv") -> np.ndarray:
    """(N, C, *S), (K, C/groups, *k) -> (N, K, *O). padding: "valid", "same", "full", an int or one per axis."""
    x, w = _float(images, kernels)
    _rank(x, dims, "images", caller)
    _rank(w, dims, "kernels", caller)
    if x.shape[1] % groups or w.shape[0] % groups or w.shape[1] * groups != x.shape[1]:
        raise DataError(f"{caller}: images have {x.shape[1]} channels, kernels {w.shape}, groups {groups}; "
                        f"kernels must be (K, C/groups, ...) with C and K divisible by groups")
    mode = padding if isinstance(padding, str) else None
    if mode is not None and mode not in MODES:
        raise DataError(f"{caller}: padding {padding!r} is not one of {', '.join(MODES)}")
    geometry = make_geometry(x.shape[2:], w.shape[2:], stride=stride, dilation=dilation, mode=mode,
                             padding=None if mode else padding)
    return layers.conv_forward(x, w, bias, geometry, groups, flip)


def conv1d(images, kernels, bias=None, *, stride=1, padding=0, dilation=1, groups: int = 1) -> np.ndarray:
    """(N, C, L), (K, C/groups, k) -> (N, K, L'), as torch.nn.functional.conv1d."""
    return conv_nd(images, kernels, bias, dims=1, stride=stride, padding=padding, dilation=dilation,
                   groups=groups, caller="conv1d")


def conv3d(images, kernels, bias=None, *, stride=1, padding=0, dilation=1, groups: int = 1) -> np.ndarray:
    """(N, C, D, H, W), (K, C/groups, kd, kh, kw) -> (N, K, D', H', W'), as torch.nn.functional.conv3d."""
    return conv_nd(images, kernels, bias, dims=3, stride=stride, padding=padding, dilation=dilation,
                   groups=groups, caller="conv3d")


def conv_transpose_nd(images, kernels, bias=None, *, dims: int, stride=1, padding=0, output_padding=0,
                      groups: int = 1, dilation=1, caller: str = "conv_transpose") -> np.ndarray:
    """(N, C, *S), (C, K/groups, *k) -> (N, K, *O), O = (S-1)*s - 2p + d*(k-1) + output_padding + 1."""
    x, w = _float(images, kernels)
    _rank(x, dims, "images", caller)
    _rank(w, dims, "kernels", caller)
    if w.shape[0] != x.shape[1] or x.shape[1] % groups:
        raise DataError(f"{caller}: kernels must be (C, K/groups, ...) with C = {x.shape[1]} divisible by groups, "
                        f"got {w.shape} and groups {groups}")
    geometry = make_geometry(x.shape[2:], w.shape[2:], stride=stride, dilation=dilation, padding=padding,
                             output_padding=output_padding, transposed=True)
    for axis in geometry.axes:
        if axis.output_padding >= max(axis.stride, axis.dilation):
            raise DataError(f"{caller}: output_padding must be smaller than the stride or the dilation")
    return layers.conv_transpose_forward(x, w, bias, geometry, groups)


def conv_transpose1d(images, kernels, bias=None, *, stride=1, padding=0, output_padding=0, groups=1, dilation=1):
    """(N, C, L), (C, K/groups, k) -> (N, K, L'), as torch.nn.functional.conv_transpose1d."""
    return conv_transpose_nd(images, kernels, bias, dims=1, stride=stride, padding=padding,
                             output_padding=output_padding, groups=groups, dilation=dilation, caller="conv_transpose1d")


def conv_transpose2d(images, kernels, bias=None, *, stride=1, padding=0, output_padding=0, groups=1, dilation=1):
    """(N, C, H, W), (C, K/groups, kh, kw) -> (N, K, H', W'), as torch.nn.functional.conv_transpose2d."""
    return conv_transpose_nd(images, kernels, bias, dims=2, stride=stride, padding=padding,
                             output_padding=output_padding, groups=groups, dilation=dilation, caller="conv_transpose2d")


def conv_transpose3d(images, kernels, bias=None, *, stride=1, padding=0, output_padding=0, groups=1, dilation=1):
    """(N, C, D, H, W), (C, K/groups, kd, kh, kw) -> (N, K, D', H', W'), as torch.nn.functional.conv_transpose3d."""
    return conv_transpose_nd(images, kernels, bias, dims=3, stride=stride, padding=padding,
                             output_padding=output_padding, groups=groups, dilation=dilation, caller="conv_transpose3d")


def _pool_geometry(x, dims, kernel_size, stride, padding, dilation, ceil_mode, caller):
    _rank(x, dims, "images", caller)
    geometry = make_geometry(x.shape[2:], tuple(np.broadcast_to(kernel_size, (dims,)).tolist()),
                             stride=kernel_size if stride is None else stride, dilation=dilation,
                             padding=padding, ceil_mode=ceil_mode)
    if any(a.before > a.kernel // 2 for a in geometry.axes):
        raise DataError(f"{caller}: padding must be at most half the window (PyTorch's rule)")
    return geometry


def max_pool_nd(images, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False, *, dims: int,
                caller: str = "max_pool") -> np.ndarray:
    """(N, C, *S) -> (N, C, *O): each window's maximum (padding never wins)."""
    (x,) = _float(images)
    geometry = _pool_geometry(x, dims, kernel_size, stride, padding, dilation, ceil_mode, caller)
    return pooling.max_pool_forward(x, geometry)[0]


def avg_pool_nd(images, kernel_size, stride=None, padding=0, ceil_mode=False, count_include_pad=True, *,
                dims: int, caller: str = "avg_pool") -> np.ndarray:
    """(N, C, *S) -> (N, C, *O): each window's sum over its divisor, PyTorch's border rules."""
    (x,) = _float(images)
    geometry = _pool_geometry(x, dims, kernel_size, stride, padding, 1, ceil_mode, caller)
    return pooling.avg_pool_forward(x, geometry, count_include_pad)


def max_pool1d(images, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False):
    """(N, C, L) -> (N, C, L'), as torch.nn.functional.max_pool1d."""
    return max_pool_nd(images, kernel_size, stride, padding, dilation, ceil_mode, dims=1, caller="max_pool1d")


def max_pool2d(images, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False):
    """(N, C, H, W) -> (N, C, H', W'), as torch.nn.functional.max_pool2d."""
    return max_pool_nd(images, kernel_size, stride, padding, dilation, ceil_mode, dims=2, caller="max_pool2d")


def max_pool3d(images, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False):
    """(N, C, D, H, W) -> (N, C, D', H', W'), as torch.nn.functional.max_pool3d."""
    return max_pool_nd(images, kernel_size, stride, padding, dilation, ceil_mode, dims=3, caller="max_pool3d")


def avg_pool1d(images, kernel_size, stride=None, padding=0, ceil_mode=False, count_include_pad=True):
    """(N, C, L) -> (N, C, L'), as torch.nn.functional.avg_pool1d."""
    return avg_pool_nd(images, kernel_size, stride, padding, ceil_mode, count_include_pad, dims=1, caller="avg_pool1d")


def avg_pool2d(images, kernel_size, stride=None, padding=0, ceil_mode=False, count_include_pad=True):
    """(N, C, H, W) -> (N, C, H', W'), as torch.nn.functional.avg_pool2d."""
    return avg_pool_nd(images, kernel_size, stride, padding, ceil_mode, count_include_pad, dims=2, caller="avg_pool2d")


def avg_pool3d(images, kernel_size, stride=None, padding=0, ceil_mode=False, count_include_pad=True):
    """(N, C, D, H, W) -> (N, C, D', H', W'), as torch.nn.functional.avg_pool3d."""
    return avg_pool_nd(images, kernel_size, stride, padding, ceil_mode, count_include_pad, dims=3, caller="avg_pool3d")
