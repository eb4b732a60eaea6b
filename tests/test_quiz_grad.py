"""The backward-pass quiz (front matter `quiz_grad`): the backward-pass lesson asks the gradient it asks the learner to predict.

Expected values come from the lesson's hand-worked numbers and from finite
differences of the forward pass, never from the gradient code under test.
"""

from __future__ import annotations

import json

import numpy as np
import pytest
from click.testing import CliRunner

from convtrace.cli import cli
from convtrace.engine.fast import conv2d
from convtrace.errors import DataError
from convtrace.source.problem import load
from convtrace.teach.quiz_grad import grade_grad, parse_grad_cell, terms


def invoke(args, input=None):
    return CliRunner().invoke(cli, args, input=input, catch_exceptions=False)


def test_lesson_14_quiz_asks_the_centre_cells_gradient():
    # by hand (the lesson's Answer): the centre 5 meets taps 4, 3, 2, 1 in the four windows: 10
    result = invoke(["lesson", "run", "backward", "--answer-shape", "1,1,2,2", "--answer-value", "77",
                     "--answer-grad", "10", "--limit", "0"])
    assert result.exit_code == 0, result.output
    assert result.output.count("Right:") == 3 and "Wrong:" not in result.output
    assert "dL/dimages[0,0,1,1] is 10" in result.output
    assert "1*4 + 1*3 + 1*2 + 1*1 = 10" in result.output


def test_lesson_14_quiz_names_the_slip():
    result = invoke(["lesson", "run", "backward", "--answer-grad", "4", "--answer-shape", "1,1,2,2",
                     "--answer-value", "77", "--limit", "0"])
    assert "Wrong: you said 4, dL/dimages[0,0,1,1] is 10" in result.output
    assert "how many windows used it (4)" in " ".join(result.output.split())


def test_lesson_14_quiz_asks_interactively_after_the_forward_questions():
    result = invoke(["lesson", "run", "backward", "--quiz", "--limit", "0"], input="1,1,2,2\n77\nten\n10\n")
    assert result.exit_code == 0, result.output
    out = result.output
    assert out.index("The value of out[0,0,1,1]") < out.index("The value of dL/dimages[0,0,1,1]")
    assert "how much L grows when images[0,0,1,1] grows by 1" in out
    assert out.count("Right:") == 3


def test_a_lesson_without_quiz_grad_asks_no_gradient():
    result = invoke(["lesson", "run", "1", "--quiz", "--limit", "0"], input="1,1,2,2\n37\n")
    assert "dL/d" not in result.output


def finite_difference(doc: dict, name: str, index: tuple) -> float:
    """dL/d(array[index]) for L = sum(out * g), by central differences of the forward pass (NCHW documents)."""
    x, w = np.array(doc["images"], float), np.array(doc["kernels"], float)
    g = np.array(doc["grad_output"], float)
    options = {k: doc[k] for k in ("stride", "dilation", "padding") if k in doc}

    def loss(x_, w_):
        return float((conv2d(x_, w_, flip=doc.get("flip", False), **options) * g).sum())

    arrays = {"grad_images": x, "grad_kernels": w}
    plus, minus = arrays[name].copy(), arrays[name].copy()
    plus[index] += 1.0
    minus[index] -= 1.0
    if name == "grad_images":
        return (loss(plus, w) - loss(minus, w)) / 2
    return (loss(x, plus) - loss(x, minus)) / 2


