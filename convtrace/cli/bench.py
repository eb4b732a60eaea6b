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
    Examples:
      convtrace bench                        the three built-in cases
      convtrace bench input.json --dtype float64
      convtrace bench --repeat 9 --budget 5  steadier numbers on a busy machine
      convtrace bench --json                 timings for scripts
    """
    from ..teach.bench import METHODS, Case, default_cases, machine, run_case

    if source.file is None and not (source.images or source.random or source.example):
        cases = default_cases(dtype, source.overrides)
    else:
        problem = source.load()
        if not problem.is_plain_conv2d:
            from ..errors import UsageError

            raise UsageError(
                f"bench times the ways to compute a 2-D convolution without groups; this document is a "
                f"{problem.layer} layer with dims {problem.dims} and groups {problem.groups}. Trace it with "
                f"`convtrace run`; benchmarks/bench_layers_vs_torch.py times the other layers against PyTorch"
            )
        cases = [Case(source.name, problem, dtype)]
    methods = tuple(m for m in METHODS if not (no_torch and m == "torch"))
    if as_json:
        results = [run_case(case, methods, repeat, budget) for case in cases]
        # JSON has no Infinity or NaN (a speedup over a zero time, an error on overflowing values): null
        click.echo(json.dumps(_finite(_record(results, machine())), allow_nan=False))
        return

    from rich.console import Console

    from ..render.bench import BenchView, MethodsLegend
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
    console.print(MethodsLegend(methods, machine()))


def _fastest(result) -> dict | None:
    """The verdict as plain data: the fastest method, by how much, and why."""
    from ..teach.verdict import verdict

    v = verdict(result)
    if v is None:
        return None
    return {"method": v.winner, "seconds": v.seconds, "runner_up": v.runner_up, "factor": v.factor,
            "reasons": list(v.reasons)}


def _record(results, machine_info: dict) -> dict:
    """Timings as plain data: per case, per method (seconds, runs, estimated, speedup, gflops, agreement)."""
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
            "input_shape": list(p.input_shape), "kernel_shape": list(p.kernel_shape),
            "output_shape": list(p.output_shape), "flops": r.case.flops, "tolerance": r.tolerance,
            "methods": methods, "fastest": _fastest(r),
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
