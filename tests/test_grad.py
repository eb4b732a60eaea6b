"""The backward pass: vectorized and traced gradients against PyTorch, finite differences, scipy and hand work."""

from __future__ import annotations

import dataclasses
import json
import subprocess
import sys

import numpy as np
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from scipy import signal

from convtrace.errors import DataError
from convtrace.engine.fast import conv2d_nchw
from convtrace.source.geometry import make_geometry
from convtrace.engine.grad import conv2d_grad, gradients, grads_nchw
from convtrace.engine.grad_events import BiasCell, ImagesCell, ImagesPrepare, ImagesResult, KernelsCell, KernelsResult
from convtrace.engine.grad_trace import trace_gradients, trace_images, trace_kernels
from convtrace.teach.grad_words import explain
from convtrace.source.problem import build_problem, problem_from_document

from conftest import golden_cases

CASES = golden_cases("grad")
IDS = [case["name"] for case in CASES]


def in_layout(problem, array: np.ndarray) -> np.ndarray:
    """An NCHW-ordered array -> the document's layout (kernels (K, C, kh, kw) -> (K, kh, kw, C) too)."""
    return array.transpose(0, 2, 3, 1) if problem.layout == "NHWC" else array


def grad_tolerance(problem, g) -> float:
    """Scales with sum |x| * sum |w| * sum |g| (so the rounding bound grows with the sums): a gradient is a sum of such products."""
    scale = np.abs(problem.images).sum() + np.abs(problem.kernels).sum()
    return 1e-12 * (1.0 + scale * scale * (1.0 + np.abs(g).sum()))


def results(problem, which=("images", "kernels", "bias")) -> dict:
    """grad name -> its result event, running the traced backward pass to the end."""
    return {e.grad: e for e in trace_gradients(problem, which) if e.event == "result"}


# ----------------------------------------------------------------------------- PyTorch golden vectors


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_vectorized_gradients_match_torch(case):
    problem = problem_from_document(case["doc"])
    grads = gradients(problem)
    want = case["expected"]
    pairs = [("output", grads.output), ("grad_images", grads.images), ("grad_kernels", grads.kernels)]
    for key, got in pairs:
        got = in_layout(problem, got)
        assert list(got.shape) == list(np.shape(want[key])), key
        np.testing.assert_allclose(got, want[key], rtol=0, atol=1e-9, err_msg=key)
    assert ("grad_bias" in want) == (grads.bias is not None)
    if grads.bias is not None:
        np.testing.assert_allclose(grads.bias, want["grad_bias"], rtol=0, atol=1e-9)


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_traced_gradients_match_torch(case):
    problem = problem_from_document(case["doc"])
    done = results(problem)
    want = case["expected"]
    np.testing.assert_allclose(in_layout(problem, done["images"].grad_images), want["grad_images"], rtol=0, atol=1e-9)
    np.testing.assert_allclose(in_layout(problem, done["kernels"].grad_kernels), want["grad_kernels"], rtol=0, atol=1e-9)
    assert ("bias" in done) == ("grad_bias" in want)
    if "bias" in done:
        np.testing.assert_allclose(done["bias"].grad_bias, want["grad_bias"], rtol=0, atol=1e-9)


def test_cli_json_matches_torch_for_every_case(invoke, tmp_path):
    for case in CASES:
        path = tmp_path / f"{case['name']}.json"
        path.write_text(json.dumps(case["doc"]))
        result = invoke(["grad", str(path), "--json"])
        assert result.exit_code == 0, (case["name"], result.output)
        got, want = json.loads(result.output), case["expected"]
        assert got["output_shape"] == want["output_shape"], case["name"]
        assert ("grad_bias" in got) == ("grad_bias" in want), case["name"]
        for key in ("output", "grad_images", "grad_kernels", "grad_bias"):
            if key in want:
                assert np.shape(got[key]) == np.shape(want[key]), (case["name"], key)
                np.testing.assert_allclose(got[key], want[key], rtol=0, atol=1e-9, err_msg=f"{case['name']} {key}")


# ----------------------------------------------------------------------------- finite differences