@pytest.mark.parametrize("seed", range(12))
def test_graded_value_equals_finite_differences(seed):
    rng = np.random.default_rng(seed)
    n, c, k = rng.integers(1, 3, size=3)
    kh, kw = rng.integers(1, 4, size=2)
    stride, dilation = [int(s) for s in rng.integers(1, 3, size=2)], [int(d) for d in rng.integers(1, 3, size=2)]
    padding = [int(p) for p in rng.integers(0, 3, size=2)]
    h = int(dilation[0] * (kh - 1) + 1 + rng.integers(0, 4))
    w = int(dilation[1] * (kw - 1) + 1 + rng.integers(0, 4))
    images = rng.integers(-3, 4, size=(n, c, h, w)).astype(float)
    kernels = rng.integers(-3, 4, size=(k, c, kh, kw)).astype(float)
    out = conv2d(images, kernels, stride=stride, dilation=dilation, padding=padding)
    doc = {"images": images.tolist(), "kernels": kernels.tolist(), "stride": stride, "dilation": dilation,
           "padding": padding, "flip": bool(seed % 2), "grad_output": rng.integers(-2, 3, size=out.shape).tolist()}
    problem = load(json.dumps(doc))
    for name, shape in (("grad_images", images.shape), ("grad_kernels", kernels.shape)):
        index = tuple(int(rng.integers(0, s)) for s in shape)
        cell = parse_grad_cell(f"{name}[{','.join(map(str, index))}]", problem)
        expected = finite_difference(doc, name, index)
        assert grade_grad(problem, cell, str(expected)).right
        assert not grade_grad(problem, cell, str(expected + 1)).right
        # the products the reason writes out add up to the same value
        assert sum(g * m for _, g, m in terms(problem, cell)) == pytest.approx(expected)


def test_nhwc_cells_are_in_the_documents_layout():
    doc = {"images": [[[1], [2], [3]], [[4], [5], [6]], [[7], [8], [9]]], "kernels": [[[1], [2]], [[3], [4]]],
           "layout": "NHWC"}
    problem = load(json.dumps(doc))
    # (N, H, W, C): the centre cell is grad_images[0,1,1,0]; by hand 4 + 3 + 2 + 1 = 10
    assert grade_grad(problem, parse_grad_cell("grad_images[0,1,1,0]", problem), "10").right
    # (K, kh, kw, C): tap (0, 0) met 1, 2, 4, 5
    assert grade_grad(problem, parse_grad_cell("grad_kernels[0,0,0,0]", problem), "12").right


@pytest.mark.parametrize("spec", ["grad_images[0,0,3,0]", "grad_bias[0]", "grad_images[0,0]", "out[0,0,0,0]"])
def test_bad_cells_are_clean_errors(spec):
    problem = load(json.dumps({"images": [[1, 2, 3], [4, 5, 6], [7, 8, 9]], "kernels": [[1, 2], [3, 4]]}))
    with pytest.raises(DataError, match="quiz_grad"):
        parse_grad_cell(spec, problem)


def test_lesson_verify_checks_quiz_grad(tmp_path):
    folder = tmp_path / "01-grad"
    folder.mkdir()
    (folder / "input.json").write_text(json.dumps({"images": [[1, 2, 3], [4, 5, 6], [7, 8, 9]],
                                                   "kernels": [[1, 2], [3, 4]]}))
    (folder / "lesson.md").write_text("---\nquiz_grad: grad_images[0,0,5,5]\n---\n# G\n\n## Goal\n\nA.\n\n"
                                      "```facts\noutput_shape = (1, 1, 2, 2)\n```\n")
    result = invoke(["lesson", "verify", "1", "--dir", str(tmp_path), "--no-commands"])
    assert result.exit_code == 1
    assert "front matter quiz_grad" in result.output and "grad_images[0,0,5,5]" in result.output


def test_gradient_quiz_in_a_real_terminal():
    """80x24, no colour: the learner answers after each pause, the gradient question comes third."""
    import os
    import sys
    from pathlib import Path

    pexpect = pytest.importorskip("pexpect")
    env = {**os.environ, "NO_COLOR": "1", "PYTHONPATH": str(Path(__file__).resolve().parents[1])}
    env.pop("COLUMNS", None)
    child = pexpect.spawn(sys.executable, ["-m", "convtrace", "lesson", "run", "backward", "--quiz", "--limit", "0"],
                          env=env, timeout=30, encoding="utf-8", dimensions=(24, 80))
    while True:  # Enter through the parts until the quiz asks
        index = child.expect(["Enter: next part", "The output shape"])
        if index == 1:
            break
        child.sendline("")
    child.sendline("1,1,2,2")
    child.expect("The value of out")
    child.sendline("77")
    child.expect(r"The value of dL/dimages\[0,0,1,1\]")
    child.sendline("4")
    style = r"(?:\x1b\[[0-9;]*m)*"  # bold survives NO_COLOR; the words are what matter
    child.expect(f"Wrong{style}: you said 4")
    child.expect(r"how many windows used it \(4\)")
    child.expect("Enter: next part")
    child.sendline("q")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0
