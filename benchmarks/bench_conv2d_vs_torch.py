"""convtrace.conv2d (NumPy) against torch.nn.functional.conv2d on three CNN layers, float32, 2 threads.

    python benchmarks/bench_conv2d_vs_torch.py                 # needs torch and numpy
    python benchmarks/bench_conv2d_vs_torch.py --rounds 31 --strategies

The layers:
  (8, 64, 56, 56) x (64, 64, 3, 3), padding 1        a ResNet block
  (1, 3, 224, 224) x (64, 3, 7, 7), stride 2, pad 3  a ResNet stem
  (32, 16, 28, 28) x (32, 16, 5, 5), padding 2       a small 5x5 layer

Both libraries run in turn, round after round (so a busy moment hits both),
and each time is the median over the rounds. The target: the geometric mean
of convtrace/torch time ratios <= 1.0. Results must agree within float32
rounding. Prints a markdown table; exits 1 when the target is missed.

Threads: torch.set_num_threads(2); NumPy's BLAS threads are reported via
threadpoolctl when it is installed (OpenBLAS uses every core by default).
On some machines OPENBLAS_CORETYPE / OPENBLAS_L2_SIZE are set for old
OpenBLAS builds and slow a current one; to time without them, unset both for
this command only, e.g. `env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE python ...`.
"""

from __future__ import annotations

import argparse
import math
import os
import platform
import statistics
import sys
import time

import numpy as np

LAYERS = [
    ("(8,64,56,56) x (64,64,3,3) p1", (8, 64, 56, 56), (64, 64, 3, 3), 1, 1),
    ("(1,3,224,224) x (64,3,7,7) s2 p3", (1, 3, 224, 224), (64, 3, 7, 7), 2, 3),
    ("(32,16,28,28) x (32,16,5,5) p2", (32, 16, 28, 28), (32, 16, 5, 5), 1, 2),
]


def describe_machine(torch) -> list[str]:
    lines = [f"python {platform.python_version()}, numpy {np.__version__}, torch {torch.__version__}"]
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as handle:
            model = next((line.split(":", 1)[1].strip() for line in handle if line.startswith("model name")), "?")
    except OSError:
        model = platform.processor()
    lines.append(f"cpu: {model}, {os.cpu_count()} cores")
    try:
        from threadpoolctl import threadpool_info

        for pool in threadpool_info():
            lines.append(f"{pool['user_api']}: {pool['internal_api']} {pool.get('version')} "
                         f"{pool.get('architecture', '')} threads={pool['num_threads']} ({os.path.basename(pool['filepath'])})")
    except ImportError:
        lines.append("threadpoolctl not installed: BLAS threads unknown (OpenBLAS default: one per core)")
    lines.append(f"torch threads: {torch.get_num_threads()}")
    for name in ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE", "OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS"):
        lines.append(f"{name}={os.environ.get(name, '(unset)')}")
    return lines


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=21, help="timed rounds per layer (median is reported)")
    parser.add_argument("--strategies", action="store_true", help="also time every strategy of convtrace.fast")
    args = parser.parse_args()

    import torch
    import torch.nn.functional as F

    from convtrace import fast

    torch.set_num_threads(2)
    for line in describe_machine(torch):
        print(f"<!-- {line} -->")

    rng = np.random.default_rng(0)
    rows, ratios = [], []
    for name, xs, ws, stride, pad in LAYERS:
        x = rng.standard_normal(xs, dtype=np.float32)
        w = rng.standard_normal(ws, dtype=np.float32)
        tx, tw = torch.from_numpy(x), torch.from_numpy(w)
        runs = {
            "torch": lambda: F.conv2d(tx, tw, stride=stride, padding=pad),
            "convtrace": lambda: fast.conv2d(x, w, stride=stride, padding=pad),
        }
        if args.strategies:
            for strategy in fast.STRATEGIES:
                if strategy in ("rows", "shifted") and stride != 1:
                    continue
                runs[strategy] = lambda s=strategy: fast.conv2d(x, w, stride=stride, padding=pad, strategy=s)
        with torch.no_grad():
            want = runs["torch"]().numpy().astype(np.float64)
            got = runs["convtrace"]()
            assert got.dtype == np.float32
            scale = float(np.abs(x).max() * np.abs(w).sum(axis=(1, 2, 3)).max())
            error = float(np.abs(got - want).max())
            agrees = error <= 1e-5 * scale
            times = {key: [] for key in runs}
            for _ in range(args.rounds):
                for key, run in runs.items():
                    start = time.perf_counter()
                    run()
                    times[key].append(time.perf_counter() - start)
        median = {key: statistics.median(values) for key, values in times.items()}
        best = {key: min(values) for key, values in times.items()}
        ratio = median["convtrace"] / median["torch"]
        ratios.append(ratio)
        choice = fast.choose_strategy(xs, ws, fast.make_geometry(xs[2:], ws[2:], stride=stride, padding=pad))
        extra = "".join(f" {key} {median[key] * 1e3:.1f} ms;" for key in runs if key not in ("torch", "convtrace"))
        rows.append(f"| {name} | {median['torch'] * 1e3:.1f} ({best['torch'] * 1e3:.1f}) | "
                    f"{median['convtrace'] * 1e3:.1f} ({best['convtrace'] * 1e3:.1f}) | {ratio:.2f} | "
                    f"{best['convtrace'] / best['torch']:.2f} | {choice} | {'yes' if agrees else 'NO'} "
                    f"({error:.1e}) |{extra}")
    geomean = math.exp(sum(math.log(r) for r in ratios) / len(ratios))
    print(f"\nfloat32, {args.rounds} interleaved rounds; times in ms: median (best)\n")
    print("| layer | torch | convtrace | ratio (medians) | ratio (best) | strategy | agrees |")
    print("|---|---|---|---|---|---|---|")
    print("\n".join(rows))
    print(f"\ngeometric mean of median ratios: {geomean:.2f} (target <= 1.0)")
    return 0 if geomean <= 1.0 else 1


if __name__ == "__main__":
    sys.exit(main())
