"""Which 2-D output planes a failed case shows: the wrong ones, expected beside returned."""

from __future__ import annotations

import numpy as np

from .report import CaseResult, Plane

MAX_PLANES = 4  # output planes shown side by side per failed case


def pick_planes(result: CaseResult, layout: str) -> list[Plane]:
    """The output planes to show: the wrong ones when the shapes agree, else the first of each."""
    expected, returned = result.expected, result.returned
    if result.wrong is not None:
        picked = [index for index in _plane_indices(expected.shape, layout)
                  if _plane(result.wrong, index, layout).any()][:MAX_PLANES]
        return [Plane(_label(index, layout), _plane(expected, index, layout),
                      _label(index, layout), _plane(returned, index, layout),
                      _plane(result.wrong, index, layout)) for index in picked]
    mine = [(_label(index, layout), _plane(expected, index, layout))
            for index in _plane_indices(expected.shape, layout)][:2]
    theirs = _loose_planes(returned, layout)[:2]
    planes = []
    for position in range(max(len(mine), len(theirs))):
        left = mine[position] if position < len(mine) else ("", None)
        right = theirs[position] if position < len(theirs) else ("", None)
        planes.append(Plane(*left, *right))
    return planes


def _plane_indices(shape, layout: str) -> list[tuple[int, int]]:
    n, k = (shape[0], shape[3]) if layout == "NHWC" else (shape[0], shape[1])
    return [(i, j) for i in range(n) for j in range(k)]


def _plane(array: np.ndarray, index: tuple[int, int], layout: str) -> np.ndarray:
    n, k = index
    return array[n, :, :, k] if layout == "NHWC" else array[n, k]


def _label(index: tuple[int, int], layout: str) -> str:
    n, k = index
    return f"out[{n}, :, :, {k}]" if layout == "NHWC" else f"out[{n}, {k}]"


def _loose_planes(array: np.ndarray, layout: str) -> list[tuple[str, np.ndarray]]:
    """2-D slices of an array of any rank, labelled by their leading indices."""
    if array.ndim == 4:
        return [(_label(index, layout), _plane(array, index, layout)) for index in _plane_indices(array.shape, layout)]
    if array.ndim < 2:
        return [("returned", array.reshape(1, -1))]
    if array.ndim == 2:
        return [("returned", array)]
    flat = array.reshape(-1, *array.shape[-2:])
    leading = list(np.ndindex(*array.shape[:-2]))
    return [(f"returned[{', '.join(map(str, index))}]", flat[i]) for i, index in enumerate(leading)]
