"""Every layer against PyTorch (tests/golden/layers.json, float64): both engines, the API and the CLI.

The CLI tests read `run --json`, `grad --json` and `run --format jsonl` the way
../shared/contract/layers_check.py does.
"""

from __future__ import annotations

import json

import numpy as np
import pytest

import convtrace
from convtrace.engine.dispatch import layer_gradients, layer_output, trace_layer
from convtrace.source.problem import problem_from_document

from conftest import golden_cases

CASES = golden_cases("layers")
IDS = [case["name"] for case in CASES]
GRAD_CASES = [case for case in CASES if "grad_images" in case["expected"]]


def tol(problem) -> float:
    """Rounding bound that grows with sum |x| * sum |w| (integer cases agree exactly)."""
    w = 1.0 if problem.kernels is None else np.abs(problem.kernels).sum()
    g = 1.0 if problem.grad_output is None else np.abs(problem.grad_output).sum()
    return 1e-12 * (1.0 + np.abs(problem.images).sum() * w * g)


def channels_first(problem, array) -> np.ndarray:
    """An array in the document's layout -> channels first."""
    array = np.asarray(array, dtype=float)
    return np.moveaxis(array, -1, 1) if problem.layout == "NHWC" else array


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_vectorized_engine_matches_torch(case):
    problem = problem_from_document(case["doc"])
    want = channels_first(problem, case["expected"]["output"])
    got = layer_output(problem)
    assert got.shape == want.shape
    np.testing.assert_allclose(got, want, rtol=0, atol=tol(problem))


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_naive_loop_matches_torch_in_c_order(case):
    problem = problem_from_document(case["doc"])
    want = channels_first(problem, case["expected"]["output"])
    steps = list(trace_layer(problem))
    assert [s.step for s in steps] == list(range(want.size))
    np.testing.assert_allclose([s.value for s in steps], want.ravel(), rtol=0, atol=tol(problem))


@pytest.mark.parametrize("case", GRAD_CASES, ids=[c["name"] for c in GRAD_CASES])
def test_gradients_match_torch(case):
    problem = problem_from_document(case["doc"])
    grads, want = layer_gradients(problem), case["expected"]
    np.testing.assert_allclose(grads.images, channels_first(problem, want["grad_images"]), rtol=0, atol=tol(problem))
    if "grad_kernels" in want:
        np.testing.assert_allclose(grads.kernels, channels_first(problem, want["grad_kernels"]), rtol=0, atol=tol(problem))
    else:
        assert grads.kernels is None
    if "grad_bias" in want:
        np.testing.assert_allclose(grads.bias, want["grad_bias"], rtol=0, atol=tol(problem))
    else:
        assert grads.bias is None


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_cli_run_json_and_jsonl(case, invoke, tmp_path):
    path = tmp_path / "doc.json"
    path.write_text(json.dumps(case["doc"]))
    result = invoke(["run", str(path), "--json"])
    assert result.exit_code == 0, result.output
    got, want = json.loads(result.output), case["expected"]
    for key in ("output_shape", "padding", "stride", "dilation", "output_padding"):
        if key in want:
            assert got[key] == want[key], key
    np.testing.assert_allclose(got["output"], want["output"], rtol=0, atol=1e-9)
    lines = invoke(["run", str(path), "--format", "jsonl"]).output.splitlines()
    records = [json.loads(line) for line in lines]
    problem = problem_from_document(case["doc"])
    np.testing.assert_allclose([r["value"] for r in records],
                               channels_first(problem, want["output"]).ravel(), rtol=0, atol=1e-9)


@pytest.mark.parametrize("case", GRAD_CASES, ids=[c["name"] for c in GRAD_CASES])
def test_cli_grad_json(case, invoke, tmp_path):
    path = tmp_path / "doc.json"
    path.write_text(json.dumps(case["doc"]))
    result = invoke(["grad", str(path), "--json"])
    assert result.exit_code == 0, result.output
    got, want = json.loads(result.output), case["expected"]
    for key in ("grad_images", "grad_kernels", "grad_bias"):
        assert (key in got) == (key in want), key
        if key in want:
            np.testing.assert_allclose(got[key], want[key], rtol=0, atol=1e-9)


