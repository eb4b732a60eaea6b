"""The naive loop against the vectorized engine: every Step's patch, products and value, from any start."""

from __future__ import annotations

import json

import numpy as np
import pytest

from convtrace.engine.fast import problem_output, windows
from convtrace.engine.naive import trace
from convtrace.render.output.records import step_lines, step_record
from convtrace.source.problem import build_problem


@pytest.fixture
def problem():
    rng = np.random.default_rng(9)
    return build_problem(rng.integers(-3, 4, (2, 2, 7, 6)), rng.integers(-2, 3, (3, 2, 2, 3)),
                         bias=[0.5, -1.0, 2.0], stride=(2, 1), dilation=(1, 2), padding=1, flip=True)


def test_every_step_is_the_vectorized_window(problem):
    taps = windows(problem.padded_images(), problem.geometry)  # (N, C, H', W', kh, kw), built without a loop
    out = problem_output(problem)
    steps = list(trace(problem))
    assert len(steps) == problem.steps
    n_, k_, h_, w_ = problem.output_shape
    order = [(n, k, r, c) for n in range(n_) for k in range(k_) for r in range(h_) for c in range(w_)]
    for i, (s, position) in enumerate(zip(steps, order)):
        n, k, row, col = position
        assert (s.step, s.n, s.k, s.row, s.col) == (i, n, k, row, col)
        assert (s.top, s.left) == (row * 2, col * 1)
        np.testing.assert_array_equal(s.patch, taps[n, :, row, col])
        np.testing.assert_array_equal(s.kernel, problem.kernels[k, :, ::-1, ::-1])  # flip is on
        np.testing.assert_array_equal(s.products, taps[n, :, row, col] * s.kernel)  # small integers: exact
        np.testing.assert_array_equal(s.partials, s.products.sum(axis=(1, 2)))
        assert s.value == pytest.approx(out[n, k, row, col])


@pytest.mark.parametrize("start", [0, 1, 5, 17, 44, 71])
def test_a_start_gives_the_tail_of_the_whole_trace(problem, start):
    whole = list(trace(problem))
    tail = list(trace(problem, start=start))
    assert len(tail) == problem.steps - start
    for a, b in zip(tail, whole[start:]):
        assert (a.step, a.n, a.k, a.row, a.col, a.value) == (b.step, b.n, b.k, b.row, b.col, b.value)


def test_a_start_past_the_end_yields_nothing(problem):
    assert list(trace(problem, start=problem.steps)) == []


def test_steps_are_read_only_records(problem):
    steps = list(trace(problem))
    for s in steps[:10]:
        assert not s.products.flags.writeable and not s.partials.flags.writeable and not s.patch.flags.writeable
    again = list(trace(problem))
    for a, b in zip(steps, again):  # a step held on to keeps its numbers
        np.testing.assert_array_equal(a.products, b.products)


def test_the_fast_jsonl_writer_writes_the_readable_record(problem):
    """`run --format jsonl` builds its lines by hand for speed; each must be json.dumps(step_record(step))."""
    line = step_lines()
    for step in trace(problem):
        assert json.loads(line(step)) == json.loads(json.dumps(step_record(step)))
