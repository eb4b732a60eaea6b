"""`convtrace compare`: every run equals the engines and scipy; the table and maps as a golden render.

Regenerate tests/golden_text/compare_*.txt with
    UPDATE_GOLDEN=1 python -m pytest tests/test_compare.py
and read every changed file before committing it.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import numpy as np
import pytest
import scipy.signal as ss

from convtrace.source.loader import Request
from convtrace.teach.compare import compare, touches_padding
from convtrace.engine.naive import naive_output
from convtrace.engine.fast import conv2d

from convtrace.source.geometry import make_geometry
from convtrace.source.problem import build_problem

# the question's tensors (4 images of 3 constant channels, kernels of ones and twos), shipped as an example
QUESTION = str(Path(__file__).parent.parent / "convtrace" / "source" / "examples" / "question.json")

GOLDEN_TEXT = Path(__file__).parent / "golden_text"
ENV = {"COLUMNS": "80", "LINES": "50", "NO_COLOR": "1", "FORCE_COLOR": None, "TTY_COMPATIBLE": None,
       "TTY_INTERACTIVE": None, "TERM": "dumb"}


def check_golden(name: str, text: str) -> None:
    """Compare with tests/golden_text/NAME (trailing spaces ignored); UPDATE_GOLDEN=1 rewrites it."""
    path = GOLDEN_TEXT / name
    text = "\n".join(line.rstrip() for line in text.splitlines()) + "\n"
    if os.environ.get("UPDATE_GOLDEN"):
        GOLDEN_TEXT.mkdir(exist_ok=True)
        path.write_text(text, encoding="utf-8")
        pytest.skip(f"snapshot {name} rewritten (UPDATE_GOLDEN=1): review the diff; nothing was compared")
    assert path.exists(), f"{path} is missing; run UPDATE_GOLDEN=1 python -m pytest {__file__}"
    assert text == path.read_text(encoding="utf-8")

DOC = {
    "images": [[[1, 2, 0, -1, 3], [3, -2, 1, 4, 0], [0, 1, -3, 2, 2], [2, 2, 1, 0, -1], [1, 0, 2, 3, 1]],
               [[0, 1, 1, 0, 2], [2, 0, -1, 1, 1], [1, 3, 0, 0, -2], [0, 1, 2, -1, 0], [3, 0, 1, 1, 2]]],
    "kernels": [[[[1, 0, -1], [2, 0, -2], [1, 0, -1]], [[0, 1, 0], [1, -4, 1], [0, 1, 0]]],
                [[[2, 1, 0], [1, 0, -1], [0, -1, -2]], [[1, 1, 1], [1, 1, 1], [1, 1, 1]]]],
    "bias": [0.5, -1],
}


def write(tmp_path, doc) -> str:
    path = tmp_path / "doc.json"
    path.write_text(json.dumps(doc))
    return str(path)


def test_golden_default(invoke):
    result = invoke(["compare", QUESTION], env=ENV)
    assert result.exit_code == 0, result.output
    check_golden("compare_default.txt", result.stdout)
    assert max(len(line.rstrip()) for line in result.stdout.splitlines()) <= 80


def test_golden_file_with_dilation(invoke, tmp_path):
    result = invoke(["compare", write(tmp_path, DOC), "--strides", "1,3", "--dilation", "2", "--kernel", "1"], env=ENV)
    assert result.exit_code == 0, result.output
    check_golden("compare_dilated.txt", result.stdout)


@pytest.mark.parametrize("dilation", [1, 2])
@pytest.mark.parametrize("flip", [False, True])
def test_runs_equal_the_vectorized_and_naive_engines(tmp_path, dilation, flip):
    problem = Request(write(tmp_path, DOC), {"dilation": dilation, "flip": flip}).load(own_padding=True)
    comparison = compare(problem, ("valid", "same", "full"), (1, 2, 3))
    assert len(comparison.runs) == 9
    x = np.array(DOC["images"], float)[None]  # rank 3 (C, H, W) -> (1, C, H, W)
    w = np.array(DOC["kernels"], float)
    for run in comparison.runs:
        assert run.error is None  # a 5x5 input fits a 3x3 kernel even at dilation 2 (span 5)
        want = conv2d(x, w, DOC["bias"], stride=run.stride, padding=run.mode, dilation=dilation, flip=flip)
        np.testing.assert_array_equal(run.output, want)
        naive = naive_output(build_problem(x, w, bias=DOC["bias"], stride=run.stride, dilation=dilation,
                                           mode=run.mode, flip=flip))
        np.testing.assert_allclose(run.output, naive, atol=1e-12)


def test_stride_1_runs_equal_scipy():
    rng = np.random.default_rng(3)
    x = rng.normal(size=(1, 2, 6, 5))
    w = rng.normal(size=(1, 2, 3, 3))
    problem = build_problem(x, w, mode="full")
    for run in compare(problem, ("valid", "same", "full"), (1,)).runs:
        want = sum(ss.correlate2d(x[0, c], w[0, c], mode=run.mode) for c in range(2))
        np.testing.assert_allclose(run.output[0, 0], want, atol=1e-12)


def test_builtin_example_by_hand(invoke):
    # each image's channels are constants summing to 3 and the kernels are all ones / all twos,
    # so a value is 3 * (kernel value) * (number of the window's 9 cells inside the 4x4 input)
    doc = json.loads(invoke(["compare", QUESTION, "--json"]).stdout)
    assert [(r["mode"], r["stride"][0]) for r in doc["runs"]] == [
        ("valid", 1), ("valid", 2), ("same", 1), ("same", 2), ("full", 1), ("full", 2)]
    for r in doc["runs"]:
        out = np.array(r["output"])
        (top, _), (left, _) = r["padding"]
        s = r["stride"][0]
        h, w = out.shape[2:]
        for i in range(h):
            for j in range(w):
                rows = [i * s - top + u for u in range(3)]
                cols = [j * s - left + v for v in range(3)]
                inside = sum(0 <= a < 4 and 0 <= b < 4 for a in rows for b in cols)
                assert (out[:, 0, i, j] == 3 * inside).all() and (out[:, 1, i, j] == 6 * inside).all()
                assert r["touches_padding"][i][j] == (inside < 9)
    same2 = doc["runs"][3]
    assert same2["padding"] == [[0, 1], [0, 1]]  # out = ceil(4/2) = 2; total = 2 + 3 - 4 = 1
    assert doc["runs"][1]["dropped"] == {"rows": 1, "cols": 1}  # (4 - 3) / 2 leaves 1
    assert doc["runs"][0]["formula"]["rows"] == "H' = floor((4 + 0 + 0 - 1*(3-1) - 1) / 1) + 1 = 2"


def test_padding_no_window_reaches_is_not_counted_as_dropped_input(invoke):
    # by hand, the question's 4x4 input and 3x3 kernels, 'full' at stride 2: padded rows -2..5;
    # windows start at -2, 0, 2 and read rows -2..0, 0..2, 2..4: every input row 0..3 is read,
    # and only row 5, a zero of the padding, is left over
    doc = json.loads(invoke(["compare", "--example", "question", "--json", "--modes", "full,valid", "--strides", "2"]).stdout)
    full, valid = doc["runs"]
    assert full["padding"] == [[2, 2], [2, 2]] and np.array(full["output"]).shape[2:] == (3, 3)
    read = {t for i in range(3) for t in range(2 * i - 2, 2 * i + 1)}
    assert set(range(4)) <= read and 5 not in read
    assert full["dropped"] == {"rows": 0, "cols": 0}
    assert full["unread_padding"] == {"rows": 1, "cols": 1}
    # valid at stride 2: windows at 0 only (rows 0..2), so input row 3 is lost data
    assert valid["dropped"] == {"rows": 1, "cols": 1} and valid["unread_padding"] == {"rows": 0, "cols": 0}
    text = invoke(["compare", "--example", "question", "--modes", "full", "--strides", "2"], env=ENV).stdout
    header, _, row = text.splitlines()[1:4]
    assert header.split()[-4:] == ["input", "dropped", "pad", "unread"]
    assert row.split()[-2:] == ["0,0", "1,1"]
    assert "nothing lost" in text


def test_touches_padding_by_hand():
    g = make_geometry((4, 4), (3, 3), mode="same")
    mask = touches_padding(g)
    assert mask.tolist() == [[True] * 4, [True, False, False, True], [True, False, False, True], [True] * 4]
    # dilation 2, full: padding 4, span 5; only the window starting at input row 0 stays inside 5 rows
    g = make_geometry((5, 5), (3, 3), dilation=2, mode="full")
    mask = touches_padding(g)
    assert mask.shape == (9, 9) and mask[:, 4].tolist() == [True] * 4 + [False] + [True] * 4
    assert mask.sum() == 81 - 1


def test_json_keeps_nhwc_layout(invoke, tmp_path):
    x = np.arange(2 * 5 * 4 * 3, dtype=float).reshape(2, 5, 4, 3)  # (N, H, W, C)
    w = np.ones((2, 3, 2, 3))  # (K, kh, kw, C)
    doc = {"images": x.tolist(), "kernels": w.tolist(), "layout": "NHWC"}
    result = invoke(["compare", write(tmp_path, doc), "--json", "--modes", "same", "--strides", "2"])
    out = json.loads(result.stdout)
    assert out["input_shape"] == [2, 5, 4, 3] and out["kernel_shape"] == [2, 3, 2, 3]
    run = out["runs"][0]
    assert run["output_shape"] == [2, 3, 2, 2]
    want = conv2d(x, w, stride=2, padding="same", layout="NHWC")
    np.testing.assert_array_equal(run["output"], want)


def test_document_padding_stride_and_grad_output_are_set_aside(invoke, tmp_path):
    doc = {"images": [[1, 2, 3], [4, 5, 6], [7, 8, 9]], "kernels": [[1, 0], [0, 1]], "padding": [[0, 1], [2, 0]],
           "stride": 2, "grad_output": [[1]]}
    result = invoke(["compare", write(tmp_path, doc), "--json", "--modes", "valid", "--strides", "1"])
    assert result.exit_code == 0, result.output
    run = json.loads(result.stdout)["runs"][0]
    assert run["output"] == [[[[6.0, 8.0], [12.0, 14.0]]]]  # 1+5, 2+6, 4+8, 5+9


def test_a_run_that_does_not_fit_is_reported_not_fatal(invoke, tmp_path):
    doc = {"images": [[1, 2], [3, 4]], "kernels": [[1, 1, 1], [1, 1, 1], [1, 1, 1]]}
    result = invoke(["compare", write(tmp_path, doc), "--json"])
    assert result.exit_code == 0
    runs = json.loads(result.stdout)["runs"]
    assert "does not fit" in runs[0]["error"] and "output" not in runs[0]
    assert runs[2]["output_shape"] == [1, 1, 2, 2]  # same still works
    shown = invoke(["compare", write(tmp_path, doc)], env=ENV).stdout
    assert "valid s=1  the kernel does not fit the rows" in shown


@pytest.mark.parametrize(
    "args, code, words",
    [
        (["--modes", "valid,sideways"], 2, "'sideways' is not one of valid, same, full"),
        (["--modes", ","], 2, "at least one"),
        (["--strides", "1,0"], 2, "must be >= 1"),
        (["--strides", "two"], 2, "not a whole number"),
        (["--image", "4"], 2, "there are 4 images"),
        (["--kernel", "2"], 2, "there are 2 kernels"),
        (["missing.json"], 2, "does not exist"),
        (["--modes", "valid", "--dilation", "3"], 1, "no combination fits"),
    ],
)
def test_errors_are_clean(invoke, args, code, words):
    result = invoke(["compare", *args] if args[0].endswith(".json") else ["compare", QUESTION, *args], env=ENV)
    assert result.exit_code == code, result.output
    assert words in result.stderr
    assert result.stdout == "" and "Traceback" not in result.output
