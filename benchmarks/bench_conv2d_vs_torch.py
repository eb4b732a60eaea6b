"""convtrace.conv2d (NumPy) against torch.nn.functional.conv2d on three CNN layers, float32, 2 threads.

    .venv/bin/python benchmarks/bench_conv2d_vs_torch.py --torch-python /path/to/python-with-torch
    python benchmarks/bench_conv2d_vs_torch.py --pairs 5 --rounds 15 --strategies   # torch in this Python

The layers:
  (8, 64, 56, 56) x (64, 64, 3, 3), padding 1        a ResNet block
  (1, 3, 224, 224) x (64, 3, 7, 7), stride 2, pad 3  a ResNet stem
  (32, 16, 28, 28) x (32, 16, 5, 5), padding 2       a small 5x5 layer

Each library runs in its own process: the worker threads of one (OpenMP for
torch, OpenBLAS for NumPy) keep spinning for a while after a call and would
slow the other one down if both shared a process. Processes for the two
libraries alternate (--pairs of them), each timing --rounds calls back to
back after WARM_UP untimed calls (and at least WARM_UP_SECONDS, while the
BLAS threads started at import spin); a library's time is the median over
all its calls, and its worst call shows how steady it is. convtrace runs in this script's Python,
torch in --torch-python's (default: this one), so torch need not be installed
next to convtrace.

The targets: the geometric mean of convtrace/torch median-time ratios <= 0.8,
no layer above 1.0, results equal within float32 rounding, and convtrace's
slowest call of a process within 1.3 times that process's median (median over
the processes). Prints a markdown table; exits 1 when a target is missed.

Threads: torch.set_num_threads(2); NumPy's BLAS threads are reported via
threadpoolctl when it is installed (OpenBLAS uses every core by default).
On some machines OPENBLAS_CORETYPE / OPENBLAS_L2_SIZE are set for old
OpenBLAS builds and slow a current one; to time without them, unset both for
this command only, e.g. `env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE python ...`.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import platform
import statistics
import subprocess
import sys
import time

import numpy as np

LAYERS = [
    ("(8,64,56,56) x (64,64,3,3) p1", (8, 64, 56, 56), (64, 64, 3, 3), 1, 1),
    ("(1,3,224,224) x (64,3,7,7) s2 p3", (1, 3, 224, 224), (64, 3, 7, 7), 2, 3),
    ("(32,16,28,28) x (32,16,5,5) p2", (32, 16, 28, 28), (32, 16, 5, 5), 1, 2),
]


WARM_UP = 3  # untimed calls per process, for both libraries ...
# ... and at least this long: OpenBLAS starts its threads when NumPy is imported, and they spin
# (taking a core) for about 0.1 s before they sleep; a call in that time shares its cores.
WARM_UP_SECONDS = 0.3


def layer_data(index: int):
    """The same random float32 images and kernels in every process."""
    _, xs, ws, stride, pad = LAYERS[index]
    rng = np.random.default_rng(index)
    return rng.standard_normal(xs, dtype=np.float32), rng.standard_normal(ws, dtype=np.float32), stride, pad


def worker(library: str, index: int, rounds: int) -> dict:
    """In this process only: warm up, then time `rounds` calls; return the times and the output's checksum."""
    x, w, stride, pad = layer_data(index)
    if library == "torch":
        import torch
        import torch.nn.functional as F

        torch.set_num_threads(int(os.environ.get("BENCH_THREADS", "2")))
        tx, tw = torch.from_numpy(x), torch.from_numpy(w)

        def run():
            with torch.no_grad():
                return F.conv2d(tx, tw, stride=stride, padding=pad).numpy()
    else:
        from convtrace.engine import fast

        strategy = "auto" if library == "convtrace" else library

        def run():
            return fast.conv2d(x, w, stride=stride, padding=pad, strategy=strategy)

    out = run()
    until = time.perf_counter() + WARM_UP_SECONDS
    for _ in range(WARM_UP - 1):  # the first calls of a process set up thread pools, work arrays
        run()  # and the C library's memory pools (the output's pages are faulted in twice)
    while time.perf_counter() < until:
        run()
    times = []
    cpu = time.process_time()  # all threads' CPU time: what a call costs, whatever else the machine runs
    for _ in range(rounds):
        start = time.perf_counter()
        run()
        times.append(time.perf_counter() - start)
    cpu = (time.process_time() - cpu) / rounds
    np.save(os.environ["BENCH_OUT"], out) if os.environ.get("BENCH_OUT") else None
    return {"times": times, "cpu": cpu, "dtype": str(out.dtype)}