FD_CASES = {
    "stride_2_padding": dict(x=(2, 2, 6, 5), w=(2, 2, 3, 2), stride=2, padding=((1, 0), (0, 2))),
    "dilation_rect_stride": dict(x=(1, 2, 7, 6), w=(2, 2, 2, 3), stride=(1, 2), dilation=(2, 1)),
    "same_even_flip": dict(x=(1, 1, 5, 6), w=(2, 1, 2, 4), mode="same", flip=True),
    "full_stride_3_dropped": dict(x=(2, 1, 7, 5), w=(1, 1, 2, 2), mode="full", stride=3),
    "valid_everything": dict(x=(2, 3, 6, 6), w=(2, 3, 3, 3), stride=2, dilation=2, padding=1, flip=True),
}


@pytest.mark.parametrize("name", FD_CASES)
def test_gradients_match_central_finite_differences(name):
    spec = dict(FD_CASES[name])
    rng = np.random.default_rng(abs(hash(name)) % 2**32)
    x, w = rng.normal(size=spec.pop("x")), rng.normal(size=spec.pop("w"))
    b = rng.normal(size=w.shape[0])
    flip = spec.pop("flip", False)
    problem = build_problem(x, w, bias=b, flip=flip, **spec)
    g = rng.normal(size=problem.output_shape)
    problem = build_problem(x, w, bias=b, flip=flip, grad_output=g, **spec)
    geo = problem.geometry

    def loss(x_, w_, b_):
        return float((conv2d_nchw(x_, w_, b_, geo, flip) * g).sum())

    def numeric(array, place):
        h = 1e-4
        grad = np.zeros_like(array)
        for index in np.ndindex(array.shape):
            up, down = array.copy(), array.copy()
            up[index] += h
            down[index] -= h
            grad[index] = (place(up) - place(down)) / (2 * h)
        return grad

    fd_x = numeric(x, lambda v: loss(v, w, b))
    fd_w = numeric(w, lambda v: loss(x, v, b))
    fd_b = numeric(b, lambda v: loss(x, w, v))
    grads = gradients(problem)
    done = results(problem)
    for got in (grads.images, done["images"].grad_images):
        np.testing.assert_allclose(got, fd_x, rtol=0, atol=1e-6)
    for got in (grads.kernels, done["kernels"].grad_kernels):
        np.testing.assert_allclose(got, fd_w, rtol=0, atol=1e-6)
    for got in (grads.bias, done["bias"].grad_bias):
        np.testing.assert_allclose(got, fd_b, rtol=0, atol=1e-6)


# ----------------------------------------------------------------------------- trace == vectorized


@st.composite
def problems(draw):
    n, c, k = draw(st.integers(1, 2)), draw(st.integers(1, 2)), draw(st.integers(1, 2))
    h, w = draw(st.integers(1, 7)), draw(st.integers(1, 7))
    kh, kw = draw(st.integers(1, 3)), draw(st.integers(1, 3))
    stride = (draw(st.integers(1, 3)), draw(st.integers(1, 3)))
    dilation = (draw(st.integers(1, 3)), draw(st.integers(1, 3)))
    choice = draw(st.sampled_from(["valid", "same", "full", "explicit"]))
    padding = None
    if choice == "explicit":
        padding = tuple(tuple(draw(st.integers(0, 2)) for _ in range(2)) for _ in range(2))
    mode = None if choice == "explicit" else choice
    seed = draw(st.integers(0, 2**31))
    rng = np.random.default_rng(seed)
    x = rng.integers(-3, 4, size=(n, c, h, w)).astype(float)
    kern = rng.integers(-3, 4, size=(k, c, kh, kw)).astype(float)
    bias = rng.integers(-3, 4, size=k).astype(float) if draw(st.booleans()) else None
    flip = draw(st.booleans())
    try:
        geo = make_geometry((h, w), (kh, kw), stride=stride, dilation=dilation, mode=mode, padding=padding)
    except DataError:
        assume(False)
    g = rng.integers(-3, 4, size=(n, k, *geo.out_size)).astype(float)
    return build_problem(x, kern, bias=bias, stride=stride, dilation=dilation, mode=mode, padding=padding,
                         flip=flip, grad_output=g)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
