"""Channels-first arrays + settings -> a validated Problem (the checks that need the arrays' shapes)."""

from __future__ import annotations

import math

import numpy as np

from ..errors import DataError
from .geometry import Geometry, make_geometry
from .layers import LayerSettings, check_layer_geometry, image_axes, kernel_axes, output_axes
from .limits import DEFAULT_MAX_ELEMENTS, check_elements
from .settings import per_axis_ints
from .problem import IMAGE_AXES, KERNEL_AXES, LAYERS, OUTPUT_AXES, Problem
from .tensors import describe, plural, to_array, type_hint


def build_problem(
    images: np.ndarray,
    kernels: np.ndarray | None,
    *,
    bias=None,
    stride=1,
    dilation=1,
    mode: str | None = None,
    padding=None,
    flip: bool = False,
    layout: str = "NCHW",
    grad_output=None,
    title: str | None = None,
    description: str | None = None,
    notes: tuple[str, ...] = (),
    max_elements: int | None = DEFAULT_MAX_ELEMENTS,
    layer: str = "conv",
    groups: int = 1,
    output_padding=0,
    pool_size=None,
    ceil_mode: bool = False,
    count_include_pad: bool = True,
    causal: bool = False,
) -> Problem:
    """Full-rank channels-first arrays + settings -> a validated Problem.

    images (N, C, *spatial); kernels (K, C/groups, *k) for conv, (C, K/groups, *k) for
    conv_transpose, None for pools; bias (K,) or None; grad_output shaped like the output in
    `layout` (full rank, or lower ranks promoted).
    """
    if layer not in LAYERS:
        raise DataError(f"layer must be one of {', '.join(LAYERS)}, got {layer!r}")
    images = to_array(images, "images", max_elements)
    if images.ndim not in (3, 4, 5):
        raise DataError(f"images must have rank 4 (N, C, H, W) for 2-D (rank 3 for 1-D, 5 for 3-D), "
                        f"got shape {tuple(images.shape)}")
    dims = images.ndim - 2
    if layer in ("max_pool", "avg_pool"):
        pool_size = per_axis_ints(pool_size, "pool_size", 1, dims) if pool_size is not None else None
        if pool_size is None:
            raise DataError("pooling needs pool_size, the window size: e.g. pool_size=2")
    settings = LayerSettings(layer, dims, groups, output_padding, pool_size, ceil_mode, count_include_pad, causal)
    n, c = images.shape[:2]
    if settings.is_pool:
        if kernels is not None or bias is not None:
            raise DataError("pooling has no kernels or bias; remove them")
        kernel_size, k = tuple(pool_size), c
    else:
        kernels = to_array(kernels, "kernels", max_elements)
        if kernels.ndim != dims + 2:
            raise DataError(f"kernels must have rank {dims + 2} {kernel_axes(dims, 'NCHW', layer, groups)}, "
                            f"got shape {tuple(kernels.shape)}")
        k = _check_channels(images.shape, kernels.shape, layer, groups, layout)
        kernel_size = tuple(kernels.shape[2:])
    bias = None if bias is None else _bias(bias, k, max_elements)
    geometry = make_geometry(
        tuple(images.shape[2:]), kernel_size, stride=stride, dilation=dilation,
        mode="causal" if causal else mode, padding=padding, output_padding=output_padding,
        transposed=layer == "conv_transpose", ceil_mode=ceil_mode,
    )
    check_layer_geometry(settings, geometry)
    _check_sizes(images.shape, k, geometry, max_elements)
    out_shape = (n, k, *geometry.out_size)
    grad = None if grad_output is None else _grad_output(grad_output, out_shape, layout, max_elements)
    _check_magnitudes(images, kernels, bias, grad, geometry)
    return Problem(
        images=_readonly(np.ascontiguousarray(images, dtype=np.float64)),
        kernels=None if kernels is None else _readonly(np.ascontiguousarray(kernels, dtype=np.float64)),
        bias=_readonly(bias),
        geometry=geometry,
        flip=flip,
        layout=layout,
        grad_output=_readonly(None if grad is None else np.ascontiguousarray(grad, dtype=np.float64)),
        title=title,
        description=description,
        notes=notes,
        layer=layer,
        groups=groups,
        pool_size=settings.pool_size,
        ceil_mode=ceil_mode,
        count_include_pad=count_include_pad,
        causal=causal,
    )


