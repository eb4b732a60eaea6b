"""The benchmark scripts still run: their convtrace workers time calls and save what they computed.

The comparisons with PyTorch need torch (never a dependency), so only the
convtrace side runs here; its saved output is checked against scipy.signal.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
from scipy import signal

BENCHMARKS = Path(__file__).resolve().parent.parent / "benchmarks"


def run_worker(script: str, *args: str, env: dict | None = None) -> dict:
    done = subprocess.run([sys.executable, str(BENCHMARKS / script), "--worker", "convtrace", *args],
                          capture_output=True, text=True, timeout=120, env={**os.environ, **(env or {})})
    assert done.returncode == 0, done.stderr[-2000:]
    return json.loads(done.stdout)


def correlate_layer(x: np.ndarray, w: np.ndarray, padding: int) -> np.ndarray:
    """(N, C, H, W) x (K, C, kh, kw), stride 1, in float64, one scipy call per image, kernel and channel."""
    x = np.pad(x.astype(np.float64), ((0, 0), (0, 0), (padding, padding), (padding, padding)))
    return np.array([[sum(signal.correlate2d(x[n, c], w[k, c], mode="valid") for c in range(x.shape[1]))
                      for k in range(w.shape[0])] for n in range(x.shape[0])])


def test_conv2d_benchmark_worker_times_eleven_calls_of_the_5x5_layer(tmp_path):
    sys.path.insert(0, str(BENCHMARKS))
    try:
        import bench_conv2d_vs_torch as bench
    finally:
        sys.path.pop(0)
    record = run_worker("bench_conv2d_vs_torch.py", "--layer", "2", "--rounds", "11",
                        env={"BENCH_OUT": str(tmp_path / "out.npy")})
    assert len(record["times"]) == 11 and all(t > 0 for t in record["times"]) and record["dtype"] == "float32"
    x, w, stride, padding = bench.layer_data(2)
    got = np.load(tmp_path / "out.npy")
    np.testing.assert_allclose(got, correlate_layer(x, w, padding), rtol=0, atol=2e-3)


def test_layers_benchmark_worker_times_the_depthwise_layer(tmp_path):
    record = run_worker("bench_layers_vs_torch.py", "--layer", "0", "--rounds", "3", "--out", str(tmp_path / "o.npy"))
    assert len(record["times"]) == 3
    got = np.load(tmp_path / "o.npy")
    rng = np.random.default_rng(0)  # the script's layer_data(0)
    x, w = rng.standard_normal((32, 64, 56, 56), dtype=np.float32), rng.standard_normal((64, 1, 3, 3), dtype=np.float32)
    x_pad = np.pad(x.astype(np.float64), ((0, 0), (0, 0), (1, 1), (1, 1)))
    want = np.stack([signal.correlate(x_pad[:, c], w[c, 0][None].astype(np.float64), mode="valid")
                     for c in range(64)], axis=1)
    assert got.shape == want.shape == (32, 64, 56, 56)
    np.testing.assert_allclose(got, want, rtol=0, atol=1e-4)