@given(problems())
def test_traced_cells_equal_the_vectorized_gradients(problem):
    """Integer data: the traced cells and the vectorized result agree exactly, padding cells included."""
    geo = problem.geometry
    g = problem.grad_output
    # dL/dx_pad from the vectorized route: treat the padded input as an unpadded one
    unpadded = make_geometry(geo.padded_size, geo.kernel_size, stride=geo.stride, dilation=geo.dilation, padding=0)
    want_pad, _, _ = grads_nchw(problem.padded_images(), problem.kernels, g, unpadded, problem.flip)
    grads = gradients(problem)

    got_pad = np.zeros_like(want_pad)
    got_w = np.full(problem.kernels.shape, np.nan)
    got_b = {}
    for e in trace_gradients(problem):
        if isinstance(e, ImagesCell):
            got_pad[e.n, e.c, e.row, e.col] = e.value
        elif isinstance(e, KernelsCell):
            got_w[e.target] = e.value
        elif isinstance(e, BiasCell):
            got_b[e.k] = e.value
        elif isinstance(e, ImagesResult):
            assert np.array_equal(e.padded, want_pad)
            assert np.array_equal(e.grad_images, grads.images)
        elif isinstance(e, KernelsResult):
            assert np.array_equal(e.grad_kernels, grads.kernels)
    assert np.array_equal(got_pad, want_pad)
    assert np.array_equal(got_w, grads.kernels)
    if problem.bias is None:
        assert got_b == {} and grads.bias is None
    else:
        assert np.array_equal([got_b[k] for k in range(len(got_b))], grads.bias)


@pytest.mark.parametrize("case", CASES[::4], ids=IDS[::4])
def test_traced_cells_equal_vectorized_on_float_data(case):
    problem = problem_from_document(case["doc"])
    grads = gradients(problem)
    got_w = np.zeros(problem.kernels.shape)
    for e in trace_kernels(problem):
        if e.event == "cell":
            got_w[e.target] = e.value
    tol = grad_tolerance(problem, grads.grad_output)
    np.testing.assert_allclose(got_w, grads.kernels, rtol=0, atol=tol)
    np.testing.assert_allclose(results(problem)["images"].grad_images, grads.images, rtol=0, atol=tol)


# ----------------------------------------------------------------------------- independent references


@pytest.mark.parametrize("seed", range(3))
def test_stride_1_gradients_are_scipys_full_convolution_and_valid_correlation(seed):
    """The textbook statements: dL/dx = full convolution of g with w; dL/dw = valid correlation of x with g."""
    rng = np.random.default_rng(seed)
    x, w = rng.normal(size=(2, 2, 6, 5)), rng.normal(size=(3, 2, 3, 2))
    problem = build_problem(x, w)
    g = rng.normal(size=problem.output_shape)
    problem = build_problem(x, w, grad_output=g)
    grads = gradients(problem)
    want_x = np.zeros_like(x)
    want_w = np.zeros_like(w)
    for n in range(2):
        for c in range(2):
            for k in range(3):
                want_x[n, c] += signal.convolve2d(g[n, k], w[k, c], mode="full")
                want_w[k, c] += signal.correlate2d(x[n, c], g[n, k], mode="valid")
    np.testing.assert_allclose(grads.images, want_x, rtol=0, atol=1e-12)
    np.testing.assert_allclose(grads.kernels, want_w, rtol=0, atol=1e-12)
    np.testing.assert_allclose(results(problem)["images"].grad_images, want_x, rtol=0, atol=1e-12)


