"""`convtrace bench` on the other layers: groups and depthwise, transposed, max and average pooling, 1-D, 3-D.

Every expected output comes from outside the code under test: scipy.signal,
a NumPy max over windows, a hand-worked average, or the committed torch
golden vectors of tests/golden/layers.json. A spy records what each timed
method returned, so the check is that what the table calls "yes" really is
the layer's answer.
"""

from __future__ import annotations

import json

import numpy as np
import pytest
from scipy import signal

import convtrace.teach.bench_layers as bench_layers
import convtrace.teach.bench_timing as bench_timing
from conftest import golden_cases
from convtrace.source.problem import problem_from_document
from convtrace.teach.bench import METHODS, Case, CaseResult, Timing, run_case

RUN = ["--repeat", "1", "--budget", "0.5", "--no-torch"]
NOT_APPLICABLE = ("per_position", "im2col", "winograd", "fft")
ROWS = ("naive loop", "per-position loop", "im2col + matmul", "Winograd", "FFT", "vectorized engine")


def golden(name: str) -> dict:
    return next(case for case in golden_cases("layers") if case["name"] == name)


def depthwise_case():
    """(1, 3, 6, 5) images, one 3x3 kernel per channel, padding 1, bias: scipy per channel."""
    rng = np.random.default_rng(11)
    x, w, b = rng.integers(-3, 4, (1, 3, 6, 5)), rng.integers(-2, 3, (3, 1, 3, 3)), np.array([1.0, -2.0, 0.5])
    x_pad = np.pad(x, ((0, 0), (0, 0), (1, 1), (1, 1)))
    expected = np.stack([signal.correlate2d(x_pad[0, c], w[c, 0], mode="valid") + b[c] for c in range(3)])[None]
    doc = {"images": x.tolist(), "kernels": w.tolist(), "bias": b.tolist(), "groups": 3, "padding": 1}
    return doc, expected


def conv1d_case():
    """(2, 3, 12) signals, (4, 3, 4) kernels, padding [2, 1]: scipy, summed over the channels."""
    rng = np.random.default_rng(12)
    x, w = rng.integers(-3, 4, (2, 3, 12)), rng.integers(-2, 3, (4, 3, 4))
    x_pad = np.pad(x, ((0, 0), (0, 0), (2, 1)))
    expected = np.array([[sum(signal.correlate(x_pad[n, c], w[k, c], mode="valid") for c in range(3))
                          for k in range(4)] for n in range(2)])
    return {"dims": 1, "images": x.tolist(), "kernels": w.tolist(), "padding": [2, 1]}, expected


def conv3d_case():
    """(1, 2, 4, 5, 4) volumes, (2, 2, 3, 3, 3) kernels, padding 1: scipy over (C, D, H, W) at once."""
    rng = np.random.default_rng(13)
    x, w = rng.integers(-3, 4, (1, 2, 4, 5, 4)), rng.integers(-2, 3, (2, 2, 3, 3, 3))
    x_pad = np.pad(x, ((0, 0), (0, 0), (1, 1), (1, 1), (1, 1)))
    expected = np.stack([signal.correlate(x_pad[0], w[k], mode="valid")[0] for k in range(2)])[None]
    return {"dims": 3, "images": x.tolist(), "kernels": w.tolist(), "padding": 1}, expected


def max_pool_case():
    """(1, 2, 6, 6), 2x2 windows at stride 2: the maximum of each block, by reshaping."""
    rng = np.random.default_rng(14)
    x = rng.integers(-9, 10, (1, 2, 6, 6))
    expected = x.reshape(1, 2, 3, 2, 3, 2).max(axis=(3, 5))
    return {"images": x.tolist(), "pool": "max", "pool_size": 2}, expected


def avg_pool_case():
    """0..15 in a 4x4 grid, 2x2 windows: [[0+1+4+5, 2+3+6+7], [8+9+12+13, 10+11+14+15]] / 4."""
    x = np.arange(16.0).reshape(1, 1, 4, 4)
    expected = np.array([[[[2.5, 4.5], [10.5, 12.5]]]])
    return {"images": x.tolist(), "pool": "avg", "pool_size": 2}, expected


