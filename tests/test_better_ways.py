"""Winograd F(2x2, 3x3) and FFT: against scipy.signal and the naive loop, float32 error, the strategy choice."""

from __future__ import annotations

import threading

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import signal

from convtrace.engine import blocks, winograd
from convtrace.engine.choice import better_way
from convtrace.engine.fast import choose_strategy, conv2d, conv2d_nchw
from convtrace.engine.fft import conv2d_fft, fast_size
from convtrace.engine.naive import naive_output
from convtrace.engine.winograd import AT, BT, G, conv2d_winograd, kernel_transform
from convtrace.source.geometry import make_geometry
from convtrace.source.problem import build_problem

from conftest import tolerance
from test_fast import scipy_reference


def test_f23_by_hand_one_dimension():
    """F(2, 3) on d = [1, 2, 3, 4], g = [1, 1, 1]: outputs 1+2+3 = 6 and 2+3+4 = 9 from 4 products."""
    d, g = np.array([1.0, 2.0, 3.0, 4.0]), np.array([1.0, 1.0, 1.0])
    v = BT @ d  # [1-3, 2+3, 3-2, 2-4] = [-2, 5, 1, -2]
    u = G @ g  # [1, 1.5, 0.5, 1]
    assert v.tolist() == [-2, 5, 1, -2] and u.tolist() == [1, 1.5, 0.5, 1]
    assert (AT @ (u * v)).tolist() == [6, 9]


def test_kernel_transform_is_g_g_gt():
    rng = np.random.default_rng(0)
    w = rng.normal(size=(3, 2, 3, 3))
    u = kernel_transform(w).reshape(4, 4, 3, 2)
    for k in range(3):
        for c in range(2):
            np.testing.assert_allclose(u[:, :, k, c], G @ w[k, c] @ G.T, rtol=0, atol=1e-14)


def three_by_three():
    """Random 3x3 layers at stride 1: odd and even sizes, any padding (Winograd's domain)."""
    return st.tuples(
        st.integers(1, 3), st.integers(1, 4), st.integers(1, 4),  # n, c, k
        st.integers(1, 11), st.integers(1, 11),  # h, w
        st.tuples(st.integers(0, 3), st.integers(0, 3), st.integers(0, 3), st.integers(0, 3)),  # padding
        st.booleans(), st.integers(0, 2**32 - 1),  # bias, seed
    ).filter(lambda t: t[3] + t[5][0] + t[5][1] >= 3 and t[4] + t[5][2] + t[5][3] >= 3)


@settings(max_examples=60, deadline=None)
@given(three_by_three())
def test_winograd_matches_scipy_and_the_loop(case):
    n, c, k, h, w, (top, bottom, left, right), with_bias, seed = case
    rng = np.random.default_rng(seed)
    x, kernels = rng.normal(size=(n, c, h, w)), rng.normal(size=(k, c, 3, 3))
    bias = rng.normal(size=k) if with_bias else None
    padding = ((top, bottom), (left, right))
    g = make_geometry((h, w), (3, 3), padding=padding)
    got = conv2d_winograd(x, kernels, bias, g)
    np.testing.assert_allclose(got, scipy_reference(x, kernels, bias, (1, 1), (1, 1), padding), rtol=0,
                               atol=tolerance(x, kernels) * 100)
    problem = build_problem(x, kernels, bias=bias, padding=padding)
    np.testing.assert_allclose(got, naive_output(problem), rtol=0, atol=tolerance(x, kernels) * 100)