def _readonly(array: np.ndarray | None) -> np.ndarray | None:
    if array is not None:
        array.setflags(write=False)
    return array


def _check_channels(images_shape, kernels_shape, layer: str, groups: int, layout: str) -> int:
    """Channels of images, kernels and groups must agree; returns K, the output channels."""
    c, dims = images_shape[1], len(images_shape) - 2
    if layer == "conv_transpose":
        if kernels_shape[0] != c:
            raise DataError(
                f"kernels have {kernels_shape[0]} input-channel slices but images have {plural(c, 'channel')} "
                f"(a transposed kernel is {kernel_axes(dims, layout, layer, groups)}: its first axis is the input channel)"
            )
        if c % groups:
            raise DataError(f"groups is {groups} but the images' {plural(c, 'channel')} do not split into {groups} "
                            f"equal groups; choose groups dividing {c}")
        return kernels_shape[1] * groups
    k, per_group = kernels_shape[0], kernels_shape[1]
    if groups == 1 and per_group != c:
        if dims == 2:
            raise DataError(_channel_message(images_shape, kernels_shape, layout))
        raise DataError(f"kernels expect {plural(per_group, 'channel')}, images have {c} (images {tuple(images_shape)} "
                        f"{image_axes(dims)}, kernels {tuple(kernels_shape)} {kernel_axes(dims)}); "
                        f"each kernel needs one slice per image channel")
    if c % groups:
        raise DataError(f"groups is {groups} but the images' {plural(c, 'channel')} do not split into {groups} "
                        f"equal groups; choose groups dividing {c}" + (f" (groups = {c} is depthwise)" if c > 1 else ""))
    if k % groups:
        raise DataError(f"groups is {groups} but the {plural(k, 'kernel')} do not split into {groups} equal groups; "
                        f"give a multiple of {groups} kernels")
    if per_group * groups != c:
        raise DataError(
            f"with groups {groups} each kernel reads {c} / {groups} = {c // groups} channel(s), but the kernels "
            f"have {per_group} (kernels {_shape_text(kernels_shape, layout)} "
            f"{kernel_axes(dims, layout, layer, groups)}); give each kernel {c // groups} channel slice(s)"
        )
    return k


def _channel_message(images_nchw, kernels_nchw, layout: str) -> str:
    """'kernels expect 2 channels, images have 3 (...)', plus a layout hint when the other layout would match."""
    kc, c = kernels_nchw[1], images_nchw[1]
    message = (
        f"kernels expect {plural(kc, 'channel')}, images have {c} "
        f"(images {_shape_text(images_nchw, layout)} {IMAGE_AXES[layout]}, "
        f"kernels {_shape_text(kernels_nchw, layout)} {KERNEL_AXES[layout]}); "
        f"each kernel needs one slice per image channel"
    )
    other = "NHWC" if layout == "NCHW" else "NCHW"
    as_written_images, as_written_kernels = _shape_text(images_nchw, layout), _shape_text(kernels_nchw, layout)
    channel_axis = 3 if other == "NHWC" else 1
    if as_written_images[channel_axis] == as_written_kernels[channel_axis]:
        message += f"; are the arrays channels-{'last' if other == 'NHWC' else 'first'}? then use layout {other}"
    return message