def golden_case(name):
    case = golden(name)
    return case["doc"], np.array(case["expected"]["output"])


LAYERS = {
    # name: (document and expected output, kind in words, a word of every inapplicable method's reason)
    "depthwise": (depthwise_case, "2-D depthwise convolution", "one group"),
    "grouped": (lambda: golden_case("grp_g2_k4_bias"), "2-D grouped (2 groups) convolution", "one group"),
    "transposed": (lambda: golden_case("tr_groups_2_bias_s2"), "2-D grouped (2 groups) transposed convolution",
                   "transposed"),
    "max_pool": (max_pool_case, "2-D max pooling", "pooling has no kernel"),
    "max_pool_golden": (lambda: golden_case("maxpool_ceil_pad_kept"), "2-D max pooling", "pooling has no kernel"),
    "avg_pool": (avg_pool_case, "2-D average pooling", "pooling has no kernel"),
    "conv1d": (conv1d_case, "1-D convolution", "1-D"),
    "causal_1d_golden": (lambda: golden_case("d1_causal_groups_2"), "1-D depthwise convolution", "1-D"),
    "conv3d": (conv3d_case, "3-D convolution", "3-D"),
}


@pytest.fixture
def spy(monkeypatch):
    """What each timed method returned, and the reference it was compared with."""
    seen = {}
    real = bench_layers.time_method

    def recording(method, runner, reference, tol, repeat, budget):
        def run(deadline):
            output, done = runner(deadline)
            seen[method] = output
            return output, done

        seen["reference"] = reference
        return real(method, run, reference, tol, repeat, budget)

    monkeypatch.setattr(bench_layers, "time_method", recording)
    return seen


def write(tmp_path, doc) -> str:
    path = tmp_path / "layer.json"
    path.write_text(json.dumps(doc))
    return str(path)


@pytest.mark.parametrize("name", LAYERS)
def test_each_layer_is_timed_and_agrees_with_an_independent_answer(name, invoke, tmp_path, spy):
    build, kind, reason = LAYERS[name]
    doc, expected = build()
    result = invoke(["bench", write(tmp_path, doc), *RUN], env={"COLUMNS": "200", "NO_COLOR": "1"})
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert kind + ":" in result.output
    for label in ROWS:  # every method has its row
        assert any(line.strip().startswith(label + " ") for line in lines), label
    for label in ("naive loop", "vectorized engine"):
        row = next(line for line in lines if line.strip().startswith(label + " "))
        assert "yes (" in row and "not run" not in row, row
    for label in ("per-position loop", "im2col + matmul", "Winograd", "FFT"):
        row = next(line for line in lines if line.strip().startswith(label + " "))
        assert "not run" in row, row
        note = next(line for line in lines if line.strip().startswith(f"{label}: not run, "))
        assert reason in note, note
    assert "Fastest: " in result.output
    # what was timed and called "yes" is the layer's answer, from outside the code under test
    for what in ("reference", "naive", "engine"):
        np.testing.assert_allclose(spy[what], expected, rtol=0, atol=1e-4, err_msg=what)


@pytest.mark.parametrize("name", LAYERS)
def test_each_layer_in_json(name, invoke, tmp_path):
    build, kind, reason = LAYERS[name]
    doc, expected = build()
    result = invoke(["bench", write(tmp_path, doc), *RUN, "--json", "--dtype", "float64"])
    assert result.exit_code == 0, result.output

    def no_constants(word):
        raise AssertionError(f"{word} is not JSON")

    record = json.loads(result.output, parse_constant=no_constants)
    assert set(record) == {"machine", "cases"}
    (case,) = record["cases"]
    assert case["kind"] == kind and case["output_shape"] == list(expected.shape)
    assert case["dims"] == expected.ndim - 2
    assert set(case["methods"]) == set(METHODS) - {"torch"}
    for method in ("naive", "engine"):
        timing = case["methods"][method]
        assert timing["seconds"] > 0 and timing["agrees"] and timing["max_error"] <= case["tolerance"], method
    for method in NOT_APPLICABLE:
        timing = case["methods"][method]
        assert timing["seconds"] is None and timing["agrees"] is None and reason in timing["note"], method
    assert case["fastest"]["method"] in ("naive", "engine") and case["fastest"]["reasons"]
    if case["layer"] in ("max_pool", "avg_pool"):
        assert case["flops"] is None and case["kernel_shape"] is None and case["pool_size"]
        assert all(m["gflops"] is None for m in case["methods"].values())
        assert case["operation"] in ("comparisons", "additions")
    else:
        assert case["flops"] == 2 * case["operations"] and case["operation"] == "multiply-adds"
        assert case["methods"]["engine"]["gflops"] > 0


