"""Timing the ways to compute one convolution: is there a better way?

The methods, from the loop a learner writes to the libraries:

  naive loop         the engine's own loop (convtrace.engine.naive.trace): one Step
                     per (n, k, row, col), sum(patch * w[k])  (N*K*H'*W' small products)
  per-position loop  for row, col: every image and kernel at once, one tensordot
                     over (C, kh, kw) per window position  (H'*W' products)
  im2col + matmul    one column matrix, one matrix product  (convtrace.engine.im2col)
  Winograd           F(2x2, 3x3): 16 multiplications per 2x2 tile instead of 36 (engine/winograd.py)
  FFT                pointwise products of spectra (engine/fft.py)
  vectorized engine  convtrace.conv2d: the strategy it picks for the shape (engine/fast.py)
  PyTorch            torch.nn.functional.conv2d, when torch is installed

Each method runs on the same input; its time is the median of several runs.
The two loops get a time budget: when they cannot finish in it, their time is
estimated from the positions they did (and said so). Every result is checked
against the float64 vectorized engine, on the positions it computed. GFLOP/s
are effective: every method is credited with the direct method's 2*N*K*H'*W'*C*kh*kw
operations, so Winograd and FFT, which do fewer, can pass the machine's peak.
"""

from __future__ import annotations

import importlib.util
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass, replace

import numpy as np

from ..engine.fast import choose_strategy, conv2d_nchw, windows
from ..engine.fft import conv2d_fft
from ..engine.im2col import conv2d_im2col
from ..engine.naive import trace
from ..engine.winograd import applies as winograd_applies, conv2d_winograd
from ..source.geometry import Geometry
from ..source.problem import Problem, build_problem

METHODS = ("naive", "per_position", "im2col", "winograd", "fft", "engine", "torch")
LABELS = {
    "naive": "naive loop",
    "per_position": "per-position loop",
    "im2col": "im2col + matmul",
    "winograd": "Winograd",
    "fft": "FFT",
    "engine": "vectorized engine",
    "torch": "PyTorch",
}
DESCRIPTIONS = {
    "naive": "convtrace.engine.naive.trace: one Step per (n, k, row, col), sum(patch * w[k]), float64",
    "per_position": "for row, col: tensordot over (C, kh, kw), all images and kernels",
    "im2col": "(N*H'*W', C*kh*kw) @ (C*kh*kw, K), then reshape",
    "winograd": "F(2x2, 3x3): 16 (K, C) @ (C, tiles) products, 16 multiplications per tile instead of 36",
    "fft": "spectra of images and kernels, C*K complex products per frequency, inverse FFT, crop",
    "engine": "convtrace.conv2d: the strategy it picks by shape (engine/choice.py)",
    "torch": "torch.nn.functional.conv2d",
}


@dataclass(frozen=True)
class Case:
    """One input to time: a name and a Problem (float64 arrays; `dtype` says what to time in)."""

    name: str
    problem: Problem
    dtype: str = "float64"

    @property
    def flops(self) -> int:
        """2 * N*K*H'*W' * C*kh*kw: one multiply and one add per tap of every window."""
        n, k, h_out, w_out = self.problem.output_shape
        _, c, kh, kw = self.problem.kernel_shape
        return 2 * n * k * h_out * w_out * c * kh * kw


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
        return LABELS[self.method]


@dataclass(frozen=True)
class CaseResult:
    """Every method's timing on one case, plus the numbers to compare them."""

    case: Case
    timings: tuple[Timing, ...]
    tolerance: float

    def speedup(self, timing: Timing) -> float | None:
        """How many times faster than the naive loop."""
        base = self.timing("naive")
        if timing.seconds is None or base is None or base.seconds is None or timing.seconds <= 0:
            return None
        return base.seconds / timing.seconds

    def gflops(self, timing: Timing) -> float | None:
        """Billions of floating-point operations per second (2 per multiply-add)."""
        if timing.seconds is None or timing.seconds <= 0:
            return None
        return self.case.flops / timing.seconds / 1e9

    def timing(self, method: str) -> Timing | None:
        return next((t for t in self.timings if t.method == method), None)