def describe_machine(torch_python: str) -> list[str]:
    probe = ("import os, torch, numpy; torch.set_num_threads(2); print(torch.__version__, torch.get_num_threads());"
             "from threadpoolctl import threadpool_info as t; [print(p['user_api'], p['internal_api'], p.get('version'),"
             " p.get('architecture', ''), 'threads=%d' % p['num_threads']) for p in t()]")
    lines = [f"python {platform.python_version()}, numpy {np.__version__}"]
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as handle:
            model = next((line.split(":", 1)[1].strip() for line in handle if line.startswith("model name")), "?")
    except OSError:
        model = platform.processor()
    lines.append(f"cpu: {model}, {os.cpu_count()} cores")
    done = subprocess.run([torch_python, "-c", probe], capture_output=True, text=True)
    lines += ["torch process: " + line for line in
              (done.stdout.strip() or "threadpoolctl not installed: BLAS threads unknown").splitlines()]
    probe = ("import numpy; from threadpoolctl import threadpool_info as t; [print(p['internal_api'], "
             "p.get('version'), p.get('architecture', ''), 'threads=%d' % p['num_threads']) for p in t()]")
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True)
    lines += ["convtrace process: " + line for line in (done.stdout.strip() or "BLAS unknown").splitlines()]
    for name in ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE", "OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS"):
        lines.append(f"{name}={os.environ.get(name, '(unset)')}")
    lines.append(load_line("before"))
    return lines


def load_line(when: str) -> str:
    """The machine's load averages: other programs on the same cores slow both libraries, unevenly."""
    one, five, _ = os.getloadavg()
    return f"load average {when}: {one:.2f} (1 min), {five:.2f} (5 min) on {os.cpu_count()} cores"


def timed_process(library: str, index: int, rounds: int, out_path: str | None = None,
                  python: str | None = None, threads: int = 2) -> tuple[list[float], float]:
    # both libraries get `threads` threads: torch.set_num_threads, OpenBLAS (and so convtrace's blocks) by env
    env = dict(os.environ, BENCH_THREADS=str(threads), OPENBLAS_NUM_THREADS=str(threads),
               **({"BENCH_OUT": out_path} if out_path else {}))
    done = subprocess.run([python or sys.executable, __file__, "--worker", library, "--layer", str(index),
                           "--rounds", str(rounds)], capture_output=True, text=True, env=env, check=True)
    record = json.loads(done.stdout)
    return record["times"], record["cpu"]


