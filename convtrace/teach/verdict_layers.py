"""Which way wins on a layer other than plain 2-D convolution, and why: grouped, depthwise, 1-D, 3-D,
transposed, pooling.

The counts come from the shapes (the case's own `operations`, the window
sizes), the times from the bench result; render/views/bench.py only prints them.
"""

from __future__ import annotations

import math

from .bench_cases import LABELS, CaseResult
from .bench_layers import describe_torch
from .verdict import Verdict, finished


def layer_verdict(result: CaseResult) -> Verdict | None:
    """The fastest method that agrees with the float64 result, by how much, and why; None when none finished."""
    ranked = finished(result)
    if not ranked:
        return None
    best = ranked[0]
    second = ranked[1] if len(ranked) > 1 else None
    factor = second.seconds / best.seconds if second else None
    reasons = [why_layer(best.method, result)]
    naive = result.timing("naive")
    if best.method != "naive" and naive is not None and naive.seconds:
        reasons.append(why_the_loop_is_slow(result))
    return Verdict(best.method, best.seconds, second.method if second else None, factor, tuple(reasons))


def _counts(result: CaseResult) -> dict:
    """Output values, window taps, the work of one output value in the loop, the direct method's total."""
    case = result.case
    p = case.problem
    taps = math.prod(p.geometry.kernel_size)
    if case.is_pool:
        per_value = taps  # the loop reads every value of the window
    elif p.layer == "conv_transpose":
        per_value = p.kernel_shape[0] // p.groups * taps  # the gather view: C/G channels of the window
    else:
        per_value = p.kernel_shape[1] * taps  # C/G channels of the window
    return {"steps": p.steps, "taps": taps, "per_value": per_value, "operations": case.operations,
            "gather": p.steps * per_value, "groups": p.groups}


def why_layer(method: str, result: CaseResult) -> str:
    """Why `method` is fast on this layer, with its numbers."""
    q = _counts(result)
    case = result.case
    p = case.problem
    if method == "torch":
        return (f"PyTorch: {describe_torch(p)} runs compiled, vectorized loops over the "
                f"{q['steps']:,} output values, no Python between them.")
    if method == "naive":
        return (f"naive loop: the layer is tiny ({q['steps']:,} output values): setting up the engine's arrays "
                "costs more than the loop's few steps.")
    if case.is_pool:
        what = "argmax" if p.layer == "max_pool" else "sum"
        return (f"{LABELS[method]}: one NumPy {what} over a strided view of all {q['steps']:,} windows "
                f"({q['taps']} values each) at once, instead of one Python step per window.")
    if p.layer == "conv_transpose":
        return (f"{LABELS[method]}: it scatters: each input value times its group's kernels, "
                f"{q['operations']:,} multiply-adds in one matrix product per group, then one add per kernel tap "
                f"({q['taps']}); the naive loop's gather view does {q['gather']:,}, because it also multiplies the "
                "zeros it inserts between and around the input values.")
    depthwise = p.groups == p.images.shape[1] and p.kernel_shape[1] == 1
    if depthwise:
        return (f"{LABELS[method]}: depthwise, one channel per kernel: no matrix product to build, each of the "
                f"{q['taps']} kernel taps is one multiply-add over whole maps, {q['operations']:,} in all.")
    groups = f", each one product for all {q['groups']} groups" if q["groups"] > 1 else ""
    return (f"{LABELS[method]}: the {q['operations']:,} multiply-adds run as one matrix product per kernel tap "
            f"({q['taps']} taps{groups}), "
            "with no Python between the output values.")


def why_the_loop_is_slow(result: CaseResult) -> str:
    """The naive loop's cost in Python steps, and how much slower it was here."""
    q = _counts(result)
    naive = result.timing("naive")
    unit = "values read" if result.case.is_pool else "multiply-adds"
    slower = result.speedup(finished(result)[0])
    times = f", {slower:,.0f}x slower here" if slower and slower >= 100 else (
        f", {slower:.3g}x slower here" if slower else "")
    estimated = " (estimated from the part it did)" if naive.estimated else ""
    return (f"The naive loop pays Python's cost once per output value: {q['steps']:,} steps of "
            f"{q['per_value']:,} {unit}{times}{estimated}.")
