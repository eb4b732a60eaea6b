"""The Python the lessons show: it runs from the lesson's folder, prints what the lesson says it prints,
and computes what convtrace's vectorized engine computes, on the lesson's input and on random ones.

A ```python block followed directly by a ```text block must print exactly that text (the text block's
numbers are in turn checked against the lesson's facts by `lesson verify`). The blocks of a lesson run
in order in one namespace, as a learner pasting them into one session would run them.
"""

from __future__ import annotations

import ast
import contextlib
import io
import re
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

from convtrace.cli import cli
from convtrace.engine.fast import conv2d
from convtrace.teach.lessons import find_lessons, get_lesson

FENCE = re.compile(r"^```(\w*)[ \t]*\n(.*?)^```[ \t]*$", flags=re.MULTILINE | re.DOTALL)


def code_blocks(markdown: str) -> list[tuple[str, str | None]]:
    """(python source, the text it prints or None) for every ```python block, in order.

    The printed text is the ```text block that follows with nothing but blank lines in between.
    """
    fences = list(FENCE.finditer(markdown))
    blocks = []
    for here, after in zip(fences, fences[1:] + [None]):
        if here.group(1) != "python":
            continue
        shown = None
        if after is not None and after.group(1) == "text" and not markdown[here.end():after.start()].strip():
            shown = after.group(2)
        blocks.append((here.group(2), shown))
    return blocks


LESSONS = [lesson for lesson in find_lessons() if code_blocks(lesson.markdown)]
IDS = [lesson.folder.name for lesson in LESSONS]


def run_blocks(lesson, monkeypatch) -> tuple[dict, list[tuple[str, str | None, str]]]:
    """Run the lesson's python blocks in order from its folder -> (namespace, [(source, shown, printed)])."""
    monkeypatch.chdir(lesson.folder)
    namespace: dict = {"__name__": f"lesson_{lesson.number}"}
    runs = []
    for source, shown in code_blocks(lesson.markdown):
        printed = io.StringIO()
        with contextlib.redirect_stdout(printed):
            exec(compile(source, f"{lesson.folder.name}/lesson.md", "exec"), namespace)
        runs.append((source, shown, printed.getvalue()))
    return namespace, runs


def lines(text: str) -> list[str]:
    return [line.rstrip() for line in text.strip().splitlines()]


def engine_output(lesson) -> np.ndarray:
    problem = lesson.load_problem()
    return conv2d(problem.images, problem.kernels, problem.bias)


def random_pairs(kernel_sizes=((3, 3), (2, 3), (1, 1))):
    """Small signed random images and kernels: N == K and N != K, one and several channels."""
    rng = np.random.default_rng(7)
    for n, k in ((2, 2), (3, 3), (1, 4), (3, 2)):
        for c in (1, 3):
            for kh, kw in kernel_sizes:
                x = rng.integers(-4, 5, (n, c, kh + 3, kw + 2)).astype(float)
                w = rng.integers(-3, 4, (k, c, kh, kw)).astype(float)
                yield x, w


def test_the_numpy_lessons_show_code():
    assert {"loops-to-numpy", "1x1-convolution"} <= {lesson.slug for lesson in LESSONS}


@pytest.mark.parametrize("lesson", LESSONS, ids=IDS)
def test_lesson_code_runs_and_prints_what_the_lesson_shows(lesson, monkeypatch):
    _, runs = run_blocks(lesson, monkeypatch)
    shown = [run for run in runs if run[1] is not None]
    assert shown, "a lesson that shows code shows what it prints"
    for source, text, printed in shown:
        assert lines(printed) == lines(text), f"the block\n{source}\nprints\n{printed}"


@pytest.mark.parametrize("lesson", LESSONS, ids=IDS)
def test_every_conv2d_a_lesson_defines_matches_the_engine(lesson, monkeypatch):
    """Every conv2d_* function (but the learner's conv2d_mixed) on the lesson's input and on random ones."""
    namespace, _ = run_blocks(lesson, monkeypatch)
    if "out" in namespace:
        np.testing.assert_allclose(namespace["out"], engine_output(lesson), atol=1e-12)
    functions = {name: f for name, f in namespace.items() if name.startswith("conv2d_") and callable(f)}
    for name, function in functions.items():
        if name == "conv2d_mixed":
            continue
        problem = lesson.load_problem()
        np.testing.assert_allclose(function(np.asarray(problem.images), np.asarray(problem.kernels)),
                                   engine_output(lesson), atol=1e-12, err_msg=name)
        for x, w in random_pairs():
            np.testing.assert_allclose(function(x, w), conv2d(x, w), atol=1e-9, err_msg=f"{name} {x.shape} {w.shape}")


