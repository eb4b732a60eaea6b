"""The input document -> one validated, immutable `Problem` (arrays in NCHW + resolved geometry).

The document is JSON (see README "Input format"). Validation happens here, at
the boundary, with messages that say what is wrong, where, and how to fix it.
Past this module every array is float64, NCHW, read-only and consistent.
"""

from __future__ import annotations

import difflib
import json
from dataclasses import dataclass, field

import numpy as np

from .errors import DataError, UsageError
from .geometry import MODES, Geometry, make_geometry
from .tensors import NonFinite, describe, to_array

KEYS = (
    "images", "kernels", "bias", "mode", "padding", "stride", "dilation",
    "flip", "layout", "grad_output", "title", "description",
)
LAYOUTS = ("NCHW", "NHWC")
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


# ----------------------------------------------------------------------------- parsing


def parse_json(text: str, source: str = "the document") -> dict:
    """JSON text -> dict. NaN/Infinity are kept as markers so they can be reported by path."""
    if text.startswith("\ufeff"):
        text = text[1:]
    if not text.strip():
        raise DataError(f"{source} is empty; it must hold one JSON object with 'images' and 'kernels'")
    try:
        doc = json.loads(text, parse_constant=NonFinite)
    except json.JSONDecodeError as err:
        lines = text.splitlines() or [""]
        line = lines[err.lineno - 1] if err.lineno - 1 < len(lines) else ""
        shown = line if len(line) <= 70 else line[max(0, err.colno - 35): err.colno + 35]
        raise DataError(
            f"{source} is not valid JSON: {err.msg} at line {err.lineno}, column {err.colno}:\n"
            f"    {shown}"
        ) from None
    except RecursionError:
        raise DataError(f"{source} is nested too deeply; images need at most 4 levels of lists") from None
    if not isinstance(doc, dict):
        raise DataError(f"{source} must be a JSON object ({{...}}) with 'images' and 'kernels', not {describe(doc)}")
    return doc


