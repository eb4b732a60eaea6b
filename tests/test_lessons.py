"""The classroom lessons: they load, render, run without a terminal, state only numbers the engine
agrees with (checked again here by independent loops), run the commands they show, are found after
a real (non-editable) install, and their quiz accepts right answers and explains wrong ones."""

from __future__ import annotations

import json
import math
import os
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

from convtrace.cli import cli
from convtrace.cli.options import parse_request
from convtrace.teach.facts import check_lesson, parse_facts, source_request
from convtrace.teach.lessons import find_lessons, get_lesson, parse_lesson
from convtrace.source.problem import load

REPO = Path(__file__).resolve().parent.parent
LESSONS = find_lessons()
IDS = [f"{lesson.number:02d}" for lesson in LESSONS]
SECTION_KINDS = ("goal", "idea", "predict", "trace", "answer", "exercise")


def invoke(args, input=None, env=None):
    result = CliRunner().invoke(cli, list(args), input=input, env={"COLUMNS": "100", **(env or {})})
    assert "Traceback" not in result.output, result.output
    return result


def facts_of(lesson) -> list:
    return parse_facts(lesson.facts_text)


def stated(lesson, name: str, index=None, source: str = ""):
    """The value a lesson's facts block states for name[index] in a section (None when not stated)."""
    for fact in facts_of(lesson):
        if fact.source == source and fact.name == name and fact.index == index:
            return fact.value
    return None


# ----------------------------------------------------------------------------- independent references


def ref_same_padding(size: int, k: int, s: int, d: int) -> tuple[int, int]:
    """TensorFlow's 'same' rule, written again from README.md (The numbers)."""
    out = math.ceil(size / s)
    total = max((out - 1) * s + d * (k - 1) + 1 - size, 0)
    return total // 2, total - total // 2


def ref_conv(x, w, bias, pad, stride, dilation, flip) -> np.ndarray:
    """Direct loops: (N, C, H, W) x (K, C, kh, kw) -> (N, K, H', W'). Deliberately naive and separate from convtrace."""
    if flip:
        w = w[:, :, ::-1, ::-1]
    (top, bottom), (left, right) = pad
    xp = np.pad(x, ((0, 0), (0, 0), (top, bottom), (left, right)))
    n_img, chans, hp, wp = xp.shape
    n_ker, _, kh, kw = w.shape
    (sh, sw), (dh, dw) = stride, dilation
    h_out = (hp - dh * (kh - 1) - 1) // sh + 1
    w_out = (wp - dw * (kw - 1) - 1) // sw + 1
    out = np.zeros((n_img, n_ker, h_out, w_out))
    for n in range(n_img):
        for k in range(n_ker):
            for i in range(h_out):
                for j in range(w_out):
                    total = 0.0 if bias is None else float(bias[k])
                    for c in range(chans):
                        for u in range(kh):
                            for v in range(kw):
                                total += xp[n, c, i * sh + u * dh, j * sw + v * dw] * w[k, c, u, v]
                    out[n, k, i, j] = total
    return out


def ref_grads(x, w, pad, stride, dilation, flip, g):
    """dL/dx, dL/dw, dL/db for L = sum(out * g), by the chain rule on the direct loops (no convtrace code)."""
    wa = w[:, :, ::-1, ::-1] if flip else w
    (top, bottom), (left, right) = pad
    xp = np.pad(x, ((0, 0), (0, 0), (top, bottom), (left, right)))
    gxp, gw = np.zeros_like(xp), np.zeros_like(w)
    (sh, sw), (dh, dw) = stride, dilation
    n_img, n_ker, h_out, w_out = g.shape
    _, chans, kh, kw = w.shape
    for n in range(n_img):
        for k in range(n_ker):
            for i in range(h_out):
                for j in range(w_out):
                    for c in range(chans):
                        for u in range(kh):
                            for v in range(kw):
                                r, q = i * sh + u * dh, j * sw + v * dw
                                gxp[n, c, r, q] += g[n, k, i, j] * wa[k, c, u, v]
                                gw[k, c, u, v] += g[n, k, i, j] * xp[n, c, r, q]
    gx = gxp[:, :, top: top + x.shape[2], left: left + x.shape[3]]
    if flip:
        gw = gw[:, :, ::-1, ::-1]
    return gx, gw, g.sum(axis=(0, 2, 3))


