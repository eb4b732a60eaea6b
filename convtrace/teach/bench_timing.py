"""How `convtrace bench` times one method: medians of runs, a time budget, the agreement check, the machine.

A runner is a function of a deadline (a `time.perf_counter()` value) that
returns (output, done): done is None for a method that always finishes, or
the fraction of the output a loop computed before the deadline; the loop
fills the rest with NaN. When a loop stops early its time is estimated from
the part it did, and only that part is compared with the reference.
"""

from __future__ import annotations

import importlib.util
import statistics
import time
from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Timing:
    """How one method did on one case."""

    method: str
    seconds: float | None  # median time for the whole output (estimated when `estimated`); None: not run
    runs: int  # how many timed runs the median is over
    estimated: bool  # True: the loop ran out of budget; seconds = time so far * total / done
    done: float  # fraction of the output computed in the timed run (1.0 unless estimated)
    max_error: float | None  # max |this - float64 engine| over the computed positions
    agrees: bool | None  # max_error within the tolerance of the dtype
    note: str = ""  # why a method did not run, e.g. "torch is not installed"

    @property
    def label(self) -> str:
        from .bench_cases import LABELS

        return LABELS[self.method]


def not_run(method: str, why: str) -> Timing:
    """A method that does not apply to the case (or cannot run here), and why."""
    return Timing(method, None, 0, False, 0.0, None, None, why)


def time_method(method, runner, reference, tol, repeat, budget) -> Timing:
    """Median of up to `repeat` runs (fewer when one run is slow); a loop may stop at its deadline."""
    times, output, done = [], None, 1.0
    started = time.perf_counter()
    for _ in range(max(1, repeat)):
        t0 = time.perf_counter()
        output, positions = runner(t0 + budget)
        elapsed = time.perf_counter() - t0
        if positions is not None:  # a loop that may have stopped early
            done = positions
            if done < 1.0:  # out of budget: estimate the whole from the part
                times = [elapsed / max(done, 1e-12)]
                break
        times.append(elapsed)
        if time.perf_counter() - started > budget:
            break
    error = max_error(output, reference, done)
    return Timing(method, statistics.median(times), len(times), done < 1.0, done, error, error <= tol)


def max_error(output: np.ndarray, reference: np.ndarray, done: float) -> float:
    """Max |output - reference| over the positions computed (loops fill NaN where they did not get to)."""
    diff = np.abs(output.astype(np.float64) - reference)
    if done < 1.0:
        diff = diff[~np.isnan(diff)]
    return float(diff.max(initial=0.0))


def torch_available() -> bool:
    """True when PyTorch can be imported (it is optional: only `bench` uses it)."""
    return importlib.util.find_spec("torch") is not None


def machine() -> dict:
    """What the numbers were measured on: CPU, cores, NumPy and its BLAS (threads when threadpoolctl tells)."""
    import os
    import platform

    info = {
        "cpu": _cpu_name() or platform.processor() or platform.machine(),
        "cores": os.cpu_count(),
        "python": platform.python_version(),
        "numpy": np.__version__,
    }
    try:
        from threadpoolctl import threadpool_info

        blas = [f"{p.get('internal_api')} {p.get('version') or ''} {p.get('architecture') or ''}, "
                f"{p.get('num_threads')} threads".replace("  ", " ")
                for p in threadpool_info() if p.get("user_api") == "blas"]
        if blas:
            info["blas"] = "; ".join(blas)
    except ImportError:
        pass
    return info


def _cpu_name() -> str | None:
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as handle:
            for line in handle:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        return None
    return None
