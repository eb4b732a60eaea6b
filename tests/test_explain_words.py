"""`explain` says what is true for the case at hand: stride 1 or more, dilation 1 or more, each axis's parity.

Each test reads the text a person sees (80 columns, no colour, wrapped lines
joined) and checks it against hand-worked numbers and against the engine or
scipy, never against the explanation's own code.
"""

from __future__ import annotations

import re

import numpy as np
import pytest
import scipy.signal as ss

from convtrace.engine.fast import conv2d

ENV = {"COLUMNS": "80", "LINES": "50", "NO_COLOR": "1", "FORCE_COLOR": None, "TTY_COMPATIBLE": None,
       "TTY_INTERACTIVE": None, "TERM": "dumb"}


def said(invoke, *args) -> str:
    """The explain output as one line of words: wrapped lines joined, box drawing and spaces squeezed."""
    result = invoke(["explain", *args], env=ENV)
    assert result.exit_code == 0, result.output
    return re.sub(r"\s+", " ", result.stdout)


def ramp(h, w):
    return np.arange(1, h * w + 1, dtype=float).reshape(h, w)


# ----------------------------------------------------------------------------- valid and full at stride > 1


def test_valid_at_stride_2_does_not_claim_it_shrinks_by_k_minus_1(invoke):
    text = said(invoke, "--mode", "valid", "--stride", "2")
    assert "shrinks by d*(k-1)" not in text
    # by hand: 5x5 input, 3x3 kernel, stride 2: floor((5 - 2 - 1) / 2) + 1 = 2, not 5 - 2 = 3
    assert "H' = floor((5 - 2 - 1) / 2) + 1 = 2" in text
    assert conv2d(np.ones((1, 1, 5, 5)), np.ones((1, 1, 3, 3)), stride=2).shape[2:] == (2, 2)


def test_valid_at_stride_1_says_the_output_is_d_times_k_minus_1_smaller(invoke):
    text = said(invoke, "--mode", "valid", "--dilation", "2", "--input-size", "7")
    # by hand: 7 - 2*(3-1) = 3
    assert "d*(k-1) = 2*(3-1) = 4 smaller: H' = 7 - 4 = 3" in text
    assert conv2d(np.ones((1, 1, 7, 7)), np.ones((1, 1, 3, 3)), dilation=2).shape[2:] == (3, 3)


def test_full_at_stride_2_says_not_every_overlapping_position_is_visited(invoke):
    text = said(invoke, "--mode", "full", "--stride", "2")
    assert "grows by" not in text
    assert "not every overlap" in text or "no longer visits every overlapping position" in text
    # by hand: starts -2..4 overlap the 5 input rows (7 of them); stride 2 takes -2, 0, 2, 4
    assert "5 + 2 = 7 starts that overlap" in text and "H' = 4 and 3 overlapping positions are never visited" in text
    at_1 = conv2d(np.ones((1, 1, 5, 5)), np.ones((1, 1, 3, 3)), padding=2).shape[2]
    at_2 = conv2d(np.ones((1, 1, 5, 5)), np.ones((1, 1, 3, 3)), padding=2, stride=2).shape[2]
    assert (at_1, at_2) == (7, 4)
    assert "backward pass" not in text.split("Padding")[0]  # the stride-1 gradient claim is not made here


def test_full_at_stride_1_grows_by_d_times_k_minus_1(invoke):
    text = said(invoke, "--mode", "full")
    assert "grows by d*(k-1) = 1*(3-1) = 2: H' = 5 + 2 = 7" in text
    assert conv2d(np.ones((1, 1, 5, 5)), np.ones((1, 1, 3, 3)), padding=2).shape[2:] == (7, 7)


# ----------------------------------------------------------------------------- full with dilation


