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

The other layers (groups, depthwise, 1-D, 3-D, transposed, pooling) have
their own runners in teach/bench_layers.py: their naive loop, the vectorized
engine and PyTorch. The names, cases and results are in teach/bench_cases.py;
the timing machinery in teach/bench_timing.py.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import replace

import numpy as np

from ..engine.fast import choose_strategy, conv2d_nchw, windows
from ..engine.fft import conv2d_fft
from ..engine.im2col import conv2d_im2col
from ..engine.naive import trace
from ..engine.winograd import applies as winograd_applies, conv2d_winograd
from ..source.geometry import Geometry
from ..source.problem import Problem
from .bench_cases import DESCRIPTIONS, LABELS, METHODS, Case, CaseResult, default_cases
from .bench_timing import Timing, machine, not_run, time_method as _time, torch_available

__all__ = ["DESCRIPTIONS", "LABELS", "METHODS", "Case", "CaseResult", "Timing", "default_cases", "machine",
           "run_case", "torch_available"]


def run_case(
    case: Case,
    methods=METHODS,
    repeat: int = 5,
    budget: float = 2.0,
    on_method: Callable[[str], None] | None = None,
) -> CaseResult:
    """Time every method on `case`: medians of `repeat` runs; loops stop after `budget` seconds.

    Layers other than plain 2-D convolution go to teach/bench_layers.py.
    """
    p = case.problem
    if not p.is_plain_conv2d:
        from .bench_layers import run_layer_case

        return run_layer_case(case, methods, repeat, budget, on_method)
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
            timings.append(not_run(method, "F(2x2, 3x3) needs 3x3 kernels, stride 1 and dilation 1"))
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


def _time_torch(images, kernels, bias, p: Problem, reference, tol, repeat, budget) -> Timing:
    """torch.nn.functional.conv2d on the same arrays (padding applied first, so any padding works)."""
    if not torch_available():
        return not_run("torch", "torch is not installed")
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