def test_the_learners_loop_pairs_image_n_with_kernel_n_only(monkeypatch):
    """What the loops-to-NumPy lesson says of the learner's loop: r[n, k] is image k with kernel k."""
    lesson = get_lesson("loops-to-numpy")
    namespace, _ = run_blocks(lesson, monkeypatch)
    out, r = engine_output(lesson), namespace["r"]
    n_images, n_kernels = out.shape[:2]
    assert n_images == n_kernels > 1, "the lesson's input has N == K > 1, so the mistake runs"
    for n in range(n_images):
        for k in range(n_kernels):
            np.testing.assert_array_equal(r[n, k], out[k, k])
    assert not np.allclose(r[1, 0], out[1, 0]) and not np.allclose(r[0, 1], out[0, 1]), "visibly wrong"
    mixed = namespace["conv2d_mixed"] if "conv2d_mixed" in namespace else _file_functions(lesson)["conv2d_mixed"]
    np.testing.assert_array_equal(mixed(namespace["x"], namespace["w"]), r)
    for x, w in random_pairs(kernel_sizes=((3, 3),)):
        if len(x) == 1:  # one image: its window is repeated for every kernel, and the loop is right
            np.testing.assert_allclose(mixed(x, w), conv2d(x, w), atol=1e-9)
        elif len(x) == len(w):
            expected = conv2d(x, w)
            got = mixed(x, w)
            for n in range(len(x)):
                for k in range(len(w)):
                    np.testing.assert_allclose(got[n, k], expected[k, k], atol=1e-9)
        else:
            with pytest.raises(ValueError, match="broadcast"):
                mixed(x, w)


def _file_functions(lesson) -> dict:
    namespace: dict = {}
    source = (lesson.folder / "conv_numpy.py").read_text()
    exec(compile(source, str(lesson.folder / "conv_numpy.py"), "exec"), namespace)
    return namespace


def test_the_file_to_check_holds_the_functions_the_lesson_shows(monkeypatch):
    """conv_numpy.py (for `convtrace check`) has every function of the lesson, word for word."""
    lesson = get_lesson("loops-to-numpy")
    text = (lesson.folder / "conv_numpy.py").read_text()
    shown = []
    for source, _ in code_blocks(lesson.markdown):
        for node in ast.parse(source).body:
            if isinstance(node, ast.FunctionDef):
                shown.append(node.name)
                assert ast.get_source_segment(source, node) in text, node.name
    assert {"conv2d_loop_k", "conv2d_broadcast", "conv2d_einsum", "conv2d_windows"} <= set(shown)
    functions = _file_functions(lesson)
    problem = lesson.load_problem()
    for name in shown + ["conv2d_mixed"]:
        assert callable(functions[name])
    for name in shown:
        np.testing.assert_allclose(functions[name](np.asarray(problem.images), np.asarray(problem.kernels)),
                                   engine_output(lesson), atol=1e-12, err_msg=name)


@pytest.mark.parametrize("name, passes", [("conv2d_loop_k", True), ("conv2d_broadcast", True),
                                          ("conv2d_einsum", True), ("conv2d_windows", True),
                                          ("conv2d_mixed", False)])
def test_convtrace_check_grades_the_lesson_functions(name, passes, monkeypatch):
    """The lesson says: the fixes pass, and the learner's loop errs where N != K (and on non-3x3 kernels)."""
    monkeypatch.chdir(get_lesson("loops-to-numpy").folder)
    result = CliRunner().invoke(cli, ["check", f"conv_numpy.py:{name}"], env={"COLUMNS": "100", "NO_COLOR": "1"})
    flat = " ".join(result.output.split())
    if passes:
        assert result.exit_code == 0 and "0 failed, 0 erred" in flat, result.output
    else:
        assert result.exit_code == 1, result.output
        assert "ERROR batch" in flat and "broadcast" in flat, result.output
        assert "FAIL images_and_kernels" in flat, result.output  # N == K > 1: runs, wrong numbers
        assert "images paired with kernels by index: image n met only kernel n" in flat, result.output
        assert "ERROR rectangular_kernel" in flat and "PASS single_channel" in flat, result.output


def test_the_check_battery_pairs_n_and_k_every_way():
    """The lesson says so: one image (the pairing cannot go wrong), N != K (it errs) and N == K > 1 (it fails)."""
    from convtrace.check.cases import battery

    sizes = [(len(case.images), len(case.kernels)) for case in battery()]
    assert any(n == k > 1 for n, k in sizes), sizes
    assert any(n == 1 for n, _ in sizes) and any(n > 1 and n != k for n, k in sizes)


def test_a_1x1_convolution_is_w_times_every_pixel(monkeypatch):
    """out[n, :, i, j] = W @ x[n, :, i, j] with W (K, C): on the lesson's input and on random ones."""
    lesson = get_lesson("1x1-convolution")
    namespace, _ = run_blocks(lesson, monkeypatch)
    x, W = namespace["x"], namespace["W"]
    problem = lesson.load_problem()
    assert W.shape == problem.kernels.shape[:2] and problem.kernels.shape[2:] == (1, 1)
    out = engine_output(lesson)
    for n, i, j in np.ndindex(x.shape[0], *x.shape[2:]):
        np.testing.assert_array_equal(W @ x[n, :, i, j], out[n, :, i, j])
    for x, w in random_pairs(kernel_sizes=((1, 1),)):
        expected = conv2d(x, w)
        np.testing.assert_allclose(np.einsum("kc,nchw->nkhw", w[:, :, 0, 0], x), expected, atol=1e-9)


def test_code_block_parsing_pairs_a_block_with_the_text_right_after_it():
    markdown = "```python\nprint(1)\n```\n\n```text\n1\n```\n\n```python\nx = 2\n```\nwords\n```text\n3\n```\n"
    assert code_blocks(markdown) == [("print(1)\n", "1\n"), ("x = 2\n", None)]


def test_lesson_folders_hold_only_lesson_files():
    """Files a lesson ships: its markdown, JSON documents, pictures it convolves (PNG) and Python files."""
    for lesson in find_lessons():
        for path in Path(lesson.folder).iterdir():
            assert path.suffix in (".md", ".json", ".py", ".png") or path.name == "__pycache__", path