def api_call(case):
    """The case as a torch-style call of the Python API, on the channels-first arrays, with per-axis settings."""
    problem = problem_from_document(case["doc"])
    g, suffix, x = problem.geometry, f"{problem.dims}d", problem.images
    symmetric = tuple(before for before, _ in g.padding)
    if problem.layer == "max_pool":
        return getattr(convtrace, "max_pool" + suffix)(x, problem.pool_size, g.stride, symmetric, g.dilation,
                                                       problem.ceil_mode)
    if problem.layer == "avg_pool":
        return getattr(convtrace, "avg_pool" + suffix)(x, problem.pool_size, g.stride, symmetric, problem.ceil_mode,
                                                       problem.count_include_pad)
    common = dict(stride=g.stride, dilation=g.dilation, groups=problem.groups)
    if problem.layer == "conv_transpose":
        return getattr(convtrace, "conv_transpose" + suffix)(x, problem.kernels, problem.bias, padding=symmetric,
                                                             output_padding=problem.output_padding, **common)
    kernels = problem.applied_kernels  # the API takes the kernels as the window uses them
    return getattr(convtrace, "conv" + suffix)(x, kernels, problem.bias, padding=g.padding, **common)


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_python_api_matches_torch(case):
    problem = problem_from_document(case["doc"])
    want = channels_first(problem, case["expected"]["output"])
    np.testing.assert_allclose(api_call(case), want, rtol=0, atol=tol(problem))


def test_api_keeps_float32():
    x = np.arange(2 * 4 * 5 * 5, dtype=np.float32).reshape(2, 4, 5, 5)
    w = np.ones((4, 1, 3, 3), dtype=np.float32)
    for out in (convtrace.conv2d(x, w, groups=4), convtrace.conv_transpose2d(x, w, stride=2),
                convtrace.max_pool2d(x, 2), convtrace.avg_pool2d(x, 2), convtrace.conv1d(x[:, :, 0], w[:, :, 0], groups=4)):
        assert out.dtype == np.float32


MAX_GRAD_CASES = [case for case in GRAD_CASES if case["doc"].get("pool") == "max"]


@pytest.mark.parametrize("case", MAX_GRAD_CASES, ids=[c["name"] for c in MAX_GRAD_CASES])
def test_naive_window_max_at_is_where_torch_sends_the_gradient(case):
    problem = problem_from_document(case["doc"])
    g = problem.grad_output if problem.grad_output is not None else np.ones(problem.output_shape)
    routed = np.zeros(problem.images.shape)
    for step in trace_layer(problem):
        routed[(step.n, step.k, *step.window_max_at)] += g[(step.n, step.k, *step.position)]
    np.testing.assert_allclose(routed, channels_first(problem, case["expected"]["grad_images"]), rtol=0, atol=1e-9)


@pytest.mark.parametrize("case", GRAD_CASES, ids=[c["name"] for c in GRAD_CASES])
def test_naive_backward_loop_matches_torch(case):
    from convtrace.engine.naive_backward import accumulate, trace_backward

    problem = problem_from_document(case["doc"])
    images, kernels, bias = accumulate(problem, trace_backward(problem))
    want = case["expected"]
    np.testing.assert_allclose(images, channels_first(problem, want["grad_images"]), rtol=0, atol=tol(problem))
    if "grad_kernels" in want:
        np.testing.assert_allclose(kernels, channels_first(problem, want["grad_kernels"]), rtol=0, atol=tol(problem))
    if "grad_bias" in want:
        np.testing.assert_allclose(bias, want["grad_bias"], rtol=0, atol=tol(problem))