@pytest.mark.parametrize("stride, dilation", [((2, 3), (1, 2)), ((3, 1), (2, 1)), ((1, 1), (3, 3))])
def test_kernel_gradient_is_a_forward_pass_with_stride_and_dilation_swapped(stride, dilation):
    """The summary's claim: dL/dw = the forward window walk over x_pad with g as the kernel,
    stride d and dilation s, 'valid', its first kh x kw results, summed over the batch."""
    rng = np.random.default_rng(11)
    x, w = rng.normal(size=(2, 2, 9, 10)), rng.normal(size=(3, 2, 3, 2))
    problem = build_problem(x, w, stride=stride, dilation=dilation, padding=((1, 0), (2, 1)))
    g = rng.normal(size=problem.output_shape)
    problem = build_problem(x, w, stride=stride, dilation=dilation, padding=((1, 0), (2, 1)), grad_output=g)
    x_pad = problem.padded_images()
    swapped = make_geometry(x_pad.shape[2:], g.shape[2:], stride=dilation, dilation=stride, padding=0)
    want = np.zeros_like(w)
    for n in range(2):
        for k in range(3):
            # one image, one kernel: x_pad[n] as C single-channel images, g[n, k] as the kernel
            out = conv2d_nchw(x_pad[n][:, None], g[n, k][None, None], None, swapped)  # (C, 1, rows, cols)
            want[k] += out[:, 0, :3, :2]
    np.testing.assert_allclose(gradients(problem).kernels, want, rtol=0, atol=1e-11)


def test_hand_worked_example():
    """x = 1..9 (3x3), w = [[1, 2], [3, 4]], g all ones, bias 0.5, worked on paper.

    dL/dx[r, q] sums the taps of every window covering (r, q): the centre is under all four
    windows (1+2+3+4 = 10), a corner under one. dL/dw[u, v] sums the x cells each tap saw.
    """
    doc = {"images": [[1, 2, 3], [4, 5, 6], [7, 8, 9]], "kernels": [[1, 2], [3, 4]], "bias": [0.5]}
    problem = problem_from_document(doc)
    want_x = [[1, 3, 2], [4, 10, 6], [3, 7, 4]]
    want_w = [[1 + 2 + 4 + 5, 2 + 3 + 5 + 6], [4 + 5 + 7 + 8, 5 + 6 + 8 + 9]]
    grads = gradients(problem)
    done = results(problem)
    assert grads.images[0, 0].tolist() == want_x
    assert done["images"].grad_images[0, 0].tolist() == want_x
    assert grads.kernels[0, 0].tolist() == want_w
    assert done["kernels"].grad_kernels[0, 0].tolist() == want_w
    assert grads.bias.tolist() == done["bias"].grad_bias.tolist() == [4.0]


def test_flip_is_the_gradient_of_the_rotated_kernel_rotated_back():
    rng = np.random.default_rng(7)
    x, w = rng.normal(size=(1, 2, 6, 7)), rng.normal(size=(2, 2, 3, 2))
    opts = dict(stride=(2, 1), dilation=(1, 2), padding=((1, 2), (0, 1)))
    g = rng.normal(size=build_problem(x, w, **opts).output_shape)
    flipped = gradients(build_problem(x, w, flip=True, grad_output=g, **opts))
    plain = gradients(build_problem(x, w[:, :, ::-1, ::-1].copy(), grad_output=g, **opts))
    np.testing.assert_allclose(flipped.output, plain.output, rtol=0, atol=1e-12)
    np.testing.assert_allclose(flipped.images, plain.images, rtol=0, atol=1e-12)
    np.testing.assert_allclose(flipped.kernels, plain.kernels[:, :, ::-1, ::-1], rtol=0, atol=1e-12)


def test_nhwc_document_gives_the_nchw_gradients_transposed(invoke, tmp_path):
    rng = np.random.default_rng(3)
    x, w = rng.integers(-3, 4, size=(2, 3, 5, 4)), rng.integers(-3, 4, size=(2, 3, 2, 3))
    base = {"stride": [2, 1], "mode": "same", "bias": [1, -2]}
    nchw = {"images": x.tolist(), "kernels": w.tolist(), **base}
    nhwc = {"images": x.transpose(0, 2, 3, 1).tolist(), "kernels": w.transpose(0, 2, 3, 1).tolist(),
            "layout": "NHWC", **base}
    out = {}
    for name, doc in (("nchw", nchw), ("nhwc", nhwc)):
        path = tmp_path / f"{name}.json"
        path.write_text(json.dumps(doc))
        result = invoke(["grad", str(path), "--json"])
        assert result.exit_code == 0, result.output
        out[name] = json.loads(result.output)
    a, b = out["nchw"], out["nhwc"]
    assert np.array_equal(np.transpose(a["grad_images"], (0, 2, 3, 1)), b["grad_images"])
    assert np.array_equal(np.transpose(a["grad_kernels"], (0, 2, 3, 1)), b["grad_kernels"])
    assert a["grad_bias"] == b["grad_bias"]


