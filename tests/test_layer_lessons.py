"""The lessons on the other layers (pooling, transposed, depthwise/grouped convolution): every number they
state against loops written here from PyTorch's definitions, their quiz, and the facts and quiz code for layers."""

from __future__ import annotations

import json
from pathlib import Path
import math

import numpy as np
import pytest
from click.testing import CliRunner

from convtrace.cli import cli
from convtrace.cli.options import parse_request
from convtrace.teach.facts import check_lesson, parse_facts, source_request
from convtrace.teach.lessons import get_lesson, parse_lesson

LAYER_LESSONS = ("pooling", "transposed", "depthwise")


def invoke(args):
    result = CliRunner().invoke(cli, list(args), env={"COLUMNS": "100", "NO_COLOR": "1"})
    assert "Traceback" not in result.output, result.output
    return result


# ----------------------------------------------------------------------------- references (no convtrace code)


def ref_pool_size(size: int, k: int, s: int, ceil: bool) -> int:
    """PyTorch's pooling output size without padding; with ceil_mode the last window must start inside."""
    out = (math.ceil if ceil else math.floor)((size - k) / s) + 1
    return out - 1 if ceil and (out - 1) * s >= size else out


def ref_pool(x, k: int, s: int, kind: str, ceil: bool = False):
    """(N, C, H, W) -> (out, grad_images for grad_output g=None: ones). Windows clipped to the image."""
    n_img, chans, h, w = x.shape
    ho, wo = ref_pool_size(h, k, s, ceil), ref_pool_size(w, k, s, ceil)
    out = np.zeros((n_img, chans, ho, wo))
    for n, c, i, j in np.ndindex(n_img, chans, ho, wo):
        window = x[n, c, i * s: min(i * s + k, h), j * s: min(j * s + k, w)]
        out[n, c, i, j] = window.max() if kind == "max" else window.sum() / window.size
    return out


def ref_pool_grad(x, k: int, s: int, kind: str, g, ceil: bool = False):
    """dL/dx for L = sum(out * g): the whole g to the first maximum (row-major), or g / cells to each cell."""
    gx = np.zeros(x.shape)
    _, _, h, w = x.shape
    for n, c, i, j in np.ndindex(g.shape):
        rows, cols = slice(i * s, min(i * s + k, h)), slice(j * s, min(j * s + k, w))
        window = x[n, c, rows, cols]
        if kind == "max":
            u, v = np.unravel_index(np.argmax(window), window.shape)  # argmax: the first maximum
            gx[n, c, rows.start + u, cols.start + v] += g[n, c, i, j]
        else:
            gx[n, c, rows, cols] += g[n, c, i, j] / window.size
    return gx


def ref_conv_transpose(x, w, s: int, p: int, op: int):
    """(N, C, H, W), (C, K, kh, kw) -> stamps of x[n,c,i,j] * w[c,k] at (i*s, j*s), summed, then cropped."""
    n_img, chans, h, wd = x.shape
    _, k_out, kh, kw = w.shape
    full = np.zeros((n_img, k_out, (h - 1) * s + kh + op, (wd - 1) * s + kw + op))
    for n, c, i, j in np.ndindex(n_img, chans, h, wd):
        full[n, :, i * s: i * s + kh, j * s: j * s + kw] += x[n, c, i, j] * w[c]
    return full[:, :, p: full.shape[2] - p, p: full.shape[3] - p]


def ref_grouped_conv(x, w, groups: int, s: int = 1):
    """(N, C, H, W), (K, C/G, kh, kw) -> (N, K, H', W'), valid: kernel k reads its group's channels."""
    n_img, chans, h, wd = x.shape
    k_out, per, kh, kw = w.shape
    ho, wo = (h - kh) // s + 1, (wd - kw) // s + 1
    out = np.zeros((n_img, k_out, ho, wo))
    for n, k, i, j in np.ndindex(n_img, k_out, ho, wo):
        g = k // (k_out // groups)
        patch = x[n, g * per: (g + 1) * per, i * s: i * s + kh, j * s: j * s + kw]
        out[n, k, i, j] = (patch * w[k]).sum()
    return out