def ref_receptive_field(problems) -> list[int]:
    """[rows, cols] by experiment: which input cells move one output value of the last layer.

    The layers run 'valid' on an input large enough for every window, with positive
    weights so that no dependence cancels out; the gradient of out[0, 0, 0, 0] is
    carried back through every layer by ref_grads, and the cells where it is not
    zero are measured. The receptive field's size does not depend on padding.
    """
    size = [1, 1]
    for problem in reversed(problems):  # a generous input size: every window of every layer fits
        (kh, kw), g = problem.kernels.shape[2:], problem.geometry
        size = [n * s + d * k for n, s, d, k in zip(size, g.stride, g.dilation, (kh, kw))]
    shapes, x = [], np.ones((1, problems[0].kernels.shape[1], *size))
    for problem in problems:
        w, g = np.abs(np.asarray(problem.kernels, dtype=float)) + 1, problem.geometry
        shapes.append((x, w, g))
        x = ref_conv(x, w, None, ((0, 0), (0, 0)), g.stride, g.dilation, False)
    grad = np.zeros(x.shape)
    grad[0, 0, 0, 0] = 1.0
    for x, w, g in reversed(shapes):
        grad = ref_grads(x, w, ((0, 0), (0, 0)), g.stride, g.dilation, False, grad)[0]
    rows, cols = np.nonzero(grad[0].sum(axis=0))
    return [int(rows.max() - rows.min() + 1), int(cols.max() - cols.min() + 1)]


def worked_independently(lesson, source: str) -> dict:
    """A facts section worked out by the references above; convtrace only reads the document."""
    layers = [source_request(part.strip(), lesson, parse_request).load() for part in source.split("|")]
    if not all(p.is_plain_conv2d for p in layers):  # pooling, transposed, groups: test_layer_lessons.py's loops
        from test_layer_lessons import reference

        if len(layers) > 1:
            return {"weights": sum(int(np.asarray(p.kernels).size) for p in layers)}
        return reference(layers[0])
    worked = {
        "receptive_field": ref_receptive_field(layers),
        "weights": sum(int(np.asarray(p.kernels).size) for p in layers),
        "parameters": sum(int(np.asarray(p.kernels).size) + (0 if p.bias is None else len(p.bias)) for p in layers),
    }
    if len(layers) > 1:  # a stack of layers: only facts about the whole stack
        return worked
    problem = layers[0]
    x, w = np.asarray(problem.images), np.asarray(problem.kernels)
    g = problem.geometry
    (kh, kw), (h, wd) = w.shape[2:], x.shape[2:]
    if g.mode == "same":
        pad = (ref_same_padding(h, kh, g.stride[0], g.dilation[0]), ref_same_padding(wd, kw, g.stride[1], g.dilation[1]))
    elif g.mode == "full":
        pad = ((g.dilation[0] * (kh - 1),) * 2, (g.dilation[1] * (kw - 1),) * 2)
    elif g.mode == "valid":
        pad = ((0, 0), (0, 0))
    else:
        pad = g.padding  # explicit padding: given by the document or the option, nothing to derive
    out = ref_conv(x, w, problem.bias, pad, g.stride, g.dilation, problem.flip)
    to_doc = (lambda a: a.transpose(0, 2, 3, 1)) if problem.layout == "NHWC" else (lambda a: a)
    worked.update(out=to_doc(out), output_shape=list(to_doc(out).shape), padding=[list(p) for p in pad])
    g_out = np.asarray(problem.grad_output) if problem.grad_output is not None else np.ones(out.shape)
    gx, gw, gb = ref_grads(x, w, pad, g.stride, g.dilation, problem.flip, g_out)
    worked.update(grad_images=to_doc(gx), grad_kernels=to_doc(gw), grad_bias=gb)
    return worked


# ----------------------------------------------------------------------------- loading and shape of the set


