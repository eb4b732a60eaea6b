"""Geometry worked by hand: padding per side, output sizes, dropped rows, formulas as text."""

from __future__ import annotations

import pytest

from convtrace.errors import DataError
from convtrace.source.geometry import make_geometry
from convtrace.source.padding import same_padding


@pytest.mark.parametrize(
    "size, kernel, stride, dilation, sides",
    [
        (5, 3, 1, 1, (1, 1)),  # odd kernel: total 2, split evenly
        (5, 2, 1, 1, (0, 1)),  # even kernel: total 1, the extra goes bottom/right
        (6, 4, 1, 1, (1, 2)),  # total 3 -> 1 before, 2 after
        (6, 3, 2, 1, (0, 1)),  # out = 3; total = 2*2 + 3 - 6 = 1
        (7, 3, 2, 1, (1, 1)),  # out = 4; total = 3*2 + 3 - 7 = 2
        (6, 2, 2, 1, (0, 0)),  # out = 3; total = 4 + 2 - 6 = 0
        (5, 3, 1, 2, (2, 2)),  # dilated span 5: total 4
        (4, 1, 3, 1, (0, 0)),  # out = 2; total = max(3 + 1 - 4, 0) = 0
    ],
)
def test_same_padding_tensorflow_rule(size, kernel, stride, dilation, sides):
    assert same_padding(size, kernel, stride, dilation) == sides
    g = make_geometry((size, size), (kernel, kernel), stride=stride, dilation=dilation, mode="same")
    assert g.out_size == (-(-size // stride),) * 2


def test_full_padding_is_dilation_times_k_minus_1():
    g = make_geometry((5, 4), (3, 2), dilation=(2, 3), mode="full")
    assert g.padding == ((4, 4), (3, 3))
    # full at stride 1: H' = H + d*(k-1)
    assert g.out_size == (5 + 4, 4 + 3)


def test_explicit_padding_spellings():
    assert make_geometry((4, 4), (3, 3), padding=1).padding == ((1, 1), (1, 1))
    assert make_geometry((4, 4), (3, 3), padding=(1, 2)).padding == ((1, 1), (2, 2))
    assert make_geometry((4, 4), (3, 3), padding=((0, 1), (2, 0))).padding == ((0, 1), (2, 0))


def test_output_size_formula_text_and_dropped_rows():
    # 6 rows, 3x3 kernel, stride 2: floor((6 - 2 - 1) / 2) + 1 = 2 windows, at rows 0-2 and 2-4; row 5 dropped
    g = make_geometry((6, 7), (3, 3), stride=2)
    assert g.out_size == (2, 3)
    assert g.rows.out_formula() == "H' = floor((6 + 0 + 0 - 1*(3-1) - 1) / 2) + 1 = 2"
    assert g.rows.dropped == 1 and g.rows.dropped_range == (5, 6)
    assert g.cols.dropped == 0 and g.cols.dropped_range is None
    assert list(g.rows.corners()) == [0, 2]
    assert list(g.rows.taps(2)) == [2, 3, 4]


def test_padding_cells_are_marked():
    g = make_geometry((3, 3), (3, 3), padding=((1, 2), (0, 0)))
    assert [g.rows.is_padding(i) for i in range(6)] == [True, False, False, False, True, True]


def test_kernel_larger_than_input_shows_the_formula():
    with pytest.raises(DataError) as err:
        make_geometry((2, 5), (3, 3))
    message = str(err.value)
    assert "H' = floor((2 + 0 + 0 - 1*(3-1) - 1) / 1) + 1 = 0" in message
    assert "rows" in message


@pytest.mark.parametrize("kwargs", [dict(stride=0), dict(dilation=(1, 0)), dict(padding=-1)])
def test_invalid_settings(kwargs):
    with pytest.raises(DataError):
        make_geometry((5, 5), (3, 3), **kwargs)
