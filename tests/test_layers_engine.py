"""The layer engines against independent references: each other, the first release's 2-D engines,
finite differences and hand-worked examples."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from convtrace.engine import grad as grad2d
from convtrace.engine.dispatch import layer_gradients, layer_output, trace_layer
from convtrace.engine.fast import conv2d_nchw
from convtrace.engine.layers import conv_transpose_forward
from convtrace.source.build import build_problem
from convtrace.source.geometry import make_geometry, pair

import convtrace


@st.composite
def layer_problems(draw):
    """A small random layer: any dims, any of the four layers, groups, stride, dilation, padding, ceil_mode."""
    dims = draw(st.integers(1, 3))
    layer = draw(st.sampled_from(["conv", "conv_transpose", "max_pool", "avg_pool"]))
    groups = draw(st.integers(1, 2)) if layer.startswith("conv") else 1
    c, k = groups * draw(st.integers(1, 2)), groups * draw(st.integers(1, 2))
    n = draw(st.integers(1, 2))
    size = [draw(st.integers(3, 6 if dims < 3 else 4)) for _ in range(dims)]
    taps = [draw(st.integers(1, 3)) for _ in range(dims)]
    stride = [draw(st.integers(1, 2)) for _ in range(dims)]
    dilation = [draw(st.integers(1, 2)) if layer != "avg_pool" else 1 for _ in range(dims)]
    rng = np.random.default_rng(draw(st.integers(0, 2**16)))
    images = rng.integers(-3, 4, size=(n, c, *size)).astype(float)
    settings = dict(layer=layer, stride=stride, dilation=dilation)
    if layer == "conv":
        kernels = rng.integers(-3, 4, size=(k, c // groups, *taps)).astype(float)
        settings.update(groups=groups, mode=draw(st.sampled_from(["valid", "same", "full"])),
                        bias=rng.integers(-2, 3, size=k).astype(float) if draw(st.booleans()) else None,
                        flip=draw(st.booleans()))
    elif layer == "conv_transpose":
        kernels = rng.integers(-3, 4, size=(c, k // groups, *taps)).astype(float)
        pads = [draw(st.integers(0, 2)) for _ in range(dims)]
        outs = [draw(st.integers(0, max(s, d) - 1)) for s, d in zip(stride, dilation)]
        settings.update(groups=groups, padding=pads, output_padding=outs,
                        bias=rng.integers(-2, 3, size=k).astype(float) if draw(st.booleans()) else None)
    else:
        kernels = None
        settings.update(pool_size=taps, padding=[draw(st.integers(0, t // 2)) for t in taps],
                        ceil_mode=draw(st.booleans()))
        if layer == "avg_pool":
            settings["count_include_pad"] = draw(st.booleans())
    try:
        return build_problem(images, kernels, **settings)
    except Exception as err:  # a combination with no output (too small) is not what this test is about
        from convtrace.errors import DataError

        assert isinstance(err, DataError)
        return None


@settings(max_examples=150, deadline=None)
@given(layer_problems())
def test_naive_loop_equals_vectorized_engine(problem):
    if problem is None:
        return
    out = layer_output(problem)
    steps = list(trace_layer(problem))
    assert len(steps) == problem.steps == out.size
    np.testing.assert_allclose([s.value for s in steps], out.ravel(), rtol=0, atol=1e-9)


@settings(max_examples=60, deadline=None)
@given(layer_problems(), st.integers(0, 2**16))
def test_gradients_equal_finite_differences(problem, seed):
    """L = sum(out * g) is linear in each input (piecewise for max pool): a difference quotient is exact up to rounding."""
    if problem is None:
        return
    rng = np.random.default_rng(seed)
    images = problem.images + rng.uniform(-0.1, 0.1, problem.images.shape)  # breaks max pool ties
    problem = build_problem(images, problem.kernels, **_settings(problem))
    g = rng.normal(size=problem.output_shape)
    problem = build_problem(problem.images, problem.kernels, grad_output=g, **_settings(problem))
    grads = layer_gradients(problem)
    eps = 1e-6

    def loss(images=problem.images, kernels=problem.kernels, bias=problem.bias):
        changed = build_problem(images, kernels, **{**_settings(problem), "bias": bias})
        return float((layer_output(changed) * g).sum())

    for index in list(np.ndindex(problem.images.shape))[:12]:
        bumped = problem.images.copy()
        bumped[index] += eps
        assert abs((loss(images=bumped) - loss()) / eps - grads.images[index]) < 1e-4
    if problem.kernels is not None:
        for index in list(np.ndindex(problem.kernels.shape))[:12]:
            bumped = problem.kernels.copy()
            bumped[index] += eps
            assert abs((loss(kernels=bumped) - loss()) / eps - grads.kernels[index]) < 1e-4


def _settings(problem) -> dict:
    g = problem.geometry
    common = dict(layer=problem.layer, stride=g.stride, dilation=g.dilation, bias=problem.bias)
    if problem.layer == "conv":
        return {**common, "groups": problem.groups, "padding": g.padding, "flip": problem.flip}
    if problem.layer == "conv_transpose":
        return {**common, "groups": problem.groups, "padding": [b for b, _ in g.padding],
                "output_padding": g.output_padding}
    return {**common, "bias": None, "pool_size": problem.pool_size, "padding": [b for b, _ in g.padding],
            "ceil_mode": problem.ceil_mode, "count_include_pad": problem.count_include_pad}


def test_grouped_conv_is_each_group_convolved_alone():
    """Reference: the first release's 2-D engine run on each group's channel slice."""
    rng = np.random.default_rng(1)
    x, w = rng.normal(size=(2, 6, 7, 7)), rng.normal(size=(9, 2, 3, 3))
    problem = build_problem(x, w, groups=3, stride=2, padding=1)
    geometry = make_geometry((7, 7), (3, 3), stride=2, padding=1)
    want = np.concatenate([conv2d_nchw(x[:, 2 * g : 2 * g + 2], w[3 * g : 3 * g + 3], None, geometry)
                           for g in range(3)], axis=1)
    np.testing.assert_allclose(layer_output(problem), want, atol=1e-12)


def test_conv1d_and_conv3d_reduce_to_the_2d_engine():
    rng = np.random.default_rng(2)
    x, w = rng.normal(size=(2, 3, 9)), rng.normal(size=(4, 3, 3))
    one = build_problem(x, w, stride=2, dilation=2, padding=[[1, 2]])
    flat = conv2d_nchw(x[:, :, None], w[:, :, None], None, make_geometry((1, 9), (1, 3), stride=(1, 2), dilation=(1, 2),
                                                                          padding=((0, 0), (1, 2))))
    np.testing.assert_allclose(layer_output(one), flat[:, :, 0], atol=1e-12)
    # 3-D: the sum over depth taps of 2-D convolutions of depth slices
    x3, w3 = rng.normal(size=(1, 2, 4, 5, 5)), rng.normal(size=(3, 2, 2, 3, 3))
    three = build_problem(x3, w3)
    geometry = make_geometry((5, 5), (3, 3))
    want = np.stack([sum(conv2d_nchw(x3[:, :, d + u], w3[:, :, u], None, geometry) for u in range(2))
                     for d in range(3)], axis=2)
    np.testing.assert_allclose(layer_output(three), want, atol=1e-12)


def test_transposed_conv_is_the_input_gradient_of_a_forward_conv():
    """Reference: engine/grad.py's dL/dimages of the 2-D convolution, with the input as the gradient."""
    rng = np.random.default_rng(3)
    x, w = rng.normal(size=(2, 3, 4, 5)), rng.normal(size=(3, 2, 3, 3))  # (C, K, kh, kw)
    geometry_t = make_geometry((4, 5), (3, 3), stride=2, padding=1, output_padding=1, dilation=1, transposed=True)
    out = conv_transpose_forward(x, w, None, geometry_t)
    forward = make_geometry(out.shape[2:], (3, 3), stride=2, padding=1)  # the convolution it undoes: (N, 2, ...) -> (N, 3, 4, 5)
    assert forward.out_size == (4, 5)
    gx, _, _ = grad2d.grads_nchw(np.zeros(out.shape), w, x, forward)
    np.testing.assert_allclose(out, gx, atol=1e-12)