def default_cases(dtype: str = "float32", overrides: dict | None = None) -> list[Case]:
    """A classroom-sized case (one 28x28 image, eight 3x3 kernels), a layer-sized one (a ResNet layer)
    and one with large kernels (21x21, where FFT can win).

    `overrides` (stride, padding, mode, dilation, flip) replace each case's own settings.
    """
    rng = np.random.default_rng(0)
    classroom = (rng.integers(-3, 4, (1, 1, 28, 28)), rng.integers(-2, 3, (8, 1, 3, 3)), {})
    layer = (rng.standard_normal((8, 64, 56, 56)), rng.standard_normal((64, 64, 3, 3)) * 0.05, {"padding": 1})
    large = (rng.standard_normal((1, 1, 224, 224)), rng.standard_normal((4, 1, 21, 21)) * 0.05, {"padding": 10})
    cases = []
    for name, (images, kernels, settings) in (
        ("classroom: (1,1,28,28) x (8,1,3,3)", classroom),
        ("layer: (8,64,56,56) x (64,64,3,3), padding 1", layer),
        ("large kernels: (1,1,224,224) x (4,1,21,21), padding 10", large),
    ):
        settings = {**settings, **_settings(overrides or {})}
        if "mode" in settings:
            settings.pop("padding", None)
        problem = build_problem(images.astype(np.float64), kernels.astype(np.float64), max_elements=None, **settings)
        cases.append(Case(name, problem, dtype))
    return cases


def _settings(overrides: dict) -> dict:
    """Command-line overrides (document keys) -> build_problem keywords."""
    keys = ("mode", "padding", "stride", "dilation", "flip")
    return {key: overrides[key] for key in keys if key in overrides}


def run_case(
    case: Case,
    methods=METHODS,
    repeat: int = 5,
    budget: float = 2.0,
    on_method: Callable[[str], None] | None = None,
) -> CaseResult:
    """Time every method on `case`: medians of `repeat` runs; loops stop after `budget` seconds."""
    p = case.problem
    dtype = np.dtype(case.dtype)
    images, kernels = p.images.astype(dtype), p.kernels.astype(dtype)
    bias = None if p.bias is None else p.bias.astype(dtype)
    reference = conv2d_nchw(p.images, p.kernels, p.bias, p.geometry, p.flip)  # float64
    tol = _tolerance(p, dtype)
    applied = kernels[:, :, ::-1, ::-1] if p.flip else kernels  # Winograd and FFT take kernels as applied
    strategy = choose_strategy(images.shape, kernels.shape, p.geometry)
    runners = {
        "naive": lambda deadline: _engine_loop(p, deadline),
        "per_position": lambda deadline: _per_position(images, kernels, bias, p.geometry, p.flip, deadline),
        "im2col": lambda deadline: (conv2d_im2col(images, kernels, bias, p.geometry, p.flip), None),
        "winograd": lambda deadline: (conv2d_winograd(images, applied, bias, p.geometry), None),
        "fft": lambda deadline: (conv2d_fft(images, applied, bias, p.geometry), None),
        "engine": lambda deadline: (conv2d_nchw(images, kernels, bias, p.geometry, p.flip), None),
    }
    timings = []
    for method in methods:
        if on_method:
            on_method(method)
        if method == "torch":
            timings.append(_time_torch(images, kernels, bias, p, reference, tol, repeat, budget))
            continue
        if method == "winograd" and not winograd_applies(kernels.shape, p.geometry):
            timings.append(Timing(method, None, 0, False, 0.0, None, None,
                                  "F(2x2, 3x3) needs 3x3 kernels, stride 1 and dilation 1"))
            continue
        if method not in ("naive", "per_position"):
            runners[method](None)  # warm-up: the first call sets up work arrays and threads
        timing = _time(method, runners[method], reference, tol, repeat, budget)
        timings.append(replace(timing, note=f"strategy {strategy!r}") if method == "engine" else timing)
    return CaseResult(case, tuple(timings), tol)


