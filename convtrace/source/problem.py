"""The input document -> one validated, immutable `Problem` (arrays in NCHW + resolved geometry).

The document is JSON (see README "Input format"). Validation happens here, at
the boundary, with messages that say what is wrong, where, and how to fix it.
Past this module every array is float64, NCHW, read-only and consistent.
"""

from __future__ import annotations

import difflib
import math
from dataclasses import dataclass, field

import numpy as np

from ..errors import DataError, UsageError
from .geometry import MODES, Geometry, make_geometry
from .jsontext import parse_json
from .printable import printable
from .limits import DEFAULT_MAX_ELEMENTS, check_elements
from .tensors import describe, plural, to_array, type_hint

KEYS = (
    "images", "kernels", "bias", "mode", "padding", "stride", "dilation",
    "flip", "layout", "grad_output", "title", "description",
)
from .choices import LAYOUTS  # noqa: E402
# Axis names of each rank, per layout, for promotion messages.
IMAGE_AXES = {"NCHW": "(N, C, H, W)", "NHWC": "(N, H, W, C)"}
KERNEL_AXES = {"NCHW": "(K, C, kh, kw)", "NHWC": "(K, kh, kw, C)"}
OUTPUT_AXES = {"NCHW": "(N, K, H', W')", "NHWC": "(N, H', W', K)"}


@dataclass(frozen=True)
class Problem:
    """A convolution ready to run. Arrays are read-only float64 in NCHW order.

    images:  (N, C, H, W)
    kernels: (K, C, kh, kw), as written (not flipped; see `applied_kernels`)
    bias:    (K,) or None
    grad_output: (N, K, H', W') or None
    """

    images: np.ndarray
    kernels: np.ndarray
    bias: np.ndarray | None
    geometry: Geometry
    flip: bool = False
    layout: str = "NCHW"
    grad_output: np.ndarray | None = None
    title: str | None = None
    description: str | None = None
    notes: tuple[str, ...] = field(default=())  # e.g. how low-rank inputs were promoted
    kernel_names: tuple[str, ...] = field(default=())  # one per kernel when they are named presets (--kernels)
    pictures: tuple[str, ...] = field(default=())  # the picture files the images came from (--images)

    @property
    def input_shape(self) -> tuple[int, int, int, int]:
        """(N, C, H, W)."""
        return tuple(self.images.shape)

    @property
    def kernel_shape(self) -> tuple[int, int, int, int]:
        """(K, C, kh, kw)."""
        return tuple(self.kernels.shape)

    @property
    def output_shape(self) -> tuple[int, int, int, int]:
        """(N, K, H', W')."""
        return (self.images.shape[0], self.kernels.shape[0], *self.geometry.out_size)

    @property
    def steps(self) -> int:
        """Number of window positions the naive loop visits: N * K * H' * W'."""
        n, k, h, w = self.output_shape
        return n * k * h * w

    @property
    def applied_kernels(self) -> np.ndarray:
        """(K, C, kh, kw): the kernels as the sliding window uses them (rotated 180 degrees when flip)."""
        return self.kernels[:, :, ::-1, ::-1] if self.flip else self.kernels

    @property
    def bias_or_zeros(self) -> np.ndarray:
        """(K,): the bias, or zeros when there is none."""
        return self.bias if self.bias is not None else np.zeros(self.kernels.shape[0])

    def padded_images(self) -> np.ndarray:
        """(N, C, H+top+bottom, W+left+right): the images with their zero padding."""
        (top, bottom), (left, right) = self.geometry.padding
        padded = np.pad(self.images, ((0, 0), (0, 0), (top, bottom), (left, right)))
        padded.setflags(write=False)
        return padded

    def to_layout(self, array: np.ndarray) -> np.ndarray:
        """An NCHW-ordered (N, X, H, W) array -> the document's layout."""
        return array.transpose(0, 2, 3, 1) if self.layout == "NHWC" else array

    def shape_in_layout(self, nchw_shape) -> list[int]:
        """(N, C, H, W) -> the same shape written in the document's layout."""
        n, c, h, w = nchw_shape
        return [n, h, w, c] if self.layout == "NHWC" else [n, c, h, w]


# ----------------------------------------------------------------------------- settings

