"""How quickly the tracer answers, at any size: start-up, the big stem layer, and steps per second.

    python benchmarks/bench_tracer.py                  # every figure (about 4 minutes: the full jsonl stream)
    python benchmarks/bench_tracer.py --quick          # skip the full 802,816-step jsonl stream
    python benchmarks/bench_tracer.py --convtrace PATH # another convtrace executable

Figures and targets (medians of --runs runs; wall-clock time of the command unless said otherwise):

  convtrace --help                                     <= 0.25 s
  convtrace run (built-in example, the step view)      <= 1 s
  (1,3,224,224) x (64,3,7,7) s2 p3, 802,816 positions:
    first step frame shown                             <= 2 s
    run --json (the whole output)                      <= 6 s
    peak memory streaming every jsonl step             <= 400 MiB
  (1,1,28,28) x (8,1,3,3), 5,408 positions:
    --format jsonl                                     >= 20,000 steps/s
    the Rich step view (--limit 5408) to a file        >= 300 steps/s
    the engine alone (in-process)                      >= 150,000 steps/s

The jsonl rate is that of the writer `convtrace run --format jsonl` uses
(engine, records, output to /dev/null), timed in-process; the whole command,
start-up included, is given beside it. The step view's rate is over the whole
command, and beside it without the command's fixed part (its time with
--limit 1). Prints a markdown table; exits 1 when a target is missed.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np


def stem_doc() -> dict:
    rng = np.random.default_rng(0)
    return {"images": np.round(rng.standard_normal((1, 3, 224, 224)), 3).tolist(),
            "kernels": np.round(rng.standard_normal((64, 3, 7, 7)) * 0.1, 3).tolist(),
            "stride": 2, "padding": 3}


def mnist_doc() -> dict:
    rng = np.random.default_rng(2024)
    return {"images": rng.integers(0, 256, (1, 1, 28, 28)).tolist(),
            "kernels": rng.integers(-2, 3, (8, 1, 3, 3)).tolist()}


def wall(command: list[str], runs: int) -> float:
    """Median wall time of the command, its output thrown away."""
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def to_file(command: list[str], runs: int, path: Path) -> float:
    """Median wall time of the command with stdout redirected to a file."""
    times = []
    for _ in range(runs):
        with open(path, "w") as out:
            start = time.perf_counter()
            subprocess.run(command, stdout=out, stderr=subprocess.DEVNULL, check=True)
            times.append(time.perf_counter() - start)
    return statistics.median(times)


def first_line_time(command: list[str], marker: str, runs: int) -> float:
    """Median time until a stdout line containing `marker` arrives (the process is then stopped)."""
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        for line in process.stdout:
            if marker in line:
                times.append(time.perf_counter() - start)
                break
        process.kill()
        process.wait()
    return statistics.median(times)


def peak_rss_mib(command: list[str]) -> tuple[float, float]:
    """(peak resident memory in MiB, seconds) of one run, measured by a fresh Python parent."""
    probe = ("import resource, subprocess, sys, time; t = time.perf_counter(); "
             "subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, check=True); "
             "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, time.perf_counter() - t)")
    out = subprocess.run([sys.executable, "-c", probe, *command], capture_output=True, text=True, check=True)
    kib, seconds = out.stdout.split()
    return int(kib) / 1024, float(seconds)


def engine_rate(path: Path, runs: int) -> float:
    """Steps per second of convtrace.trace alone, in this process."""
    import convtrace

    problem = convtrace.load(str(path))
    rates = []
    for _ in range(runs):
        start = time.perf_counter()
        count = sum(1 for _ in convtrace.trace(problem))
        rates.append(count / (time.perf_counter() - start))
    return statistics.median(rates)


def jsonl_rate(path: Path, runs: int) -> float:
    """Steps per second of the jsonl writer of `convtrace run` (engine + records + output), in this process."""
    import convtrace
    from convtrace.cli.lines_out import write_lines
    from convtrace.cli.run import _jsonl_line

    problem = convtrace.load(str(path))
    rates, saved = [], sys.stdout
    with open(os.devnull, "w") as sink:
        try:
            sys.stdout = sink
            for _ in range(runs):
                start = time.perf_counter()
                write_lines(map(_jsonl_line(), convtrace.trace(problem)))
                rates.append(problem.steps / (time.perf_counter() - start))
        finally:
            sys.stdout = saved
    return statistics.median(rates)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--quick", action="store_true", help="skip the full jsonl stream of the stem layer")
    beside = Path(sys.executable).parent / "convtrace"  # the one installed with this Python
    parser.add_argument("--convtrace", default=str(beside) if beside.exists() else shutil.which("convtrace") or "convtrace",
                        help="the convtrace command to time (default: the one next to this Python)")
    args = parser.parse_args()
    exe, runs = [args.convtrace], args.runs
    rows = []

    def row(figure: str, value: float, unit: str, target: str, ok: bool, note: str = "") -> None:
        rows.append((figure, f"{value:,.3g} {unit}" if value < 1000 else f"{value:,.0f} {unit}", target,
                     "yes" if ok else "NO", note))

    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        stem, mnist = tmp / "stem.json", tmp / "mnist.json"
        stem.write_text(json.dumps(stem_doc()))
        mnist.write_text(json.dumps(mnist_doc()))

        t = wall(exe + ["--help"], runs)
        row("`convtrace --help`", t, "s", "<= 0.25 s", t <= 0.25)
        t = wall(exe + ["run"], runs)
        row("`convtrace run` (built-in example)", t, "s", "<= 1 s", t <= 1.0)

        t = first_line_time(exe + ["run", str(stem)], "step 1 of", runs)
        row("stem 802,816 positions: first step shown", t, "s", "<= 2 s", t <= 2.0)
        t = wall(exe + ["run", str(stem), "--json"], runs)
        row("stem: `run --json`", t, "s", "<= 6 s", t <= 6.0)
        if args.quick:
            mib, seconds = peak_rss_mib(exe + ["run", str(stem), "--format", "jsonl", "--limit", "50000"])
            row("stem: peak memory, first 50,000 jsonl steps", mib, "MiB", "<= 400 MiB", mib <= 400,
                f"{seconds:.1f} s")
        else:
            mib, seconds = peak_rss_mib(exe + ["run", str(stem), "--format", "jsonl"])
            row("stem: peak memory, all 802,816 jsonl steps", mib, "MiB", "<= 400 MiB", mib <= 400,
                f"{seconds:.0f} s, {802_816 / seconds:,.0f} steps/s")

        steps = 5408
        rate = jsonl_rate(mnist, runs)
        full = wall(exe + ["run", str(mnist), "--format", "jsonl"], runs)
        row("5,408 steps: `--format jsonl`", rate, "steps/s", ">= 20,000", rate >= 20_000,
            f"in-process writer; the whole command incl. start-up: {full:.2f} s = {steps / full:,.0f} steps/s")
        command = exe + ["run", str(mnist), "--limit", str(steps)]
        full = to_file(command, runs, tmp / "view.txt")
        start_up = to_file(command[:-1] + ["1"], runs, tmp / "view.txt")
        whole, streaming = steps / full, steps / max(full - start_up, 1e-9)
        row("5,408 steps: Rich step view to a file", whole, "steps/s", ">= 300", whole >= 300,
            f"whole command; without start-up and the final maps: {streaming:,.0f} steps/s")
        rate = engine_rate(mnist, runs)
        row("5,408 steps: the engine alone", rate, "steps/s", ">= 150,000", rate >= 150_000, "in-process")

    print(f"\n{runs} runs each, medians; {os.cpu_count()} cores\n")
    print("| figure | measured | target | met | note |")
    print("|---|---|---|---|---|")
    for figure in rows:
        print("| " + " | ".join(figure) + " |")
    return 0 if all(r[3] == "yes" for r in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
