"""Lessons whose input is a picture: `input:` and facts headers given as options (--images, --kernels),
read from the lesson folder, and the edges lesson's numbers against scipy on the pixels Pillow reads."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys

import numpy as np
import pytest
from click.testing import CliRunner
from PIL import Image

from convtrace.cli import cli
from convtrace.cli.options import parse_request
from convtrace.errors import DataError
from convtrace.teach.facts import check_lesson, parse_facts, source_request
from convtrace.teach.lessons import find_lessons, get_lesson

# Sobel kernels as every image-processing textbook writes them (not read from convtrace's presets)
SOBEL_X = np.array([[-1, 0, 1], [-2, 0, 2], [-1, 0, 1]], dtype=float)
SOBEL_Y = SOBEL_X.T


def invoke(args, input=None):
    result = CliRunner().invoke(cli, list(args), input=input, env={"COLUMNS": "100", "NO_COLOR": "1"})
    assert "Traceback" not in result.output, result.output
    return result


def square_pixels(ground: int, inside: int) -> np.ndarray:
    """The edges lesson's pictures, described again: 8x8, `inside` on rows 2-5 and columns 2-5."""
    pixels = np.full((8, 8), ground, dtype=np.uint8)
    pixels[2:6, 2:6] = inside
    return pixels


# ----------------------------------------------------------------------------- the edges lesson


def test_the_edges_lesson_traces_a_png_with_two_named_kernels():
    lesson = get_lesson("edges")
    assert lesson.input_options and lesson.input_path is None and lesson.has_input
    problem = lesson.load_problem(parse_request)
    assert problem.kernel_names == ("sobel-x", "sobel-y")
    assert [p.rsplit("/", 1)[-1] for p in problem.pictures] == ["square.png"]
    with pytest.raises(DataError, match="parse_request"):  # options need the command line's parser
        lesson.load_problem()


@pytest.mark.parametrize("name, ground, inside", [("square.png", 0, 255), ("dim.png", 51, 102)])
def test_the_shipped_pictures_are_what_make_pictures_draws(tmp_path, name, ground, inside):
    folder = get_lesson("edges").folder
    with Image.open(folder / name) as shipped:
        assert shipped.mode == "L"
        np.testing.assert_array_equal(np.asarray(shipped), square_pixels(ground, inside))
    shutil.copy(folder / "make_pictures.py", tmp_path)
    subprocess.run([sys.executable, "make_pictures.py"], cwd=tmp_path, check=True)
    with Image.open(tmp_path / name) as redrawn:
        np.testing.assert_array_equal(np.asarray(redrawn), square_pixels(ground, inside))


@pytest.mark.parametrize("source, picture", [("", "square.png"), ("--images dim.png", "dim.png")])
def test_the_edges_lesson_numbers_equal_scipy_on_the_pixels_pillow_reads(source, picture):
    """Every stated output and kernel, against scipy's correlate2d of pixel/255 with the textbook Sobel kernels."""
    from scipy.signal import correlate2d

    lesson = get_lesson("edges")
    with Image.open(lesson.folder / picture) as image:
        x = np.asarray(image, dtype=float) / 255
    out = np.stack([correlate2d(x, k, mode="valid") for k in (SOBEL_X, SOBEL_Y)])[None]  # (1, 2, 6, 6)
    reference = {"out": out, "output_shape": list(out.shape), "images": x[None, None],
                 "kernels": np.stack([SOBEL_X, SOBEL_Y])[:, None]}
    checked = 0
    for fact in parse_facts(lesson.facts_text):
        if fact.source != source or fact.name not in reference:
            continue
        value = np.asarray(reference[fact.name])
        value = value[fact.index] if fact.index is not None else value
        np.testing.assert_allclose(np.asarray(fact.value, dtype=float), value, rtol=0, atol=1e-12, err_msg=fact.key)
        checked += 1
    assert checked >= 4


def test_the_edges_lesson_runs_its_picture_and_grades_the_sign():
    right = invoke(["lesson", "run", "edges", "--answer-shape", "1,2,6,6", "--answer-value", "4"])
    assert right.exit_code == 0 and right.output.count("Right:") == 2, right.output
    assert "square.png" in right.output and "kernel 0: sobel-x" in right.output
    assert "4 of the 72 window positions are drawn" in right.output
    wrong = invoke(["lesson", "run", "edges", "--answer-value", "-4", "--limit", "0"])
    assert "Wrong: you said -4, out[0,0,2,0] is 4." in wrong.output


# ----------------------------------------------------------------------------- a teacher's picture lesson


LESSON = """---
quiz: out[0,0,0,0]
input: --images step.png --kernels sobel-x
---
# A step

## Goal

One edge.

## Answer

`out[0,0,0,0] = 4`, and the output is (1, 1, 1, 2).

```console
$ convtrace run --images step.png --kernels sobel-x --json
"output_shape": [1, 1, 1, 2]
```

```facts
output_shape = (1, 1, 1, 2)
out[0,0,0,0] = 4
[--images flat.png]
out[0,0,0,0] = 0
[--stride 1,2]
output_shape = (1, 1, 1, 1)
[doc.json]
out[0,0,0,0] = 7
```
"""


@pytest.fixture
def picture_lessons(tmp_path, monkeypatch):
    folder = tmp_path / "mine" / "01-step"
    folder.mkdir(parents=True)
    Image.fromarray(np.array([[0, 0, 255, 255]] * 3, dtype=np.uint8), mode="L").save(folder / "step.png")
    Image.fromarray(np.full((3, 4), 128, dtype=np.uint8), mode="L").save(folder / "flat.png")
    (folder / "doc.json").write_text(json.dumps({"title": "d", "images": [[7]], "kernels": [[1]]}))
    (folder / "lesson.md").write_text(LESSON)
    monkeypatch.chdir(tmp_path)  # not the lesson folder: its files must still be found
    return folder


