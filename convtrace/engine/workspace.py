"""Work arrays kept between calls, so a program that calls conv2d again and again faults in no fresh memory.

Fresh memory costs a page fault per 4 KB page on first touch: on a layer of the
benchmark's size, as much time as the arithmetic. The vectorized strategies
(flat.py, winograd.py, depthwise.py) ask for their scratch arrays by name;
each thread keeps its own, WORK_BYTES in all.
"""

from __future__ import annotations

import threading

import numpy as np

WORK_BYTES = 64 * 1024 * 1024  # per thread

_kept = threading.local()  # this thread's work arrays, by name


def work_array(name: str, shape, dtype, zero: bool = False) -> np.ndarray:
    """A work array of `shape`, reused from the last call when it fits (garbage unless `zero`).

    Only the caller uses the array, and only until its call returns: every call
    hands back a fresh output. Too large to keep (past WORK_BYTES): a fresh array.
    """
    size = int(np.prod(shape)) * np.dtype(dtype).itemsize
    kept = getattr(_kept, "arrays", None)
    if kept is None:
        kept = _kept.arrays = {}
    memory = kept.get(name)
    if memory is None or memory.nbytes < size:
        kept.pop(name, None)
        if size > WORK_BYTES - sum(m.nbytes for m in kept.values()):
            make = np.zeros if zero else np.empty
            return make(shape, dtype)  # too big to keep
        memory = kept[name] = np.empty(size, np.uint8)
    array = memory[:size].view(dtype).reshape(shape)
    if zero:
        array.fill(0)
    return array