# What each whole-number setting means, told when it is out of range.
MEANING = {
    "stride": "1 means every position, 2 every other one",
    "dilation": "1 means no gaps between kernel taps, as in PyTorch",
    "padding": "it counts rows or columns of zeros added; 0 means none",
}


def _int(value, where: str, minimum: int) -> int:
    """A whole number >= minimum, or a DataError that says what to write instead."""
    setting = where.split("[")[0]
    if isinstance(value, np.integer):  # from Python callers: numpy ints are whole numbers too
        value = int(value)
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        raise DataError(f"{where} must be a whole number, got {value!r}; write {int(value)} (no decimal point)")
    if isinstance(value, float) and math.isfinite(value):
        raise DataError(f"{where} must be a whole number, got {value!r}; use {minimum}, {minimum + 1}, {minimum + 2}, ...")
    if isinstance(value, bool) or not isinstance(value, int):
        raise DataError(f"{where} must be a whole number, got {describe(value)}{type_hint(value)}")
    if value < minimum:
        raise DataError(f"{where} must be >= {minimum}, got {value}; {MEANING.get(setting, '')}".rstrip("; "))
    return value


def _int_pair(value, where: str, minimum: int) -> tuple[int, int]:
    """int or [a, b] -> (a, b), each >= minimum."""
    if isinstance(value, list):
        if len(value) != 2:
            raise DataError(
                f"{where} must be one number or a pair [rows, cols], got {describe(value)}; "
                f"e.g. \"{where}\": 2 or \"{where}\": [2, 1]"
            )
        return _int(value[0], f"{where}[0]", minimum), _int(value[1], f"{where}[1]", minimum)
    return _int(value, where, minimum), _int(value, where, minimum)


def parse_padding(value, where: str = "padding"):
    """int | [ph, pw] | [[top, bottom], [left, right]] -> the same, checked (all >= 0)."""
    hint = "use a number, [rows, cols] or [[top, bottom], [left, right]]"
    if isinstance(value, list):
        if len(value) != 2:
            raise DataError(f"{where} must have 2 entries (rows, columns), got {describe(value)}; {hint}")
        if all(isinstance(v, list) for v in value):
            sides = []
            for i, side in enumerate(value):
                if len(side) != 2:
                    raise DataError(f"{where}[{i}] must be [before, after], got {describe(side)}; {hint}")
                sides.append((_int(side[0], f"{where}[{i}][0]", 0), _int(side[1], f"{where}[{i}][1]", 0)))
            return tuple(sides)
        if any(isinstance(v, list) for v in value):
            raise DataError(f"{where} mixes numbers and lists; {hint}")
        return _int(value[0], f"{where}[0]", 0), _int(value[1], f"{where}[1]", 0)
    if isinstance(value, str) and value.lower() in MODES:
        raise DataError(f'padding "{value}" is a mode name; write "mode": "{value.lower()}" instead of "padding"')
    return _int(value, where, 0)


def _choice(value, key: str, choices: tuple[str, ...], normalize=str.lower) -> str:
    """A string among `choices` (compared after `normalize`), or a DataError listing them."""
    if isinstance(value, str) and normalize(value) in choices:
        return normalize(value)
    listed = ", ".join(repr(c) for c in choices)
    guess = difflib.get_close_matches(normalize(value), choices, n=1, cutoff=0.5) if isinstance(value, str) else []
    hint = f"; did you mean {guess[0]!r}?" if guess else ""
    raise DataError(f"{key} must be one of {listed}, got {describe(value)}{hint}")


def _text(value, key: str) -> str:
    if not isinstance(value, str):
        raise DataError(f"{key} must be a string in double quotes, got {describe(value)}")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise DataError(f"{key} holds an invalid character (a lone \\ud800-\\udfff escape); remove it") from None
    return printable(value)  # escape codes in a title must not reach the terminal raw


# ----------------------------------------------------------------------------- promotion


