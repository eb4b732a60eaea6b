"""Run independent blocks of work on every core, each core taking the next block when it is free.

The Winograd and FFT strategies cut a layer into blocks (a few rows of tiles,
a few images) that share nothing but read-only inputs and write disjoint parts
of the output. Each block is transforms (NumPy element-wise work, one core)
and small matrix products. Giving every core whole blocks, with the BLAS
library held at one thread meanwhile, beats one block at a time on all cores:

* the transforms run on every core, not just the calling one;
* no product waits for BLAS's other threads to wake up or to get a core back
  from another program: a core that falls behind simply takes fewer blocks,
  which keeps the time of a call steady on a busy machine.

NumPy releases the GIL inside its element-wise loops, matrix products and FFTs,
so plain Python threads run these blocks in parallel.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor

_lock = threading.Lock()
_pool: ThreadPoolExecutor | None = None
_pool_size = 0
_blas = None  # threadpoolctl's controller for the BLAS library, or False when it is not installed


def cores() -> int:
    """How many threads to use: the BLAS library's thread count (it follows OMP/OPENBLAS_NUM_THREADS), else the cores."""
    controller = _blas_controller()
    if controller:
        counts = [lib.num_threads for lib in controller.lib_controllers]
        if counts:
            return max(1, min(counts))
    return max(1, len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1)


def _blas_controller():
    global _blas
    if _blas is None:
        try:
            from threadpoolctl import ThreadpoolController

            _blas = ThreadpoolController().select(user_api="blas")
        except ImportError:  # without threadpoolctl, blocks run one after another on BLAS's threads
            _blas = False
    return _blas


def run_blocks(blocks: Iterable, work: Callable[[object], None]) -> None:
    """Call work(block) for every block, on `cores()` threads (this one included); exceptions propagate.

    `work` must only write what its block owns. With one core, or without
    threadpoolctl (the BLAS thread count cannot be held at one), the blocks run
    here, one after another.
    """
    global _pool, _pool_size
    todo = list(blocks)
    threads = min(cores(), len(todo))
    controller = _blas_controller()
    if threads <= 1 or not controller or threading.current_thread() is not threading.main_thread():
        for block in todo:
            work(block)
        return
    # Thread i starts with block i, then every thread takes the next free one. Starting
    # each thread on a block of its own means every thread sets up its work arrays in
    # the first call, not in whichever later call it first wins a block.
    queue = iter(todo[threads:])  # next() on a list iterator is atomic: each block is taken once
    failed: list[BaseException] = []

    def worker(first) -> None:
        block = first
        while block is not None and not failed:
            try:
                work(block)
            except BaseException as err:  # stop the others and re-raise in the caller
                failed.append(err)
            block = next(queue, None)

    with _lock:
        if _pool is None or _pool_size < threads - 1:
            _pool = ThreadPoolExecutor(max_workers=threads - 1, thread_name_prefix="convtrace-block")
            _pool_size = threads - 1
        pool = _pool
    with controller.limit(limits=1):
        others = [pool.submit(worker, todo[i]) for i in range(1, threads)]
        worker(todo[0])
        for other in others:
            other.result()
    if failed:
        raise failed[0]