def test_array_api_keeps_layout_and_float32():
    rng = np.random.default_rng(5)
    x = rng.normal(size=(1, 5, 6, 2)).astype(np.float32)
    w = rng.normal(size=(3, 2, 2, 2)).astype(np.float32)
    gx, gw, gb = conv2d_grad(x, w, stride=2, padding="same", layout="NHWC")
    assert gx.shape == x.shape and gw.shape == w.shape and gb.shape == (3,)
    assert gx.dtype == gw.dtype == np.float32
    problem = build_problem(x.transpose(0, 3, 1, 2).astype(float), w.transpose(0, 3, 1, 2).astype(float),
                            stride=2, mode="same")
    grads = gradients(problem)
    np.testing.assert_allclose(gx.transpose(0, 3, 1, 2), grads.images, rtol=0, atol=1e-4)
    np.testing.assert_allclose(gw.transpose(0, 3, 1, 2), grads.kernels, rtol=0, atol=1e-4)
    # the output is (1, ceil(5/2), ceil(6/2), K=3) = (1, 3, 3, 3) in NHWC
    gx_given, _, _ = conv2d_grad(x, w, np.full((1, 3, 3, 3), 2.0), stride=2, padding="same", layout="NHWC")
    np.testing.assert_allclose(gx_given, 2 * gx, rtol=1e-5)
    with pytest.raises(DataError, match=r"\(1, 3, 3, 3\) \(NHWC\)"):
        conv2d_grad(x, w, np.ones((1, 3, 3, 2)), stride=2, padding="same", layout="NHWC")


# ----------------------------------------------------------------------------- what the trace shows


def test_images_preparation_spreads_rotates_and_pads():
    """stride 2 and dilation 2, checked against arrays written out by hand."""
    # H' = W' = floor((7 - 2*(2-1) - 1) / 2) + 1 = 3
    doc = {"images": np.arange(49.0).reshape(7, 7).tolist(), "kernels": [[1, 2], [3, 4]],
           "stride": 2, "dilation": 2, "grad_output": [[1, 2, 3], [4, 5, 6], [7, 8, 9]]}
    prepare = next(iter(trace_images(problem_from_document(doc))))
    assert isinstance(prepare, ImagesPrepare)
    assert prepare.spread[0, 0].tolist() == [
        [1, 0, 2, 0, 3], [0, 0, 0, 0, 0], [4, 0, 5, 0, 6], [0, 0, 0, 0, 0], [7, 0, 8, 0, 9]]
    assert prepare.kernels_spread[0, 0].tolist() == [[1, 0, 2], [0, 0, 0], [3, 0, 4]]
    assert prepare.kernels_rotated[0, 0].tolist() == [[4, 0, 3], [0, 0, 0], [2, 0, 1]]
    assert prepare.full_padding == (2, 2)
    assert prepare.padded.shape == (1, 1, 9, 9)
    assert prepare.padded[0, 0, 2:7, 2:7].tolist() == prepare.spread[0, 0].tolist()
    assert prepare.padded[0, 0, :2].sum() == prepare.padded[0, 0, 7:].sum() == 0
    assert prepare.size == (7, 7) and prepare.cells == 49
    assert prepare.tap_mask.tolist() == [[True, False, True], [False, False, False], [True, False, True]]