def test_full_with_dilation_names_the_windows_that_read_only_zeros(invoke):
    text = said(invoke, "--mode", "full", "--input-size", "1x4", "--kernel-size", "2x1", "--dilation", "3,1")
    assert "overlaps the input by at least one cell, so" not in text  # the old claim, false tap by tap
    # by hand: rows padded 3 above and below; windows start at input rows -3, -2, -1, 0 with taps r and r+3;
    # only row 0 is input, so the windows at -2 (taps -2, 1) and -1 (taps -1, 2) read padding only
    assert "starting at input rows -2, -1 (output rows 1, 2)" in text
    out = conv2d(ramp(1, 4)[None, None], np.array([[1.0], [2.0]])[None, None], padding=(3, 0), dilation=(3, 1))[0, 0]
    assert out.shape == (4, 4)
    assert np.all(out[1:3] == 0) and np.all(out[[0, 3]] != 0)


def test_full_with_dilation_says_when_every_window_reads_input(invoke):
    text = said(invoke, "--mode", "full", "--dilation", "2")
    # by hand: 7x7 input (default for a 5-cell span), taps 2 apart, padding 4: every window reaches a data row
    assert "every window still has a tap on an input row" in text
    out = conv2d(ramp(7, 7)[None, None], np.ones((1, 1, 3, 3)), padding=4, dilation=2)[0, 0]
    assert np.all(out != 0)


# ----------------------------------------------------------------------------- same: parity per axis


def test_same_shift_follows_the_axis_whose_total_is_odd(invoke):
    text = said(invoke, "--mode", "same", "--kernel-size", "2x3", "--input-size", "3x4")
    # by hand: rows total 1*(2-1) = 1 (odd), columns 1*(3-1) = 2 (even): only the rows shift
    assert "out[i, j] there equals out[i-1, j] of the bottom maps" in text
    assert "out[i-1, j-1]" not in text
    x, w = ramp(3, 4), ramp(2, 3)
    top = ss.correlate(x, w, mode="same")  # extra row at the top
    bottom = ss.correlate2d(x, w, mode="same")  # extra row at the bottom
    assert np.array_equal(top[1:, :], bottom[:-1, :])
    assert not np.array_equal(top[1:, 1:], bottom[:-1, :-1])


def test_same_shift_on_both_axes_when_both_are_odd(invoke):
    text = said(invoke, "--mode", "same", "--kernel-size", "2")
    assert "out[i, j] there equals out[i-1, j-1] of the bottom/right maps" in text
    x, w = ramp(5, 5), ramp(2, 2)
    assert np.array_equal(ss.correlate(x, w, mode="same")[1:, 1:], ss.correlate2d(x, w, mode="same")[:-1, :-1])


def test_even_kernel_with_even_total_gets_no_even_kernel_hint(invoke):
    text = said(invoke, "--mode", "same", "--kernel-size", "3x2", "--dilation", "2")
    assert "With an even kernel (try --kernel-size 2) they do not" not in text
    # by hand: totals d*(k-1) = 2*(3-1) = 4 and 2*(2-1) = 2, both even: no placement section
    assert "rows 2*(3-1) = 4, columns 2*(2-1) = 2" in text
    assert "where the extra row or column goes" not in text
    x, w = ramp(7, 5), ramp(3, 2)  # the explain default input for these spans, and its ramp kernel
    wd = np.zeros((5, 3))
    wd[::2, ::2] = w
    assert np.array_equal(ss.correlate(x, wd, mode="same"), ss.correlate2d(x, wd, mode="same"))


@pytest.mark.parametrize("args", [["--kernel-size", "2"], ["--kernel-size", "2x3", "--input-size", "3x4"]])
def test_placement_sides_name_only_the_odd_axes(invoke, args):
    text = said(invoke, "--mode", "same", *args)
    odd_cols = args[1] == "2"
    assert ("extra at the bottom/right" in text) == odd_cols
    assert ("extra at the bottom:" in text) == (not odd_cols)


# ----------------------------------------------------------------------------- what the floor drops