def test_the_path_has_twenty_one_numbered_lessons_in_course_order():
    assert [lesson.number for lesson in LESSONS] == list(range(1, 22))
    order = ["one channel", "several channels", "several kernels", "edge", "batch", "loops to numpy", "1x1",
             "output size", "same", "full", "stride", "dilation", "receptive field", "convolution",
             "backward", "pooling", "transposed", "depthwise", "im2col", "better ways", "nhwc"]
    for lesson, topic in zip(LESSONS, order):
        assert topic in lesson.title.lower(), (lesson.number, lesson.title, topic)


@pytest.mark.parametrize("lesson", LESSONS, ids=IDS)
def test_lesson_has_every_part_and_an_input(lesson):
    kinds = [section.kind for section in lesson.sections]
    for kind in SECTION_KINDS:
        assert kinds.count(kind) == 1, f"lesson {lesson.number} needs one '{kind}' section, has {kinds}"
    assert kinds.index("predict") < kinds.index("trace") < kinds.index("answer"), "predict before the trace, answer after"
    assert lesson.summary and lesson.title
    problem = lesson.load_problem(parse_request)
    assert problem.title, "the input document's title is shown above the trace"
    assert "```facts" not in lesson.markdown


def test_lesson_list_prints_one_lesson_a_line_number_first():
    result = invoke(["lesson", "list"])
    assert result.exit_code == 0
    lines = result.output.splitlines()
    assert len(lines) == len(LESSONS)
    for number, line in enumerate(lines, start=1):
        assert line.split()[0] == str(number)
        assert LESSONS[number - 1].title in line


def test_lesson_list_reads_at_80_columns():
    """No line of `lesson list` is cut mid-word on an 80-column terminal: every line fits."""
    result = invoke(["lesson", "list"], env={"COLUMNS": "80"})
    assert result.exit_code == 0
    for line in result.output.splitlines():
        assert len(line) <= 80, f"{len(line)} columns: {line}"


@pytest.mark.parametrize("lesson", LESSONS, ids=IDS)
def test_lesson_code_blocks_fit_80_columns(lesson):
    """Code blocks are drawn with one column of padding on each side and are not re-wrapped at words."""
    fence = None
    for line in lesson.markdown.splitlines():
        if line.startswith("```"):
            fence = line[3:].strip() if fence is None else None
        elif fence is not None:
            assert len(line) <= 78, f"lesson {lesson.number}, {len(line)} columns: {line}"


@pytest.mark.parametrize("lesson", LESSONS, ids=IDS)
def test_lesson_show_renders_markdown(lesson):
    result = invoke(["lesson", "show", str(lesson.number)])
    assert result.exit_code == 0, result.output
    assert lesson.title in result.output
    assert "```" not in result.output and "[exercise.json]" not in result.output  # rendered, facts removed
    for section in lesson.sections[1:]:
        assert section.heading in result.output


def test_lesson_show_folds_the_answer_unless_asked():
    answer = "In the bottom-left window the kernel covers 4, 5, 7 and 8"  # lessons/01-one-channel, ## Answer
    folded = " ".join(invoke(["lesson", "show", "1"], env={"COLUMNS": "80"}).output.split())
    assert answer not in folded and "Answer: folded" in folded and "lesson show 1 --answers" in folded
    shown = " ".join(invoke(["lesson", "show", "1", "--answers"], env={"COLUMNS": "80"}).output.split())
    assert answer in shown


@pytest.mark.parametrize("lesson", LESSONS, ids=IDS)
def test_lesson_runs_without_a_terminal_and_never_pauses(lesson):
    result = invoke(["lesson", "run", str(lesson.number)], input="")
    assert result.exit_code == 0, result.output
    assert "Enter: next part" not in result.output
    out = result.output
    at = {}
    for section in lesson.sections[1:]:  # every part, in the lesson's order
        at[section.kind] = out.index(section.heading, max(at.values(), default=0))
    trace_at = re.search(r"[─-]{3} The trace [─-]{3}", out).start()
    assert at["trace"] < trace_at < at["answer"]


def test_lesson_accepts_its_folder_name_and_rejects_unknown_numbers():
    assert get_lesson("10-full").number == 10
    assert get_lesson("full").number == 10
    result = invoke(["lesson", "show", "99"])
    assert result.exit_code == 2
    assert "no lesson '99'" in result.output and "1, 2" in result.output