def _promote(array: np.ndarray, name: str, layout: str, axes: dict, notes: list) -> np.ndarray:
    """Rank 2/3 -> rank 4 in the document's layout, recording what was added."""
    rank = array.ndim
    if rank == 4:
        return array
    if rank == 3:
        note = f"{name} has rank 3 {tuple(array.shape)}: read as one item, shape {(1, *array.shape)} {axes[layout]}"
        notes.append(note)
        return array[None]
    if rank == 2:
        new = array[None, None] if layout == "NCHW" else array[None, :, :, None]
        notes.append(
            f"{name} has rank 2 {tuple(array.shape)}: read as one single-channel item, shape {tuple(new.shape)} {axes[layout]}"
        )
        return new
    fix = "wrap it in one more pair of brackets to make it one row, [[...]]" if rank < 2 else \
        f"remove {rank - 4} level{'s' * (rank > 5)} of brackets"
    raise DataError(
        f"{name} has rank {rank} (shape {tuple(array.shape)}); expected rank 4 {axes[layout]}, "
        f"3 (one item) or 2 (one channel): {fix}"
    )


def _to_nchw(array: np.ndarray, layout: str) -> np.ndarray:
    return np.ascontiguousarray(array.transpose(0, 3, 1, 2)) if layout == "NHWC" else array


def _readonly(array: np.ndarray | None) -> np.ndarray | None:
    if array is not None:
        array.setflags(write=False)
    return array


# ----------------------------------------------------------------------------- the document


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
    for key in ("images", "kernels"):
        if key not in doc:
            raise DataError(f"the document has no {key!r}; it needs both 'images' and 'kernels'")
    for key, value in doc.items():
        if value is None and key not in ("images", "kernels"):
            raise DataError(f"{key} is null; give it a value, or remove the key to use the default")

    layout = _choice(doc.get("layout", "NCHW"), "layout", LAYOUTS, normalize=str.upper)
    flip = doc.get("flip", False)
    flip = bool(flip) if isinstance(flip, np.bool_) else flip
    if not isinstance(flip, bool):
        raise DataError(f"flip must be true or false (no quotes), got {describe(flip)}")
    title = _text(doc["title"], "title") if "title" in doc else None
    description = _text(doc["description"], "description") if "description" in doc else None
    if "mode" in doc and "padding" in doc:
        raise DataError("the document gives both 'mode' and 'padding'; keep one of them")
    mode = _choice(doc["mode"], "mode", MODES) if "mode" in doc else None
    padding = parse_padding(doc["padding"]) if "padding" in doc else None
    stride = _int_pair(doc.get("stride", 1), "stride", 1)
    dilation = _int_pair(doc.get("dilation", 1), "dilation", 1)

    notes: list[str] = []
    arrays = {}
    for key, axes in (("images", IMAGE_AXES), ("kernels", KERNEL_AXES)):
        array = _promote(to_array(doc[key], key, max_elements), key, layout, axes, notes)
        arrays[key] = _to_nchw(array, layout)
    return build_problem(
        arrays["images"], arrays["kernels"],
        bias=doc.get("bias"),
        stride=stride, dilation=dilation, mode=mode, padding=padding,
        flip=flip, layout=layout,
        grad_output=doc.get("grad_output"),
        title=title, description=description, notes=tuple(notes),
        max_elements=max_elements,
    )


# ----------------------------------------------------------------------------- the problem


def build_problem(
    images: np.ndarray,
    kernels: np.ndarray,
    *,
    bias=None,
    stride=(1, 1),
    dilation=(1, 1),
    mode: str | None = None,
    padding=None,
    flip: bool = False,
    layout: str = "NCHW",
    grad_output=None,
    title: str | None = None,
    description: str | None = None,
    notes: tuple[str, ...] = (),
    max_elements: int | None = DEFAULT_MAX_ELEMENTS,
) -> Problem:
    """Rank-4 NCHW arrays (N, C, H, W), (K, C, kh, kw) + settings -> a validated Problem.

    bias: (K,) or None; grad_output: shaped like the output in `layout` (rank 4, or 3/2 promoted).
    """
    images = _rank4(to_array(images, "images", max_elements), "images", IMAGE_AXES["NCHW"])
    kernels = _rank4(to_array(kernels, "kernels", max_elements), "kernels", KERNEL_AXES["NCHW"])
    n, c, h, w = images.shape
    k, kc, kh, kw = kernels.shape
    if kc != c:
        raise DataError(_channel_message(images.shape, kernels.shape, layout))
    bias = None if bias is None else _bias(bias, k, max_elements)
    geometry = make_geometry((h, w), (kh, kw), stride=stride, dilation=dilation, mode=mode, padding=padding)
    _check_sizes(images.shape, kernels.shape, geometry, max_elements)
    grad = None if grad_output is None else _grad_output(grad_output, (n, k, *geometry.out_size), layout, max_elements)
    _check_magnitudes(images, kernels, bias, grad, geometry)
    return Problem(
        images=_readonly(np.ascontiguousarray(images, dtype=np.float64)),
        kernels=_readonly(np.ascontiguousarray(kernels, dtype=np.float64)),
        bias=_readonly(bias),
        geometry=geometry,
        flip=flip,
        layout=layout,
        grad_output=_readonly(None if grad is None else np.ascontiguousarray(grad, dtype=np.float64)),
        title=title,
        description=description,
        notes=notes,
    )