def test_floor_dropping_padding_is_not_lost_input(invoke):
    # by hand: 6 rows, full padding 2, stride 2: windows start at -2, 0, 2, 4 and reach row 6 at most;
    # row 7 is padding, so nothing of the input is lost
    text = said(invoke, "--mode", "full", "--stride", "2", "--input-size", "6")
    assert "the floor drops 1 row (1 padding row at the bottom); no window reaches it: only padding, so no " \
           "input is lost" in text
    # valid at stride 2 on 6 rows: windows start at 0 and 2 (rows 0..4), so input row 5 is lost
    text = said(invoke, "--mode", "strided", "--input-size", "6")
    assert "input row 5 never affects the output" in text
    x = ramp(6, 6)
    changed = x.copy()
    changed[5] = 1000
    w = np.ones((1, 1, 3, 3))
    assert np.array_equal(conv2d(x[None, None], w, stride=2), conv2d(changed[None, None], w, stride=2))


# ----------------------------------------------------------------------------- --flip means convolution


def test_flip_makes_the_example_a_convolution(invoke):
    from convtrace.teach import explain as model

    x, w = ramp(5, 5), ramp(2, 2)
    e = model.explain(model.settings_for("same", None, None), model.Example(x, w, "test"), flip=True)
    # the maps use the rotated kernel: TensorFlow's placement equals the engine's convolution (flip on)
    expected = conv2d(x[None, None], w[None, None], padding=((0, 1), (0, 1)), flip=True)[0, 0]
    np.testing.assert_array_equal(e.even.placements[0].output, expected)
    # scipy's convolve2d, padded as TensorFlow pads, is the same convolution
    np.testing.assert_array_equal(expected, ss.convolve2d(np.pad(x, ((0, 1), (0, 1))), w, mode="valid"))
    text = said(invoke, "--mode", "same", "--kernel-size", "2", "--flip")
    assert "flip (convolution)" in text.split("numbers from")[0]
    assert "The same call elsewhere: true convolution (--flip)" in text
    assert "F.conv2d(x, w.flip(-2, -1), padding=\"same\")" in text


def test_flip_full_gradient_is_that_of_a_valid_convolution():
    from convtrace.teach import explain as model

    x, w = ramp(4, 5), np.array([[1.0, 2.0], [0.0, -3.0]])
    e = model.explain(model.settings_for("full", None, None), model.Example(x, w, "test"), flip=True)
    # L = sum(convolve2d(x, w, 'valid')): its gradient is the adjoint, correlate2d(ones, w, 'full')
    out_shape = ss.convolve2d(x, w, mode="valid").shape
    np.testing.assert_allclose(e.full.grad_input, ss.correlate2d(np.ones(out_shape), w, mode="full"))
    assert any("a full cross-correlation of dL/dout with w itself" in line for line in e.full.gradient)


def test_no_flip_overrides_the_document(invoke, tmp_path):
    path = tmp_path / "conv.json"
    path.write_text('{"images": [[1, 2, 3], [4, 5, 6], [7, 8, 9]], "kernels": [[1, 2], [3, 4]], "flip": true}')
    with_flip = said(invoke, "--mode", "valid", str(path))
    assert "convolution vs cross-correlation" in with_flip and "convolve2d" in with_flip
    without = said(invoke, "--mode", "valid", str(path), "--no-flip")
    assert "convolution vs cross-correlation" not in without and "correlate2d(x, w, mode=\"valid\")" in without


def test_strided_same_names_only_the_odd_axis(invoke):
    text = said(invoke, "--mode", "same", "--stride", "2", "--input-size", "6x5")
    # by hand, TensorFlow's rule: rows out = ceil(6/2) = 3, total = 2*2 + 3 - 6 = 1 (odd);
    # columns out = ceil(5/2) = 3, total = 2*2 + 3 - 5 = 2 (even)
    assert "rows: total = 0 + 1 = 1 is odd" in text and "columns: total" not in text
    assert "puts the extra one at the bottom (before = total // 2)" in text


def test_overview_does_not_call_strided_full_every_overlap(invoke):
    text = said(invoke, "--stride", "2")
    assert "every overlap" not in text and "full every 2nd overlap" in text
    assert "full every overlap" in said(invoke)