def _int(value, where: str, minimum: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise DataError(f"{where} must be a whole number, got {describe(value)}")
    if value < minimum:
        raise DataError(f"{where} must be >= {minimum}, got {value}")
    return value


def _int_pair(value, where: str, minimum: int) -> tuple[int, int]:
    """int or [a, b] -> (a, b), each >= minimum."""
    if isinstance(value, list):
        if len(value) != 2:
            raise DataError(f"{where} must be one number or a pair [rows, cols], got a list of {len(value)}")
        return _int(value[0], f"{where}[0]", minimum), _int(value[1], f"{where}[1]", minimum)
    return _int(value, where, minimum), _int(value, where, minimum)


def parse_padding(value, where: str = "padding"):
    """int | [ph, pw] | [[top, bottom], [left, right]] -> the same, checked (all >= 0)."""
    hint = "use an int, [rows, cols] or [[top, bottom], [left, right]]"
    if isinstance(value, list):
        if len(value) != 2:
            raise DataError(f"{where} must have 2 entries (rows, columns), got {len(value)}; {hint}")
        if all(isinstance(v, list) for v in value):
            sides = []
            for i, side in enumerate(value):
                if len(side) != 2:
                    raise DataError(f"{where}[{i}] must be [before, after], got {len(side)} numbers; {hint}")
                sides.append((_int(side[0], f"{where}[{i}][0]", 0), _int(side[1], f"{where}[{i}][1]", 0)))
            return tuple(sides)
        if any(isinstance(v, list) for v in value):
            raise DataError(f"{where} mixes numbers and lists; {hint}")
        return _int(value[0], f"{where}[0]", 0), _int(value[1], f"{where}[1]", 0)
    if isinstance(value, int) and not isinstance(value, bool):
        return _int(value, where, 0)
    raise DataError(f"{where} must be a whole number or a list, got {describe(value)}; {hint}")


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
    raise DataError(
        f"{name} has rank {rank} (shape {tuple(array.shape)}); expected rank 4 {axes[layout]}, "
        f"3 (one item) or 2 (one channel)"
    )


def _to_nchw(array: np.ndarray, layout: str) -> np.ndarray:
    return np.ascontiguousarray(array.transpose(0, 3, 1, 2)) if layout == "NHWC" else array


def _readonly(array: np.ndarray | None) -> np.ndarray | None:
    if array is not None:
        array.setflags(write=False)
    return array


def unknown_key_message(key: str) -> str:
    guess = difflib.get_close_matches(key, KEYS, n=1, cutoff=0.6)
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


def problem_from_document(doc: dict, overrides: dict | None = None) -> Problem:
    """A parsed JSON object (+ command-line overrides) -> a validated Problem."""
    doc = apply_overrides(doc, overrides or {})
    for key in doc:
        if key not in KEYS:
            raise DataError(unknown_key_message(key))
    for key in ("images", "kernels"):
        if key not in doc:
            raise DataError(f"the document has no {key!r}; it needs both 'images' and 'kernels'")

    layout = doc.get("layout", "NCHW")
    if not isinstance(layout, str) or layout.upper() not in LAYOUTS:
        raise DataError(f"layout must be \"NCHW\" or \"NHWC\", got {describe(layout)}")
    layout = layout.upper()
    flip = doc.get("flip", False)
    if not isinstance(flip, bool):
        raise DataError(f"flip must be true or false, got {describe(flip)}")
    for key in ("title", "description"):
        if key in doc and not isinstance(doc[key], str):
            raise DataError(f"{key} must be a string, got {describe(doc[key])}")
    mode = doc.get("mode")
    if "mode" in doc and mode not in MODES:
        raise DataError(f"mode must be one of {', '.join(repr(m) for m in MODES)}, got {describe(mode)}")
    if "mode" in doc and "padding" in doc:
        raise DataError("the document gives both 'mode' and 'padding'; keep one of them")
    padding = parse_padding(doc["padding"]) if "padding" in doc else None
    stride = _int_pair(doc.get("stride", 1), "stride", 1)
    dilation = _int_pair(doc.get("dilation", 1), "dilation", 1)

    notes: list[str] = []
    images = _to_nchw(_promote(to_array(doc["images"], "images"), "images", layout, IMAGE_AXES, notes), layout)
    kernels = _to_nchw(_promote(to_array(doc["kernels"], "kernels"), "kernels", layout, KERNEL_AXES, notes), layout)
    return build_problem(
        images, kernels,
        bias=_bias(doc, kernels.shape[0]),
        stride=stride, dilation=dilation, mode=mode, padding=padding,
        flip=flip, layout=layout,
        grad_output=doc.get("grad_output"),
        title=doc.get("title"), description=doc.get("description"), notes=tuple(notes),
    )


def _bias(doc: dict, k: int) -> np.ndarray | None:
    if "bias" not in doc:
        return None
    bias = to_array(doc["bias"], "bias") if isinstance(doc["bias"], list) else None
    if bias is None or bias.ndim != 1:
        raise DataError(f"bias must be a flat list of {k} numbers (one per kernel), got {describe(doc['bias']) if bias is None else 'shape ' + str(bias.shape)}")
    if bias.shape[0] != k:
        raise DataError(f"bias has {bias.shape[0]} numbers but there are {k} kernels; give one bias per kernel")
    return bias


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
) -> Problem:
    """Rank-4 NCHW arrays (N, C, H, W), (K, C, kh, kw) + settings -> a validated Problem."""
    n, c, h, w = images.shape
    k, kc, kh, kw = kernels.shape
    if kc != c:
        raise DataError(
            f"kernels expect {kc} channel{'s' * (kc != 1)}, images have {c} "
            f"(images {_shape_text(images.shape, layout)} {IMAGE_AXES[layout]}, "
            f"kernels {_shape_text(kernels.shape, layout)} {KERNEL_AXES[layout]}); "
            f"each kernel needs one slice per image channel"
        )
    geometry = make_geometry((h, w), (kh, kw), stride=stride, dilation=dilation, mode=mode, padding=padding)
    grad = None
    if grad_output is not None:
        out_nchw = (n, k, *geometry.out_size)
        expected = _shape_text(out_nchw, layout)
        grad = grad_output if isinstance(grad_output, np.ndarray) else to_array(grad_output, "grad_output")
        if grad.ndim in (2, 3):
            grad = _promote(grad, "grad_output", layout, OUTPUT_AXES, [])
        if grad.ndim != 4 or list(grad.shape) != list(expected):
            raise DataError(
                f"grad_output has shape {tuple(grad.shape)} but the output is {tuple(expected)} "
                f"{OUTPUT_AXES[layout]}; it must be shaped like the output"
            )
        grad = _to_nchw(grad, layout)
    return Problem(
        images=_readonly(np.ascontiguousarray(images, dtype=np.float64)),
        kernels=_readonly(np.ascontiguousarray(kernels, dtype=np.float64)),
        bias=_readonly(None if bias is None else np.asarray(bias, dtype=np.float64)),
        geometry=geometry,
        flip=flip,
        layout=layout,
        grad_output=_readonly(None if grad is None else np.ascontiguousarray(grad, dtype=np.float64)),
        title=title,
        description=description,
        notes=notes,
    )


def _shape_text(nchw_shape, layout: str) -> tuple[int, ...]:
    n, c, h, w = nchw_shape
    return (n, h, w, c) if layout == "NHWC" else (n, c, h, w)


def load(source, overrides: dict | None = None) -> Problem:
    """A JSON string, a dict, or a path -> Problem. The library's front door."""
    from pathlib import Path

    if isinstance(source, dict):
        return problem_from_document(source, overrides)
    if isinstance(source, Path) or (isinstance(source, str) and not source.lstrip().startswith("{")):
        path = Path(source)
        try:
            text = path.read_text(encoding="utf-8")
        except FileNotFoundError:
            raise UsageError(f"file {str(path)!r} does not exist") from None
        except UnicodeDecodeError:
            raise DataError(f"{path} is not UTF-8 text; save it as UTF-8 JSON") from None
        except OSError as err:
            raise UsageError(f"cannot read {str(path)!r}: {err.strerror}") from None
        return problem_from_document(parse_json(text, str(path)), overrides)
    return problem_from_document(parse_json(source), overrides)