def reference(problem) -> dict:
    """A layer document worked out by the loops above; convtrace only read the document."""
    x = np.asarray(problem.images, dtype=float)
    layer = problem.layer
    worked = {}
    if layer.endswith("_pool"):
        k, s, kind = problem.pool_size[0], problem.geometry.stride[0], layer.split("_")[0]
        out = ref_pool(x, k, s, kind, problem.ceil_mode)
        g = np.asarray(problem.grad_output) if problem.grad_output is not None else np.ones(out.shape)
        worked["grad_images"] = ref_pool_grad(x, k, s, kind, g.reshape(out.shape), problem.ceil_mode)
    elif layer == "conv_transpose":
        w = np.asarray(problem.kernels, dtype=float)
        geo = problem.geometry
        out = ref_conv_transpose(x, w, geo.stride[0], geo.padding[0][0], geo.output_padding[0])
    else:
        w = np.asarray(problem.kernels, dtype=float)
        out = ref_grouped_conv(x, w, problem.groups, problem.geometry.stride[0])
    if problem.kernels is not None:
        worked["weights"] = int(np.asarray(problem.kernels).size)
    worked.update(out=out, output_shape=list(out.shape))
    return worked


# ----------------------------------------------------------------------------- the lessons


@pytest.mark.parametrize("slug", LAYER_LESSONS)
def test_layer_lesson_numbers_equal_independent_loops(slug):
    lesson = get_lesson(slug)
    checked = 0
    by_source: dict[str, dict] = {}
    for fact in parse_facts(lesson.facts_text):
        if "|" in fact.source or fact.name not in ("out", "output_shape", "grad_images", "weights"):
            continue
        problem = source_request(fact.source, lesson, parse_request).load()
        if problem.is_plain_conv2d:
            continue  # plain convolution: tests/test_lessons.py checks it with its own loops
        if fact.source not in by_source:
            by_source[fact.source] = reference(problem)
        if fact.name not in by_source[fact.source]:
            continue
        value = np.asarray(by_source[fact.source][fact.name])
        value = value[fact.index] if fact.index is not None else value
        np.testing.assert_allclose(np.asarray(fact.value, dtype=float), value, rtol=0, atol=1e-12,
                                   err_msg=f"{slug} [{fact.source}] {fact.key}")
        checked += 1
    assert checked >= 3


def test_the_transposed_lesson_is_the_gradient_of_its_forward_convolution():
    """Its claim, checked by the backward loops of tests/test_lessons.py: dL/dx of forward.json = double.json's output."""
    from test_lessons import ref_grads

    lesson = get_lesson("transposed")
    forward = source_request("forward.json", lesson, parse_request).load()
    double = source_request("double.json", lesson, parse_request).load()
    geo = forward.geometry
    gx, _, _ = ref_grads(np.asarray(forward.images, float), np.asarray(forward.kernels, float), geo.padding,
                         geo.stride, geo.dilation, False, np.asarray(forward.grad_output, float).reshape(1, 1, 2, 2))
    np.testing.assert_array_equal(gx, reference(double)["out"])


@pytest.mark.parametrize("slug, shape, value", [("pooling", "1,1,2,2", "2"), ("transposed", "1,1,5,5", "36"),
                                                ("depthwise", "1,2,2,2", "3")])
def test_layer_lesson_quiz_accepts_the_right_answers(slug, shape, value):
    result = invoke(["lesson", "run", slug, "--answer-shape", shape, "--answer-value", value, "--limit", "1"])
    assert result.exit_code == 0, result.output
    assert result.output.count("Right:") == 2 and "Wrong:" not in result.output, result.output


@pytest.mark.parametrize("slug, shape, value, reason", [
    ("pooling", "1,1,2,2", "1", "that is the window's average; max pooling keeps the largest cell"),
    ("pooling", "1,0,2,2", "2", "pooling has no kernels: the output has as many channels as the input"),
    ("transposed", "1,1,3,3", "36", "H' = (2-1)*2 - 0 - 0 + 1*(3-1) + 0 + 1 = 5"),
    ("depthwise", "1,2,2,2", "14", "out[0,1,0,0] = 2*1 + 0*1 + 0*1 + 1*1 = 3"),
])
def test_layer_lesson_quiz_explains_wrong_answers(slug, shape, value, reason):
    result = invoke(["lesson", "run", slug, "--answer-shape", shape, "--answer-value", value, "--limit", "0"])
    assert result.exit_code == 0, result.output
    assert "Wrong:" in result.output and reason in " ".join(result.output.split()), result.output