# ----------------------------------------------------------------------------- the numbers


@pytest.mark.parametrize("lesson", LESSONS, ids=IDS)
def test_every_stated_number_matches_the_engine_and_the_prose_matches_the_facts(lesson):
    findings = check_lesson(lesson, parse_request)
    assert not findings, "\n".join(map(str, findings))
    assert stated(lesson, "output_shape") is not None


@pytest.mark.parametrize("lesson", LESSONS, ids=IDS)
def test_stated_values_match_independent_loops(lesson):
    """Outputs, shapes, padding and gradients again, from direct loops that share no code with convtrace."""
    by_source: dict[str, dict] = {}
    checked = 0
    for fact in facts_of(lesson):
        if fact.name not in ("out", "output_shape", "padding", "grad_images", "grad_kernels", "grad_bias",
                             "receptive_field", "weights", "parameters"):
            continue
        if fact.source not in by_source:
            by_source[fact.source] = worked_independently(lesson, fact.source)
        value = by_source[fact.source][fact.name]
        if fact.index is not None:
            value = np.asarray(value)[fact.index]
        np.testing.assert_allclose(np.asarray(fact.value, dtype=float), np.asarray(value, dtype=float),
                                   rtol=0, atol=1e-9, err_msg=f"lesson {lesson.number} {fact.source} {fact.key}")
        checked += 1
    assert checked >= 2


def test_backward_lesson_gradients_equal_finite_differences_and_the_grad_command():
    lesson = get_lesson("backward")
    problem = lesson.load_problem()
    x, w = np.asarray(problem.images, dtype=float), np.asarray(problem.kernels, dtype=float)

    def loss(xx, ww, bb):
        return ref_conv(xx, ww, bb, ((0, 0), (0, 0)), (1, 1), (1, 1), False).sum()

    b = np.asarray(problem.bias, dtype=float)
    h = 0.5
    for array, place in ((x, lambda a: (a, w, b)), (w, lambda a: (x, a, b))):
        fd = np.zeros_like(array)
        for index in np.ndindex(array.shape):
            plus, minus = array.copy(), array.copy()
            plus[index] += h
            minus[index] -= h
            fd[index] = (loss(*place(plus)) - loss(*place(minus))) / (2 * h)
        name = "grad_images" if array is x else "grad_kernels"
        np.testing.assert_allclose(stated(lesson, name, (0, 0)), fd[0, 0], atol=1e-9)
    assert stated(lesson, "grad_bias", (0,)) == 4
    # the grad command, where it exists, says the same
    result = invoke(["grad", str(lesson.folder / "input.json"), "--json"])
    if result.exit_code == 2 and "No such command" in result.output:
        pytest.skip("convtrace grad is not available")
    record = json.loads(result.output)
    assert record["grad_images"][0][0] == stated(lesson, "grad_images", (0, 0))
    assert record["grad_kernels"][0][0] == stated(lesson, "grad_kernels", (0, 0))
    assert record["grad_bias"] == [4]


def test_same_padding_lesson_even_kernel_claim_about_scipy():
    """'scipy.signal.correlate(x, w, "same") puts the extra zero on top and left' ('same' padding lesson)."""
    from scipy import signal

    lesson = get_lesson("padding-same")
    problem = load(lesson.folder / "even.json")
    x, w = np.asarray(problem.images)[0, 0], np.asarray(problem.kernels)[0, 0]
    scipy_same = signal.correlate(x, w, "same", method="direct")
    assert scipy_same.tolist() == ref_conv(x[None, None], w[None, None], None, ((1, 0), (1, 0)), (1, 1), (1, 1), False)[0, 0].tolist()
    assert scipy_same.tolist() != stated(lesson, "out", (0, 0), "even.json")
    assert stated(lesson, "out", (0, 0, 0, 0), "even.json --padding 1,0,1,0") == scipy_same[0, 0]


# ----------------------------------------------------------------------------- the commands lessons show

COMMANDS = [(lesson, command) for lesson in LESSONS for command in lesson.commands()]


