"""Low-rank arrays -> full rank, and any layout -> channels first: the two reshapes of every input."""

from __future__ import annotations

import numpy as np

from ..errors import DataError


def promote(array: np.ndarray, name: str, layout: str, axes: str, notes: list, dims: int = 2,
            one_item: str = "one item", one=None) -> np.ndarray:
    """Rank dims+1 / dims -> rank dims+2 in the document's layout, recording what was added.

    Rank dims+1 is one item: a new first axis, or `one(array)` when the item's axis is
    elsewhere (a transposed kernel's output channel). Rank dims is one single-channel item.
    """
    rank, full = array.ndim, dims + 2
    if rank == full:
        return array
    if rank == full - 1:
        new = array[None] if one is None else one(array)
        notes.append(f"{name} has rank {rank} {tuple(array.shape)}: read as {one_item}, shape {tuple(new.shape)} {axes}")
        return new
    if rank == dims:
        new = array[None, None] if layout == "NCHW" else array[None, ..., None]
        notes.append(f"{name} has rank {rank} {tuple(array.shape)}: read as one single-channel item, "
                     f"shape {tuple(new.shape)} {axes}")
        return new
    fix = "wrap it in one more pair of brackets to make it one row, [[...]]" if rank < dims else \
        f"remove {rank - full} level{'s' * (rank > full + 1)} of brackets"
    raise DataError(
        f"{name} has rank {rank} (shape {tuple(array.shape)}); expected rank {full} {axes}, "
        f"{full - 1} ({one_item}) or {dims} (one channel): {fix}"
    )


def to_channels_first(array: np.ndarray, layout: str) -> np.ndarray:
    """(N, *spatial, C) -> (N, C, *spatial) for NHWC; channels-first arrays pass unchanged."""
    return np.ascontiguousarray(np.moveaxis(array, -1, 1)) if layout == "NHWC" else array
