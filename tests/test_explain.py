"""`convtrace explain`: golden renders, formulas that match the engine, library emulations checked against scipy.

Golden files live in tests/golden_text/explain_*.txt (rendered at 80 columns, no colour,
trailing spaces stripped). Regenerate them with

    UPDATE_GOLDEN=1 python -m pytest tests/test_explain.py

and read every changed file before committing it.
"""

from __future__ import annotations

import json
import math
import os
import re
from pathlib import Path

import numpy as np
import pytest
import scipy.signal as ss
from hypothesis import given, settings
from hypothesis import strategies as st

from convtrace.teach import explain as model
from convtrace.errors import DataError
from convtrace.engine.fast import conv2d

GOLDEN_TEXT = Path(__file__).parent / "golden_text"
ENV = {"COLUMNS": "80", "LINES": "50", "NO_COLOR": "1", "FORCE_COLOR": None, "TTY_COMPATIBLE": None,
       "TTY_INTERACTIVE": None, "TERM": "dumb"}


def normalized(text: str) -> str:
    return "\n".join(line.rstrip() for line in text.splitlines()) + "\n"


def check_golden(name: str, text: str) -> None:
    path = GOLDEN_TEXT / name
    text = normalized(text)
    if os.environ.get("UPDATE_GOLDEN"):
        GOLDEN_TEXT.mkdir(exist_ok=True)
        path.write_text(text, encoding="utf-8")
        pytest.skip(f"snapshot {name} rewritten (UPDATE_GOLDEN=1): review the diff; nothing was compared")
    assert path.exists(), f"{path} is missing; run UPDATE_GOLDEN=1 python -m pytest {__file__}"
    assert text == path.read_text(encoding="utf-8")


GOLDENS = {
    "explain_overview.txt": [],
    "explain_valid.txt": ["--mode", "valid"],
    "explain_same.txt": ["--mode", "same"],
    "explain_full.txt": ["--mode", "full"],
    "explain_strided.txt": ["--mode", "strided", "--input-size", "6"],
    "explain_dilated.txt": ["--mode", "dilated"],
    "explain_same_even.txt": ["--mode", "same", "--kernel-size", "2"],
    "explain_flip.txt": ["--mode", "valid", "--flip"],
}


@pytest.mark.parametrize("name", sorted(GOLDENS))
def test_golden_render(invoke, name):
    result = invoke(["explain", *GOLDENS[name]], env=ENV)
    assert result.exit_code == 0, result.output
    check_golden(name, result.stdout)


@pytest.mark.parametrize("name", sorted(GOLDENS))
def test_render_fits_80_columns_and_marks_without_colour(invoke, name):
    out = invoke(["explain", *GOLDENS[name]], env=ENV).stdout
    assert "\x1b[" not in out  # no colour codes
    assert max(len(line.rstrip()) for line in out.splitlines()) <= 80
    if GOLDENS[name] and "--mode" in GOLDENS[name]:
        assert "[x]" in out  # the window's taps are visible without colour


# ----------------------------------------------------------------------------- formulas vs engine

STEPS = re.compile(
    r"^(?P<n>[HW])' = floor\(\((?P<size>\d+) \+ (?P<before>\d+) \+ (?P<after>\d+) - (?P<d>\d+)\*\((?P<k>\d+)-1\) - 1\) "
    r"/ (?P<s>\d+)\) \+ 1 = floor\((?P<top>-?\d+) / (?P<s2>\d+)\) \+ 1 = (?P<q>-?\d+) \+ 1 = (?P<out>-?\d+)$"
)


def tf_same(size, k, s, d):
    """TensorFlow's 'same' rule, written out independently (math.ceil, not //)."""
    out = math.ceil(size / s)
    total = max((out - 1) * s + d * (k - 1) + 1 - size, 0)
    return total // 2, total - total // 2


