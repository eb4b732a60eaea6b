"""Both engines and the CLI against convolutions computed by PyTorch (tests/golden/forward.json)."""

from __future__ import annotations

import json

import numpy as np
import pytest

from convtrace.engine.naive import naive_output, trace
from convtrace.engine.fast import problem_output
from convtrace.source.problem import problem_from_document
from convtrace.render.output.records import result_record

from conftest import golden_cases, tolerance

CASES = golden_cases("forward")
IDS = [case["name"] for case in CASES]


def expected_nchw(case) -> np.ndarray:
    out = np.asarray(case["expected"]["output"], dtype=float)
    return out.transpose(0, 3, 1, 2) if case["doc"].get("layout") == "NHWC" else out


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_vectorized_engine_matches_torch(case):
    problem = problem_from_document(case["doc"])
    got = problem_output(problem)
    want = expected_nchw(case)
    assert got.shape == want.shape
    np.testing.assert_allclose(got, want, rtol=0, atol=tolerance(problem.images, problem.kernels))


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_naive_engine_matches_torch(case):
    problem = problem_from_document(case["doc"])
    want = expected_nchw(case)
    np.testing.assert_allclose(naive_output(problem), want, rtol=0, atol=tolerance(problem.images, problem.kernels))


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_json_record_geometry_matches_torch(case):
    problem = problem_from_document(case["doc"])
    record = json.loads(json.dumps(result_record(problem, problem_output(problem))))
    expected = case["expected"]
    for key in ("output_shape", "padding", "stride", "dilation"):
        assert record[key] == expected[key], key
    assert record["layout"] == case["doc"].get("layout", "NCHW")
    assert record["flip"] == case["doc"].get("flip", False)
    np.testing.assert_allclose(record["output"], expected["output"], rtol=0, atol=1e-9)


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_every_step_is_consistent_with_torch(case):
    """Loop order n, k, row, col; corners at (row*sh, col*sw); partials sum to the value."""
    problem = problem_from_document(case["doc"])
    want = expected_nchw(case)
    sh, sw = case["expected"]["stride"]
    bias = case["doc"].get("bias")
    positions = list(np.ndindex(want.shape))
    count = 0
    for step, (n, k, i, j) in zip(trace(problem), positions):
        assert (step.step, step.n, step.k, step.row, step.col) == (count, n, k, i, j)
        assert (step.top, step.left) == (i * sh, j * sw)
        np.testing.assert_allclose((step.patch * step.kernel).sum(axis=(1, 2)), step.partials, atol=1e-9)
        assert step.bias == (bias[k] if bias else 0.0)
        assert step.value == pytest.approx(step.partials.sum() + step.bias, abs=1e-9)
        assert step.value == pytest.approx(want[n, k, i, j], abs=1e-9)
        count += 1
    assert count == len(positions) == problem.steps


@pytest.mark.parametrize("case", CASES[::7], ids=IDS[::7])
def test_cli_json_matches_torch(case, invoke, tmp_path):
    path = tmp_path / "doc.json"
    path.write_text(json.dumps(case["doc"]))
    result = invoke(["run", str(path), "--json"])
    assert result.exit_code == 0, result.output
    got = json.loads(result.stdout)
    for key in ("output_shape", "padding", "stride", "dilation"):
        assert got[key] == case["expected"][key]
    np.testing.assert_allclose(got["output"], case["expected"]["output"], atol=1e-9)
