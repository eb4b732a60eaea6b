"""`convtrace bench`: timings on small inputs, the agreement check, the loops' budget, the command."""

from __future__ import annotations

import json

import numpy as np
import pytest

import convtrace.teach.bench as bench
from dataclasses import replace

from convtrace.teach.bench import Case, CaseResult, Timing, default_cases, run_case
from convtrace.source.problem import build_problem

METHODS = ("naive", "per_position", "im2col", "engine")


def small_case(dtype="float64") -> Case:
    rng = np.random.default_rng(0)
    problem = build_problem(rng.normal(size=(2, 3, 7, 6)), rng.normal(size=(4, 3, 3, 2)),
                            bias=rng.normal(size=4), stride=(2, 1), padding=1, flip=True)
    return Case("small", problem, dtype)


def test_flops_count_two_per_multiply_add():
    # output (2, 4, 4, 7): 224 values, each 3*3*2 = 18 multiply-adds
    assert small_case().flops == 2 * 224 * 18


@pytest.mark.parametrize("dtype", ["float64", "float32"])
def test_every_method_runs_and_agrees(dtype):
    result = run_case(small_case(dtype), METHODS, repeat=2, budget=5.0)
    assert [t.method for t in result.timings] == list(METHODS)
    for t in result.timings:
        assert t.seconds > 0 and 1 <= t.runs <= 2 and not t.estimated and t.done == 1.0, t
        assert t.agrees, (t.method, t.max_error, result.tolerance)
    assert result.speedup(result.timing("naive")) == pytest.approx(1.0)
    engine = result.timing("engine")
    assert result.gflops(engine) == pytest.approx(small_case().flops / engine.seconds / 1e9)


def test_a_wrong_method_is_caught(monkeypatch):
    real = bench.conv2d_im2col
    monkeypatch.setattr(bench, "conv2d_im2col", lambda *args: real(*args) + 1e-3)
    result = run_case(small_case(), ("im2col", "engine"), repeat=1, budget=1.0)
    im2col = result.timing("im2col")
    assert not im2col.agrees and im2col.max_error == pytest.approx(1e-3)
    assert result.timing("engine").agrees


def test_a_loop_out_of_budget_is_estimated():
    problem = build_problem(np.ones((1, 2, 40, 40)), np.ones((3, 2, 3, 3)))
    result = run_case(Case("loop", problem), ("naive", "per_position"), repeat=3, budget=1e-6)
    for t in result.timings:
        assert t.estimated and 0 < t.done < 1 and t.runs == 1, t
        assert t.agrees  # on the part it computed
    naive = result.timing("naive")
    assert naive.done == pytest.approx(38 / (3 * 38 * 38))  # it stops after the first output row


def test_torch_missing_is_a_note_not_an_error(monkeypatch):
    monkeypatch.setattr(bench, "torch_available", lambda: False)
    result = run_case(small_case(), ("engine", "torch"), repeat=1, budget=1.0)
    torch = result.timing("torch")
    assert torch.seconds is None and torch.agrees is None and "not installed" in torch.note
    assert result.speedup(torch) is None and result.gflops(torch) is None


def test_speedup_is_relative_to_the_naive_loop():
    timings = (Timing("naive", 2.0, 1, False, 1.0, 0.0, True), Timing("engine", 0.01, 5, False, 1.0, 0.0, True))
    result = CaseResult(small_case(), timings, 1e-9)
    assert result.speedup(timings[1]) == pytest.approx(200.0)


def test_default_cases_and_overrides():
    classroom, layer, large = default_cases("float32")
    assert classroom.problem.output_shape == (1, 8, 26, 26) and classroom.dtype == "float32"
    assert layer.problem.output_shape == (8, 64, 56, 56)
    assert large.problem.output_shape == (1, 4, 224, 224) and large.problem.kernel_shape == (4, 1, 21, 21)
    classroom, layer, large = default_cases("float64", {"stride": 2, "mode": "same"})
    assert classroom.problem.output_shape == (1, 8, 14, 14)
    assert layer.problem.output_shape == (8, 64, 28, 28)
    assert large.problem.output_shape == (1, 4, 112, 112)


@pytest.fixture
def small_doc(tmp_path):
    path = tmp_path / "small.json"
    path.write_text(json.dumps({"images": np.arange(36.0).reshape(1, 1, 6, 6).tolist(),
                                "kernels": [[[[1.0, 0.0], [0.0, -1.0]]], [[[0.5, 0.5], [0.5, 0.5]]]]}))
    return str(path)