def test_hand_worked_transposed_1d():
    """x = [1, 2], w = [1, 10, 100], stride 2: each input stamps w, two cells apart."""
    problem = build_problem(np.array([[[1.0, 2.0]]]), np.array([[[1.0, 10.0, 100.0]]]), layer="conv_transpose", stride=2)
    assert layer_output(problem).ravel().tolist() == [1, 10, 102, 20, 200]
    assert [s.value for s in trace_layer(problem)] == [1, 10, 102, 20, 200]
    # the gather view: zeros inserted (x = [1, 0, 2]), 2 zeros each side, the kernel reversed
    first = next(iter(trace_layer(problem)))
    assert first.patch.ravel().tolist() == [0, 0, 1] and first.kernel.ravel().tolist() == [100, 10, 1]
    assert first.real.tolist() == [False, False, True]


def test_hand_worked_pooling_borders():
    x = np.array([[[[1.0, 2.0, 3.0], [4.0, 5.0, 6.0], [7.0, 8.0, 9.0]]]])
    # 2x2 windows, stride 2, padding 1: the top-left window reads 1 real cell, the next two 2, the last 4
    include = build_problem(x, None, layer="avg_pool", pool_size=2, stride=2, padding=1)
    exclude = build_problem(x, None, layer="avg_pool", pool_size=2, stride=2, padding=1, count_include_pad=False)
    assert layer_output(include).ravel().tolist() == [1 / 4, 5 / 4, 11 / 4, 28 / 4]
    assert layer_output(exclude).ravel().tolist() == [1, 2.5, 5.5, 7]
    assert [s.divisor for s in trace_layer(exclude)] == [1, 2, 2, 4]
    # ties: the first maximum in row-major order wins, and receives the gradient
    ties = build_problem(np.ones((1, 1, 2, 2)), None, layer="max_pool", pool_size=2)
    assert next(iter(trace_layer(ties))).window_max_at == (0, 0)
    assert layer_gradients(ties).images.ravel().tolist() == [1, 0, 0, 0]