def test_work_counts_by_hand():
    """Multiply-adds of the direct method; comparisons and additions of pooling (t values: t - 1)."""
    def count(doc):
        return Case("c", problem_from_document(doc))

    depthwise = count(depthwise_case()[0])  # output (1, 3, 6, 5) = 90 values, each 1*3*3 taps
    assert depthwise.operations == 90 * 9 and depthwise.flops == 2 * 810 and depthwise.operation == "multiply-adds"
    conv3d = count(conv3d_case()[0])  # output (1, 2, 4, 5, 4) = 160 values, each 2*27 taps
    assert conv3d.operations == 160 * 54
    # transposed: every input value (1*4*2*3 = 24, golden tr_groups_2_bias_s2) times K/G = 2 kernels of 3x3
    transposed = count(golden("tr_groups_2_bias_s2")["doc"])
    assert transposed.problem.input_shape == (1, 4, 2, 3) and transposed.operations == 24 * 2 * 9
    max_pool = count(max_pool_case()[0])  # 18 windows of 4 values: 3 comparisons each
    assert max_pool.operations == 18 * 3 and max_pool.operation == "comparisons" and max_pool.flops is None
    avg_pool = count(avg_pool_case()[0])  # 4 windows of 4 values: 3 additions each
    assert avg_pool.operations == 12 and avg_pool.operation == "additions"


def test_the_layer_loop_is_its_own_naive_loop(monkeypatch):
    seen = []
    real = bench_layers.trace_layer

    def spy(problem, start=0):
        seen.append(problem.layer)
        return real(problem, start)

    monkeypatch.setattr(bench_layers, "trace_layer", spy)
    problem = problem_from_document(max_pool_case()[0])
    result = run_case(Case("pool", problem), ("naive",), repeat=1, budget=5.0)
    assert seen == ["max_pool"] and result.timing("naive").agrees and result.timing("naive").done == 1.0


def test_a_layer_loop_out_of_budget_is_estimated():
    problem = problem_from_document({"images": np.ones((1, 1, 40, 40)).tolist(), "pool": "max", "pool_size": 2,
                                     "stride": 1})
    result = run_case(Case("pool", problem), ("naive", "engine"), repeat=3, budget=1e-6)
    naive = result.timing("naive")
    assert naive.estimated and naive.runs == 1 and naive.agrees  # on the part it computed
    assert naive.done == pytest.approx(39 / (39 * 39))  # output 39x39: it stops after the first row
    assert not result.timing("engine").estimated


def test_torch_missing_is_a_note_for_layers_too(monkeypatch):
    monkeypatch.setattr(bench_timing, "torch_available", lambda: False)
    problem = problem_from_document(depthwise_case()[0])
    torch = run_case(Case("dw", problem), ("engine", "torch"), repeat=1, budget=1.0).timing("torch")
    assert torch.seconds is None and torch.agrees is None and "not installed" in torch.note


def test_a_wrong_layer_engine_is_caught(monkeypatch):
    real = bench_layers.layer_output
    calls = []

    def off_after_the_reference(problem):
        calls.append(problem)
        return real(problem) + (1e-3 if len(calls) > 1 else 0.0)  # the first call is the float64 reference

    monkeypatch.setattr(bench_layers, "layer_output", off_after_the_reference)
    result = run_case(Case("dw", problem_from_document(depthwise_case()[0])), ("naive", "engine"), 1, 5.0)
    engine = result.timing("engine")
    assert not engine.agrees and engine.max_error == pytest.approx(1e-3)
    assert result.timing("naive").agrees


