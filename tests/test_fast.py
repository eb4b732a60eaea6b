"""The vectorized engine's strategies against scipy's direct correlation and PyTorch's golden vectors."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import signal

import convtrace.engine.flat as flat
from convtrace.engine.fast import STRATEGIES, choose_strategy, conv2d, conv2d_nchw
from convtrace.engine.flat import flat_input
from convtrace.source.geometry import make_geometry
from convtrace.source.problem import problem_from_document

from conftest import golden_cases, tolerance

# (images shape, kernels shape, stride, dilation, padding ((top, bottom), (left, right)))
GEOMETRIES = [
    ((1, 1, 5, 5), (1, 1, 3, 3), (1, 1), (1, 1), ((0, 0), (0, 0))),
    ((2, 3, 9, 11), (4, 3, 3, 2), (1, 1), (1, 1), ((1, 1), (1, 1))),
    ((2, 3, 9, 11), (4, 3, 3, 3), (2, 2), (1, 1), ((1, 0), (2, 1))),
    ((1, 2, 13, 10), (3, 2, 3, 3), (3, 2), (2, 1), ((2, 2), (0, 3))),
    ((2, 2, 8, 7), (3, 2, 2, 3), (1, 1), (2, 2), ((0, 1), (1, 0))),
    ((1, 2, 7, 7), (2, 2, 3, 3), (1, 1), (1, 1), ((5, 4), (3, 6))),  # padding wider than the kernel
    ((3, 4, 6, 9), (2, 4, 1, 1), (1, 1), (1, 1), ((0, 0), (0, 0))),  # 1x1 kernels
    ((1, 3, 12, 12), (5, 3, 7, 7), (2, 2), (1, 1), ((3, 3), (3, 3))),  # a strided 7x7 stem
    ((2, 1, 5, 6), (2, 1, 5, 6), (1, 1), (1, 1), ((0, 0), (0, 0))),  # kernel as large as the image
]


def strategies_for(stride) -> list[str]:
    """rows and shifted need stride 1; windows, im2col and fft take any stride (winograd: tests/test_winograd.py)."""
    return [s for s in STRATEGIES if (stride == (1, 1) or s not in ("rows", "shifted")) and s != "winograd"]


def scipy_reference(x, w, bias, stride, dilation, padding) -> np.ndarray:
    """(N, K, H', W'): pad, spread the kernel taps by the dilation, correlate each channel directly, subsample."""
    (top, bottom), (left, right) = padding
    (sh, sw), (dh, dw) = stride, dilation
    x_pad = np.pad(x, ((0, 0), (0, 0), (top, bottom), (left, right)))
    k, c, kh, kw = w.shape
    spread = np.zeros((k, c, dh * (kh - 1) + 1, dw * (kw - 1) + 1))
    spread[:, :, ::dh, ::dw] = w
    rows = [[sum(signal.correlate(x_pad[n, ch], spread[kk, ch], mode="valid", method="direct") for ch in range(c))
             [::sh, ::sw] for kk in range(k)] for n in range(x.shape[0])]
    out = np.array(rows)
    return out if bias is None else out + bias[None, :, None, None]


@pytest.mark.parametrize("shapes", GEOMETRIES, ids=[str(i) for i in range(len(GEOMETRIES))])
@pytest.mark.parametrize("flip", [False, True])
def test_every_strategy_matches_scipy(shapes, flip):
    xs, ws, stride, dilation, padding = shapes
    rng = np.random.default_rng(len(xs) + sum(xs) + 7 * sum(ws))
    x, w, bias = rng.normal(size=xs), rng.normal(size=ws), rng.normal(size=ws[0])
    applied = w[:, :, ::-1, ::-1] if flip else w
    want = scipy_reference(x, applied, bias, stride, dilation, padding)
    for strategy in strategies_for(stride):
        got = conv2d(x, w, bias, stride=stride, dilation=dilation, padding=padding, flip=flip, strategy=strategy)
        assert got.shape == want.shape, strategy
        assert got.dtype == np.float64
        np.testing.assert_allclose(got, want, rtol=0, atol=tolerance(x, w), err_msg=strategy)


@pytest.mark.parametrize("strategy", ["im2col", "rows", "shifted"])
def test_block_edges_do_not_matter(strategy, monkeypatch):
    """Blocks of 7 positions (not dividing anything) give the same numbers as one block."""
    rng = np.random.default_rng(3)
    x, w = rng.normal(size=(3, 2, 9, 8)), rng.normal(size=(4, 2, 3, 2))
    stride = (2, 1) if strategy == "im2col" else (1, 1)
    want = scipy_reference(x, w, None, stride, (2, 1), ((1, 2), (0, 1)))
    monkeypatch.setattr(flat, "_block_size", lambda depth, dtype: 7)
    got = conv2d(x, w, stride=stride, dilation=(2, 1), padding=((1, 2), (0, 1)), strategy=strategy)
    np.testing.assert_allclose(got, want, rtol=0, atol=tolerance(x, w))


@pytest.mark.parametrize("positions", [1, 20, 45, 10_000])
@pytest.mark.parametrize("strategy", ["im2col", "rows", "shifted"])
def test_blocks_of_rows_across_images_keep_every_output_row_once(strategy, positions, monkeypatch):
    """Blocks of rows that start and end inside images (or hold them all) give every output cell, with bias."""
    rng = np.random.default_rng(8)
    x, w, bias = rng.normal(size=(3, 2, 7, 6)), rng.normal(size=(4, 2, 3, 3)), rng.normal(size=4)
    want = scipy_reference(x, w, bias, (1, 1), (1, 1), ((2, 0), (1, 1)))
    monkeypatch.setattr(flat, "_block_size", lambda depth, dtype: positions)
    got = conv2d(x, w, bias, padding=((2, 0), (1, 1)), strategy=strategy)
    np.testing.assert_allclose(got, want, rtol=0, atol=tolerance(x, w))


GOLDEN = golden_cases("forward")


@pytest.mark.parametrize("case", GOLDEN, ids=[case["name"] for case in GOLDEN])
def test_every_strategy_matches_torch_golden(case):
    problem = problem_from_document(case["doc"])
    want = np.asarray(case["expected"]["output"], dtype=float)
    if case["doc"].get("layout") == "NHWC":
        want = want.transpose(0, 3, 1, 2)
    for strategy in strategies_for(problem.geometry.stride):
        got = conv2d_nchw(problem.images, problem.kernels, problem.bias, problem.geometry, problem.flip, strategy)
        np.testing.assert_allclose(got, want, rtol=0, atol=tolerance(problem.images, problem.kernels),
                                   err_msg=strategy)


@pytest.mark.parametrize("strategy", STRATEGIES)
def test_float32_stays_float32(strategy):
    rng = np.random.default_rng(1)
    x = rng.normal(size=(2, 5, 10, 10)).astype(np.float32)
    w = rng.normal(size=(6, 5, 3, 3)).astype(np.float32)
    bias = rng.normal(size=6)  # float64 bias must not promote the result
    got = conv2d(x, w, bias, padding=1, strategy=strategy)
    assert got.dtype == np.float32
    want = scipy_reference(x.astype(np.float64), w.astype(np.float64), bias, (1, 1), (1, 1), ((1, 1), (1, 1)))
    scale = np.abs(x).max() * np.abs(w).sum(axis=(1, 2, 3)).max()
    np.testing.assert_allclose(got, want, rtol=0, atol=1e-5 * scale)


def test_flat_layout_puts_every_tap_at_its_shift():
    """buffers[which][c, p + shift] is x_pad[n, c, i*sh + u*dh, j*sw + v*dw] for every kept position."""
    rng = np.random.default_rng(2)
    for stride, dilation, padding in [((1, 1), (1, 1), ((1, 2), (2, 0))), ((2, 3), (1, 2), ((3, 1), (0, 2))),
                                      ((1, 1), (2, 1), ((4, 0), (0, 4)))]:
        x = rng.normal(size=(2, 3, 9, 10))
        g = make_geometry((9, 10), (3, 2), stride=stride, dilation=dilation, padding=padding)
        buffers, taps, (hq, wq) = flat_input(x, g)
        x_pad = np.pad(x, ((0, 0), (0, 0), *padding))
        (sh, sw), (dh, dw) = stride, dilation
        h_out, w_out = g.out_size
        for n in range(2):
            for i in range(h_out):
                for j in range(w_out):
                    p = n * hq * wq + i * wq + j
                    for u in range(3):
                        for v in range(2):
                            which, shift = taps[u][v]
                            np.testing.assert_array_equal(buffers[which][:, p + shift],
                                                          x_pad[n, :, i * sh + u * dh, j * sw + v * dw])


def test_choose_strategy_by_shape():
    small = make_geometry((5, 5), (3, 3))
    assert choose_strategy((1, 1, 5, 5), (1, 1, 3, 3), small) == "windows"
    layer = make_geometry((56, 56), (3, 3), padding=1)
    assert choose_strategy((8, 64, 56, 56), (64, 64, 3, 3), layer) == "winograd"  # 3x3, stride 1, many channels: engine/choice.py
    stem = make_geometry((224, 224), (7, 7), stride=2, padding=3)
    assert choose_strategy((1, 3, 224, 224), (64, 3, 7, 7), stem) == "im2col"
    pointwise = make_geometry((56, 56), (1, 1))
    assert choose_strategy((8, 64, 56, 56), (64, 64, 1, 1), pointwise) == "im2col"


def test_empty_batch_gives_an_empty_output():
    out = conv2d(np.zeros((0, 2, 5, 5)), np.ones((3, 2, 3, 3)), np.ones(3))
    assert out.shape == (0, 3, 3, 3)


def test_rows_and_shifted_refuse_a_stride():
    with pytest.raises(ValueError, match="stride 1"):
        conv2d(np.ones((1, 1, 6, 6)), np.ones((1, 1, 3, 3)), stride=2, strategy="rows")
    with pytest.raises(ValueError, match="strategy"):
        conv2d(np.ones((1, 1, 6, 6)), np.ones((1, 1, 3, 3)), strategy="fastest")


def test_large_float32_layer_matches_float64():
    """A layer big enough for several blocks, every strategy, float32 within float32 rounding."""
    rng = np.random.default_rng(4)
    x = rng.normal(size=(2, 16, 30, 30)).astype(np.float32)
    w = (rng.normal(size=(8, 16, 3, 3)) * 0.1).astype(np.float32)
    want = conv2d(x.astype(np.float64), w.astype(np.float64), padding=1, strategy="windows")
    for strategy in STRATEGIES:
        got = conv2d(x, w, padding=1, strategy=strategy)
        assert got.dtype == np.float32
        np.testing.assert_allclose(got, want, rtol=0, atol=2e-5, err_msg=strategy)


def test_work_arrays_reused_between_calls_never_leak_into_results():
    """Calls of growing, shrinking and strided shapes in turn: each result stays right and unchanged."""
    rng = np.random.default_rng(5)
    shapes = [((2, 3, 9, 9), (4, 3, 3, 3), 1), ((1, 2, 20, 20), (3, 2, 5, 5), 1), ((2, 3, 9, 9), (4, 3, 3, 3), 2),
              ((1, 1, 6, 6), (2, 1, 2, 2), 1)]
    results = []
    for xs, ws, stride in shapes * 2:
        x, w = rng.normal(size=xs), rng.normal(size=ws)
        for strategy in strategies_for((stride, stride))[1:]:  # the flat ones
            out = conv2d(x, w, stride=stride, padding=1, strategy=strategy)
            results.append((out, out.copy()))
            want = scipy_reference(x, w, None, (stride, stride), (1, 1), ((1, 1), (1, 1)))
            np.testing.assert_allclose(out, want, rtol=0, atol=tolerance(x, w), err_msg=strategy)
    for out, copy in results:
        np.testing.assert_array_equal(out, copy)


def test_threads_do_not_share_work_arrays():
    from concurrent.futures import ThreadPoolExecutor

    rng = np.random.default_rng(6)
    jobs = [(rng.normal(size=(2, 4, 30, 30)), rng.normal(size=(5, 4, 3, 3))) for _ in range(8)]
    with ThreadPoolExecutor(4) as pool:
        outs = list(pool.map(lambda job: conv2d(*job, padding=1, strategy="rows"), jobs))
    for (x, w), out in zip(jobs, outs):
        np.testing.assert_allclose(out, conv2d(x, w, padding=1, strategy="windows"), rtol=0, atol=tolerance(x, w))