def test_every_images_cell_is_a_window_of_padded_g_against_the_rotated_kernel():
    doc = {"images": np.ones((2, 6, 5)).tolist(), "kernels": np.ones((3, 2, 2, 3)).tolist(),
           "stride": [2, 1], "dilation": [1, 2], "padding": [[1, 0], [2, 1]]}
    problem = problem_from_document(doc)
    events = list(trace_images(problem))
    prepare, cells, result = events[0], events[1:-1], events[-1]
    assert len(cells) == prepare.cells == 2 * prepare.size[0] * prepare.size[1]
    eh, ew = prepare.kernels_rotated.shape[2:]
    for step, e in enumerate(cells):
        assert e.step == step
        assert np.array_equal(e.patch, prepare.padded[e.n, :, e.row : e.row + eh, e.col : e.col + ew])
        assert np.array_equal(e.kernel, prepare.kernels_rotated[:, e.c])
        assert np.array_equal(e.products, e.patch * e.kernel)
        assert np.allclose(e.partials, e.products.sum(axis=(1, 2))) and np.isclose(e.value, e.partials.sum())
        inside = 1 <= e.row < 7 and 2 <= e.col < 7
        assert (e.input_row, e.input_col) == ((e.row - 1, e.col - 2) if inside else (None, None))
    order = [(e.n, e.c, e.row, e.col) for e in cells]
    assert order == sorted(order)
    assert result.crop == ((1, 7), (2, 7))


def test_rows_the_floor_dropped_get_zero_gradient():
    # H = 6, k = 2, s = 3: H' = floor((6 - 2) / 3) + 1 = 2, windows cover rows 0..4, row 5 is dropped
    doc = {"images": np.arange(36.0).reshape(6, 6).tolist(), "kernels": [[1, 1], [1, 1]], "stride": 3}
    problem = problem_from_document(doc)
    result = [e for e in trace_images(problem) if e.event == "result"][0]
    assert result.dropped == (1, 1)
    assert result.full.shape[2:] == (5, 5)
    assert result.grad_images[0, 0, 5].tolist() == [0] * 6
    assert result.grad_images[0, 0, :, 5].tolist() == [0] * 6
    assert result.grad_images[0, 0, 2].tolist() == [0] * 6  # the stride skipped row 2 too
    assert result.grad_images[0, 0, 0].tolist() == [1, 1, 0, 1, 1, 0]


def test_kernel_cells_read_x_pad_at_stride_from_the_dilated_offset():
    rng = np.random.default_rng(1)
    doc = {"images": rng.integers(-3, 4, size=(2, 1, 8, 7)).tolist(), "kernels": rng.integers(-3, 4, size=(1, 1, 3, 2)).tolist(),
           "stride": [2, 3], "dilation": [2, 1], "padding": 1, "flip": True}
    problem = problem_from_document(doc)
    x_pad = problem.padded_images()
    events = list(trace_kernels(problem))
    cells = [e for e in events if e.event == "cell"]
    assert len(cells) == 6 == events[0].cells
    h_out, w_out = problem.geometry.out_size
    for e in cells:
        assert (e.top, e.left) == (e.row * 2, e.col * 1)
        assert e.rows == tuple(e.top + 2 * i for i in range(h_out))
        assert e.cols == tuple(e.left + 3 * j for j in range(w_out))
        assert np.array_equal(e.patch, x_pad[:, e.c][:, list(e.rows)][:, :, list(e.cols)])
        assert np.array_equal(e.kernel, np.ones((2, h_out, w_out)))
        assert e.rotated and e.target == (e.k, e.c, 2 - e.row, 1 - e.col)
        assert np.array_equal(e.partials, (e.patch * e.kernel).sum(axis=(1, 2)))
    result = events[-1]
    assert result.rotated and np.array_equal(result.grad_kernels, result.applied[:, :, ::-1, ::-1])


def test_events_are_immutable():
    problem = problem_from_document({"images": [[1, 2, 3], [4, 5, 6], [7, 8, 9]], "kernels": [[1, 2], [3, 4]], "bias": [1]})
    for e in trace_gradients(problem):
        with pytest.raises(dataclasses.FrozenInstanceError):
            setattr(e, dataclasses.fields(e)[0].name, None)
        for name in ("patch", "kernel", "partials", "grad_images", "grad_kernels", "grad_bias", "padded"):
            array = getattr(e, name, None)
            if isinstance(array, np.ndarray):
                assert not array.flags.writeable, (type(e).__name__, name)


