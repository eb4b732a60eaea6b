"""`explain --groups`, `--transposed`, `--pool`: formulas with the example's numbers, values from the engine.

References: hand-worked numbers, scipy, and plain loops written here from the
definitions (scatter for transposed convolution, window by window for pooling).
"""

from __future__ import annotations

import re

import numpy as np
import pytest
import scipy.signal as ss

from convtrace.teach.explain import groups, pooling, transposed

ENV = {"COLUMNS": "80", "LINES": "50", "NO_COLOR": "1", "FORCE_COLOR": None, "TTY_COMPATIBLE": None,
       "TTY_INTERACTIVE": None, "TERM": "dumb"}


def said(invoke, *args) -> str:
    result = invoke(["explain", *args], env=ENV)
    assert result.exit_code == 0, result.output
    assert max(len(line.rstrip()) for line in result.stdout.splitlines()) <= 80
    assert "\x1b[" not in result.stdout
    return re.sub(r"\s+", " ", result.stdout)


# ----------------------------------------------------------------------------- groups


def test_groups_name_the_channels_each_kernel_reads(invoke):
    text = said(invoke, "--groups", "2")
    # by hand: C = K = 4, K/G = 2 kernels per group; kernel 3 is in group 3 // 2 = 1, channels 2..3
    assert "g = k // (K/G) = 3 // 2 = 1: channels 1*4/2 .. 2*4/2 - 1 = 2..3" in text
    assert "kernels (K, C/groups, kh, kw) = (4, 4/2, 3, 3) = (4, 2, 3, 3)" in text
    assert "K*(C/G)*kh*kw = 4*2*3*3 = 72 weights, against K*C*kh*kw = 4*4*3*3 = 144" in text
    # channel c holds c+1, weights 1: kernel 0 sums 9*1 + 9*2, kernel 2 sums 9*3 + 9*4
    assert "out[0,0,0,0] = 9 (channel 0) + 18 (channel 1) = 27" in text
    assert "out[0,2,0,0] = 27 (channel 2) + 36 (channel 3) = 63" in text