def test_bench_command_prints_table_and_bars(invoke, small_doc):
    result = invoke(["bench", small_doc, "--repeat", "1", "--budget", "0.5", "--no-torch"],
                    env={"COLUMNS": "100", "NO_COLOR": "1"})
    assert result.exit_code == 0, result.output
    for part in ("naive loop", "per-position loop", "im2col + matmul", "vectorized engine", "GFLOP/s",
                 "vs naive", "log scale", "yes ("):
        assert part in result.output, part
    assert "PyTorch  " not in result.output  # --no-torch leaves it out of the table


def test_bench_command_json(invoke, small_doc):
    result = invoke(["bench", small_doc, "--repeat", "1", "--budget", "0.5", "--no-torch", "--json",
                     "--dtype", "float64"])
    record = json.loads(result.output)
    (case,) = record["cases"]
    assert case["output_shape"] == [1, 2, 5, 5] and case["flops"] == 2 * 50 * 4
    assert set(case["methods"]) == set(bench.METHODS) - {"torch"}
    # 2x2 kernels: Winograd F(2x2, 3x3) does not apply, and says so; every other method agrees
    assert case["methods"]["winograd"]["seconds"] is None and "3x3" in case["methods"]["winograd"]["note"]
    assert all(m["agrees"] for name, m in case["methods"].items() if name != "winograd")
    assert case["fastest"]["method"] in bench.METHODS and case["fastest"]["reasons"]
    assert "cpu" in record["machine"] and "numpy" in record["machine"]


def test_bench_command_bad_file_is_a_usage_error(invoke):
    result = invoke(["bench", "no-such-file.json"])
    assert result.exit_code == 2


def test_the_naive_loop_is_the_engines_own_trace(monkeypatch):
    seen = []
    real = bench.trace

    def spy(problem, start=0):
        seen.append(problem)
        yield from real(problem, start)

    monkeypatch.setattr(bench, "trace", spy)
    result = run_case(small_case(), ("naive",), repeat=1, budget=5.0)
    assert len(seen) == 1 and seen[0].output_shape == (2, 4, 4, 7)
    assert result.timing("naive").agrees and result.timing("naive").done == 1.0


def three_by_three_case() -> Case:
    rng = np.random.default_rng(1)
    problem = build_problem(rng.normal(size=(2, 16, 10, 9)), rng.normal(size=(16, 16, 3, 3)), padding=1)
    return Case("3x3", problem, "float32")


def test_winograd_and_fft_are_timed_and_agree():
    result = run_case(three_by_three_case(), ("winograd", "fft", "engine"), repeat=1, budget=5.0)
    for t in result.timings:
        assert t.seconds > 0 and t.agrees, t
    assert result.timing("engine").note.startswith("strategy ")


def test_the_verdict_names_the_fastest_and_counts_its_savings():
    from convtrace.teach.verdict import verdict

    timings = (Timing("im2col", 0.030, 3, False, 1.0, 0.0, True), Timing("winograd", 0.010, 3, False, 1.0, 0.0, True),
               Timing("fft", 0.050, 3, False, 1.0, 0.0, True), Timing("naive", 9.0, 1, True, 0.1, 0.0, True),
               Timing("engine", 0.011, 3, False, 1.0, 0.0, True, "strategy 'winograd'"))
    v = verdict(CaseResult(three_by_three_case(), timings, 1e-6))
    # the engine runs Winograd too, so the runner-up is the next other way
    assert v.winner == "winograd" and v.runner_up == "im2col" and v.factor == pytest.approx(3.0)
    # (2, 16, 10, 9) padded 1: output 10x9 -> 5*5 tiles; 2*16*16*25*16 = 204,800 against 2*16*16*90*9 = 414,720
    assert "204,800 in all instead of 414,720" in v.reasons[0]
    assert any(r.startswith("FFT loses here") for r in v.reasons)
    # the engine running Winograd wins for Winograd's reasons; a method that disagrees never wins
    timings = timings[:1] + (replace(timings[1], agrees=False),) + timings[2:]
    v = verdict(CaseResult(three_by_three_case(), timings, 1e-6))
    assert v.winner == "engine" and v.reasons[0].startswith("Winograd:")


def test_bench_command_says_which_wins(invoke, tmp_path):
    path = tmp_path / "layer.json"
    rng = np.random.default_rng(3)
    path.write_text(json.dumps({"images": rng.normal(size=(1, 4, 8, 8)).round(2).tolist(),
                                "kernels": rng.normal(size=(4, 4, 3, 3)).round(2).tolist(), "padding": 1}))
    result = invoke(["bench", str(path), "--repeat", "1", "--budget", "0.5", "--no-torch"],
                    env={"COLUMNS": "100", "NO_COLOR": "1"})
    assert result.exit_code == 0, result.output
    for part in ("Winograd ", "FFT ", "Fastest: ", "effective"):
        assert part in result.output, part