def spread(times: list[float], rounds: int) -> float:
    """Median over the processes of (slowest call / median call) within one process."""
    chunks = [times[i : i + rounds] for i in range(0, len(times), rounds)]
    return statistics.median(max(chunk) / statistics.median(chunk) for chunk in chunks)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pairs", type=int, default=5, help="alternating process pairs per layer")
    parser.add_argument("--rounds", type=int, default=11, help="timed calls per process")
    parser.add_argument("--strategies", action="store_true", help="also time every strategy of convtrace.engine.fast")
    parser.add_argument("--torch-python", default=sys.executable, help="a Python with torch (default: this one)")
    parser.add_argument("--threads", type=int, default=2, help="threads for each library (default 2)")
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    parser.add_argument("--layer", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        print(json.dumps(worker(args.worker, args.layer, args.rounds)))
        return 0

    import tempfile

    from convtrace.engine import fast

    for line in describe_machine(args.torch_python):
        print(f"<!-- {line} -->")
    rows, ratios, spreads = [], [], []
    with tempfile.TemporaryDirectory() as tmp:
        for index, (name, xs, ws, stride, pad) in enumerate(LAYERS):
            libraries = ["torch", "convtrace"]
            if args.strategies:
                libraries += [s for s in fast.STRATEGIES if (stride == 1 or s not in ("rows", "shifted", "winograd"))
                              and (s != "winograd" or ws[2:] == (3, 3))]
            times = {lib: [] for lib in libraries}
            cpu = {lib: [] for lib in libraries}
            for pair in range(args.pairs):
                for lib in (libraries if pair % 2 == 0 else libraries[::-1]):
                    out = os.path.join(tmp, f"{lib}.npy") if pair == 0 and lib in ("torch", "convtrace") else None
                    python = args.torch_python if lib == "torch" else None
                    wall, used = timed_process(lib, index, args.rounds, out, python, args.threads)
                    times[lib] += wall
                    cpu[lib].append(used)
            want = np.load(os.path.join(tmp, "torch.npy")).astype(np.float64)
            got = np.load(os.path.join(tmp, "convtrace.npy"))
            x, w, _, _ = layer_data(index)
            error = float(np.abs(got - want).max())
            agrees = got.dtype == np.float32 and error <= 1e-5 * float(np.abs(x).max() * np.abs(w).sum(axis=(1, 2, 3)).max())
            median = {lib: statistics.median(t) for lib, t in times.items()}
            worst = {lib: max(t) for lib, t in times.items()}
            cpu_ms = {lib: statistics.median(c) * 1e3 for lib, c in cpu.items()}
            steady = {lib: spread(times[lib], args.rounds) for lib in ("torch", "convtrace")}
            ratio = median["convtrace"] / median["torch"]
            ratios.append(ratio)
            spreads.append(steady["convtrace"])
            choice = fast.choose_strategy(xs, ws, fast.make_geometry(xs[2:], ws[2:], stride=stride, padding=pad))
            extra = "".join(f" {lib} {median[lib] * 1e3:.1f};" for lib in libraries[2:])
            rows.append(f"| {name} | {median['torch'] * 1e3:.1f} / {worst['torch'] * 1e3:.1f} "
                        f"({steady['torch']:.2f}) | {median['convtrace'] * 1e3:.1f} / {worst['convtrace'] * 1e3:.1f} "
                        f"({steady['convtrace']:.2f}) | {ratio:.2f} | {cpu_ms['torch']:.1f} / {cpu_ms['convtrace']:.1f} | "
                        f"{choice} | {'yes' if agrees else 'NO'} "
                        f"({error:.1e}) |{extra}")
    print(f"<!-- {load_line('after')} -->")
    geomean = math.exp(sum(math.log(r) for r in ratios) / len(ratios))
    print(f"\nfloat32, {args.threads} thread(s) each; {args.pairs} alternating process pairs x {args.rounds} calls per layer; "
          f"times in ms: median / worst over all calls (worst/median within a process, median over processes)\n")
    print("| layer | torch | convtrace | ratio (medians) | CPU ms per call torch / convtrace | strategy "
          "| agrees (max diff) |")
    print("|---|---|---|---|---|---|---|")
    print("\n".join(rows))
    met = geomean <= 0.8 and max(ratios) <= 1.0 and max(spreads) <= 1.3
    print(f"\ngeometric mean of median ratios: {geomean:.2f} (target <= 0.8); worst layer {max(ratios):.2f} "
          f"(target <= 1.0); convtrace worst/median {max(spreads):.2f} (target <= 1.3): "
          f"{'met' if met else 'MISSED'}")
    return 0 if met else 1


if __name__ == "__main__":
    sys.exit(main())