def test_causal_reads_nothing_from_the_future():
    x = np.zeros((1, 1, 6))
    x[0, 0, 4] = 1.0
    problem = build_problem(x, np.ones((1, 1, 3)), causal=True, dilation=2)
    assert problem.geometry.padding == ((4, 0),)
    assert layer_output(problem).ravel().tolist() == [0, 0, 0, 0, 1, 0]


@settings(max_examples=80, deadline=None)
@given(layer_problems(), st.integers(0, 2**16))
def test_naive_backward_loop_equals_vectorized_gradients(problem, seed):
    from convtrace.engine.naive_backward import accumulate, trace_backward

    if problem is None:
        return
    g = np.random.default_rng(seed).integers(-2, 3, size=problem.output_shape).astype(float)
    problem = build_problem(problem.images, problem.kernels, grad_output=g, **_settings(problem))
    images, kernels, bias = accumulate(problem, trace_backward(problem))
    grads = layer_gradients(problem)
    np.testing.assert_allclose(images, grads.images, atol=1e-9)
    if grads.kernels is not None:
        np.testing.assert_allclose(kernels, grads.kernels, atol=1e-9)
    if grads.bias is not None:
        np.testing.assert_allclose(bias, grads.bias, atol=1e-9)


def test_depthwise_in_threaded_blocks_is_each_channel_convolved_alone():
    """Large enough for the threaded, blocked depthwise path; reference: the 2-D engine per channel."""
    rng = np.random.default_rng(5)
    x, w = rng.standard_normal((16, 32, 40, 40)), rng.standard_normal((32, 1, 3, 3))
    problem = build_problem(x, w, groups=32, padding=1, stride=1)
    geometry = make_geometry((40, 40), (3, 3), padding=1)
    want = np.concatenate([conv2d_nchw(x[:, c : c + 1], w[c : c + 1], None, geometry) for c in range(32)], axis=1)
    np.testing.assert_allclose(layer_output(problem), want, atol=1e-12)


@pytest.mark.parametrize("stride, dilation", [(1, 2), (2, 1), ((1, 2), (2, 1))])
def test_depthwise_blocks_with_strides_and_dilations(stride, dilation):
    """Both depthwise paths (one long row per channel at stride 1, strided regions otherwise), several blocks."""
    rng = np.random.default_rng(6)
    x, w = rng.standard_normal((12, 8, 33, 29)), rng.standard_normal((8, 1, 3, 2))
    problem = build_problem(x, w, groups=8, padding=2, stride=stride, dilation=dilation)
    geometry = make_geometry((33, 29), (3, 2), padding=2, stride=pair(stride), dilation=pair(dilation))
    want = np.concatenate([conv2d_nchw(x[:, c : c + 1], w[c : c + 1], None, geometry) for c in range(8)], axis=1)
    np.testing.assert_allclose(layer_output(problem), want, atol=1e-12)


@pytest.mark.parametrize("dims", [1, 3])
def test_depthwise_one_long_row_per_channel_in_1d_and_3d(dims):
    """The stride-1 depthwise path in other ranks; reference: scipy.signal.correlate per channel."""
    from scipy.signal import correlate

    rng = np.random.default_rng(7)
    size, kernel = {1: ((40,), (5,)), 3: ((6, 7, 8), (2, 3, 2))}[dims]
    x, w = rng.standard_normal((3, 4, *size)), rng.standard_normal((4, 1, *kernel))
    got = convtrace.conv1d(x, w, groups=4) if dims == 1 else convtrace.conv3d(x, w, groups=4)
    want = np.stack([np.stack([correlate(x[n, c], w[c, 0], mode="valid") for c in range(4)]) for n in range(3)])
    np.testing.assert_allclose(got, want, atol=1e-12)