@pytest.mark.parametrize("lesson, command", COMMANDS, ids=[f"{l.number:02d}: {c.line}" for l, c in COMMANDS])
def test_every_command_a_lesson_shows_runs(lesson, command, monkeypatch):
    """Run from the lesson's folder; the output lines the lesson shows must appear in the real output."""
    assert not re.search(r"[|><;&`$]", command.line), "lesson commands are single commands (no shell syntax)"
    monkeypatch.chdir(lesson.folder)
    result = invoke(command.args)
    expects_error = any(line.startswith("Error:") for line in command.shown_output)
    assert (result.exit_code != 0) == expects_error, f"exit {result.exit_code}: {result.output[-400:]}"
    flat = " ".join(result.output.split())
    for line in command.shown_output:
        assert " ".join(line.split()) in flat, f"{line!r} not in the output of {command.line!r}"


def test_the_lessons_show_the_other_commands():
    shown = {" ".join(c.args[:1]) for _, c in COMMANDS}
    assert {"run", "grad", "explain", "bench", "lesson"} <= shown
    assert any("--method" in c.args for _, c in COMMANDS)


# ----------------------------------------------------------------------------- the quiz


@pytest.mark.parametrize("lesson", LESSONS, ids=IDS)
def test_quiz_accepts_the_right_answers(lesson):
    cell = tuple(int(i) for i in re.findall(r"\d+", lesson.settings["quiz"]))
    value = stated(lesson, "out", cell)
    assert value is not None, f"lesson {lesson.number} states the value of its quiz cell {cell} as a fact"
    shape = ",".join(map(str, stated(lesson, "output_shape")))
    result = invoke(["lesson", "run", str(lesson.number), "--answer-shape", shape, "--answer-value", str(value), "--limit", "0"])
    assert result.exit_code == 0, result.output
    assert result.output.count("Right:") == 2 and "Wrong:" not in result.output, result.output


WRONG = [
    (1, "1,1,3,3", "20", "did you forget to subtract d*(k-1)"),
    (2, "1,1,2,2", "14", "channel 0 alone"),
    (3, "1,1,2,2", "28", "one channel per kernel"),
    (3, "1,2,2,2", "28", "you left out the bias"),
    (4, "1,2,6,6", "-4", "you rotated the kernel"),
    (5, "2,3,2,2", "14", "that is the value of out[0,0,0,0]"),
    (6, "2,2,2,2", "7", "that is the value of out[0,0,0,0]"),  # the learner's loop: image 0 with kernel 0
    (7, "1,3,2,3", "7", "you gave C = 3"),
    (8, "1,1,3,4", "45", "did you forget the + 1"),
    (9, "1,1,2,2", "6", "did you forget the padding"),
    (11, "1,1,3,3", "56", "rounds down"),
    (11, "1,1,4,4", "56", "divide by the stride"),
    (12, "1,1,4,4", "56", "did you forget the dilation"),
    (13, "1,2,5,5", "54", "you left out the bias"),
    (14, "1,1,2,2", "37", "rotated 180 degrees"),
    (19, "1,1,2,3", "38", "you gave C = 1"),
    (21, "1,1,2,2", "22", "NCHW order"),
]


@pytest.mark.parametrize("number, shape, value, reason", WRONG, ids=[f"{w[0]}-{w[3][:20]}" for w in WRONG])
def test_quiz_explains_wrong_answers(number, shape, value, reason):
    result = invoke(["lesson", "run", str(number), "--answer-shape", shape, "--answer-value", value, "--limit", "0"])
    assert result.exit_code == 0, result.output
    assert "Wrong:" in result.output
    assert reason in " ".join(result.output.split()), result.output


def test_quiz_reason_shows_the_substituted_formula():
    from convtrace.teach.quiz import grade_shape, grade_value

    problem = get_lesson("output-size").load_problem()
    verdict = grade_shape(problem, "1,1,4,5")
    assert not verdict.right and verdict.expected == "(1, 1, 3, 5)"
    assert "H' = floor((5 + 0 + 0 - 1*(3-1) - 1) / 1) + 1 = 3, you said 4" in verdict.reason
    right = grade_value(problem, (0, 0, 2, 4), "45")
    assert right.right and "= 45" in right.reason


