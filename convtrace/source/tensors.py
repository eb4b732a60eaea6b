"""Nested JSON lists (or NumPy arrays) -> float64 arrays, with errors that name the JSON path.

A learner's tensor is a list of lists of numbers. Anything else in there
(true, "3", null, NaN, a ragged row, a row nested one level too deep) is
reported at its exact place, such as `kernels[1][0][2][2]`, so it can be found
and fixed in the file. Arrays loaded from .npy files get the same checks.
"""

from __future__ import annotations

import math

import numpy as np

from ..errors import DataError
from .limits import check_elements

# No convolution input has more than 4 axes; 8 leaves room for a clear "rank 5" message
# while refusing documents nested hundreds of levels deep.
MAX_DEPTH = 8


class NonFinite:
    """Stands in for NaN / Infinity / a number too long to convert while parsing, so it can be reported by path."""

    def __init__(self, text: str, reason: str = "only finite numbers are allowed"):
        self.text = text
        self.reason = reason


def path_of(name: str, index: tuple[int, ...]) -> str:
    """('kernels', (1, 0, 2)) -> 'kernels[1][0][2]'."""
    return name + "".join(f"[{i}]" for i in index)


def plural(count: int, word: str) -> str:
    """(1, 'number') -> '1 number'; (3, 'number') -> '3 numbers'."""
    return f"{count} {word}{'' if count == 1 else 's'}"