@pytest.mark.parametrize("slug", LAYER_LESSONS)
def test_layer_lesson_run_draws_the_layer_trace(slug):
    result = invoke(["lesson", "run", slug, "--limit", "1"])
    assert result.exit_code == 0, result.output
    assert "The trace" in result.output and "out[0,0,0,0]" in result.output


# ----------------------------------------------------------------------------- facts and quiz for layers


def test_the_checker_catches_wrong_layer_facts(tmp_path):
    folder = tmp_path / "01-x"
    folder.mkdir()
    pool = {"title": "p", "images": [[1, 5], [3, 4]], "pool": "max", "pool_size": 2}
    (folder / "input.json").write_text(json.dumps(pool))
    (folder / "avg.json").write_text(json.dumps({**pool, "pool": "avg"}))
    text = ("# X\n\n```facts\noutput_shape = (1, 1, 1, 1)\n"
            "out[0,0,0,0] = 4\ngrad_images[0,0] = [[0, 1], [0, 0]]\npool_size = [2, 2]\nkernel_shape = (1, 1, 2, 2)\n"
            "[avg.json]\nout[0,0,0,0] = 3.25\ngrad_images[0,0] = [[0.25, 0.25], [0.25, 0.5]]\n```\n")
    found = [str(f) for f in check_lesson(parse_lesson(text, folder, 1), parse_request)]
    assert found == [
        "facts line 2: out[0,0,0,0] = 4 but the engine gives 5",
        "facts line 5: kernel_shape: a 2-D max pooling has no kernels (pool_size is its window)",
        "facts line 8 [avg.json]: grad_images[0,0] = [[0.25, 0.25], [0.25, 0.5]] but the engine gives "
        "[[0.25, 0.25], [0.25, 0.25]]",
    ], found


def test_the_pooling_lesson_in_a_terminal_at_80_by_24():
    """A learner at an 80x24 terminal taking the quiz, no colour: the parts printed with one key between them,
    the max marked in each frame (without the quiz the classroom player shows it: test_layer_lesson_screen.py)."""
    import os
    import re
    import sys

    pexpect = pytest.importorskip("pexpect")
    env = {**os.environ, "NO_COLOR": "1", "PYTHONPATH": str(Path(__file__).resolve().parent.parent)}
    env.pop("COLUMNS", None)
    env.pop("LINES", None)
    child = pexpect.spawn(sys.executable, ["-m", "convtrace", "lesson", "run", "pooling", "--answer-shape", "1,1,2,2",
                                           "--answer-value", "2"],
                          env=env, timeout=60, encoding="utf-8", dimensions=(24, 80))
    seen = ""
    for _ in range(4):  # goal, idea, predict, then what to look at with the trace
        child.expect("Enter: next part")
        seen += child.before
        child.send(" ")
    child.expect("Enter: next part")
    seen += child.before
    child.send("q")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0
    seen = re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", seen).replace("\r", "")
    assert "Every window position is drawn (4)." in seen and "Right: the output shape" in seen
    assert "      1 [5]" in seen and "max = 5, first met at input (0,1)" in seen  # the winner, marked in the text
    assert "Answer" not in seen.split("The trace")[0]  # the answer comes after the trace
    assert all(len(line) <= 80 for line in seen.splitlines())


def test_exporting_a_layer_lessons_trace_writes_the_page_player(tmp_path):
    """lesson run pooling --export: the page holds the lesson's 4 windows, each value the max of its 2x2 block."""
    from pagedata import page_data

    result = CliRunner().invoke(cli, ["lesson", "run", "pooling", "--export", str(tmp_path / "x.html")])
    assert result.exit_code == 0 and "Traceback" not in result.output
    data = page_data(tmp_path / "x.html")
    lesson_input = Path(__file__).resolve().parent.parent / "lessons" / "16-pooling" / "input.json"
    image = np.array(json.loads(lesson_input.read_text())["images"], float)
    blocks = image.reshape(2, 2, 2, 2).max(axis=(1, 3))  # (row block, col block): numpy's own 2x2 maxima
    assert data["kind"] == "max_pool" and [r["step"] for r in data["steps"]] == [0, 1, 2, 3]
    for record in data["steps"]:
        assert float(record["value"]) == blocks[tuple(record["at"])]
        assert image[tuple(record["max_at"])] == blocks[tuple(record["at"])]
