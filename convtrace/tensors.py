"""Nested JSON lists -> float64 arrays, with errors that name the JSON path.

A learner's tensor is a list of lists of numbers. Anything else in there
(true, "3", null, NaN, a ragged row) is reported at its exact place, such as
`kernels[1][0][2][2]`, so it can be found and fixed in the file.
"""

from __future__ import annotations

import math

import numpy as np

from .errors import DataError


class NonFinite:
    """Stands in for NaN / Infinity / -Infinity while parsing, so they can be reported with a path."""

    def __init__(self, text: str):
        self.text = text


def path_of(name: str, index: tuple[int, ...]) -> str:
    """('kernels', (1, 0, 2)) -> 'kernels[1][0][2]'."""
    return name + "".join(f"[{i}]" for i in index)


def describe(value) -> str:
    """A learner-friendly name for what a JSON value is."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, NonFinite):
        return value.text
    if isinstance(value, str):
        return f"the string {value!r}"
    if isinstance(value, dict):
        return "an object"
    if isinstance(value, list):
        return "a list"
    return repr(value)


def _leaf_problem(value) -> str:
    """Why this leaf is not a usable number, with how to fix it."""
    if isinstance(value, bool):
        return f"is {describe(value)}; only numbers are allowed (write 1 or 0)"
    if isinstance(value, str):
        return f"is {describe(value)}; write the number without quotes"
    if isinstance(value, NonFinite):
        return f"is {value.text}; only finite numbers are allowed"
    if isinstance(value, float) and not math.isfinite(value):
        return "is too large to be a finite number; use a smaller value"
    if isinstance(value, int):
        return "is too large to be a finite number; use a smaller value"
    return f"is {describe(value)}; every element must be a number"


def to_array(value, name: str) -> np.ndarray:
    """Nested lists of numbers -> float64 array. Raises DataError naming the JSON path of any fault.

    Works level by level (not element by element), so a 150,000-number image is
    checked in a few hundredths of a second.
    """
    if not isinstance(value, list):
        raise DataError(f"{name} must be a nested list of numbers, but it is {describe(value)}")
    shape: list[int] = []
    level = [value]
    while isinstance(level[0], list):
        length = len(level[0])
        for flat, item in enumerate(level):
            if not isinstance(item, list) or len(item) != length:
                index = np.unravel_index(flat, shape) if shape else ()
                where = path_of(name, tuple(int(i) for i in index))
                first = path_of(name, tuple(0 for _ in shape))
                if not isinstance(item, list):
                    raise DataError(
                        f"{where} is {describe(item)} where a list of {length} was expected "
                        f"(like {first}); every row must have the same shape"
                    )
                raise DataError(
                    f"{where} has {len(item)} elements, but {first} has {length}; "
                    f"every row must have the same length (the array is ragged)"
                )
        if length == 0:
            raise DataError(f"{path_of(name, tuple(0 for _ in shape))} is an empty list; {name} needs numbers")
        shape.append(length)
        level = [v for item in level for v in item]
    if not all(type(v) in (int, float) for v in level):
        _raise_at_first(level, shape, name, lambda v: type(v) not in (int, float))
    try:
        flat = np.array(level, dtype=np.float64)
    except OverflowError:
        _raise_at_first(level, shape, name, lambda v: not math.isfinite(float(v)) if _fits(v) else True)
    if not np.isfinite(flat).all():
        _raise_at_first(level, shape, name, lambda v: not math.isfinite(v))
    return flat.reshape(shape)


def _fits(v) -> bool:
    try:
        float(v)
    except OverflowError:
        return False
    return True


def _raise_at_first(level: list, shape: list[int], name: str, bad) -> None:
    for flat, v in enumerate(level):
        if bad(v):
            index = tuple(int(i) for i in np.unravel_index(flat, shape))
            raise DataError(f"{path_of(name, index)} {_leaf_problem(v)}")
    raise DataError(f"{name} holds a value that is not a finite number")  # not reached in practice
