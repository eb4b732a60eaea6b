"""The input document (JSON, or a dict from Python) -> one validated Problem.

Validation happens here, at the boundary, with messages that say what is
wrong, where (the JSON path) and how to fix it. Low-rank arrays are promoted
to full rank (N, C, *spatial) and the promotion is noted for the trace.
"""

from __future__ import annotations

import difflib

import numpy as np

from ..errors import DataError, UsageError
from .build import build_problem
from .choices import MODES
from .jsontext import parse_json
from .layers import LAYER_KEYS, LayerSettings, image_axes, kernel_axes, read_layer_keys
from .limits import DEFAULT_MAX_ELEMENTS
from .choices import LAYOUTS
from .problem import Problem
from .promote import promote, to_channels_first
from .settings import choice, flag, parse_padding, per_axis_ints, text
from .tensors import describe, to_array

KEYS = (
    "images", "kernels", "bias", "mode", "padding", "stride", "dilation",
    "flip", "layout", "grad_output", "title", "description", *LAYER_KEYS,
)


def unknown_key_message(key) -> str:
    guess = difflib.get_close_matches(str(key), KEYS, n=1, cutoff=0.6)
    hint = f"did you mean {guess[0]!r}?" if guess else f"allowed keys: {', '.join(KEYS)}"
    return f"unknown key {key!r} in the document; {hint}"


def apply_overrides(doc: dict, overrides: dict) -> dict:
    """Command-line options replace document keys; --mode or --padding replaces whichever the document had."""
    doc = dict(doc)
    given = {k: v for k, v in overrides.items() if v is not None}
    if "mode" in given and "padding" in given:
        raise UsageError("--mode and --padding cannot be used together; choose one")
    if "mode" in given or "padding" in given:
        doc.pop("mode", None)
        doc.pop("padding", None)
    doc.update(given)
    return doc


def problem_from_document(
    doc: dict, overrides: dict | None = None, *, max_elements: int | None = DEFAULT_MAX_ELEMENTS
) -> Problem:
    """A parsed JSON object (+ command-line overrides) -> a validated Problem.

    Array values may be nested lists (from JSON) or NumPy arrays (from .npy
    files); both get the same checks. `max_elements` caps every array's size.
    """
    if not isinstance(doc, dict):
        raise DataError(f"the document must be a JSON object with 'images' and 'kernels', not {describe(doc)}")
    doc = apply_overrides(doc, overrides or {})
    for key in doc:
        if key not in KEYS:
            raise DataError(unknown_key_message(key))
    for key, value in doc.items():
        if value is None and key not in ("images", "kernels"):
            raise DataError(f"{key} is null; give it a value, or remove the key to use the default")
    layer = read_layer_keys(doc)
    needed = ("images",) if layer.is_pool else ("images", "kernels")
    for key in needed:
        if key not in doc:
            wanted = "'images' and 'pool_size'" if layer.is_pool else "both 'images' and 'kernels'"
            raise DataError(f"the document has no {key!r}; it needs {wanted}")

    layout = choice(doc.get("layout", "NCHW"), "layout", LAYOUTS, normalize=str.upper)
    flip = flag(doc.get("flip", False), "flip")
    title = text(doc["title"], "title") if "title" in doc else None
    description = text(doc["description"], "description") if "description" in doc else None
    if "mode" in doc and "padding" in doc:
        raise DataError("the document gives both 'mode' and 'padding'; keep one of them")
    dims = layer.dims
    mode = choice(doc["mode"], "mode", MODES) if "mode" in doc else None
    symmetric = layer.layer != "conv"  # PyTorch's transposed and pooling layers pad both sides alike
    padding = parse_padding(doc["padding"], dims=dims, symmetric=symmetric) if "padding" in doc else None
    default_stride = layer.pool_size if layer.is_pool else 1
    stride = per_axis_ints(doc.get("stride", default_stride), "stride", 1, dims)
    dilation = per_axis_ints(doc.get("dilation", 1), "dilation", 1, dims)

    notes: list[str] = []
    images = promote(to_array(doc["images"], "images", max_elements), "images", layout,
                     image_axes(dims, layout), notes, dims)
    kernels = None
    if not layer.is_pool:
        kernels = promote(to_array(doc["kernels"], "kernels", max_elements), "kernels", layout,
                          kernel_axes(dims, layout, layer.layer, layer.groups), notes, dims,
                          one_item="one kernel", one=_one_transposed_kernel(layer, layout))
        kernels = to_channels_first(kernels, layout)
    return build_problem(
        to_channels_first(images, layout), kernels,
        bias=doc.get("bias"),
        stride=stride, dilation=dilation, mode=mode, padding=padding,
        flip=flip, layout=layout,
        grad_output=doc.get("grad_output"),
        title=title, description=description, notes=tuple(notes),
        max_elements=max_elements,
        layer=layer.layer, groups=layer.groups, output_padding=layer.output_padding,
        pool_size=layer.pool_size, ceil_mode=layer.ceil_mode,
        count_include_pad=layer.count_include_pad, causal=layer.causal,
    )


def _one_transposed_kernel(layer: LayerSettings, layout: str):
    """A transposed kernel of rank dims+1, (C, *k), is one output channel: (C, 1, *k); NHWC (*k, C) -> (C, *k, 1)."""
    if layer.layer != "conv_transpose":
        return None
    return (lambda a: np.moveaxis(a, -1, 0)[..., None]) if layout == "NHWC" else (lambda a: a[:, None])


def load(source, overrides: dict | None = None, *, max_elements: int | None = DEFAULT_MAX_ELEMENTS) -> Problem:
    """A JSON string, a dict, or a path -> Problem. The library's front door."""
    from pathlib import Path

    if isinstance(source, dict):
        return problem_from_document(source, overrides, max_elements=max_elements)
    if isinstance(source, Path) or (isinstance(source, str) and not source.lstrip().startswith("{")):
        from .loader import Request  # one reader for files: the same messages as the command line

        return Request(str(source), dict(overrides or {}), max_elements=max_elements).load()
    return problem_from_document(parse_json(source), overrides, max_elements=max_elements)
