"""The ```facts block of a lesson: its names, one `name[index] = value` line each, and how values compare.

This module only reads and compares; convtrace.teach.facts_engine works the
numbers out and convtrace.teach.facts checks a lesson. convtrace.teach.claims
(the prose) uses the same `Fact`, `same` and `shown`.
"""

from __future__ import annotations

import ast
import json
import re
from dataclasses import dataclass

import numpy as np

from ..errors import DataError
from .better_facts import INDEXED as BETTER_INDEXED, NAMES as BETTER_NAMES
from .layer_facts import LAYER_NAMES

# name -> what it means; the README lists the same table for teachers
NAMES = {
    "input_shape": "images shape, document layout, rank 4",
    "kernel_shape": "kernels shape, document layout, rank 4",
    "output_shape": "output shape, document layout",
    "padding": "[[top, bottom], [left, right]] as resolved",
    "stride": "[sh, sw]",
    "dilation": "[dh, dw]",
    "flip": "true or false",
    "layout": "NCHW or NHWC",
    "mode": "valid, same, full or explicit",
    "steps": "window positions N*K*H'*W'",
    "padded_size": "[H + top + bottom, W + left + right]",
    "span": "[dh*(kh-1)+1, dw*(kw-1)+1]",
    "dropped_rows": "rows the floor leaves unread",
    "dropped_cols": "columns the floor leaves unread",
    "rows_formula": "H' formula with numbers, as the engine writes it",
    "cols_formula": "W' formula with numbers",
    "same_rows": "the 'same' padding rule for rows, with numbers",
    "same_cols": "the 'same' padding rule for columns, with numbers",
    "out": "output values, document layout; index optional",
    "grad_images": "dL/dimages for L = sum(out * grad_output), document layout",
    "grad_kernels": "dL/dkernels, document layout",
    "grad_bias": "dL/dbias",
    "im2col_shape": "[N*H'*W', C*kh*kw]: the column matrix, one row per window",
    "kernel_matrix_shape": "[K, C*kh*kw]",
    "product_shape": "[N*H'*W', K]: column matrix @ kernel matrix transposed",
    "im2col": "the column matrix (N*H'*W', C*kh*kw); row j is window j in loop order, flattened (c, u, v)",
    "kernel_matrix": "kernels as rows (K, C*kh*kw), flipped when flip is on",
    "step_of": "step_of[cell] = the 0-based step (loop order n, k, row, col) that computes out[cell]",
    "images": "the images as the document gives them, after promotion to rank 4",
    "kernels": "the kernels as the document gives them, after promotion to rank 4",
    "bias": "the bias, one number per kernel",
    "error": "text the document's error message must contain",
    "weights": "K*C*kh*kw: the numbers in the kernels (summed over the layers of a stack)",
    "parameters": "weights plus one bias per kernel when the document has a bias (summed over a stack)",
    "receptive_field": "[rows, cols] of input cells one output value depends on (through every layer of a stack)",
}
NAMES.update(LAYER_NAMES)  # groups, transposed, pooling: their own settings (teach/layer_facts.py)
NAMES.update(BETTER_NAMES)  # loop_multiplications, winograd_*, fft_*: teach/better_facts.py
STACK_NAMES = ("weights", "parameters", "receptive_field", "error")
TEXT_NAMES = ("rows_formula", "cols_formula", "same_rows", "same_cols", "error", "layout", "mode")
INDEXED = ("out", "step_of", "grad_images", "grad_kernels", "grad_bias", "im2col", "kernel_matrix",
           "images", "kernels", "bias") + BETTER_INDEXED
# an index is numbers or ':' (a whole axis): out[0,:,1,0] is one pixel's value in every output channel
LINE = re.compile(r"^([a-z_][a-z0-9_]*)(?:\[([\d,\s:]+)\])?\s*=\s*(.+?)\s*$")
REFERENCE = re.compile(r"^\s*(" + "|".join(INDEXED) + r")\[([\d,\s:]+)\]\s*$")


@dataclass(frozen=True)
class Fact:
    """One `name[index] = value` line of a facts block."""

    source: str  # the section header ('' = the lesson's input, no options)
    name: str
    index: tuple | None  # ints, and slice(None) for ':'
    value: object  # number, bool, str or nested lists
    line: int  # line number inside the facts block (1-based)

    @property
    def key(self) -> str:
        if self.index is None:
            return self.name
        return self.name + "[" + ",".join(":" if isinstance(i, slice) else str(i) for i in self.index) + "]"


@dataclass(frozen=True)
class Finding:
    """Something a lesson states that the engine (or its own facts) does not back up."""

    where: str
    message: str

    def __str__(self) -> str:
        return f"{self.where}: {self.message}"



# ----------------------------------------------------------------------------- parsing


def parse_value(name: str, text: str):
    """The right-hand side of a fact: JSON or a Python literal (tuples allowed); text facts stay text."""
    if name in TEXT_NAMES:
        return text.strip().strip('"')
    try:
        return json.loads(text)
    except ValueError:
        pass
    try:
        value = ast.literal_eval(text)
    except (ValueError, SyntaxError):
        raise DataError(f"{text!r} is not a number, a list or a tuple") from None
    return _listify(value)


def _listify(value):
    if isinstance(value, (tuple, list)):
        return [_listify(v) for v in value]
    return value


def parse_facts(text: str | None) -> list[Fact]:
    """The body of a ```facts block -> Facts. DataError names the line of any mistake."""
    facts: list[Fact] = []
    source = ""
    for number, raw in enumerate((text or "").splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith("[") and line.endswith("]"):
            source = line[1:-1].strip()
            continue
        match = LINE.match(line)
        if match is None or match.group(1) not in NAMES:
            name = line.split("=")[0].split("[")[0].strip()
            hint = f"unknown name {name!r}; known: {', '.join(NAMES)}" if match else "write 'name = value' or 'name[i,j] = value'"
            raise DataError(f"facts line {number}: {line!r}: {hint}")
        name, index, value = match.groups()
        if index is not None and name not in INDEXED:
            raise DataError(f"facts line {number}: {name} takes no index; only {', '.join(INDEXED)} do")
        try:
            parsed = parse_value(name, value)
        except DataError as err:
            raise DataError(f"facts line {number}: {err}") from None
        idx = tuple(slice(None) if i.strip() == ":" else int(i) for i in index.split(",")) if index else None
        facts.append(Fact(source, name, idx, parsed, number))
    return facts


# ----------------------------------------------------------------------------- comparing


def same(stated, actual) -> bool:
    """Numbers within rounding, lists element by element, text exactly."""
    if isinstance(stated, str) or isinstance(actual, str):
        return stated == actual
    if isinstance(stated, bool) or isinstance(actual, (bool, np.bool_)):
        return stated is bool(actual) if isinstance(stated, bool) else False
    try:
        a, b = np.asarray(stated, dtype=float), np.asarray(actual, dtype=float)
    except (TypeError, ValueError):
        return False
    return a.shape == b.shape and bool(np.allclose(a, b, rtol=1e-9, atol=1e-9))


def shown(value) -> str:
    """A value as a lesson would write it: 20 not 20.0."""
    if isinstance(value, np.ndarray):
        value = value.tolist()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, list):
        return "[" + ", ".join(shown(v) for v in value) + "]"
    return json.dumps(value) if isinstance(value, bool) else str(value)
