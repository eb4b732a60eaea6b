"""Reading one setting of the document: whole numbers, per-axis tuples, padding, choices, text.

Each reader returns a checked Python value or raises a DataError that names
the JSON path (`stride[1]`) and says what to write instead.
"""

from __future__ import annotations

import difflib
import math

import numpy as np

from ..errors import DataError
from .choices import MODES
from .printable import printable
from .tensors import describe, type_hint

# What each whole-number setting means, told when it is out of range.
MEANING = {
    "stride": "1 means every position, 2 every other one",
    "dilation": "1 means no gaps between kernel taps, as in PyTorch",
    "padding": "it counts rows or columns of zeros added; 0 means none",
    "groups": "1 means every output channel reads every input channel",
    "pool_size": "it is the window's size along each axis",
    "output_padding": "it counts cells added at the end of the output; 0 means none",
}
AXIS_LABELS = {1: "[length]", 2: "[rows, cols]", 3: "[depth, rows, cols]"}
PAIRS = {1: "[left, right]", 2: "[[top, bottom], [left, right]]", 3: "[[front, back], [top, bottom], [left, right]]"}


def whole(value, where: str, minimum: int) -> int:
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


def per_axis_ints(value, where: str, minimum: int, dims: int = 2) -> tuple[int, ...]:
    """int or [a, b, ...] (one per spatial axis) -> a tuple of `dims` whole numbers >= minimum."""
    if isinstance(value, (list, tuple)):
        if len(value) != dims:
            if dims == 2:  # the first release's wording
                raise DataError(
                    f"{where} must be one number or a pair [rows, cols], got {describe(value)}; "
                    f"e.g. \"{where}\": 2 or \"{where}\": [2, 1]"
                )
            if dims == 1:
                raise DataError(f"{where} must be one number (dims 1 has one spatial axis), got {describe(value)}; "
                                f"e.g. \"{where}\": 2")
            example = "[2, 1, 1]"
            raise DataError(
                f"{where} must be one number or {dims} numbers {AXIS_LABELS.get(dims, '')}, got {describe(value)}; "
                f"e.g. \"{where}\": 2 or \"{where}\": {example}"
            )
        return tuple(whole(v, f"{where}[{i}]", minimum) for i, v in enumerate(value))
    return (whole(value, where, minimum),) * dims


def parse_padding(value, where: str = "padding", dims: int = 2, symmetric: bool = False):
    """int | [p per axis] | [[before, after] per axis] -> the same, checked (all >= 0).

    1-D also takes [left, right]. symmetric: only an int or one number per axis
    (transposed convolution and pooling pad both sides alike, as PyTorch).
    """
    if dims == 2 and not symmetric:
        hint = "use a number, [rows, cols] or [[top, bottom], [left, right]]"
    else:
        hint = f"use a number, {AXIS_LABELS.get(dims, 'one per axis')}" + ("" if symmetric else f" or {PAIRS.get(dims)}")
    if isinstance(value, str) and value.lower() in MODES:
        raise DataError(f'padding "{value}" is a mode name; write "mode": "{value.lower()}" instead of "padding"')
    if not isinstance(value, list):
        return whole(value, where, 0)
    if dims == 1 and not symmetric and len(value) == 2 and not any(isinstance(v, list) for v in value):
        return ((whole(value[0], f"{where}[0]", 0), whole(value[1], f"{where}[1]", 0)),)  # [left, right]
    if len(value) != dims:
        what = "(rows, columns)" if dims == 2 else "(one per spatial axis)"
        raise DataError(f"{where} must have {dims} entries {what}, got {describe(value)}; {hint}")
    if all(isinstance(v, list) for v in value):
        if symmetric and all(isinstance(v, list) and len(v) == 2 and v[0] == v[1] for v in value):
            return tuple(whole(v[0], f"{where}[{i}][0]", 0) for i, v in enumerate(value))  # equal sides are fine
        if symmetric:
            raise DataError(f"{where} must be the same on both sides for this layer (PyTorch's rule); {hint}")
        sides = []
        for i, side in enumerate(value):
            if len(side) != 2:
                raise DataError(f"{where}[{i}] must be [before, after], got {describe(side)}; {hint}")
            sides.append((whole(side[0], f"{where}[{i}][0]", 0), whole(side[1], f"{where}[{i}][1]", 0)))
        return tuple(sides)
    if any(isinstance(v, list) for v in value):
        raise DataError(f"{where} mixes numbers and lists; {hint}")
    return tuple(whole(v, f"{where}[{i}]", 0) for i, v in enumerate(value))


def choice(value, key: str, choices: tuple, normalize=str.lower) -> str:
    """A string among `choices` (compared after `normalize`), or a DataError listing them."""
    if isinstance(value, str) and normalize(value) in choices:
        return normalize(value)
    listed = ", ".join(repr(c) for c in choices)
    guess = difflib.get_close_matches(normalize(value), choices, n=1, cutoff=0.5) if isinstance(value, str) else []
    hint = f"; did you mean {guess[0]!r}?" if guess else ""
    raise DataError(f"{key} must be one of {listed}, got {describe(value)}{hint}")


def flag(value, key: str) -> bool:
    """true / false (a JSON boolean; numpy bools from Python callers too)."""
    value = bool(value) if isinstance(value, np.bool_) else value
    if not isinstance(value, bool):
        raise DataError(f"{key} must be true or false (no quotes), got {describe(value)}")
    return value


def text(value, key: str) -> str:
    if not isinstance(value, str):
        raise DataError(f"{key} must be a string in double quotes, got {describe(value)}")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise DataError(f"{key} holds an invalid character (a lone \\ud800-\\udfff escape); remove it") from None
    return printable(value)  # escape codes in a title must not reach the terminal raw