def any_layer():
    """Random layers with any kernel size, stride, dilation and padding (FFT takes them all)."""
    return st.tuples(
        st.integers(1, 2), st.integers(1, 3), st.integers(1, 3),  # n, c, k
        st.integers(1, 12), st.integers(1, 12), st.integers(1, 5), st.integers(1, 5),  # h, w, kh, kw
        st.integers(1, 3), st.integers(1, 3), st.integers(1, 2), st.integers(1, 2),  # stride, dilation
        st.tuples(st.integers(0, 3), st.integers(0, 3), st.integers(0, 3), st.integers(0, 3)),
        st.integers(0, 2**32 - 1),
    ).filter(lambda t: t[3] + t[11][0] + t[11][1] >= t[9] * (t[5] - 1) + 1
             and t[4] + t[11][2] + t[11][3] >= t[10] * (t[6] - 1) + 1)


@settings(max_examples=60, deadline=None)
@given(any_layer())
def test_fft_matches_scipy_and_the_loop(case):
    n, c, k, h, w, kh, kw, sh, sw, dh, dw, (top, bottom, left, right), seed = case
    rng = np.random.default_rng(seed)
    x, kernels, bias = rng.normal(size=(n, c, h, w)), rng.normal(size=(k, c, kh, kw)), rng.normal(size=k)
    padding = ((top, bottom), (left, right))
    g = make_geometry((h, w), (kh, kw), stride=(sh, sw), dilation=(dh, dw), padding=padding)
    got = conv2d_fft(x, kernels, bias, g)
    want = scipy_reference(x, kernels, bias, (sh, sw), (dh, dw), padding)
    np.testing.assert_allclose(got, want, rtol=0, atol=tolerance(x, kernels) * 1000)
    problem = build_problem(x, kernels, bias=bias, padding=padding, stride=(sh, sw), dilation=(dh, dw))
    np.testing.assert_allclose(got, naive_output(problem), rtol=0, atol=tolerance(x, kernels) * 1000)


def test_fft_uses_the_convolution_theorem_with_scipy():
    """One channel: the engine's FFT result equals scipy.signal.fftconvolve of the rotated kernel, cropped."""
    rng = np.random.default_rng(3)
    x, w = rng.normal(size=(1, 1, 9, 7)), rng.normal(size=(1, 1, 4, 3))
    full = signal.fftconvolve(x[0, 0], w[0, 0, ::-1, ::-1], mode="valid")  # correlation = convolution, rotated
    got = conv2d_fft(x, w, None, make_geometry((9, 7), (4, 3)))
    np.testing.assert_allclose(got[0, 0], full, rtol=0, atol=1e-12)


def test_fast_sizes_have_only_factors_2_3_5():
    assert [fast_size(n) for n in (1, 7, 11, 13, 17, 31, 58, 97)] == [1, 8, 12, 15, 18, 32, 60, 100]


@pytest.mark.parametrize("strategy", ["winograd", "fft"])
def test_float32_stays_float32_and_flip_works(strategy):
    rng = np.random.default_rng(1)
    x = rng.normal(size=(2, 5, 10, 9)).astype(np.float32)
    w = rng.normal(size=(6, 5, 3, 3)).astype(np.float32)
    got = conv2d(x, w, padding=1, strategy=strategy, flip=True)
    assert got.dtype == np.float32
    want = scipy_reference(x.astype(float), w[:, :, ::-1, ::-1].astype(float), None, (1, 1), (1, 1), ((1, 1), (1, 1)))
    np.testing.assert_allclose(got, want, rtol=0, atol=1e-5 * np.abs(x).max() * np.abs(w).sum(axis=(1, 2, 3)).max())


def test_float32_winograd_error_on_the_resnet_layer():
    """(8, 64, 56, 56) x (64, 64, 3, 3), padding 1: float32 Winograd within 1e-4 of float64 (relative to max |out|).

    Measured: about 4e-7 (F(2x2, 3x3)'s transforms only add and halve, so float32 loses little).
    """
    rng = np.random.default_rng(0)
    x = rng.standard_normal((8, 64, 56, 56), dtype=np.float32)
    w = rng.standard_normal((64, 64, 3, 3), dtype=np.float32)
    got = conv2d(x, w, padding=1, strategy="winograd")
    want = conv2d(x.astype(np.float64), w.astype(np.float64), padding=1, strategy="im2col")
    error = np.abs(got - want).max() / np.abs(want).max()
    assert got.dtype == np.float32 and error <= 1e-4, error