def evaluate(steps: str) -> dict:
    """Check every '=' of a substituted output-size formula by plain integer arithmetic."""
    m = STEPS.match(steps)
    assert m, steps
    v = {key: int(val) for key, val in m.groupdict().items() if key != "n"}
    top = v["size"] + v["before"] + v["after"] - v["d"] * (v["k"] - 1) - 1
    assert top == v["top"] and v["s"] == v["s2"]
    assert math.floor(top / v["s"]) == v["q"]
    assert v["q"] + 1 == v["out"]
    return v


@settings(max_examples=150, deadline=None)
@given(
    h=st.integers(1, 12), w=st.integers(1, 12), kh=st.integers(1, 5), kw=st.integers(1, 5),
    sh=st.integers(1, 3), sw=st.integers(1, 3), dh=st.integers(1, 3), dw=st.integers(1, 3),
    mode=st.sampled_from(["valid", "same", "full"]),
)
def test_substituted_formula_equals_engine_shape(h, w, kh, kw, sh, sw, dh, dw, mode):
    example = model.ramp_example((h, w), (kh, kw))
    settings_ = model.settings_for(mode, (sh, sw), (dh, dw))
    x, k = example.x[None, None], example.w[None, None]
    try:
        e = model.explain(settings_, example)
    except DataError:
        # explain refuses exactly when the engine does
        with pytest.raises(DataError):
            conv2d(x, k, stride=(sh, sw), dilation=(dh, dw), padding=mode)
        # and an independent count agrees that no window fits
        assert h - dh * (kh - 1) < 1 or w - dw * (kw - 1) < 1
        return
    engine = conv2d(x, k, stride=(sh, sw), dilation=(dh, dw), padding=mode).shape[2:]
    for story, size, kern, s, d, out in ((e.rows, h, kh, sh, dh, engine[0]), (e.cols, w, kw, sw, dw, engine[1])):
        v = evaluate(story.out_steps)
        assert (v["size"], v["k"], v["s"], v["d"]) == (size, kern, s, d)
        assert v["out"] == out
        # the padding shown is the padding the rule gives, computed here independently
        want = {"valid": (0, 0), "full": (d * (kern - 1),) * 2, "same": tf_same(size, kern, s, d)}[mode]
        assert (v["before"], v["after"]) == want
        before, after = story.sides
        if mode == "same":
            total = want[0] + want[1]
            assert story.padding_rule.endswith(
                f"{before} = {total} // 2 = {want[0]}, {after} = {total} - {want[0]} = {want[1]}")
        elif mode == "full":
            assert story.padding_rule == f"{before} = {after} = d*(k-1) = {d}*({kern}-1) = {want[0]}"
        # brute force: window starts that fit in the padded input, every s-th
        padded = size + want[0] + want[1]
        span = d * (kern - 1) + 1
        corners = [c for c in range(0, padded, s) if c + span <= padded]
        assert list(story.corners_padded) == corners
        assert list(story.corners_input) == [c - want[0] for c in corners]
        # what the floor drops: cells after the last window's reach
        assert story.axis.dropped == padded - (corners[-1] + span)
        assert (story.dropped is None) == (story.axis.dropped == 0)


def test_same_formula_numbers_worked_by_hand():
    e = model.explain(model.settings_for("same", (2, 2)), model.ramp_example((6, 6), (3, 3)))
    # out = ceil(6/2) = 3; total = (3-1)*2 + 1*(3-1) + 1 - 6 = 1 -> top 0, bottom 1
    assert e.rows.padding_rule == (
        "out = ceil(6 / 2) = 3; total = max((3-1)*2 + 1*(3-1) + 1 - 6, 0) = 1; top = 1 // 2 = 0, bottom = 1 - 0 = 1"
    )
    assert e.rows.out_steps == "H' = floor((6 + 0 + 1 - 1*(3-1) - 1) / 2) + 1 = floor(4 / 2) + 1 = 2 + 1 = 3"