def test_a_picture_lesson_lists_runs_and_verifies_from_any_folder(picture_lessons):
    where = str(picture_lessons.parent)
    assert invoke(["lesson", "list", "--dir", where]).output.startswith("1   A step")
    ran = invoke(["lesson", "run", "1", "--dir", where, "--answer-shape", "1,1,1,2", "--answer-value", "4"])
    assert ran.exit_code == 0 and ran.output.count("Right:") == 2, ran.output
    assert "step.png" in ran.output
    checked = invoke(["lesson", "verify", "--dir", where])
    assert checked.exit_code == 0 and "lesson 1: ok" in checked.output, checked.output


def test_verify_catches_a_wrong_number_about_a_picture(picture_lessons):
    path = picture_lessons / "lesson.md"
    path.write_text(LESSON.replace("[--images flat.png]\nout[0,0,0,0] = 0", "[--images flat.png]\nout[0,0,0,0] = 2"))
    result = invoke(["lesson", "verify", "--dir", str(picture_lessons.parent), "--no-commands"])
    assert result.exit_code == 1
    assert "[--images flat.png]: out[0,0,0,0] = 2 but the engine gives 0" in result.output


def test_a_header_option_replaces_only_that_option_of_the_input(picture_lessons):
    lesson = find_lessons(picture_lessons.parent)[0]

    def request(source):
        return source_request(source, lesson, parse_request)

    base = request("")
    assert base.images == (str(picture_lessons / "step.png"),) and base.kernels == "sobel-x" and base.file is None
    other = request("--images flat.png --stride 2")
    assert other.images == (str(picture_lessons / "flat.png"),) and other.kernels == "sobel-x"
    assert other.overrides == {"stride": 2}
    # an example brings its own picture and kernels: nothing of the input's data stays
    example = request("--example face").load()
    assert example.input_shape == (1, 3, 32, 32) and example.kernel_names == ("box3", "sharpen")
    assert request("doc.json").images == ()  # a document: the input's options are not added
    assert request("doc.json").file == str(picture_lessons / "doc.json")


def test_mode_and_padding_in_a_header_replace_each_other(picture_lessons):
    lesson = find_lessons(picture_lessons.parent)[0]
    (picture_lessons / "lesson.md").write_text(LESSON.replace("--kernels sobel-x\n", "--kernels sobel-x --mode same\n"))
    lesson = find_lessons(picture_lessons.parent)[0]
    padded = source_request("--padding 2", lesson, parse_request)
    assert padded.overrides == {"padding": 2}
    assert source_request("--stride 2", lesson, parse_request).overrides == {"mode": "same", "stride": 2}


def test_a_wrong_option_in_the_input_is_one_clean_error(picture_lessons):
    (picture_lessons / "lesson.md").write_text(LESSON.replace("--kernels sobel-x\n", "--kernels sobel-x --strid 2\n"))
    where = str(picture_lessons.parent)
    result = CliRunner().invoke(cli, ["lesson", "run", "1", "--dir", where, "--limit", "0"])
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert "lesson 1, input:" in result.output and "--strid" in result.output
    found = "\n".join(map(str, check_lesson(find_lessons(where)[0], parse_request)))
    assert "--strid" in found


def test_a_picture_missing_from_the_lesson_folder_is_the_lessons_data_error(picture_lessons):
    (picture_lessons / "step.png").unlink()
    result = CliRunner().invoke(cli, ["lesson", "run", "1", "--dir", str(picture_lessons.parent), "--limit", "0"])
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert "lesson 1, input: --images:" in result.output and "step.png" in result.output


def test_the_edges_lesson_in_a_terminal_at_80_by_24():
    """A learner at an 80x24 terminal, no colour: Enter between parts, the quiz typed in, the picture traced."""
    import os

    pexpect = pytest.importorskip("pexpect")
    from pathlib import Path

    env = {**os.environ, "NO_COLOR": "1", "PYTHONPATH": str(Path(__file__).resolve().parent.parent)}
    env.pop("COLUMNS", None)
    env.pop("LINES", None)
    child = pexpect.spawn(sys.executable, ["-m", "convtrace", "lesson", "run", "edges", "--quiz"],
                          env=env, timeout=60, encoding="utf-8", dimensions=(24, 80))
    seen = ""
    for _ in range(2):  # the goal, then the idea
        child.expect("Enter: next part")
        seen += child.before
        child.sendline("")
    child.expect(r"The output shape \(N, K, H', W'\)")
    child.sendline("1,2,6,6")
    child.expect(r"The value of out\[0,0,2,0\]")
    child.sendline("-4")
    child.expect("Enter: next part")
    seen += child.before
    child.sendline("")
    child.expect("Enter: next part")  # what to look at, and the trace
    seen += child.before
    child.sendline("q")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0
    seen = re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", seen)  # bold and dim stay without colour; read the text
    assert "Right: the output shape" in seen and "Wrong: you said -4, out[0,0,2,0] is 4." in seen
    assert "kernels   (2, 1, 3, 3) (K, C, kh, kw): 0 sobel-x, 1 sobel-y" in seen
    assert "2 [0][0][1] 1  1  1  0  0" in seen  # the picture's 0s and 1s under the window on the left edge
    assert "sum 4" in seen and "sum -4" in seen
    assert all(len(line) <= 80 for line in seen.replace("\r", "").splitlines())
