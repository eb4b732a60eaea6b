"""The naive loop's batches: any batch size and any start give the same steps as a plain Python loop."""

from __future__ import annotations

import numpy as np
import pytest

import convtrace.engine as engine
from convtrace.engine import trace
from convtrace.problem import build_problem


def plain_loop(problem):
    """The loop of the engine's docstring, written out: (n, k, row, col, top, left, products, value)."""
    x_pad, w, bias = problem.padded_images(), problem.applied_kernels, problem.bias_or_zeros
    g = problem.geometry
    (sh, sw), (dh, dw) = g.stride, g.dilation
    for n in range(x_pad.shape[0]):
        for k in range(w.shape[0]):
            for row in range(g.out_size[0]):
                for col in range(g.out_size[1]):
                    top, left = row * sh, col * sw
                    patch = x_pad[n, :, top : top + g.rows.span : dh, left : left + g.cols.span : dw]
                    yield n, k, row, col, top, left, patch * w[k], float((patch * w[k]).sum() + bias[k])


@pytest.fixture
def problem():
    rng = np.random.default_rng(9)
    return build_problem(rng.integers(-3, 4, (2, 2, 7, 6)), rng.integers(-2, 3, (3, 2, 2, 3)),
                         bias=[0.5, -1.0, 2.0], stride=(2, 1), dilation=(1, 2), padding=1, flip=True)


@pytest.mark.parametrize("batch", [1, 7, 25, 10**6])
@pytest.mark.parametrize("start", [0, 1, 17, 44])
def test_batches_and_starts_give_the_plain_loop(problem, batch, start, monkeypatch):
    monkeypatch.setattr(engine, "BATCH_NUMBERS", batch)  # 1: a row per batch; 10**6: one batch per (n, k)
    want = list(plain_loop(problem))[start:]
    got = list(trace(problem, start=start))
    assert len(got) == len(want) == problem.steps - start
    for i, (s, (n, k, row, col, top, left, products, value)) in enumerate(zip(got, want)):
        assert (s.step, s.n, s.k, s.row, s.col, s.top, s.left) == (start + i, n, k, row, col, top, left)
        np.testing.assert_array_equal(s.products, products)  # small integers: exact
        np.testing.assert_array_equal(s.partials, products.sum(axis=(1, 2)))
        np.testing.assert_array_equal(s.products, s.patch * s.kernel)
        assert s.value == value


def test_steps_kept_after_later_batches_keep_their_numbers(problem, monkeypatch):
    """Every batch is a new array: a step held on to is not overwritten by the batches after it."""
    monkeypatch.setattr(engine, "BATCH_NUMBERS", 1)
    steps = list(trace(problem))
    again = list(trace(problem))
    for a, b in zip(steps, again):
        np.testing.assert_array_equal(a.products, b.products)
        assert not a.products.flags.writeable and not a.partials.flags.writeable and not a.patch.flags.writeable
