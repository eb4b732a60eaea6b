"""Property tests: naive loop == vectorized engine == scipy.signal.correlate, over random geometry."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import signal

from convtrace.engine.naive import trace
from convtrace.engine.fast import conv2d, problem_output
from convtrace.source.problem import build_problem

from conftest import tolerance


@st.composite
def convolutions(draw):
    """A random small convolution that has at least one window position."""
    n, c, k = draw(st.integers(1, 2)), draw(st.integers(1, 3)), draw(st.integers(1, 3))
    kh, kw = draw(st.integers(1, 4)), draw(st.integers(1, 4))
    dh, dw = draw(st.integers(1, 3)), draw(st.integers(1, 3))
    sh, sw = draw(st.integers(1, 3)), draw(st.integers(1, 3))
    mode = draw(st.sampled_from(["valid", "same", "full", "explicit"]))
    padding = None
    if mode == "explicit":
        padding = tuple(tuple(draw(st.integers(0, 3)) for _ in range(2)) for _ in range(2))
        mode = None
    pad_h = 0 if mode in ("valid", None) else dh * (kh - 1)
    pad_w = 0 if mode in ("valid", None) else dw * (kw - 1)
    # big enough that the dilated kernel fits without padding
    h = draw(st.integers(max(1, dh * (kh - 1) + 1 - pad_h), 11))
    w = draw(st.integers(max(1, dw * (kw - 1) + 1 - pad_w), 11))
    seed = draw(st.integers(0, 2**32 - 1))
    rng = np.random.default_rng(seed)
    images = rng.normal(size=(n, c, h, w))
    kernels = rng.normal(size=(k, c, kh, kw))
    bias = rng.normal(size=k) if draw(st.booleans()) else None
    flip = draw(st.booleans())
    return build_problem(images, kernels, bias=bias, stride=(sh, sw), dilation=(dh, dw),
                         mode=mode, padding=padding, flip=flip)


def scipy_reference(problem) -> np.ndarray:
    """(N, K, H', W') from scipy.signal.correlate per channel: pad, spread the taps, correlate, subsample."""
    g = problem.geometry
    (top, bottom), (left, right) = g.padding
    (sh, sw), (dh, dw) = g.stride, g.dilation
    x = np.pad(problem.images, ((0, 0), (0, 0), (top, bottom), (left, right)))
    w = problem.kernels[:, :, ::-1, ::-1] if problem.flip else problem.kernels
    k, c, kh, kw = w.shape
    spread = np.zeros((k, c, dh * (kh - 1) + 1, dw * (kw - 1) + 1))
    spread[:, :, ::dh, ::dw] = w
    h_out, w_out = g.out_size
    out = np.zeros(problem.output_shape)
    for n in range(x.shape[0]):
        for kk in range(k):
            total = sum(signal.correlate(x[n, ch], spread[kk, ch], mode="valid", method="direct") for ch in range(c))
            out[n, kk] = total[::sh, ::sw][:h_out, :w_out]
            if problem.bias is not None:
                out[n, kk] += problem.bias[kk]
    return out


@settings(max_examples=150, deadline=None)
@given(convolutions())
def test_naive_equals_vectorized_equals_scipy(problem):
    steps = list(trace(problem))
    assert len(steps) == problem.steps == int(np.prod(problem.output_shape))
    naive = np.empty(problem.output_shape)
    for s in steps:
        naive[s.n, s.k, s.row, s.col] = s.value
        assert abs(s.partials.sum() + s.bias - s.value) <= tolerance(s.patch, s.kernel)
        assert s.partials.shape == (problem.images.shape[1],)
    fast = problem_output(problem)
    reference = scipy_reference(problem)
    tol = tolerance(problem.images, problem.kernels)
    np.testing.assert_allclose(naive, reference, rtol=0, atol=tol)
    np.testing.assert_allclose(fast, reference, rtol=0, atol=tol)


@settings(max_examples=60, deadline=None)
@given(convolutions())
def test_trace_can_resume_from_any_step(problem):
    start = problem.steps // 2
    tail = list(trace(problem, start=start))
    full = list(trace(problem))[start:]
    assert [(s.step, s.n, s.k, s.row, s.col, s.value) for s in tail] == [
        (s.step, s.n, s.k, s.row, s.col, s.value) for s in full
    ]


@settings(max_examples=40, deadline=None)
@given(convolutions())
def test_nhwc_api_is_the_transposed_nchw_result(problem):
    g = problem.geometry
    args = dict(stride=g.stride, dilation=g.dilation, padding=g.padding, flip=problem.flip)
    nchw = conv2d(problem.images, problem.kernels, problem.bias, **args)
    nhwc = conv2d(problem.images.transpose(0, 2, 3, 1), problem.kernels.transpose(0, 2, 3, 1), problem.bias,
                  layout="NHWC", **args)
    np.testing.assert_allclose(nhwc, nchw.transpose(0, 2, 3, 1), atol=tolerance(problem.images, problem.kernels))


def test_float32_stays_float32():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(2, 3, 6, 6)).astype(np.float32)
    w = rng.normal(size=(4, 3, 3, 3)).astype(np.float32)
    out = conv2d(x, w, padding="same")
    assert out.dtype == np.float32
    reference = conv2d(x.astype(np.float64), w.astype(np.float64), padding="same")
    np.testing.assert_allclose(out, reference, rtol=1e-5, atol=1e-4)


def test_steps_are_read_only():
    problem = build_problem(np.arange(16.0).reshape(1, 1, 4, 4), np.ones((1, 1, 2, 2)))
    step = next(trace(problem))
    for array in (step.patch, step.kernel, step.products, step.partials):
        assert not array.flags.writeable
