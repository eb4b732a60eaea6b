"""Timing the other layers: groups and depthwise, 1-D, 3-D, transposed, max and average pooling.

Three methods run on every such layer, on the same input:

  naive loop         the layer's own loop (engine/dispatch.py trace_layer: engine/naive_conv.py,
                     naive_transposed.py, naive_pool.py): one LayerStep per output value, float64
  vectorized engine  engine/dispatch.py layer_output (convtrace.conv1d, conv_transpose2d, max_pool3d, ...)
  PyTorch            the matching torch.nn.functional call, when torch is installed

The loop gets the same time budget as the 2-D naive loop, and is estimated
from the part it did when it runs out. Every result is checked against the
float64 vectorized engine. The 2-D methods that are written for plain 2-D
convolution (per-position loop, im2col, Winograd, FFT) say why they do not
apply instead of running.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import replace

import numpy as np

from ..engine.dispatch import layer_output, trace_layer
from ..source.problem import Problem
from . import bench_timing
from .bench_cases import METHODS, Case, CaseResult
from .bench_timing import Timing, not_run, time_method

TWO_D_ONLY = {
    "per_position": "the per-position loop",
    "im2col": "engine/im2col.py",
    "winograd": "engine/winograd.py",
    "fft": "engine/fft.py",
}
POOL_REASONS = {
    "per_position": "pooling has no kernels to contract with; its loop over windows is the naive loop",
    "im2col": "pooling has no kernel matrix: im2col turns sums of products into one matrix product",
    "winograd": "Winograd saves multiplications by a kernel; pooling has no kernel",
    "fft": "FFT turns products with a kernel into products of spectra; pooling has no kernel",
}


def run_layer_case(
    case: Case,
    methods=METHODS,
    repeat: int = 5,
    budget: float = 2.0,
    on_method: Callable[[str], None] | None = None,
) -> CaseResult:
    """Time the layer's naive loop, the vectorized engine and PyTorch on `case`; the rest say why not."""
    p = case.problem
    dtype = np.dtype(case.dtype)
    timed = in_dtype(p, dtype)
    reference = layer_output(p)  # float64
    tol = layer_tolerance(p, dtype)
    timings = []
    for method in methods:
        if on_method:
            on_method(method)
        if method == "naive":
            timings.append(time_method(method, lambda deadline: _layer_loop(p, deadline), reference, tol,
                                       repeat, budget))
        elif method == "engine":
            layer_output(timed)  # warm-up: the first call sets up work arrays and threads
            timing = time_method(method, lambda deadline: (layer_output(timed), None), reference, tol,
                                 repeat, budget)
            timings.append(replace(timing, note=engine_note(p)))
        elif method == "torch":
            timings.append(_time_torch(timed, reference, tol, repeat, budget))
        else:
            timings.append(not_run(method, not_applicable(method, case)))
    return CaseResult(case, tuple(timings), tol)


def in_dtype(problem: Problem, dtype: np.dtype) -> Problem:
    """The same layer with its arrays in `dtype` (what the engine and PyTorch are timed in)."""
    def cast(array):
        return None if array is None else array.astype(dtype)

    return replace(problem, images=cast(problem.images), kernels=cast(problem.kernels), bias=cast(problem.bias),
                   grad_output=None)


def layer_tolerance(problem: Problem, dtype: np.dtype) -> float:
    """Absolute tolerance: rounding grows with |x| * sum |w| and with the number of terms summed.

    Pooling sums (or compares) the window's values with weight 1.
    """
    eps = float(np.finfo(dtype).eps)
    biggest = float(np.abs(problem.images).max(initial=0))
    if problem.kernels is None:
        terms = math.prod(problem.geometry.kernel_size)
        weights = float(terms) if problem.layer == "avg_pool" else 1.0
    elif problem.layer == "conv_transpose":  # kernels (C, K/G, *k): output channel j sums over the input channels
        weights = float(np.abs(problem.kernels).sum(axis=(0, *range(2, problem.kernels.ndim))).max(initial=0))
        terms = math.prod(problem.kernel_shape) // problem.kernel_shape[1]
    else:  # kernels (K, C/G, *k)
        weights = float(np.abs(problem.kernels).reshape(problem.kernels.shape[0], -1).sum(axis=1).max(initial=0))
        terms = math.prod(problem.kernel_shape[1:])
    return max(16.0, 4.0 * terms**0.5) * eps * (1.0 + biggest * weights)


def _layer_loop(problem: Problem, deadline):
    """The layer's own naive loop, one LayerStep per output value, in float64; stops at `deadline`.

    The deadline is looked at after every line of the last spatial axis (a row in 2-D).
    """
    out = np.full(problem.output_shape, np.nan)
    last = problem.geometry.out_size[-1] - 1
    for step in trace_layer(problem):
        out[(step.n, step.k, *step.position)] = step.value
        if step.position[-1] == last and time.perf_counter() > deadline:
            return out, (step.step + 1) / out.size
    return out, 1.0


