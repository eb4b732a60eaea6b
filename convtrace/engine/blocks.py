"""Two ways to run the independent blocks of a layer on every core.

Every strategy of the vectorized engine cuts a layer into blocks (a few rows
of positions or tiles, a few images) that share nothing but read-only inputs
and write disjoint parts of the output. Which way is faster depends on what
a block spends its time on:

* `blocks_in_order`: one block after another on this thread; the BLAS library
  spreads each block's matrix product over every core. For the direct
  strategies (engine/flat.py), where the product is nearly all the work.
* `blocks_on_every_core`: every core takes whole blocks, with the BLAS library
  held at one thread meanwhile. For Winograd and FFT, whose element-wise
  transforms and FFTs (one core each in NumPy) are half the work or more.

Why not always the second: OpenBLAS's own threads wait for work by spinning,
a core each, for about 0.1 s after every multi-threaded product and after
start-up. Blocks on this module's threads in that time share their cores with
a spinning thread: a 3 ms direct layer took 5 ms for its first calls after
import, and its slowest call was 2.2 times the median. Where the work is
matrix products anyway, letting BLAS run them is as fast (on a 2-core machine:
0.92 ms against 1.00, 2.65 against 2.8, 6.3 against 6.1 to 6.5 on the three
layers of benchmarks/bench_conv2d_vs_torch.py) and meets no spinning thread:
the one that spins is BLAS's own, and it is the one given the next product.

NumPy releases the GIL inside its element-wise loops, matrix products and FFTs,
so plain Python threads run blocks in parallel; every NumPy call takes the GIL
back, though, so a block should make a few large calls, not many small ones.
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


def blocks_in_order(blocks: Iterable, work: Callable[[object], None]) -> None:
    """Call work(block) for every block, in order, on this thread (BLAS uses its own threads inside)."""
    for block in blocks:
        work(block)


def blocks_on_every_core(blocks: Iterable, work: Callable[[object], None]) -> None:
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