def _bias(bias, k: int, max_elements: int | None) -> np.ndarray:
    """bias -> (K,) float64, one number per output channel."""
    wanted = f"a list of {plural(k, 'number')} (one per kernel)"
    if not isinstance(bias, (list, np.ndarray)):
        raise DataError(f"bias must be {wanted}, got {describe(bias)}{type_hint(bias)}")
    array = to_array(bias, "bias", max_elements)
    if array.ndim != 1:
        raise DataError(f"bias must be {wanted}, got shape {tuple(array.shape)} (rank {array.ndim}); flatten it")
    if array.shape[0] != k:
        raise DataError(
            f"bias has {plural(array.shape[0], 'number')} but there {'is' if k == 1 else 'are'} "
            f"{plural(k, 'kernel')}; give one bias per kernel"
        )
    return array


def _grad_output(value, out_nchw: tuple[int, ...], layout: str, max_elements: int | None) -> np.ndarray:
    """grad_output in the document's layout -> (N, K, *out), checked against the output shape."""
    from .document import promote, to_channels_first

    dims = len(out_nchw) - 2
    expected = _shape_text(out_nchw, layout)
    axes = OUTPUT_AXES[layout] if dims == 2 else output_axes(dims, layout)
    grad = to_array(value, "grad_output", max_elements)
    given = tuple(grad.shape)
    if grad.ndim in (dims, dims + 1):
        grad = promote(grad, "grad_output", layout, axes, [], dims)
    if grad.ndim != dims + 2 or tuple(grad.shape) != tuple(expected):
        read_as = f" (read as {tuple(grad.shape)})" if grad.ndim != len(given) else ""
        raise DataError(
            f"grad_output has shape {given}{read_as} but the output is {tuple(expected)} "
            f"{axes}; it must be shaped like the output"
        )
    return to_channels_first(grad, layout)


def _check_sizes(images_shape, k: int, geometry: Geometry, max_elements: int | None) -> None:
    """The arrays derived from the inputs must fit the size cap too (a typo in padding can ask for terabytes)."""
    n, c = images_shape[0], images_shape[1]
    padded, out = geometry.padded_size, geometry.out_size
    if geometry.axes[0].transposed:  # the gather view reads an input with zeros inserted, about the output's size
        padded = tuple(o + a.span * 2 for o, a in zip(out, geometry.axes))
    check_elements(n * c * math.prod(padded), f"the padded images ({' x '.join(map(str, (n, c, *padded)))})",
                   max_elements, "check the padding")
    check_elements(n * k * math.prod(out), f"the output ({' x '.join(map(str, (n, k, *out)))})", max_elements,
                   "check the padding and stride")


def _check_magnitudes(images, kernels, bias, grad, geometry: Geometry) -> None:
    """Refuse values so large that a sum of products (forward or gradient) could overflow float64."""
    x = float(np.abs(images).max())
    w = 1.0 if kernels is None else float(np.abs(kernels).max())
    b = 0.0 if bias is None else float(np.abs(bias).max())
    g = 1.0 if grad is None else float(np.abs(grad).max())
    n, c = images.shape[:2]
    taps = math.prod(geometry.kernel_size) * (c if kernels is None else max(kernels.shape[:2]))
    k = c if kernels is None else max(kernels.shape[:2])
    windows = n * geometry.positions * max(math.prod(geometry.stride), 1)
    bounds = (x * w * taps + b, g * w * k * taps, g * x * windows, g * windows)
    if not all(math.isfinite(bound) for bound in bounds):
        given = f"images reach {x:.3g}" + ("" if kernels is None else f", kernels {w:.3g}") + \
            ("" if grad is None else f", grad_output {g:.3g}")
        raise DataError(
            f"the values are too large: {given}, so sums of their products could pass float64's "
            f"largest number (about 1.8e308) and become infinite; scale the values down"
        )


def _shape_text(nchw_shape, layout: str) -> tuple[int, ...]:
    if layout == "NHWC":
        n, c, *spatial = nchw_shape
        return (n, *spatial, c)
    return tuple(nchw_shape)