def test_the_layer_verdict_names_the_winner_and_counts():
    from convtrace.teach.verdict import verdict

    case = Case("dw", problem_from_document(depthwise_case()[0]))
    timings = (Timing("naive", 0.5, 1, False, 1.0, 0.0, True), Timing("engine", 0.001, 3, False, 1.0, 0.0, True),
               Timing("fft", None, 0, False, 0.0, None, None, "engine/fft.py is written for one group"))
    v = verdict(CaseResult(case, timings, 1e-9))
    assert v.winner == "engine" and v.runner_up == "naive" and v.factor == pytest.approx(500)
    # 3 channels, one 3x3 kernel each: 9 taps; 90 output values of 9 multiply-adds, 810 in all
    assert v.reasons[0].startswith("vectorized engine: depthwise") and "9 kernel taps" in v.reasons[0]
    assert "810 in all" in v.reasons[0]
    assert "90 steps of 9 multiply-adds, 500x slower" in v.reasons[1]
    # the naive loop wins a tiny layer when it is faster; a method that disagrees never wins
    timings = (Timing("naive", 0.001, 1, False, 1.0, 0.0, True), Timing("engine", 0.0001, 3, False, 1.0, 1.0, False))
    v = verdict(CaseResult(case, timings, 1e-9))
    assert v.winner == "naive" and v.runner_up is None and "tiny (90 output values)" in v.reasons[0]


def test_pooling_verdict_speaks_of_windows():
    from convtrace.teach.verdict import verdict

    case = Case("pool", problem_from_document(max_pool_case()[0]))
    timings = (Timing("naive", 0.02, 1, False, 1.0, 0.0, True), Timing("engine", 0.0001, 3, False, 1.0, 0.0, True))
    v = verdict(CaseResult(case, timings, 1e-9))
    assert v.winner == "engine" and "all 18 windows (4 values each)" in v.reasons[0]
    assert "18 steps of 4 values read, 200x slower" in v.reasons[1]


@pytest.mark.parametrize("build, options, word", [
    (max_pool_case, ["--flip"], "--flip"),
    (lambda: golden_case("tr_s2"), ["--mode", "same"], "--mode"),
    (conv1d_case, ["--layout", "NHWC"], "--layout"),
    (max_pool_case, ["--padding", "2"], "--padding"),
])
def test_an_option_that_does_not_fit_the_layer_is_a_usage_error(build, options, word, invoke, tmp_path):
    doc, _ = build()
    result = invoke(["bench", write(tmp_path, doc), *options, *RUN])
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output and word in result.output and "Error: " in result.output


def test_a_bad_layer_document_is_a_data_error(invoke, tmp_path):
    result = invoke(["bench", write(tmp_path, {"images": [[1, 2], [3, 4]], "pool": "max", "pool_size": 5}), *RUN])
    assert result.exit_code == 1 and "Traceback" not in result.output and "Error: " in result.output


def test_the_readme_layer_documents_bench(invoke):
    """Every document under README.md's "More layers" runs through bench, and every timed method agrees."""
    import re
    from pathlib import Path

    readme = (Path(__file__).parent.parent / "README.md").read_text()
    section = readme[readme.index("### More layers"):readme.index("## Commands")]
    start = section.index("```json\n") + 8
    docs = [json.loads(line) for line in re.split(r"\n(?=\{)", section[start:section.index("```", start)].strip())]
    assert "`convtrace bench FILE` times each of these layers" in section
    for doc in docs:
        result = invoke(["bench", "-", *RUN, "--json"], input=json.dumps(doc))
        assert result.exit_code == 0, (doc, result.output)
        (case,) = json.loads(result.output)["cases"]
        timed = [m for m in case["methods"].values() if m["seconds"] is not None]
        assert len(timed) == 2 and all(m["agrees"] for m in timed), (doc, case["methods"])