def test_full_example_from_the_task_text():
    e = model.explain(model.settings_for("full"), model.ramp_example((5, 5), (3, 3)))
    assert e.rows.out_steps.startswith("H' = floor((5 + 2 + 2 - 1*(3-1) - 1) / 1) + 1 = ")
    assert e.rows.out_steps.endswith(" = 7")
    assert e.rows.padding_rule == "top = bottom = d*(k-1) = 1*(3-1) = 2"


def test_dropped_rows_are_named():
    # 6 rows, 3x3, stride 2, valid: windows at rows 0-2 and 2-4; row 5 is never read
    e = model.explain(model.settings_for("strided"), model.ramp_example((6, 6), (3, 3)))
    assert e.rows.dropped.startswith("3 / 2 = 1 remainder 1: the floor drops 1 row (input row 5)")
    kinds = e.diagram.kinds
    assert all(kinds[5][c] == "dropped" for c in range(6)) and all(kinds[r][5] == "dropped" for r in range(6))
    assert kinds[0][0] == "data"


def test_diagram_windows_full_by_hand():
    e = model.explain(model.settings_for("full"), model.ramp_example((5, 5), (3, 3)))
    d = e.diagram
    assert len(d.kinds) == 9 and d.row_labels[0] == -2 and d.row_labels[-1] == 6
    assert d.first == {(r, c) for r in range(3) for c in range(3)}
    assert d.last == {(r, c) for r in range(6, 9) for c in range(6, 9)}
    assert d.kinds[2][2] == "data" and d.kinds[1][4] == "pad" and d.kinds[6][6] == "data" and d.kinds[7][6] == "pad"
    assert d.last_name == "out[6,6]"


def test_diagram_dilated_taps_are_spread():
    e = model.explain(model.settings_for("dilated"), model.ramp_example((7, 7), (3, 3)))
    assert e.diagram.first == {(r, c) for r in (0, 2, 4) for c in (0, 2, 4)}
    assert e.diagram.last == {(r, c) for r in (2, 4, 6) for c in (2, 4, 6)}


# ----------------------------------------------------------------------------- library spellings, run for real

SCIPY = {"np": np, "correlate2d": ss.correlate2d, "correlate": ss.correlate, "convolve2d": ss.convolve2d}


def run_scipy(code: tuple[str, ...], x: np.ndarray, w: np.ndarray) -> np.ndarray:
    names = dict(SCIPY, x=x, w=w)
    for line in code[:-1]:
        exec(line, names)
    return eval(code[-1], names)


def reference(x, w, mode, stride, dilation, flip=False):
    """The engine's answer, through the public conv2d (N=C=K=1)."""
    return conv2d(x[None, None], w[None, None], padding=mode, stride=stride, dilation=dilation, flip=flip)[0, 0]


def fits(mode, size, kernel, stride, dilation) -> bool:
    s = model.settings_for(mode, stride, dilation)
    return s.padding_mode != "valid" or all(
        n - d * (k - 1) >= 1 for n, k, d in zip(size, kernel, s.dilation))


CONFIGS = [
    (mode, size, kernel, stride, dilation)
    for mode in ("valid", "same", "full", "strided", "dilated")
    for size in ((5, 5), (6, 7), (8, 6))
    for kernel in ((3, 3), (2, 2), (2, 3), (4, 1))
    for stride in (None, (2, 2), (3, 1))
    for dilation in (None, (2, 1))
    if fits(mode, size, kernel, stride, dilation)
]