@pytest.mark.parametrize("g, mode", [(1, "valid"), (2, "same"), (3, "full")])
def test_groups_output_equals_scipy_per_group(g, mode):
    doc = groups.example_document(g, (5, 4), (3, 2), (1, 1), (1, 1), mode)
    note = groups.groups_note(doc)
    x, w = np.array(doc["images"][0]), np.array(doc["kernels"])
    c, k = x.shape[0], w.shape[0]
    pad = {"valid": ((0, 0), (0, 0)), "same": ((1, 1), (0, 1)), "full": ((2, 2), (1, 1))}[mode]
    for kk in range(k):
        group = kk // (k // g)
        read = range(group * c // g, (group + 1) * c // g)
        expected = sum(ss.correlate2d(np.pad(x[ch], pad), w[kk, i], mode="valid") for i, ch in enumerate(read))
        np.testing.assert_allclose(note.output[kk], expected)
        assert note.rows[kk].channels == (read.start, read.stop)


def test_depthwise_is_named_when_groups_equal_channels():
    doc = {"images": [np.ones((3, 4, 4)).tolist()], "kernels": np.ones((3, 1, 3, 3)).tolist(), "groups": 3}
    note = groups.groups_note(doc)
    assert any("depthwise" in n for n in note.notes)


# ----------------------------------------------------------------------------- transposed


def scatter(x, w, s, p, a):
    """Transposed convolution from its definition: every input value stamps w * value, s cells apart."""
    (h, wd), (kh, kw) = x.shape, w.shape
    full = np.zeros(((h - 1) * s + kh + a, (wd - 1) * s + kw + a))
    for i in range(h):
        for j in range(wd):
            full[i * s: i * s + kh, j * s: j * s + kw] += x[i, j] * w
    return full[p: full.shape[0] - p, p: full.shape[1] - p]


@pytest.mark.parametrize("size, kernel, s, p, a", [((3, 3), (3, 3), 2, 1, 1), ((3, 4), (2, 2), 2, 0, 0),
                                                    ((2, 2), (3, 3), 3, 1, 2), ((4, 4), (3, 3), 1, 1, 0)])
def test_transposed_output_equals_the_scatter_definition(size, kernel, s, p, a):
    doc = transposed.example_document(size, kernel, (s, s), (1, 1), (p, p), (a, a))
    note = transposed.transposed_note(doc)
    expected = scatter(np.array(doc["images"]), np.array(doc["kernels"]), s, p, a)
    np.testing.assert_allclose(note.output, expected)
    h, k = size[0], kernel[0]
    assert note.axes[0].formula == f"H' = ({h}-1)*{s} - 2*{p} + 1*({k}-1) + {a} + 1 = {expected.shape[0]}"


def test_transposed_says_why_output_padding_exists(invoke):
    text = said(invoke, "--transposed", "--padding", "1", "--output-padding", "1")
    # by hand: 3x3 input, 3x3 kernel, stride 2, p 1: (3-1)*2 - 2 + 2 + 1 + 1 = 6
    assert "H' = (3-1)*2 - 2*1 + 1*(3-1) + 1 + 1 = 6" in text
    # the forward convolution (k 3, s 2, p 1) maps both 5 and 6 rows to 3: floor(5/2)+1 = floor(4/2)+1 = 3
    assert "X = 5: floor((5 + 1 + 1 - 1*(3-1) - 1) / 2) + 1 = 3 (output_padding 0)" in text
    assert "X = 6: floor((6 + 1 + 1 - 1*(3-1) - 1) / 2) + 1 = 3 (output_padding 1)" in text
    assert "output_padding = 1 picks X = 6" in text
    # gather view: 3 cells with 1 zero between = 5, + 2*(2-1) + 1 = 8, minus 3 + 1 = 6
    assert "5 + 2*1 + 1 = 8" in text and "fits 8 - 3 + 1 = 6 times" in text


def test_transposed_at_stride_1_needs_no_output_padding(invoke):
    text = said(invoke, "--transposed", "--stride", "1")
    assert "no output_padding is needed" in text
    assert "H' = (3-1)*1 - 2*0 + 1*(3-1) + 0 + 1 = 5" in text


# ----------------------------------------------------------------------------- pooling


def pool_reference(x, k, s, p, ceil, kind):
    """Pooling from PyTorch's definition, window by window (avg: count_include_pad, the window clipped)."""
    h = x.shape[0]
    top = h + 2 * p - k
    out = (-(-top // s) if ceil else top // s) + 1
    if ceil and (out - 1) * s >= h + p:
        out -= 1
    fill = -np.inf if kind == "max" else 0.0
    padded = np.pad(x, p, constant_values=fill)
    result = np.zeros((out, out))
    for i in range(out):
        for j in range(out):
            r, c = i * s, j * s
            window = padded[r: r + k, c: c + k]
            if kind == "max":
                result[i, j] = window.max()
            else:
                rows = min(r + k, h + 2 * p) - r
                cols = min(c + k, h + 2 * p) - c
                result[i, j] = window.sum() / (rows * cols)
    return result


@pytest.mark.parametrize("kind", ["max", "avg"])
@pytest.mark.parametrize("size, k, s, p, ceil", [(5, 2, 2, 0, True), (5, 2, 2, 0, False), (5, 2, 2, 1, True),
                                                 (6, 3, 2, 1, True), (7, 3, 3, 0, True)])
def test_pool_output_equals_the_definition(kind, size, k, s, p, ceil):
    doc = pooling.example_document(kind, (size, size), (k, k), (s, s), (1, 1), (p, p), ceil)
    note = pooling.pool_note(doc)
    np.testing.assert_allclose(note.output, pool_reference(np.array(doc["images"]), k, s, p, ceil, kind))


def test_ceil_mode_keeps_a_last_window_past_the_edge(invoke):
    text = said(invoke, "--pool", "avg", "--ceil-mode")
    # by hand: 5 rows, window 2, stride 2: (5 - 2) / 2 = 1.5: floor 2 windows, ceil 3; the third starts at row 4
    assert "floor H' = floor((5 + 0 + 0 - 1*(2-1) - 1) / 2) + 1 = 2" in text
    assert "ceil H' = ceil((5 + 0 + 0 - 1*(2-1) - 1) / 2) + 1 = 3" in text
    assert "keeps a last window starting at input row 4: it spans 4..5, 1 row past the padded input" in text
    note = pooling.pool_note(pooling.example_document("avg", (5, 5), (2, 2), None, (1, 1), (0, 0), True))
    assert note.output[0, 2] == (5 + 10) / 2 and note.divisors[0, 2] == 2  # only two cells under it


def test_ceil_mode_drops_a_window_that_would_start_in_the_end_padding(invoke):
    text = said(invoke, "--pool", "max", "--padding", "1", "--ceil-mode")
    # by hand: 5 rows + 1 + 1 padding, window 2, stride 2: ceil((7 - 2) / 2) + 1 = 4 windows, the 4th starting at
    # padded row 6 = input row 5, which is padding: PyTorch keeps 3
    assert "ceil would add a window starting at input row 5, inside the end padding" in text
    assert "ceil_mode gives 3" in text
    note = pooling.pool_note(pooling.example_document("max", (5, 5), (2, 2), None, (1, 1), (1, 1), True))
    assert note.output.shape == (3, 3)


def test_without_ceil_mode_the_floor_drops_the_partial_window(invoke):
    text = said(invoke, "--pool", "max")
    assert "without ceil_mode (here) the floor drops it and H' = 2" in text


# ----------------------------------------------------------------------------- usage


@pytest.mark.parametrize("args, words", [
    (["--groups", "2", "--pool", "max"], "different layers"),
    (["--ceil-mode"], "--ceil-mode goes with --pool"),
    (["--output-padding", "1"], "--output-padding goes with --transposed"),
    (["--padding", "1", "--mode", "valid"], "--padding goes with --transposed or --pool"),
    (["--pool", "avg", "--dilation", "2"], "average pooling has no dilation"),
    (["--transposed", "--mode", "same"], "--mode goes with convolutions"),
    (["--pool", "max", "--flip"], "has no flip"),
    (["--groups", "0"], "0"),
    (["--groups", "1000000"], "1<=x<=32"),  # C = K = 2G channels: millions would fill memory
    (["--transposed", "--stride", "1000000"], "explain shows at most 256"),
])
def test_layer_option_mistakes_are_usage_errors(invoke, args, words):
    result = invoke(["explain", *args], env=ENV)
    assert result.exit_code == 2, result.output
    assert words in result.stderr and result.stdout == "" and "Traceback" not in result.stderr


def test_a_layer_document_points_to_the_layer_options(invoke, tmp_path):
    path = tmp_path / "grouped.json"
    path.write_text('{"images": [[[1, 2], [3, 4]], [[1, 2], [3, 4]]], "kernels": [[[[1]]], [[[1]]]], "groups": 2}')
    result = invoke(["explain", str(path)], env=ENV)
    assert result.exit_code == 1 and result.stdout == ""
    assert "convtrace run" in result.stderr and "explain --groups G" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


@pytest.mark.parametrize("args, words", [
    (["--transposed", "--output-padding", "2"], "must be smaller than the stride"),
    (["--pool", "max", "--kernel-size", "2", "--padding", "2"], "half"),
    (["--groups", "2", "--input-size", "1"], "does not fit the rows"),
    (["--transposed", "--input-size", "1", "--kernel-size", "1", "--padding", "1"], "has no rows"),
])
def test_sizes_that_make_no_valid_layer_are_bad_data(invoke, args, words):
    # as `explain --mode valid --input-size 2 --kernel-size 3`: exit 1, one line naming the layer option
    result = invoke(["explain", *args], env=ENV)
    assert result.exit_code == 1, result.output
    assert words in result.stderr and result.stderr.startswith("Error: --")
    assert result.stdout == "" and len(result.stderr.strip().splitlines()) == 1


# ----------------------------------------------------------------------------- golden text

LAYER_GOLDENS = {
    "explain_groups.txt": ["--groups", "2"],
    "explain_transposed.txt": ["--transposed", "--padding", "1", "--output-padding", "1"],
    "explain_pool.txt": ["--pool", "avg", "--ceil-mode"],
}


@pytest.mark.parametrize("name", sorted(LAYER_GOLDENS))
def test_layer_golden_render(invoke, name):
    """The whole view at 80 columns without colour, as reviewed; UPDATE_GOLDEN=1 rewrites it."""
    import os
    from pathlib import Path

    result = invoke(["explain", *LAYER_GOLDENS[name]], env=ENV)
    assert result.exit_code == 0, result.output
    text = "\n".join(line.rstrip() for line in result.stdout.splitlines()) + "\n"
    path = Path(__file__).parent / "golden_text" / name
    if os.environ.get("UPDATE_GOLDEN"):
        path.write_text(text, encoding="utf-8")
    assert text == path.read_text(encoding="utf-8")