def _tolerance(problem: Problem, dtype: np.dtype) -> float:
    """Absolute tolerance: rounding grows with |x| * sum |w| and with the number of terms summed."""
    eps = float(np.finfo(dtype).eps)
    scale = float(np.abs(problem.images).max(initial=0) * np.abs(problem.kernels).sum(axis=(1, 2, 3)).max(initial=0))
    terms = int(np.prod(problem.kernel_shape[1:]))
    return max(16.0, 4.0 * terms**0.5) * eps * (1.0 + scale)


def _time(method, runner, reference, tol, repeat, budget) -> Timing:
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
    error = _max_error(output, reference, done)
    return Timing(method, statistics.median(times), len(times), done < 1.0, done, error, error <= tol)


def _max_error(output: np.ndarray, reference: np.ndarray, done: float) -> float:
    """Max |output - reference| over the positions computed (loops fill NaN where they did not get to)."""
    diff = np.abs(output.astype(np.float64) - reference)
    if done < 1.0:
        diff = diff[~np.isnan(diff)]
    return float(diff.max(initial=0.0))


def _engine_loop(problem: Problem, deadline):
    """The engine's own loop (engine/naive.py), one Step per position, in float64; stops at `deadline`.

    The deadline is looked at after every output row.
    """
    out = np.full(problem.output_shape, np.nan)
    last_col = problem.output_shape[3] - 1
    for step in trace(problem):
        out[step.n, step.k, step.row, step.col] = step.value
        if step.col == last_col and time.perf_counter() > deadline:
            return out, (step.step + 1) / out.size
    return out, 1.0


def _per_position(images, kernels, bias, g: Geometry, flip, deadline):
    """A loop over window positions only: each one handles every image and kernel (N, K) at once."""
    (top, bottom), (left, right) = g.padding
    x_pad = np.pad(images, ((0, 0), (0, 0), (top, bottom), (left, right)))
    w = kernels[:, :, ::-1, ::-1] if flip else kernels
    taps = windows(x_pad, g)  # (N, C, H', W', kh, kw)
    n_images, n_kernels, (h_out, w_out) = images.shape[0], w.shape[0], g.out_size
    out = np.full((n_images, n_kernels, h_out, w_out), np.nan, images.dtype)
    for row in range(h_out):
        for col in range(w_out):
            # (N, C, kh, kw) . (K, C, kh, kw) over (C, kh, kw) -> (N, K)
            out[:, :, row, col] = np.tensordot(taps[:, :, row, col], w, axes=([1, 2, 3], [1, 2, 3]))
        if time.perf_counter() > deadline:
            done = (row + 1) / h_out
            break
    else:
        done = 1.0
    if bias is not None:
        out += bias[None, :, None, None]
    return out, done


def torch_available() -> bool:
    """True when PyTorch can be imported (it is optional: only `bench` uses it)."""
    return importlib.util.find_spec("torch") is not None


def _time_torch(images, kernels, bias, p: Problem, reference, tol, repeat, budget) -> Timing:
    """torch.nn.functional.conv2d on the same arrays (padding applied first, so any padding works)."""
    if not torch_available():
        return Timing("torch", None, 0, False, 0.0, None, None, "torch is not installed")
    import torch
    import torch.nn.functional as F

    (top, bottom), (left, right) = p.geometry.padding
    x = torch.from_numpy(np.ascontiguousarray(images))
    w = torch.from_numpy(np.ascontiguousarray(kernels[:, :, ::-1, ::-1] if p.flip else kernels))
    b = None if bias is None else torch.from_numpy(np.ascontiguousarray(bias))
    stride, dilation = p.geometry.stride, p.geometry.dilation

    def runner(deadline):
        with torch.no_grad():
            if top == bottom and left == right:  # torch pads symmetric padding itself (faster)
                return F.conv2d(x, w, b, stride=stride, padding=(top, left), dilation=dilation).numpy(), None
            x_pad = F.pad(x, (left, right, top, bottom))
            return F.conv2d(x_pad, w, b, stride=stride, dilation=dilation).numpy(), None

    runner(0)  # the first call sets up kernels and thread pools
    timing = _time("torch", runner, reference, tol, repeat, budget)
    return replace(timing, note=f"torch {torch.__version__}, {torch.get_num_threads()} threads")


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