@pytest.mark.parametrize("mode, size, kernel, stride, dilation", CONFIGS)
def test_scipy_spellings_compute_the_same(mode, size, kernel, stride, dilation):
    rng = np.random.default_rng(abs(hash((mode, size, kernel, stride, dilation))) % 2**32)
    x = rng.integers(-4, 5, size).astype(float)
    w = rng.integers(-3, 4, kernel).astype(float)
    s = model.settings_for(mode, stride, dilation)
    scipy_spelling = model.explain(s, model.Example(x, w, "test")).spellings[2]
    got = run_scipy(scipy_spelling.code, x, w)
    np.testing.assert_array_equal(got, reference(x, w, s.padding_mode, s.stride, s.dilation))
    # convolution (--flip): "the same call elsewhere" is scipy's convolve2d, against the engine with flip on
    e = model.explain(s, model.Example(x, w, "test"), flip=True)
    assert e.spellings == e.flip.code
    got = run_scipy(e.spellings[2].code, x, w)
    np.testing.assert_array_equal(got, reference(x, w, s.padding_mode, s.stride, s.dilation, flip=True))
    np.testing.assert_array_equal(e.flip.convolution, reference(x, w, s.padding_mode, s.stride, s.dilation, True))


@pytest.mark.parametrize("size", [(5, 5), (4, 6), (7, 3), (2, 2)])
@pytest.mark.parametrize("kernel", [(2, 2), (4, 4), (2, 3), (3, 4), (1, 2), (6, 2)])
@pytest.mark.parametrize("dilation", [(1, 1), (3, 1)])
def test_even_kernel_placements_match_real_scipy(size, kernel, dilation):
    rng = np.random.default_rng(sum(size) * 100 + sum(kernel) * 10 + dilation[0])
    x = rng.normal(size=size)
    w = rng.normal(size=kernel)
    e = model.explain(model.settings_for("same", None, dilation), model.Example(x, w, "test"))
    assert e.even is not None
    placements = {p.who: p for p in e.even.placements}
    tf = placements['TensorFlow padding="SAME", PyTorch padding="same", convtrace']
    np.testing.assert_allclose(tf.output, reference(x, w, "same", 1, dilation))
    for who in ("scipy.signal.correlate2d", "scipy.signal.correlate", "scipy.signal.convolve2d, kernel rotated"):
        p = placements[who]
        # the emulation (convtrace with explicit padding) equals the real scipy call
        np.testing.assert_allclose(p.output, run_scipy(p.code, x, w), atol=1e-12)
        # and scipy's placement, read off its output, is the side the text names
        (top, bottom), (left, right) = p.padding
        odd_rows = (top + bottom) % 2 == 1
        if odd_rows:
            assert (top > bottom) == ("top" in p.extra)  # "top" or "top/left": only the odd axes are named
    # correlate2d agrees with TensorFlow; correlate and convolve2d put the extra zero first
    assert placements["scipy.signal.correlate2d"].padding == tf.padding
    assert placements["scipy.signal.correlate"].extra in ("top", "left", "top/left")


def test_d2l_rule_is_ceil_on_top():
    # d2l, "Padding and Stride": p_h = k_h - 1; ceil(p_h/2) rows on the top, floor(p_h/2) on the bottom
    x = np.arange(1.0, 17.0).reshape(4, 4)
    w = np.array([[1.0, 2.0, 3.0, 4.0], [5.0, 6.0, 7.0, 8.0]])  # k_h = 2, k_w = 4
    e = model.explain(model.settings_for("same"), model.Example(x, w, "test"))
    d2l = next(p for p in e.even.placements if p.who.startswith("d2l"))
    assert d2l.words
    assert d2l.padding == ((math.ceil(1 / 2), math.floor(1 / 2)), (math.ceil(3 / 2), math.floor(3 / 2)))
    padded = np.pad(x, d2l.padding)
    want = np.array([[np.sum(padded[i:i + 2, j:j + 4] * w) for j in range(4)] for i in range(4)])
    np.testing.assert_array_equal(d2l.output, want)