def test_quiz_asks_when_interactive_input_is_given_and_re_asks_bad_answers():
    result = invoke(["lesson", "run", "3", "--quiz", "--limit", "0"], input="two by two\n1,2,2,2\n38\n")
    assert result.exit_code == 0, result.output
    assert "is not a shape" in result.output
    assert result.output.count("Right:") == 2


def test_quiz_without_answers_on_a_closed_input_goes_on():
    result = invoke(["lesson", "run", "3", "--quiz", "--limit", "0"], input="")
    assert result.exit_code == 0, result.output
    assert "No answer given" in result.output


def test_scripted_answer_that_is_not_a_shape_is_a_usage_error():
    result = invoke(["lesson", "run", "1", "--answer-shape", "big", "--limit", "0"])
    assert result.exit_code == 2
    assert "not a shape" in result.output


# ----------------------------------------------------------------------------- pausing in a terminal


def test_lesson_run_shows_one_part_per_screen_in_a_terminal():
    pexpect = pytest.importorskip("pexpect")
    env = {**os.environ, "COLUMNS": "100", "NO_COLOR": "1", "PYTHONPATH": str(REPO)}
    child = pexpect.spawn(sys.executable, ["-m", "convtrace", "lesson", "run", "1", "--limit", "0"],
                          env=env, timeout=30, encoding="utf-8", dimensions=(40, 100))
    child.expect_exact("[part 1 of ")
    assert "\x1b[?1049h" in child.before  # the alternate screen: the parts do not pile up in the scrollback
    assert "The idea" not in child.before  # only the first part so far
    child.send(" ")  # a single key, no Enter
    child.expect_exact("[part 2 of ")
    child.send("q")
    child.expect(pexpect.EOF)
    assert "\x1b[?1049l" in child.before  # left again
    child.close()
    assert child.exitstatus == 0


def test_lesson_pauses_take_single_keys():
    """With the quiz the parts are printed; between them 'q' alone quits and a space goes on: no Enter needed."""
    pexpect = pytest.importorskip("pexpect")
    env = {**os.environ, "COLUMNS": "100", "NO_COLOR": "1", "PYTHONPATH": str(REPO)}
    child = pexpect.spawn(sys.executable, ["-m", "convtrace", "lesson", "run", "1", "--limit", "0",
                                           "--answer-shape", "1,1,2,2", "--answer-value", "1"],
                          env=env, timeout=30, encoding="utf-8", dimensions=(40, 100))
    child.expect("q: quit")
    child.send(" ")
    child.expect("q: quit")
    child.send("q")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0


# ----------------------------------------------------------------------------- a teacher's own folder


TEACHER_LESSON = """---
quiz: out[0,0,0,1]
---
# Edges

## Goal

Find a vertical edge in a 3x4 image.

## Predict

What is `out[0,0,0,1]`?

## What to look at in the trace

The window that straddles the edge.

## Answer

`out[0,0,0,1] = 0*1 + 9*(-1) + 0*1 + 9*(-1) = -18`, and the output is (1, 1, 2, 3).

```console
$ convtrace run input.json --json
"output_shape": [1, 1, 2, 3]
```

```facts
output_shape = (1, 1, 2, 3)
out[0,0,0,1] = -18
```
"""
TEACHER_INPUT = {"title": "An edge", "images": [[0, 0, 9, 9], [0, 0, 9, 9], [0, 0, 9, 9]], "kernels": [[1, -1], [1, -1]]}


@pytest.fixture
def teacher_dir(tmp_path):
    folder = tmp_path / "my-lessons" / "01-edges"
    folder.mkdir(parents=True)
    (folder / "lesson.md").write_text(TEACHER_LESSON)
    (folder / "input.json").write_text(json.dumps(TEACHER_INPUT))
    return folder.parent


def test_a_teachers_folder_lists_shows_runs_and_verifies(teacher_dir):
    assert invoke(["lesson", "list", "--dir", str(teacher_dir)]).output.startswith("1   Edges: Find a vertical edge")
    assert "straddles" in invoke(["lesson", "show", "1", "--dir", str(teacher_dir)]).output
    result = invoke(["lesson", "run", "1", "--dir", str(teacher_dir), "--answer-shape", "1,1,2,3", "--answer-value", "-18"])
    assert result.exit_code == 0 and result.output.count("Right:") == 2, result.output
    result = invoke(["lesson", "verify", "--dir", str(teacher_dir)])
    assert result.exit_code == 0 and "lesson 1: ok" in result.output, result.output
    via_env = invoke(["lesson", "list"], env={"CONVTRACE_LESSONS": str(teacher_dir)})
    assert via_env.output.count("\n") == 1


