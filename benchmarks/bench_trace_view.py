"""How fast the trace view is: the full step view and `--format plain`, printed to a file.

The case: one 28x28 single-channel image (MNIST-sized) and eight 3x3 kernels,
(1, 1, 28, 28) x (8, 1, 3, 3) -> (1, 8, 26, 26), 5,408 window positions.

    python benchmarks/bench_trace_view.py            # in-process and command-line figures
    python benchmarks/bench_trace_view.py --quick    # in-process only

Targets: the step view at least 300 steps/s, plain at least 20,000 steps/s.
In-process figures time the rendering loop alone (wall clock, best of --runs);
command-line figures time `convtrace run` with stdout redirected to a file, by
the CPU time of the process, with and without its start-up.
Exits 1 when a target is missed.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

TARGETS = {"rich": 300.0, "plain": 20_000.0}


def mnist_like() -> dict:
    """A deterministic document: 0..255 pixel values, small integer kernels."""
    rng = np.random.default_rng(2024)
    images = rng.integers(0, 256, size=(1, 1, 28, 28))
    kernels = rng.integers(-2, 3, size=(8, 1, 3, 3))
    return {"title": "benchmark: 1x1x28x28 with eight 3x3 kernels", "images": images.tolist(), "kernels": kernels.tolist()}


def best_of(runs: int, work) -> float:
    """The shortest of `runs` timings of work(): the least disturbed by other processes."""
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        work()
        times.append(time.perf_counter() - start)
    return min(times)


def in_process(doc: dict, runs: int) -> dict[str, float]:
    from rich.console import Console

    from convtrace.engine.naive import trace
    from convtrace.source.problem import problem_from_document
    from convtrace.render.output.plain import plain_line
    from convtrace.render.play.player import Player

    problem = problem_from_document(doc)
    steps = problem.steps

    def rich_view():
        with open(os.devnull, "w", encoding="utf-8") as sink:
            console = Console(file=sink, width=100)  # not a terminal: what `> file` gets
            Player(problem, trace(problem), console, limit=steps).print_all()

    def plain():
        sink = io.StringIO()
        for step in trace(problem):
            sink.write(plain_line(step))
            sink.write("\n")

    return {"rich": steps / best_of(runs, rich_view), "plain": steps / best_of(runs, plain)}


def child_cpu() -> float:
    """CPU seconds used so far by finished child processes (user + system)."""
    import resource

    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def command_line(path: str, steps: int, runs: int) -> dict[str, tuple[float, float]]:
    """`convtrace run FILE --limit N > out` and `--format plain > out`.

    Returns (steps/s end to end, steps/s after start-up) per format. Both come
    from the child's CPU time, which a busy machine disturbs far less than the
    wall clock; start-up (Python, numpy, reading the file) is timed with `--limit 0`.
    """
    executable = [sys.executable, "-m", "convtrace", "run", path]
    env = {**os.environ, "COLUMNS": "100"}
    results = {}
    with tempfile.TemporaryFile("w") as out:
        def timed(extra):
            best = float("inf")
            for _ in range(runs):
                out.seek(0)
                out.truncate()
                before = child_cpu()
                subprocess.run(executable + extra, stdout=out, check=True, env=env)
                best = min(best, child_cpu() - before)
            return best

        startup = timed(["--format", "plain", "--limit", "0"])
        for name, extra in (("rich", ["--limit", str(steps)]), ("plain", ["--format", "plain"])):
            total = timed(extra)
            results[name] = (steps / total, steps / max(total - startup, 1e-9))
    print(f"command line start-up (--limit 0): {startup * 1000:.0f} ms of CPU")
    return results


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="in-process figures only")
    parser.add_argument("--runs", type=int, default=3, help="timings per figure; the best counts (default 3)")
    args = parser.parse_args()

    doc = mnist_like()
    steps = 1 * 8 * 26 * 26
    print(f"case: (1, 1, 28, 28) x (8, 1, 3, 3) -> (1, 8, 26, 26), {steps} window positions; best of {args.runs}")
    figures = {"in-process": in_process(doc, args.runs)}
    if not args.quick:
        with tempfile.TemporaryDirectory() as folder:
            path = str(Path(folder) / "mnist_like.json")
            Path(path).write_text(json.dumps(doc), encoding="utf-8")
            figures["command line"] = command_line(path, steps, args.runs)

    missed = False
    for where, results in figures.items():
        for name, rate in results.items():
            label = "step view (rich)" if name == "rich" else "--format plain"
            extra = ""
            if isinstance(rate, tuple):  # command line: end to end, and after start-up
                extra = f"  ({rate[0]:,.0f} steps/s end to end, start-up included)"
                rate = rate[1]
                where_label = "command line, after start-up"
            else:
                where_label = where
            ok = rate >= TARGETS[name]
            missed |= not ok
            print(f"{where_label:>29}  {label:<17} {rate:>10,.0f} steps/s  "
                  f"(target {TARGETS[name]:,.0f}: {'ok' if ok else 'MISSED'}){extra}")
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