def test_even_kernel_tiny_example_by_hand():
    # x = 1..9 (3x3), w = [[1, 2], [3, 4]]; TensorFlow pads one zero row/column at the bottom/right
    x = np.arange(1.0, 10.0).reshape(3, 3)
    w = np.array([[1.0, 2.0], [3.0, 4.0]])
    e = model.explain(model.settings_for("same"), model.Example(x, w, "test"))
    first = e.even.placements[0]
    # out[0,0] = 1*1 + 2*2 + 3*4 + 4*5 = 37; out[2,2] = 9*1 (the rest is padding)
    assert first.output[0, 0] == 37 and first.output[2, 2] == 9
    correlate = e.even.placements[2]
    # extra zero on the top/left: out[0,0] = 4*1 (only x[0,0] under the last tap)
    assert correlate.output[0, 0] == 4 and correlate.output[1, 1] == 37
    assert correlate.differs[0, 0] and not first.differs.any()


def test_odd_kernel_same_has_no_placement_section():
    e = model.explain(model.settings_for("same"), model.ramp_example((5, 5), (3, 3)))
    assert e.even is None and "--kernel-size 2" in e.odd_same


def test_strided_same_odd_total_names_pytorch_refusal():
    e = model.explain(model.settings_for("same", (2, 2)), model.ramp_example((6, 6), (3, 3)))
    assert e.even is not None and e.even.placements == ()
    assert any("PyTorch refuses" in note for note in e.even.notes)
    torch = e.spellings[0]
    assert torch.code == ("F.conv2d(F.pad(x, (0, 1, 0, 1)), w, stride=2)",)
    assert any("not supported for strided" in note for note in torch.notes)


def test_tensorflow_spellings():
    ex = model.ramp_example((5, 5), (3, 3))
    full = model.explain(model.settings_for("full"), ex).spellings[1].code[0]
    assert full == 'tf.nn.conv2d(x, w, strides=1, padding=[[0, 0], [2, 2], [2, 2], [0, 0]])'
    same = model.explain(model.settings_for("same"), ex).spellings[1].code[0]
    assert same == 'tf.nn.conv2d(x, w, strides=1, padding="SAME")'
    dil = model.explain(model.settings_for("dilated"), model.ramp_example((7, 7), (3, 3))).spellings[1].code[0]
    assert dil == 'tf.nn.conv2d(x, w, strides=1, padding="VALID", dilations=2)'


def test_torch_spellings_run_when_torch_is_installed():
    torch = pytest.importorskip("torch")
    import torch.nn.functional as F

    for mode, size, kernel, stride, dilation in CONFIGS[::7]:
        s = model.settings_for(mode, stride, dilation)
        ex = model.ramp_example(size, kernel)
        e = model.explain(s, ex)
        x, w = torch.tensor(ex.x)[None, None], torch.tensor(ex.w)[None, None]
        got = eval(e.spellings[0].code[-1], {"F": F, "x": x, "w": w})[0, 0].numpy()
        np.testing.assert_array_equal(got, reference(ex.x, ex.w, s.padding_mode, s.stride, s.dilation))


# ----------------------------------------------------------------------------- full: padding and gradient


@pytest.mark.parametrize("size, kernel, dilation", [((5, 5), (3, 3), 1), ((6, 4), (2, 3), 1), ((7, 7), (3, 2), 2)])
def test_full_gradient_is_the_gradient_of_a_valid_convolution(size, kernel, dilation):
    rng = np.random.default_rng(7)
    w = rng.integers(-3, 4, kernel).astype(float)
    x = rng.integers(-3, 4, size).astype(float)
    e = model.explain(model.settings_for("full", None, dilation), model.Example(x, w, "test"))
    # d/dx of sum(valid(x, w)): every window adds its (dilated) taps' weights to the cells it reads
    want = np.zeros(size)
    d = dilation
    span = (d * (kernel[0] - 1) + 1, d * (kernel[1] - 1) + 1)
    for i in range(size[0] - span[0] + 1):
        for j in range(size[1] - span[1] + 1):
            want[i:i + span[0]:d, j:j + span[1]:d] += w
    np.testing.assert_array_equal(e.full.grad_input, want)
    assert e.full.grad_input.shape == size