def test_winograd_refuses_what_f23_cannot_do():
    x, w = np.ones((1, 1, 6, 6)), np.ones((1, 1, 3, 3))
    with pytest.raises(ValueError, match="3x3 kernels, stride 1 and dilation 1"):
        conv2d(x, w, stride=2, strategy="winograd")
    with pytest.raises(ValueError, match="3x3"):
        conv2d(x, np.ones((1, 1, 5, 5)), strategy="winograd")


def test_the_choice_by_shape():
    layer = make_geometry((56, 56), (3, 3), padding=1)
    assert better_way((8, 64, 56, 56), (64, 64, 3, 3), layer) == "winograd"
    assert better_way((1, 1, 56, 56), (1, 1, 3, 3), layer) is None  # one channel: transforms outweigh
    strided = make_geometry((56, 56), (3, 3), padding=1, stride=(2, 2))
    assert better_way((8, 64, 56, 56), (64, 64, 3, 3), strided) is None  # F(2x2, 3x3) needs stride 1
    big = make_geometry((64, 64), (15, 15), padding=7)
    assert choose_strategy((4, 16, 64, 64), (16, 16, 15, 15), big) == "fft"
    stem = make_geometry((224, 224), (7, 7), stride=(2, 2), padding=3)
    assert better_way((1, 3, 224, 224), (64, 3, 7, 7), stem) is None  # a stride: FFT would waste 3/4


def test_blocks_run_everything_once_and_pass_errors_on():
    done = []
    blocks.blocks_on_every_core(range(50), done.append)
    assert sorted(done) == list(range(50))

    def fail(block):
        if block == 7:
            raise RuntimeError("block 7")

    with pytest.raises(RuntimeError, match="block 7"):
        blocks.blocks_on_every_core(range(20), fail)


def test_repeated_calls_of_changing_shapes_stay_right():
    """Work arrays reused between calls (per thread) never leak from one call into the next."""
    rng = np.random.default_rng(5)
    for shape, pad in [((3, 8, 20, 22), 1), ((1, 2, 5, 4), 0), ((4, 8, 31, 17), 2), ((3, 8, 20, 22), 1)]:
        x, w = rng.normal(size=shape), rng.normal(size=(5, shape[1], 3, 3))
        want = conv2d(x, w, padding=pad, strategy="windows")
        for strategy in ("winograd", "fft"):
            np.testing.assert_allclose(conv2d(x, w, padding=pad, strategy=strategy), want, rtol=0,
                                       atol=tolerance(x, w) * 100, err_msg=strategy)
        assert np.array_equal(conv2d_nchw(x, w, None, make_geometry(shape[2:], (3, 3), padding=pad), strategy="auto"),
                              conv2d_nchw(x, w, None, make_geometry(shape[2:], (3, 3), padding=pad), strategy="auto"))


@pytest.mark.parametrize("strategy", ["winograd", "fft"])
def test_without_threadpoolctl_the_blocks_run_one_after_another(strategy, monkeypatch):
    """No way to hold BLAS at one thread: same numbers, computed serially."""
    rng = np.random.default_rng(6)
    x, w = rng.normal(size=(3, 8, 21, 19)), rng.normal(size=(6, 8, 3, 3))
    want = conv2d(x, w, padding=1, strategy=strategy)
    monkeypatch.setattr(blocks, "_blas", False)
    threads = set()  # the threads that ran a block
    real = blocks.blocks_on_every_core
    monkeypatch.setattr(blocks, "blocks_on_every_core", lambda todo, work: real(
        todo, lambda block: (threads.add(threading.current_thread().name), work(block))))
    got = conv2d(x, w, padding=1, strategy=strategy)
    assert threads == {threading.main_thread().name}
    np.testing.assert_allclose(got, want, rtol=0, atol=1e-12)