def describe(value) -> str:
    """A learner-friendly name for what a JSON value is."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, NonFinite):
        return value.text
    if isinstance(value, str):
        shown = value if len(value) <= 40 else value[:37] + "..."
        return f"the string {shown!r}"
    if isinstance(value, dict):
        return "an object {...}"
    if isinstance(value, list):
        return "an empty list []" if not value else f"a list of {plural(len(value), 'element')}"
    if isinstance(value, np.ndarray):
        return f"an array of shape {tuple(value.shape)}"
    if isinstance(value, float) and not math.isfinite(value):
        return "a number too large for float64"
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


def type_hint(value) -> str:
    """How to fix a value of the wrong type, e.g. a quoted number -> 'write it without quotes'."""
    if isinstance(value, str):
        if value.lstrip().startswith("["):
            return "; write the list without quotes"
        try:
            float(value)
        except ValueError:
            return ""
        return "; write the number without quotes"
    return ""


def _leaf_problem(value) -> str:
    """Why this leaf is not a usable number, with how to fix it."""
    if isinstance(value, bool):
        return f"is {describe(value)}; only numbers are allowed (write 1 or 0)"
    if isinstance(value, str):
        fix = "write the number without quotes" if type_hint(value) else "every element must be a number"
        return f"is {describe(value)}; {fix}"
    if isinstance(value, NonFinite):
        return f"is {value.text}; {value.reason}"
    if isinstance(value, (int, float)):
        return "is too large for a float64 (the largest is about 1.8e308); use a smaller value"
    if value is None:
        return "is null; every element must be a number (write 0 for zero)"
    return f"is {describe(value)}; every element must be a number"


def to_array(value, name: str, max_elements: int | None = None) -> np.ndarray:
    """Nested lists of numbers (or a NumPy array) -> float64 array. Raises DataError naming the path of any fault.

    Works level by level (not element by element), so a 150,000-number image is
    checked in a few hundredths of a second.
    """
    if isinstance(value, np.ndarray):
        return check_array(value, name, max_elements)
    if not isinstance(value, list):
        raise DataError(f"{name} must be a nested list of numbers, but it is {describe(value)}{type_hint(value)}")
    shape: list[int] = []
    level = [value]
    while isinstance(level[0], list):
        if len(shape) == MAX_DEPTH:
            raise DataError(
                f"{name} is nested more than {MAX_DEPTH} levels deep ({path_of(name, (0,) * MAX_DEPTH)} "
                f"is still a list); an array here has at most 4 axes, so at most 4 levels of brackets"
            )
        length = len(level[0])
        for flat, item in enumerate(level):
            if not isinstance(item, list) or len(item) != length:
                _raise_ragged(item, flat, shape, length, name)
        if length == 0:
            if not shape:
                raise DataError(f"{name} is an empty list []; give it numbers")
            where = path_of(name, (0,) * len(shape))
            raise DataError(f"{where} is an empty list []; every row of {name} needs at least one number")
        shape.append(length)
        if max_elements is not None and len(level) * length > max_elements:
            full = _shape_from_first_rows(value)
            check_elements(math.prod(full), f"{name} {full}", max_elements, "check the file", "holds")
        level = [v for item in level for v in item]
    if not all(type(v) in (int, float) for v in level):
        _raise_at_first(level, shape, name, lambda v: type(v) not in (int, float))
    try:
        flat = np.array(level, dtype=np.float64)
    except OverflowError:  # an int beyond float64's range
        _raise_at_first(level, shape, name, lambda v: not _fits(v))
    if not np.isfinite(flat).all():  # a float that overflowed while parsing, e.g. 1e999
        _raise_at_first(level, shape, name, lambda v: not math.isfinite(v))
    return flat.reshape(shape)


def _raise_ragged(item, flat: int, shape: list[int], length: int, name: str) -> None:
    """A row whose length or depth differs from the first row at its level."""
    index = tuple(int(i) for i in np.unravel_index(flat, shape)) if shape else ()
    where = path_of(name, index)
    first = path_of(name, (0,) * len(shape))
    if not isinstance(item, list):
        raise DataError(
            f"{where} is {describe(item)} where a list of {length} was expected "
            f"(like {first}); every row must have the same shape"
        )
    raise DataError(
        f"{where} has {plural(len(item), 'element')}, but {first} has {length}; "
        f"give every row of {name} the same length ({length}) - the array is ragged"
    )


def _shape_from_first_rows(value: list) -> tuple[int, ...]:
    """The shape a nested list would have if every row were like its first one (for size messages)."""
    shape = []
    while isinstance(value, list) and value and len(shape) < MAX_DEPTH:
        shape.append(len(value))
        value = value[0]
    return tuple(shape)


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
            if isinstance(v, (list, dict)):
                first = path_of(name, (0,) * len(shape))
                raise DataError(
                    f"{path_of(name, index)} is {describe(v)} where a number was expected "
                    f"(like {first}); every row must have the same depth"
                )
            raise DataError(f"{path_of(name, index)} {_leaf_problem(v)}")
    raise DataError(f"{name} holds a value that is not a finite number")  # not reached in practice


def check_array(array: np.ndarray, name: str, max_elements: int | None = None) -> np.ndarray:
    """A NumPy array (e.g. from a .npy file) -> a float64 copy, with the same checks as JSON lists."""
    kind = array.dtype.kind
    if kind == "b":
        raise DataError(f"{name} holds booleans (dtype bool); convert them to numbers, e.g. array.astype(float)")
    if kind == "c":
        raise DataError(f"{name} holds complex numbers (dtype {array.dtype}); give real numbers")
    if kind not in "iuf":
        raise DataError(f"{name} holds values of dtype {array.dtype}, not numbers; save a float or int array")
    if array.ndim == 0:
        raise DataError(f"{name} is a single number (shape ()); it must be an array, e.g. of shape (H, W)")
    if array.size == 0:
        raise DataError(f"{name} is empty (shape {tuple(array.shape)}); every axis needs at least one element")
    check_elements(array.size, f"{name} {tuple(array.shape)}", max_elements, "check the array", "holds")
    result = array.astype(np.float64)
    bad = ~np.isfinite(result)
    if bad.any():
        index = tuple(int(i) for i in np.argwhere(bad)[0])
        text = "NaN" if np.isnan(result[index]) else ("Infinity" if result[index] > 0 else "-Infinity")
        raise DataError(f"{path_of(name, index)} is {text}; only finite numbers are allowed")
    return result