def test_verify_catches_a_wrong_number_in_a_teachers_lesson(teacher_dir):
    path = teacher_dir / "01-edges" / "lesson.md"
    path.write_text(path.read_text().replace("= -18`", "= -17`").replace("(1, 1, 2, 3).", "(1, 1, 3, 3)."))
    result = invoke(["lesson", "verify", "--dir", str(teacher_dir), "--no-commands"])
    assert result.exit_code == 1
    assert "-18" in result.output and "(1, 1, 3, 3)" in result.output


def test_missing_lesson_folder_is_a_usage_error(tmp_path):
    result = invoke(["lesson", "list", "--dir", str(tmp_path / "nowhere")])
    assert result.exit_code == 2 and "does not exist" in result.output


def test_the_checker_can_fail_on_each_kind_of_claim(tmp_path):
    """Facts against the engine, and prose tuples, lists, sizes, statements and sums against the facts."""
    folder = tmp_path / "01-x"
    folder.mkdir()
    (folder / "input.json").write_text(json.dumps(TEACHER_INPUT))
    text = """# X

Shape (1, 1, 2, 4), list [9, 8], a 7x7 image, out[0,0,0,0] = 5 here, and `2*3 + 1 = 8`.

```facts
output_shape = (1, 1, 2, 3)
out[0,0,0,1] = -17
```
"""
    lesson = parse_lesson(text, folder, 1)
    found = "\n".join(map(str, check_lesson(lesson, parse_request)))
    assert "out[0,0,0,1] = -17 but the engine gives -18" in found
    assert "(1, 1, 2, 4)" in found and "[9, 8]" in found and "7x7" in found
    assert "out[0,0,0,0] = 5" in found and "2*3 + 1 is 7, not 8" in found


def test_the_checker_knows_parameters_receptive_fields_stacks_and_whole_axes(tmp_path):
    """weights, parameters and receptive_field, `[a | b]` stacks of layers, and ':' in an index."""
    folder = tmp_path / "01-x"
    folder.mkdir()
    (folder / "input.json").write_text(json.dumps(TEACHER_INPUT))
    two = {"images": [[0, 0, 9, 9], [0, 0, 9, 9], [0, 0, 9, 9]], "kernels": [[[[1, -1]]], [[[1, 1]]]], "bias": [0, 1]}
    (folder / "two.json").write_text(json.dumps(two))

    def findings(prose: str, facts: str) -> str:
        lesson = parse_lesson(f"# X\n\n{prose}\n\n```facts\n{facts}\n```\n", folder, 1)
        return "\n".join(map(str, check_lesson(lesson, parse_request)))

    right = """output_shape = (1, 1, 2, 3)
weights = 4
parameters = 4
receptive_field = [2, 2]
out[0,:,0,1] = [-18]
[two.json]
parameters = 6
receptive_field = [1, 2]
out[0,:,0,0] = [0, 1]
[input.json | input.json --stride 2]
receptive_field = [3, 3]
parameters = 8
[input.json | two.json --dilation 1,2]
receptive_field = [2, 4]
"""
    prose = ("`parameters = 1*1*2*2 = 4`, `out[0,:,0,0] = [0, 1]`, a 3x3 view, "
             "```\nweights = 4\n```\n\n```python\nnp.sum(x, axis=(1, 2, 3))[7:9]\n```")
    assert findings(prose, right) == ""
    wrong = right.replace("receptive_field = [3, 3]", "receptive_field = [4, 4]").replace("parameters = 6", "parameters = 5")
    found = findings("`parameters = 1*1*2*2 + 3 = 7`, a 9x9 view", wrong)
    assert "receptive_field = [4, 4] but the engine gives [3, 3]" in found
    assert "parameters = 5 but the engine gives 6" in found
    assert "the checked parameters is 4, not 7" in found and "9x9" in found
    found = findings("", "[two.json | input.json]\nreceptive_field = [3, 3]\n[input.json | two.json]\nout[0,0,0,0] = 1")
    assert "layer 2 reads C = 1 channel, but layer 1 makes K = 2" in found
    assert "out is not a fact about a stack of layers" in found