def test_nhwc_layout_through_the_better_ways():
    rng = np.random.default_rng(7)
    x, w = rng.normal(size=(2, 9, 8, 5)), rng.normal(size=(4, 3, 3, 5))  # NHWC images, (K, kh, kw, C) kernels
    want = scipy_reference(x.transpose(0, 3, 1, 2), w.transpose(0, 3, 1, 2), None, (1, 1), (1, 1), ((1, 1), (1, 1)))
    for strategy in ("winograd", "fft"):
        got = conv2d(x, w, padding=1, layout="NHWC", strategy=strategy)
        np.testing.assert_allclose(got, want.transpose(0, 2, 3, 1), rtol=0, atol=tolerance(x, w) * 100, err_msg=strategy)


def test_blocks_share_the_cores():
    """With 2 BLAS threads the blocks run on 2 threads, and BLAS is held at one thread meanwhile."""
    if blocks.cores() < 2:
        pytest.skip("one core")
    import time

    names, blas_threads = set(), set()
    before = blocks._blas_controller().lib_controllers[0].num_threads

    def work(block):
        names.add(threading.current_thread().name)
        blas_threads.add(blocks._blas_controller().lib_controllers[0].num_threads)
        time.sleep(0.05)  # releases the GIL, as NumPy's loops do

    blocks.blocks_on_every_core(range(8), work)
    assert len(names) == 2 and blas_threads == {1}
    assert blocks._blas_controller().lib_controllers[0].num_threads == before >= 2  # restored afterwards


@pytest.mark.parametrize("strategy", ["im2col", "rows", "shifted"])
def test_direct_blocks_run_in_order_and_leave_blas_its_threads(strategy, monkeypatch):
    """The direct strategies' blocks are one big product each: BLAS keeps its threads (see engine/blocks.py)."""
    controller = blocks._blas_controller()
    if not controller:
        pytest.skip("threadpoolctl finds no BLAS library")
    before = controller.lib_controllers[0].num_threads
    seen = []  # (thread, BLAS threads) in every block
    real = blocks.blocks_in_order
    monkeypatch.setattr(blocks, "blocks_in_order", lambda todo, work: real(
        todo, lambda block: (seen.append((threading.current_thread().name, controller.lib_controllers[0].num_threads)),
                             work(block))))
    rng = np.random.default_rng(8)
    x, w = rng.normal(size=(6, 16, 40, 40)), rng.normal(size=(8, 16, 3, 3))
    got = conv2d(x, w, padding=1, strategy=strategy)
    assert len(seen) >= 1 and set(seen) == {(threading.main_thread().name, before)}
    np.testing.assert_allclose(got, conv2d(x, w, padding=1, strategy="windows"), rtol=0, atol=tolerance(x, w))


@pytest.mark.parametrize("block_bytes", [1, 3000, 10_000, 10**9])
@pytest.mark.parametrize("shape, padding", [((3, 2, 7, 6), ((2, 0), (1, 1))), ((2, 3, 8, 9), ((0, 3), (2, 0))),
                                            ((4, 1, 5, 5), ((1, 1), (1, 1)))])
def test_winograd_blocks_across_images_keep_every_output_once(block_bytes, shape, padding, monkeypatch):
    """Blocks of one tile row up to the whole batch, odd sizes, uneven padding: each block gathers its own tiles."""
    rng = np.random.default_rng(9)
    x, w, bias = rng.normal(size=shape), rng.normal(size=(4, shape[1], 3, 3)), rng.normal(size=4)
    want = scipy_reference(x, w, bias, (1, 1), (1, 1), padding)
    monkeypatch.setattr(winograd, "BLOCK_BYTES", block_bytes)
    got = conv2d(x, w, bias, padding=padding, strategy="winograd")
    np.testing.assert_allclose(got, want, rtol=0, atol=tolerance(x, w) * 100)