def test_summary_names_the_mode_and_rotation_of_each_gradient():
    doc = {"images": np.ones((5, 5)).tolist(), "kernels": np.ones((3, 3)).tolist(), "stride": 2, "bias": [0],
           "flip": True}
    parts = {p.grad: p for p in explain(problem_from_document(doc))}
    images, kernels = parts["images"], parts["kernels"]
    assert "'full'" in images.title and "rotated 180" in images.title
    assert any("r - p" in line for line in images.lines)
    assert any("flip is on" in line for line in images.lines)
    assert "'valid'" in kernels.title
    assert any(line.startswith("rotation: none") for line in kernels.lines)
    assert any("rotating it back" in line for line in kernels.lines)
    assert "bias" in parts


# ----------------------------------------------------------------------------- the command


# 5x4 image, padded to 5x5; 2x2 kernels at stride 2: 2x2 outputs, the floor drops row 4 and column 4
DOC = {"images": [[[1, 2, 3, 4], [5, 6, 7, 8], [9, 10, 11, 12], [13, 14, 15, 16], [17, 18, 19, 20]]],
       "kernels": [[[[1, 0], [2, -1]]], [[[0, 1], [1, 1]]]], "bias": [0, 1], "stride": 2,
       "grad_output": [[[[1, 2], [0, -1]], [[3, 4], [2, 1]]]], "padding": [[0, 0], [0, 1]]}


@pytest.fixture
def doc_path(tmp_path):
    path = tmp_path / "doc.json"
    path.write_text(json.dumps(DOC))
    return str(path)


def test_jsonl_has_one_object_per_step_with_grad_and_event(invoke, doc_path):
    result = invoke(["grad", doc_path, "--format", "jsonl"])
    assert result.exit_code == 0, result.output
    records = [json.loads(line) for line in result.output.splitlines()]
    kinds = [(r["grad"], r["event"]) for r in records]
    problem = problem_from_document(DOC)
    events = list(trace_gradients(problem))
    assert kinds == [(e.grad, e.event) for e in events]
    assert kinds[0] == ("images", "prepare") and kinds[-1] == ("bias", "result")
    cells = [r for r in records if r["grad"] == "images" and r["event"] == "cell"]
    assert [r["step"] for r in cells] == list(range(len(cells)))
    for r in cells:
        assert set(r) >= {"n", "c", "row", "col", "top", "left", "input_row", "input_col", "patch", "kernel", "partials", "value"}
        assert np.allclose((np.array(r["patch"]) * np.array(r["kernel"])).sum(axis=(1, 2)), r["partials"])
    kernel_cells = [r for r in records if r["grad"] == "kernels" and r["event"] == "cell"]
    grads = gradients(problem)
    for r in kernel_cells:
        assert np.isclose(r["value"], grads.kernels[tuple(r["target"])])
    images_result = [r for r in records if r["grad"] == "images" and r["event"] == "result"][0]
    assert np.allclose(images_result["grad_images"], grads.images)


def test_limit_caps_the_cells_of_each_gradient(invoke, doc_path):
    result = invoke(["grad", doc_path, "--format", "jsonl", "--limit", "2"])
    records = [json.loads(line) for line in result.output.splitlines()]
    for grad in ("images", "kernels", "bias"):
        mine = [r for r in records if r["grad"] == grad]
        assert sum(r["event"] == "cell" for r in mine) == 2
        assert mine[-1]["event"] == "result"
    plain = invoke(["grad", doc_path, "--format", "plain", "--limit", "1"]).output
    assert "more images cell(s) not shown" in plain and "more kernels cell(s) not shown" in plain
    assert plain.count(" step ") == 3


def test_only_traces_one_gradient(invoke, doc_path):
    result = invoke(["grad", doc_path, "--format", "jsonl", "--only", "kernels"])
    assert {json.loads(line)["grad"] for line in result.output.splitlines()} == {"kernels"}


