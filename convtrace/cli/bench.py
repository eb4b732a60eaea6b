"""`convtrace bench`: time the naive loop against the better ways, on the same input."""

from __future__ import annotations

import json
import math

import click

from .params import Seconds

from .options import problem_options


@click.command(context_settings={"help_option_names": ["-h", "--help"]})
@problem_options
@click.option("--dtype", type=click.Choice(("float32", "float64")), default="float32", show_default=True,
              help="Number type to compute in (CNN layers use float32).")
@click.option("--repeat", type=click.IntRange(min=1, max=100), default=5, show_default=True, metavar="N",
              help="Timed runs per method; the table shows their median.")
@click.option("--budget", type=Seconds(0.01, 3600), default=2.0, show_default=True, metavar="SECONDS",
              help="Time per method; the loops stop after it and their time is estimated from the part done.")
@click.option("--no-torch", is_flag=True, help="Leave PyTorch out even when it is installed.")
@click.option("--json", "as_json", is_flag=True, help="Print the timings as one JSON object.")
def bench(source, dtype, repeat, budget, no_torch, as_json):
    """Time the ways to compute a convolution on FILE (none: a classroom case, a ResNet layer, large kernels).

    \b
    The engine's naive loop, the per-position loop (every image and kernel at
    once), im2col + one matrix product, Winograd F(2x2, 3x3), FFT, the
    vectorized engine's own choice, and PyTorch when it is installed. Each is
    checked against the float64 result; the table shows times, speed-ups over
    the naive loop and effective GFLOP/s, then a bar chart and which way wins
    and why.

    \b
    A FILE with groups, transposed, pool or dims 1 / 3 times that layer: its
    own naive loop, the vectorized engine and PyTorch's matching function
    (conv2d with groups, conv_transpose2d, max_pool2d, avg_pool2d, conv1d,
    conv3d, ...); the 2-D-only methods say why they do not apply.

    \b
    Examples:
      convtrace bench                        the three built-in cases
      convtrace bench input.json --dtype float64
      convtrace bench --repeat 9 --budget 5  steadier numbers on a busy machine
      convtrace bench --json                 timings for scripts
      convtrace bench depthwise.json         a depthwise (or pooling, 1-D, 3-D, transposed) layer
    """
    from ..teach.bench import METHODS, Case, default_cases, machine, run_case

    if source.file is None and not (source.images or source.random or source.example):
        cases = default_cases(dtype, source.overrides)
    else:
        cases = [Case(source.name, _load(source), dtype)]
    methods = tuple(m for m in METHODS if not (no_torch and m == "torch"))
    if as_json:
        results = [run_case(case, methods, repeat, budget) for case in cases]
        # JSON has no Infinity or NaN (a speedup over a zero time, an error on overflowing values): null
        click.echo(json.dumps(_finite(_record(results, machine())), allow_nan=False))
        return

    from rich.console import Console

    from ..render.views.bench import BenchView
    from ..teach.verdict import verdict

    console = Console(highlight=False)
    for case in cases:
        if console.is_terminal:
            with console.status(f"timing {case.name} ...") as status:
                result = run_case(case, methods, repeat, budget,
                                  on_method=lambda m: status.update(f"timing {case.name}: {m} ..."))
        else:
            result = run_case(case, methods, repeat, budget)
        console.print(BenchView(result, verdict(result)))
    console.print(_legend(cases, methods, machine()))


def _load(source):
    """The document's problem; options that do not fit its layer are a usage error (exit 2) naming them.

    A document that is wrong on its own stays a data error (exit 1), and so does a plain 2-D convolution
    with a bad option (as before layers could be timed).
    """
    from dataclasses import replace

    from ..errors import ConvtraceError, DataError, UsageError

    try:
        return source.load()
    except DataError as err:
        if not source.overrides:
            raise
        try:
            alone = replace(source, overrides={}).load()
        except ConvtraceError:
            raise err from None
        if alone.is_plain_conv2d:
            raise
        options = ", ".join(f"--{key}" for key in source.overrides)
        raise UsageError(f"{err} (this comes from {options} on the command line; the document works "
                         f"without it)") from None


def _legend(cases, methods, machine_info):
    """The methods' legend: the 2-D one, or the layer's own when the case is another layer."""
    from ..render.views.bench import MethodsLegend

    layer_cases = [case for case in cases if not case.problem.is_plain_conv2d]
    if not layer_cases:
        return MethodsLegend(methods, machine_info)
    from ..teach.bench_layers import layer_descriptions, legend_about

    return MethodsLegend(methods, machine_info, layer_descriptions(layer_cases[0]), legend_about(layer_cases[0]))


def _fastest(result) -> dict | None:
    """The verdict as plain data: the fastest method, by how much, and why."""
    from ..teach.verdict import verdict

    v = verdict(result)
    if v is None:
        return None
    return {"method": v.winner, "seconds": v.seconds, "runner_up": v.runner_up, "factor": v.factor,
            "reasons": list(v.reasons)}


def _record(results, machine_info: dict) -> dict:
    """Timings as plain data: per case, per method (seconds, runs, estimated, speedup, gflops, agreement).

    Every case also says its layer (conv, conv_transpose, max_pool, avg_pool), dims, groups, and its
    `operations` counted as `operation` (multiply-adds, comparisons or additions).
    """
    cases = []
    for r in results:
        p = r.case.problem
        methods = {}
        for t in r.timings:
            methods[t.method] = {
                "seconds": t.seconds, "runs": t.runs, "estimated": t.estimated, "done": t.done,
                "speedup_vs_naive": r.speedup(t), "gflops": r.gflops(t),
                "max_error": t.max_error, "agrees": t.agrees, "note": t.note,
            }
        cases.append({
            "name": r.case.name, "dtype": r.case.dtype,
            "input_shape": list(p.input_shape),
            "kernel_shape": None if p.kernel_shape is None else list(p.kernel_shape),
            "output_shape": list(p.output_shape), "flops": r.case.flops, "tolerance": r.tolerance,
            "methods": methods, "fastest": _fastest(r),
            # which layer, and its work counted the direct method's way (pooling: no flops)
            "layer": p.layer, "kind": r.case.kind, "dims": p.dims, "groups": p.groups,
            "pool_size": None if p.layer not in ("max_pool", "avg_pool") else list(p.geometry.kernel_size),
            "operations": r.case.operations, "operation": r.case.operation,
        })
    return {"machine": machine_info, "cases": cases}


def _finite(value):
    """Plain data with every non-finite float replaced by None."""
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, dict):
        return {key: _finite(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [_finite(item) for item in value]
    return value
