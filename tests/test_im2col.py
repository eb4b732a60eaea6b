"""im2col: the column matrix by hand, the product against scipy and the naive loop, and `run --method im2col`."""

from __future__ import annotations

import json

import numpy as np
import pytest

from convtrace.engine.naive import naive_output
from convtrace.errors import DataError
from convtrace.source.geometry import make_geometry
from convtrace.engine.im2col import column_matrix, conv2d_im2col, im2col, kernel_matrix
from convtrace.source.problem import build_problem

from conftest import tolerance
from test_fast import GEOMETRIES, scipy_reference


def test_column_matrix_by_hand():
    # x = 0..15 in a 4x4 grid, 2x2 windows: row (0, i, j) holds x[i:i+2, j:j+2] read row by row
    x = np.arange(16.0).reshape(1, 1, 4, 4)
    cols = column_matrix(x, make_geometry((4, 4), (2, 2), stride=2))
    np.testing.assert_array_equal(cols, [[0, 1, 4, 5], [2, 3, 6, 7], [8, 9, 12, 13], [10, 11, 14, 15]])


def test_columns_are_channel_then_row_then_column():
    # two channels, 1x2 kernel, one window: (c, u, v) order is c0v0, c0v1, c1v0, c1v1
    x = np.array([[[[1.0, 2.0]], [[3.0, 4.0]]]])
    assert column_matrix(x, make_geometry((1, 2), (1, 2))).tolist() == [[1.0, 2.0, 3.0, 4.0]]
    w = np.array([[[[5.0, 6.0]], [[7.0, 8.0]]]])
    assert kernel_matrix(w).tolist() == [[5.0, 6.0, 7.0, 8.0]]


@pytest.mark.parametrize("shapes", GEOMETRIES, ids=[str(i) for i in range(len(GEOMETRIES))])
def test_conv2d_im2col_matches_scipy(shapes):
    xs, ws, stride, dilation, padding = shapes
    rng = np.random.default_rng(sum(xs) + sum(ws))
    x, w, bias = rng.normal(size=xs), rng.normal(size=ws), rng.normal(size=ws[0])
    g = make_geometry(xs[2:], ws[2:], stride=stride, dilation=dilation, padding=padding)
    got = conv2d_im2col(x, w, bias, g)
    np.testing.assert_allclose(got, scipy_reference(x, w, bias, stride, dilation, padding), rtol=0,
                               atol=tolerance(x, w))
    flipped = conv2d_im2col(x, w, None, g, flip=True)
    np.testing.assert_allclose(flipped, scipy_reference(x, w[:, :, ::-1, ::-1], None, stride, dilation, padding),
                               rtol=0, atol=tolerance(x, w))


def test_im2col_keeps_every_step_with_shapes():
    rng = np.random.default_rng(0)
    problem = build_problem(rng.integers(-3, 4, (2, 3, 5, 6)), rng.integers(-2, 3, (4, 3, 3, 2)),
                            bias=[1.0, -1.0, 0.5, 0.0], stride=(2, 1), padding=1)
    r = im2col(problem)
    # (N*H'*W', C*kh*kw) with H' = (5+2-3)//2+1 = 3, W' = (6+2-2)//1+1 = 7
    assert r.shapes == {"columns": (42, 18), "kernel_matrix": (4, 18), "product": (42, 4),
                        "reshaped": (2, 3, 7, 4), "output": (2, 4, 3, 7)}
    assert r.row_labels[:3] == ((0, 0, 0), (0, 0, 1), (0, 0, 2)) and r.row_labels[-1] == (1, 2, 6)
    assert r.column_labels[:3] == ((0, 0, 0), (0, 0, 1), (0, 1, 0)) and r.column_labels[-1] == (2, 2, 1)
    np.testing.assert_array_equal(r.product, r.columns @ r.kernel_matrix.T + problem.bias)
    np.testing.assert_array_equal(r.output, naive_output(problem))  # small integers: exact
    assert r.loop_difference == 0.0
    assert not r.columns.flags.writeable


def test_im2col_refuses_a_column_matrix_too_big_to_show(monkeypatch):
    import convtrace.engine.im2col as module

    monkeypatch.setattr(module, "MAX_SHOWN_ENTRIES", 100)
    problem = build_problem(np.ones((1, 1, 10, 10)), np.ones((1, 1, 3, 3)))
    with pytest.raises(DataError, match="too many to show"):
        im2col(problem)


def test_run_method_im2col_shows_the_four_steps(invoke):
    result = invoke(["run", "--example", "question", "--method", "im2col"], env={"COLUMNS": "100", "NO_COLOR": "1"})
    assert result.exit_code == 0, result.output
    text = result.output
    # the built-in example: (4, 3, 4, 4) x (2, 3, 3, 3) -> (4, 2, 2, 2); 16 windows of 27 numbers
    for part in ("1. column matrix (16, 27)", "2. kernel matrix (2, 27)", "3. product", "(16, 2)",
                 "4. reshape (16, 2) -> (4, 2, 2, 2) (N, H', W', K)", "max difference 0.0e+00"):
        assert part in text, part
    assert text.index("1. column") < text.index("2. kernel") < text.index("3. product") < text.index("4. reshape")


def test_run_method_im2col_limit_sets_rows_shown(invoke):
    result = invoke(["run", "--example", "question", "--method", "im2col", "--limit", "2"], env={"COLUMNS": "100"})
    assert "14 more rows not shown" in result.output


def test_run_method_im2col_refuses_step_formats(invoke):
    result = invoke(["run", "--method", "im2col", "--format", "jsonl"])
    assert result.exit_code == 2
    assert "--method im2col" in result.output and "--format jsonl" in result.output


def test_run_method_im2col_json_is_the_same_result(invoke):
    loop = json.loads(invoke(["run", "--json"]).output)
    matrix = json.loads(invoke(["run", "--json", "--method", "im2col"]).output)
    assert loop == matrix


def test_im2col_view_wraps_between_words_at_80_columns(invoke):
    """Shapes stay whole and wrapped lines keep their indent."""
    import re

    for example in ("default", "question", "cs231n"):
        text = invoke(["run", "--example", example, "--method", "im2col"], env={"COLUMNS": "80", "NO_COLOR": "1"}).output
        lines = text.splitlines()
        assert max(len(line) for line in lines) <= 80
        assert not any(re.search(r"\([\d, ]*$", line) for line in lines), "a shape split across lines"
        start = next(i for i, line in enumerate(lines) if line.startswith("   one row per window position"))
        assert lines[start + 1].startswith("   ")  # the paragraph's second line is indented like its first