def test_plain_format_one_line_per_event_then_the_summary(invoke, doc_path):
    result = invoke(["grad", doc_path, "--format", "plain"])
    assert result.exit_code == 0
    lines = result.output.splitlines()
    events = list(trace_gradients(problem_from_document(DOC)))
    assert len([line for line in lines if line.split(" ", 1)[0] in ("images", "kernels", "bias")]) == len(events)
    assert "images step 0  dL/dx_pad[0,0,0,0]" in result.output
    assert "== dL/dimages" in result.output and "== dL/dkernels" in result.output


def test_rich_view_reads_without_colour(invoke, doc_path):
    result = invoke(["grad", doc_path, "--limit", "3"], env={"NO_COLOR": "1", "COLUMNS": "100", "TERM": "dumb"})
    assert result.exit_code == 0, result.output
    out = result.output
    assert "\x1b[" not in out
    for text in ("dL/dimages step 1 of", "rot180(w')", "g'_pad", "[", "dL/dkernels step 1 of",
                 "dL/dbias[1]", "crop", "What each gradient is", "r - p"):
        assert text in out, text
    # the stride inserted zeros into g': shown as '·', not as data
    assert "·" in out


def test_rich_view_draws_a_capped_number_of_cells_by_default(invoke, tmp_path):
    path = tmp_path / "many.json"
    path.write_text(json.dumps({"images": np.ones((6, 7)).tolist(), "kernels": [[2]]}))  # 42 cells each
    out = invoke(["grad", str(path)], env={"NO_COLOR": "1", "COLUMNS": "100"}).output
    assert out.count("dL/dimages step ") == 30  # of 42
    assert out.count("dL/dkernels step ") == 1  # a 1x1 kernel has one tap
    assert "12 more dL/dimages cell(s) traced but not drawn" in out and "--limit 42" in out


def test_builtin_example_runs(invoke):
    result = invoke(["grad", "--limit", "1"], env={"NO_COLOR": "1", "COLUMNS": "120"})
    assert result.exit_code == 0
    assert "dL/dimages" in result.output


def test_bad_grad_output_is_a_data_error(invoke, tmp_path):
    path = tmp_path / "bad.json"
    path.write_text(json.dumps({**DOC, "grad_output": [[1, 2, 3]]}))
    result = invoke(["grad", str(path), "--json"])
    assert result.exit_code == 1
    assert "grad_output" in result.output and "Traceback" not in result.output


def test_only_bias_without_a_bias_is_a_usage_error(invoke, tmp_path):
    path = tmp_path / "nobias.json"
    path.write_text(json.dumps({"images": [[1, 2], [3, 4]], "kernels": [[1]]}))
    result = invoke(["grad", str(path), "--only", "bias"])
    assert result.exit_code == 2 and "no 'bias'" in result.output


def test_options_override_the_document(invoke, doc_path):
    result = invoke(["grad", doc_path, "--json", "--stride", "1", "--mode", "valid"])
    # grad_output in DOC is shaped for stride 2: with stride 1 it no longer fits the output
    assert result.exit_code == 1 and "grad_output" in result.output
    doc = {k: v for k, v in DOC.items() if k != "grad_output"}
    path = doc_path.replace("doc.json", "plain.json")
    with open(path, "w") as handle:
        json.dump(doc, handle)
    got = json.loads(invoke(["grad", path, "--json", "--stride", "1", "--mode", "same", "--flip"]).output)
    problem = problem_from_document(doc, {"stride": 1, "mode": "same", "flip": True})
    assert np.allclose(got["grad_kernels"], gradients(problem).kernels)


def test_piping_into_head_ends_quietly():
    doc = json.dumps({"images": np.ones((2, 3, 12, 12)).tolist(), "kernels": np.ones((4, 3, 3, 3)).tolist()})
    shell = f"{sys.executable} -m convtrace grad - --format jsonl | head -n 1"
    done = subprocess.run(shell, shell=True, input=doc, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0
    assert done.stderr == ""
    assert json.loads(done.stdout)["event"] == "prepare"