def not_applicable(method: str, case: Case) -> str:
    """Why a method written for plain 2-D convolution does not run on this layer."""
    p = case.problem
    if case.is_pool:
        return POOL_REASONS[method]
    if p.dims != 2:
        why = f"written for 2-D images; this layer is {p.dims}-D"
    elif p.layer == "conv_transpose":
        why = "written for the forward convolution; a transposed one is its input gradient (a scatter)"
    else:
        why = f"written for one group; this layer has {p.groups}"
    return f"{TWO_D_ONLY[method]} is {why}"


def engine_note(problem: Problem) -> str:
    """Which part of the vectorized engine computes this layer, and how."""
    if problem.layer == "max_pool":
        return "engine/pooling.py: one argmax over a strided view of every window"
    if problem.layer == "avg_pool":
        return "engine/pooling.py: one sum over a strided view of every window, then the divisors"
    if problem.layer == "conv_transpose":
        return "engine/layers.py: a scatter, one matrix product per group for every tap"
    depthwise = problem.groups == problem.images.shape[1] == problem.kernels.shape[0]
    if depthwise and all(s == 1 for s in problem.geometry.stride):
        return "engine/depthwise.py: one multiply-add per kernel tap over every channel's whole row"
    return "engine/layers.py: one multiply-add (a matrix product per group) per kernel tap"


def torch_function(problem: Problem) -> str:
    """The torch.nn.functional name of this layer: conv1d, conv_transpose2d, max_pool3d, avg_pool2d, ..."""
    return f"{problem.layer}{problem.dims}d"


def describe_torch(problem: Problem) -> str:
    """'torch.nn.functional.conv2d(groups=3)': the call, with the argument that makes the layer what it is."""
    extra = f"(groups={problem.groups})" if problem.groups > 1 else ""
    return f"torch.nn.functional.{torch_function(problem)}{extra}"


def _time_torch(timed: Problem, reference, tol, repeat, budget) -> Timing:
    """The matching torch.nn.functional call on the same arrays (uneven padding applied first with F.pad)."""
    if not bench_timing.torch_available():
        return not_run("torch", "torch is not installed")
    import torch
    import torch.nn.functional as F

    g = timed.geometry
    function = getattr(F, torch_function(timed))
    x = torch.from_numpy(np.ascontiguousarray(timed.images))
    before = tuple(a.before for a in g.axes)
    if timed.layer in ("conv", "conv_transpose"):
        w = torch.from_numpy(np.ascontiguousarray(timed.applied_kernels))
        b = None if timed.bias is None else torch.from_numpy(np.ascontiguousarray(timed.bias))
    if timed.layer == "conv":
        even = all(a.before == a.after for a in g.axes)
        pad = [side for a in reversed(g.axes) for side in (a.before, a.after)]  # F.pad: last axis first

        def call():
            if even:  # torch pads symmetric padding itself (faster)
                return function(x, w, b, stride=g.stride, padding=before, dilation=g.dilation, groups=timed.groups)
            return function(F.pad(x, pad), w, b, stride=g.stride, dilation=g.dilation, groups=timed.groups)
    elif timed.layer == "conv_transpose":
        def call():
            return function(x, w, b, stride=g.stride, padding=before, output_padding=g.output_padding,
                            groups=timed.groups, dilation=g.dilation)
    elif timed.layer == "max_pool":
        def call():
            return function(x, g.kernel_size, g.stride, before, g.dilation, ceil_mode=timed.ceil_mode)
    else:
        def call():
            return function(x, g.kernel_size, g.stride, before, ceil_mode=timed.ceil_mode,
                            count_include_pad=timed.count_include_pad)

    def runner(deadline):
        with torch.no_grad():
            return call().numpy(), None

    runner(0)  # the first call sets up kernels and thread pools
    timing = time_method("torch", runner, reference, tol, repeat, budget)
    return replace(timing, note=f"{describe_torch(timed)}, torch {torch.__version__}, "
                                f"{torch.get_num_threads()} threads")


def layer_descriptions(case: Case) -> dict[str, str]:
    """What each method is on this layer, for the legend under the table."""
    p = case.problem
    loops = {"conv": "engine/naive_conv.py", "conv_transpose": "engine/naive_transposed.py (the gather view)",
             "max_pool": "engine/naive_pool.py", "avg_pool": "engine/naive_pool.py"}
    described = {
        "naive": f"{loops[p.layer]}: one LayerStep per output value, float64",
        "engine": "engine/dispatch.py layer_output" + (
            "" if p.layer == "conv" and p.dims == 2 else f", as convtrace.{torch_function(p)} computes it"),
        "torch": describe_torch(p),
    }
    return {m: described.get(m, "written for plain 2-D convolution: not run on this layer") for m in METHODS}


def legend_about(case: Case) -> str:
    """How the GFLOP/s column is meant on this layer (the sentence under the legend)."""
    if case.is_pool:
        return (f"No GFLOP/s: pooling multiplies nothing; the header counts {case.operation} "
                "(a window of t values takes t-1). ")
    if case.problem.layer == "conv_transpose":
        return ("GFLOP/s are effective: every method is credited with the direct scatter's "
                "2*N*C*S*(K/groups)*k operations. ")
    return ("GFLOP/s are effective: every method is credited with the direct method's "
            "2*N*K*O*(C/groups)*k operations. ")
