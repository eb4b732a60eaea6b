"""convtrace's layer engine (NumPy) against torch.nn.functional on two layers, float32, 2 threads.

    python benchmarks/bench_layers_vs_torch.py                       # torch importable by this python
    python benchmarks/bench_layers_vs_torch.py --torch-python /path/to/python-with-torch --pairs 5

The layers:
  depthwise 3x3:      (32, 64, 56, 56) x (64, 1, 3, 3), groups 64, padding 1          conv2d(groups=64)
  transposed, s2:     (8, 64, 28, 28) x (64, 64, 3, 3), stride 2, padding 1,
                      output_padding 1 -> (8, 64, 56, 56)                             conv_transpose2d

Each library runs in its own process (their worker threads would slow each
other down in one), alternating, --pairs processes each timing --rounds calls
after WARM_UP_SECONDS of untimed calls; a library's time is the median of all its calls. torch uses
torch.set_num_threads(2), NumPy's OpenBLAS OPENBLAS_NUM_THREADS=2. Prints a
markdown table of medians and their ratio; the target is a ratio <= 2 for
each layer, with results equal within float32 rounding. Exits 1 when missed.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time

import numpy as np

LAYERS = [
    ("depthwise 3x3 (32,64,56,56), groups 64, p1", (32, 64, 56, 56), (64, 1, 3, 3)),
    ("transposed (8,64,28,28) -> 64, s2 p1 op1", (8, 64, 28, 28), (64, 64, 3, 3)),
]
TARGET = 2.0
WARM_UP_SECONDS = 0.3  # untimed calls first, for both libraries


def layer_data(index: int):
    """The same random float32 images and kernels in every process."""
    _, xs, ws = LAYERS[index]
    rng = np.random.default_rng(index)
    return rng.standard_normal(xs, dtype=np.float32), rng.standard_normal(ws, dtype=np.float32)


def worker(library: str, index: int, rounds: int, out_path: str) -> dict:
    """In this process only: warm up, time `rounds` calls, save the output for the agreement check."""
    x, w = layer_data(index)
    if library == "torch":
        import torch
        import torch.nn.functional as F

        torch.set_num_threads(2)
        tx, tw = torch.from_numpy(x), torch.from_numpy(w)
        calls = [lambda: F.conv2d(tx, tw, padding=1, groups=64),
                 lambda: F.conv_transpose2d(tx, tw, stride=2, padding=1, output_padding=1)]

        def run():
            with torch.no_grad():
                return calls[index]().numpy()
    else:
        import convtrace

        calls = [lambda: convtrace.conv2d(x, w, padding=1, groups=64),
                 lambda: convtrace.conv_transpose2d(x, w, stride=2, padding=1, output_padding=1)]
        run = calls[index]
    out = run()
    until = time.perf_counter() + WARM_UP_SECONDS  # as in bench_conv2d_vs_torch.py: past the BLAS threads' start-up spin
    while time.perf_counter() < until:
        run()
    times = []
    for _ in range(rounds):
        start = time.perf_counter()
        run()
        times.append(time.perf_counter() - start)
    np.save(out_path, out)
    return {"times": times}


def timed_process(python: str, library: str, index: int, rounds: int, out_path: str) -> list[float]:
    env = dict(os.environ, OPENBLAS_NUM_THREADS="2", OMP_NUM_THREADS="2")
    here = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    env["PYTHONPATH"] = here + os.pathsep + env.get("PYTHONPATH", "")  # this checkout's convtrace
    done = subprocess.run([python, os.path.abspath(__file__), "--worker", library, "--layer", str(index),
                           "--rounds", str(rounds), "--out", out_path], capture_output=True, text=True, env=env)
    if done.returncode:
        raise SystemExit(f"{library} worker failed: {done.stderr.strip()[-400:]}")
    return json.loads(done.stdout)["times"]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pairs", type=int, default=5, help="alternating process pairs per layer")
    parser.add_argument("--rounds", type=int, default=9, help="timed calls per process")
    parser.add_argument("--torch-python", default=sys.executable, help="a python that can import torch")
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    parser.add_argument("--layer", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--out", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        print(json.dumps(worker(args.worker, args.layer, args.rounds, args.out)))
        return 0

    pythons = {"torch": args.torch_python, "convtrace": sys.executable}
    rows, missed = [], False
    with tempfile.TemporaryDirectory() as tmp:
        for index, (name, _, _) in enumerate(LAYERS):
            times = {"torch": [], "convtrace": []}
            for pair in range(args.pairs):
                for lib in (("torch", "convtrace") if pair % 2 == 0 else ("convtrace", "torch")):
                    times[lib] += timed_process(pythons[lib], lib, index, args.rounds, os.path.join(tmp, f"{lib}.npy"))
            want = np.load(os.path.join(tmp, "torch.npy")).astype(np.float64)
            got = np.load(os.path.join(tmp, "convtrace.npy"))
            x, w = layer_data(index)
            bound = 1e-5 * float(np.abs(x).max() * np.abs(w).sum(axis=tuple(range(1, w.ndim))).max()) * w.shape[0]
            error = float(np.abs(got - want).max())
            agrees = got.dtype == np.float32 and got.shape == want.shape and error <= bound
            median = {lib: statistics.median(t) for lib, t in times.items()}
            ratio = median["convtrace"] / median["torch"]
            missed |= ratio > TARGET or not agrees
            rows.append(f"| {name} | {median['torch'] * 1e3:.1f} | {median['convtrace'] * 1e3:.1f} | {ratio:.2f} | "
                        f"{'yes' if agrees else 'NO'} ({error:.1e}) |")
    print(f"float32, 2 threads; {args.pairs} alternating process pairs x {args.rounds} calls; medians in ms\n")
    print("| layer | torch | convtrace | ratio | agrees (max diff) |")
    print("|---|---|---|---|---|")
    print("\n".join(rows))
    print(f"\ntarget: ratio <= {TARGET} for each layer")
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