def test_full_padding_k_mistake_by_hand():
    e = model.explain(model.settings_for("full"), model.ramp_example((5, 5), (3, 3)))
    # padding 3 instead of 2: 5 + 6 - 3 + 1 = 9 positions; windows 0 and 8 see only zeros
    assert "= 9; output rows (and columns) 0 and 8 would read nothing but zeros" in e.full.wrong[0]
    assert "d*(k-1) = 1*(3-1) = 2" in e.full.why[0]


# ----------------------------------------------------------------------------- --flip


def test_flip_results_match_scipy_and_cnn_layers_correlate():
    ex = model.ramp_example((5, 5), (3, 3))
    e = model.explain(model.settings_for("valid"), ex, flip=True)
    np.testing.assert_array_equal(e.flip.rotated, ex.w[::-1, ::-1])
    np.testing.assert_array_equal(e.flip.correlation, ss.correlate2d(ex.x, ex.w, "valid"))
    np.testing.assert_array_equal(e.flip.convolution, ss.convolve2d(ex.x, ex.w, "valid"))
    assert any("CNN layer compute cross-correlation" in n for n in e.flip.notes)


# ----------------------------------------------------------------------------- the command


def test_file_gives_the_shapes(invoke, tmp_path, monkeypatch):
    doc = {"images": np.arange(42.0).reshape(6, 7).tolist(), "kernels": [[1.0, 0.0], [0.0, -1.0]], "stride": 2}
    (tmp_path / "in.json").write_text(json.dumps(doc))
    monkeypatch.chdir(tmp_path)  # a short path, so the line does not wrap whatever the temp folder is
    out = invoke(["explain", "--mode", "valid", "in.json"], env=ENV).stdout
    assert "input 6x7, kernel 2x2, stride 2" in out
    assert "numbers from in.json" in out
    # stdin, NHWC: (H, W, C) = (4, 5, 1) is a 4x5 input
    nhwc = {"images": np.zeros((4, 5, 1)).tolist(), "kernels": np.ones((3, 3, 1)).tolist(), "layout": "NHWC"}
    out = invoke(["explain", "-", "--mode", "same"], input=json.dumps(nhwc), env=ENV).stdout
    assert "input 4x5, kernel 3x3" in out


@pytest.mark.parametrize(
    "args, code, words",
    [
        (["--input-size", "0x3"], 2, "every size must be at least 1"),
        (["--input-size", "5x5x5"], 2, "write H or HxW"),
        (["--kernel-size", "two"], 2, "write H or HxW"),
        (["--mode", "valid", "--input-size", "2", "--kernel-size", "3"], 1, "does not fit the rows"),
        (["--mode", "dilated", "--input-size", "4", "--dilation", "2"], 1, "does not fit"),
        (["--mode", "sideways"], 2, "is not one of"),
        (["missing.json"], 2, "does not exist"),
        (["--stride", "0"], 2, "must be >= 1"),
    ],
)
def test_errors_are_clean(invoke, args, code, words):
    result = invoke(["explain", *args], env=ENV)
    assert result.exit_code == code
    assert words in result.stderr
    assert "Traceback" not in result.output and result.stdout == ""


def test_file_and_sizes_together_is_usage_error(invoke, tmp_path):
    path = tmp_path / "in.json"
    path.write_text(json.dumps({"images": [[1, 2], [3, 4]], "kernels": [[1]]}))
    result = invoke(["explain", str(path), "--input-size", "5"], env=ENV)
    assert result.exit_code == 2 and "no FILE" in result.stderr


def test_overview_lists_every_mode_even_when_one_does_not_fit(invoke):
    result = invoke(["explain", "--input-size", "4", "--kernel-size", "3"], env=ENV)
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    for mode in model.EXPLAINED_MODES:
        assert any(line.strip().startswith(mode) for line in lines)
    # dilation 2 spans 5 > 4: no window fits, and the formula says why
    assert "no window fits: H' = floor((4 + 0 + 0 - 2*(3-1) - 1) / 1) + 1 = 0" in result.stdout
