"""The document keys that choose a layer other than 2-D convolution (DESIGN.md section 6).

`groups`, `transposed`, `output_padding`, `pool`, `pool_size`, `ceil_mode`,
`count_include_pad`, `dims` and `causal`. This module reads them, refuses
combinations PyTorch does not have (each message says what to write instead),
and names the axes of each array for messages about shapes.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..errors import DataError
from .geometry import AXIS_WORDS
from .settings import choice, flag, per_axis_ints, whole
from .tensors import describe

LAYER_KEYS = (
    "groups", "transposed", "output_padding", "pool", "pool_size", "ceil_mode",
    "count_include_pad", "dims", "causal",
)
SPATIAL = {1: ("L",), 2: ("H", "W"), 3: ("D", "H", "W")}
TAPS = {1: ("k",), 2: ("kh", "kw"), 3: ("kd", "kh", "kw")}


@dataclass(frozen=True)
class LayerSettings:
    """Which layer the document asks for, with its layer-only settings checked."""

    layer: str = "conv"  # "conv", "conv_transpose", "max_pool" or "avg_pool"
    dims: int = 2
    groups: int = 1
    output_padding: tuple[int, ...] | int = 0
    pool_size: tuple[int, ...] | None = None
    ceil_mode: bool = False
    count_include_pad: bool = True
    causal: bool = False

    @property
    def is_pool(self) -> bool:
        return self.layer in ("max_pool", "avg_pool")


def read_layer_keys(doc: dict) -> LayerSettings:
    """The layer keys of a document (already free of unknown keys) -> LayerSettings, or a DataError."""
    dims = doc.get("dims", 2)
    if isinstance(dims, bool) or dims not in (1, 2, 3) or not isinstance(dims, int):
        raise DataError(f"dims must be 1, 2 or 3 (spatial axes: length; rows, cols; depth, rows, cols), got {describe(dims)}")
    layout = str(doc.get("layout", "NCHW")).upper()
    if dims != 2 and layout != "NCHW":
        raise DataError(f"layout {layout} works with dims 2 only; for dims {dims} write the arrays channels-first "
                        f"{image_axes(dims, 'NCHW')} and remove 'layout'")
    transposed = flag(doc.get("transposed", False), "transposed")
    pool = choice(doc["pool"], "pool", ("max", "avg")) if "pool" in doc else None
    if transposed and pool:
        raise DataError("the document gives both 'transposed' and 'pool'; a layer is one or the other, keep one")
    layer = "conv_transpose" if transposed else f"{pool}_pool" if pool else "conv"

    if pool:
        _refuse(doc, ("kernels", "bias", "flip", "groups"), f"{pool} pooling has no kernels",
                "remove it; the window size is 'pool_size'")
        _refuse(doc, ("mode",), f"{pool} pooling takes explicit 'padding'", "write \"padding\": 1 (or 0) instead")
        if "pool_size" not in doc:
            raise DataError(f"pool {pool!r} needs 'pool_size', the window size: e.g. \"pool_size\": 2")
        if pool == "avg":
            if set(per_axis_ints(doc.get("dilation", 1), "dilation", 1, dims)) != {1}:
                _refuse(doc, ("dilation",), "average pooling has no dilation (PyTorch's avg_pool has none)", "remove it")
        else:
            _refuse(doc, ("count_include_pad",), "max pooling never counts padding", "remove it")
    else:
        _refuse(doc, ("pool_size", "ceil_mode", "count_include_pad"), "this is a pooling setting",
                "add \"pool\": \"max\" or \"avg\", or remove it")
    if transposed:
        _refuse(doc, ("mode",), "a transposed convolution takes explicit 'padding' (it crops the output)",
                "write \"padding\": 1 (or 0) instead")
        _refuse(doc, ("flip",), "a transposed convolution follows PyTorch's conv_transpose", "remove it")
    else:
        _refuse(doc, ("output_padding",), "output_padding belongs to a transposed convolution",
                "add \"transposed\": true, or remove it")
    causal = flag(doc.get("causal", False), "causal")
    if causal:
        if dims != 1 or layer != "conv":
            raise DataError("causal works with a 1-D convolution only (\"dims\": 1, no pool, not transposed); remove it")
        _refuse(doc, ("mode", "padding"), "causal chooses the padding itself (d*(k-1) on the left)", "remove it")

    return LayerSettings(
        layer=layer,
        dims=dims,
        groups=whole(doc.get("groups", 1), "groups", 1),
        output_padding=per_axis_ints(doc.get("output_padding", 0), "output_padding", 0, dims),
        pool_size=per_axis_ints(doc["pool_size"], "pool_size", 1, dims) if pool else None,
        ceil_mode=flag(doc.get("ceil_mode", False), "ceil_mode"),
        count_include_pad=flag(doc.get("count_include_pad", True), "count_include_pad"),
        causal=causal,
    )


def refuse_other_layers(doc: dict, what: str) -> None:
    """A DataError when the document asks for a layer other than 2-D convolution without groups."""
    settings = read_layer_keys({key: value for key, value in doc.items() if key not in ("mode", "padding")})
    if settings.layer != "conv" or settings.dims != 2 or settings.groups != 1:
        raise DataError(f"{what} cover 2-D convolution without groups; this document is a "
                        f"{settings.layer} layer with dims {settings.dims} and groups {settings.groups}: "
                        f"trace it with `convtrace run`")


def _refuse(doc: dict, keys: tuple[str, ...], why: str, fix: str) -> None:
    for key in keys:
        if key in doc:
            raise DataError(f"{key!r} cannot be used here: {why}; {fix}")


def check_layer_geometry(settings: LayerSettings, geometry) -> None:
    """Rules PyTorch applies once sizes are known: output_padding < stride or dilation; pool padding <= half the window."""
    for i, axis in enumerate(geometry.axes):
        where = f" ({AXIS_WORDS.get(axis.name, axis.name)})" if geometry.dims > 1 else ""
        if settings.layer == "conv_transpose" and axis.output_padding >= max(axis.stride, axis.dilation):
            raise DataError(
                f"output_padding{where} is {axis.output_padding} but must be smaller than the stride ({axis.stride}) "
                f"or the dilation ({axis.dilation}); it only picks among output sizes that the stride makes "
                f"ambiguous: use 0..{max(axis.stride, axis.dilation) - 1}"
            )
        if settings.is_pool and axis.before > axis.kernel // 2:
            raise DataError(
                f"padding{where} is {axis.before} but a pooling window of {axis.kernel} allows at most "
                f"{axis.kernel // 2} (half the window, PyTorch's rule); use padding <= {axis.kernel // 2}"
            )


def image_axes(dims: int, layout: str = "NCHW") -> str:
    """'(N, C, H, W)' and friends, in the layout."""
    spatial = SPATIAL[dims]
    axes = ("N", *spatial, "C") if layout == "NHWC" else ("N", "C", *spatial)
    return f"({', '.join(axes)})"


def kernel_axes(dims: int, layout: str = "NCHW", layer: str = "conv", groups: int = 1) -> str:
    """'(K, C, kh, kw)' for conv (C/groups when grouped), '(C, K/groups, kh, kw)' for conv_transpose."""
    per_group = "/groups" if groups > 1 else ""
    first, second = ("C", f"K{per_group}") if layer == "conv_transpose" else ("K", f"C{per_group}")
    taps = TAPS[dims]
    axes = (first, *taps, second) if layout == "NHWC" else (first, second, *taps)
    return f"({', '.join(axes)})"


def output_axes(dims: int, layout: str = "NCHW") -> str:
    """"(N, K, H', W')" and friends."""
    spatial = tuple(f"{a}'" for a in SPATIAL[dims])
    axes = ("N", *spatial, "K") if layout == "NHWC" else ("N", "K", *spatial)
    return f"({', '.join(axes)})"