def test_receptive_field_reference_agrees_with_the_formula():
    """The experiment above against the textbook recursion r += (k-1)*d*jump, jump *= s."""
    import itertools

    for (k1, s1, d1), (k2, s2, d2) in itertools.product([(3, 1, 1), (2, 2, 1), (3, 2, 2)], [(3, 1, 1), (3, 1, 2), (2, 3, 1)]):
        layers = [load({"images": np.ones((9, 9)).tolist(), "kernels": np.ones((k, k)).tolist(), "stride": s, "dilation": d})
                  for k, s, d in ((k1, s1, d1), (k2, s2, d2))]
        expected = 1 + (k1 - 1) * d1 + (k2 - 1) * d2 * s1
        assert ref_receptive_field(layers) == [expected, expected]


# ----------------------------------------------------------------------------- packaging


def _convtrace_seen_from(cwd: Path, env: dict) -> Path:
    code = "import convtrace, pathlib; print(pathlib.Path(convtrace.__file__).resolve().parent)"
    out = subprocess.run([sys.executable, "-c", code], cwd=cwd, env=env, capture_output=True, text=True, check=True)
    return Path(out.stdout.strip())


def test_lessons_are_found_after_a_non_editable_install_outside_the_repo(tmp_path):
    """Build the wheel and install it into a folder (offline), or use the installed package when it is not the repo."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    package = _convtrace_seen_from(outside, env)
    if package.parent == REPO:
        import importlib.util

        if importlib.util.find_spec("hatchling") is None:
            pytest.skip("convtrace is an editable install and hatchling is not here to build a wheel")
        pip = [sys.executable, "-m", "pip", "--disable-pip-version-check", "-q"]
        subprocess.run(pip + ["wheel", "--no-deps", "--no-build-isolation", "--no-index", "-w", str(tmp_path / "dist"), str(REPO)],
                       check=True, capture_output=True, cwd=outside)
        wheel = next((tmp_path / "dist").glob("convtrace-*.whl"))
        subprocess.run(pip + ["install", "--no-deps", "--no-index", "--target", str(tmp_path / "site"), str(wheel)],
                       check=True, capture_output=True, cwd=outside)
        env["PYTHONPATH"] = str(tmp_path / "site")
        package = _convtrace_seen_from(outside, env)
        assert package == (tmp_path / "site" / "convtrace").resolve()
    # the installed copy (site-packages, possibly inside a venv in the checkout), not the source tree
    assert package != (REPO / "convtrace").resolve(), f"convtrace imported from the source tree: {package}"

    def run(*args):
        return subprocess.run([sys.executable, "-m", "convtrace", *args], cwd=outside, env=env,
                              capture_output=True, text=True, timeout=60)

    listed = run("lesson", "list")
    assert listed.returncode == 0, listed.stderr
    assert [line.split()[0] for line in listed.stdout.splitlines()] == [str(n) for n in range(1, len(LESSONS) + 1)]
    where = Path(run("lesson", "path", "19").stdout.strip())
    assert where.parent == package / "lesson_files" and (where / "input.json").is_file()
    assert (package / "lesson_files" / "06-loops-to-numpy" / "conv_numpy.py").is_file()
    ran = run("lesson", "run", "19", "--answer-shape", "1,2,2,3", "--answer-value", "38", "--limit", "1")
    assert ran.returncode == 0 and ran.stdout.count("Right:") == 2, ran.stdout + ran.stderr
    checked = run("lesson", "verify", "--no-commands")
    assert checked.returncode == 0, checked.stdout


@pytest.mark.parametrize("option, text", [("--answer-shape", "x"), ("--answer-value", "abc")])
def test_a_malformed_scripted_answer_is_one_clean_error(invoke, option, text):
    result = invoke(["lesson", "run", "1", option, text])
    assert result.exit_code == 2
    assert result.stdout == "" and "Traceback" not in result.stderr
    assert repr(text) in result.stderr