def _rank4(array: np.ndarray, name: str, axes: str) -> np.ndarray:
    if array.ndim != 4:
        raise DataError(f"{name} must have rank 4 {axes}, got shape {tuple(array.shape)}")
    return array


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
    """bias -> (K,) float64, one number per kernel."""
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
    """grad_output in the document's layout -> (N, K, H', W'), checked against the output shape."""
    expected = _shape_text(out_nchw, layout)
    grad = to_array(value, "grad_output", max_elements)
    given = tuple(grad.shape)
    if grad.ndim in (2, 3):
        grad = _promote(grad, "grad_output", layout, OUTPUT_AXES, [])
    if grad.ndim != 4 or tuple(grad.shape) != tuple(expected):
        read_as = f" (read as {tuple(grad.shape)})" if grad.ndim != len(given) else ""
        raise DataError(
            f"grad_output has shape {given}{read_as} but the output is {tuple(expected)} "
            f"{OUTPUT_AXES[layout]}; it must be shaped like the output"
        )
    return _to_nchw(grad, layout)


def _check_sizes(images_shape, kernels_shape, geometry: Geometry, max_elements: int | None) -> None:
    """The arrays derived from the inputs must fit the size cap too (a typo in padding can ask for terabytes)."""
    n, c, k = images_shape[0], images_shape[1], kernels_shape[0]
    (hp, wp), (ho, wo) = geometry.padded_size, geometry.out_size
    check_elements(n * c * hp * wp, f"the padded images ({n} x {c} x {hp} x {wp})", max_elements,
                   "check the padding")
    check_elements(n * k * ho * wo, f"the output ({n} x {k} x {ho} x {wo})", max_elements,
                   "check the padding and stride")


def _check_magnitudes(images, kernels, bias, grad, geometry: Geometry) -> None:
    """Refuse values so large that a sum of products (forward or gradient) could overflow float64."""
    x, w = float(np.abs(images).max()), float(np.abs(kernels).max())
    b = 0.0 if bias is None else float(np.abs(bias).max())
    g = 1.0 if grad is None else float(np.abs(grad).max())
    n, c = images.shape[:2]
    k, _, kh, kw = kernels.shape
    windows = n * geometry.positions
    bounds = (x * w * (c * kh * kw) + b, g * w * (k * kh * kw), g * x * windows, g * windows)
    if not all(math.isfinite(bound) for bound in bounds):
        given = f"images reach {x:.3g}, kernels {w:.3g}" + ("" if grad is None else f", grad_output {g:.3g}")
        raise DataError(
            f"the values are too large: {given}, so sums of their products could pass float64's "
            f"largest number (about 1.8e308) and become infinite; scale the values down"
        )


def _shape_text(nchw_shape, layout: str) -> tuple[int, ...]:
    n, c, h, w = nchw_shape
    return (n, h, w, c) if layout == "NHWC" else (n, c, h, w)


# ----------------------------------------------------------------------------- the front door


def load(source, overrides: dict | None = None, *, max_elements: int | None = DEFAULT_MAX_ELEMENTS) -> Problem:
    """A JSON string, a dict, or a path -> Problem. The library's front door."""
    from pathlib import Path

    if isinstance(source, dict):
        return problem_from_document(source, overrides, max_elements=max_elements)
    if isinstance(source, Path) or (isinstance(source, str) and not source.lstrip().startswith("{")):
        from .loader import Request  # one reader for files: the same messages as the command line

        return Request(str(source), dict(overrides or {}), max_elements=max_elements).load()
    return problem_from_document(parse_json(source), overrides, max_elements=max_elements)
