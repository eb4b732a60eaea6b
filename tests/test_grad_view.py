"""`convtrace grad` shown like `convtrace run`: --export (.txt, .svg, .html), --step in a pseudo-terminal, --delay, misuse.

The document is a hand-worked example: the 3x3 image 1..9, the kernel [[1, 2], [3, 4]], bias 0, and
g = dL/dout all ones. Every output's window hands g back to what it read, so by hand:
    dL/dkernels[i, j] = sum of the 2x2 window of the image starting at (i, j) = [[12, 16], [24, 28]]
    dL/dimages[r, c]  = sum of the kernel taps that touched pixel (r, c)    = [[1, 3, 2], [4, 10, 6], [3, 7, 4]]
    dL/dbias          = number of outputs                                     = 4
"""

from __future__ import annotations

import html
import io
import json
import os
import re
import sys
import xml.etree.ElementTree as ET

import pytest
from click.testing import CliRunner

from convtrace.cli import cli

DOC = {"images": [[1, 2, 3], [4, 5, 6], [7, 8, 9]], "kernels": [[1, 2], [3, 4]], "bias": [0]}
GRAD_IMAGES = [[1, 3, 2], [4, 10, 6], [3, 7, 4]]
GRAD_KERNELS = [[12, 16], [24, 28]]
GRAD_BIAS = 4
CELLS = 9 + 4 + 1  # dL/dimages cells, dL/dkernels cells, dL/dbias cells
PLAIN_ENV = {
    "NO_COLOR": "1", "COLUMNS": "100", "LINES": "40",
    "FORCE_COLOR": None, "TTY_COMPATIBLE": None, "TTY_INTERACTIVE": None, "CLICOLOR_FORCE": None,
}


@pytest.fixture
def doc(tmp_path) -> str:
    path = tmp_path / "input.json"
    path.write_text(json.dumps(DOC), encoding="utf-8")
    return str(path)


def run_cli(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, ["grad", *args], env=PLAIN_ENV)
    stderr = result.stderr if hasattr(result, "stderr") else ""
    return result.exit_code, result.stdout, stderr


def hand_worked_lines() -> list[str]:
    """The closing line of every cell's frame, with the values worked out by hand above."""
    lines = [f"dL/dx_pad[0,0,{r},{c}] = {v}" for r, row in enumerate(GRAD_IMAGES) for c, v in enumerate(row)]
    lines += [f"dL/dw[0,0,{i},{j}] = {v}" for i, row in enumerate(GRAD_KERNELS) for j, v in enumerate(row)]
    return lines + [f"dL/dbias[0] = {GRAD_BIAS}"]


# --------------------------------------------------------------------------- exports


def test_txt_export_is_the_printed_view(doc, tmp_path):
    target = tmp_path / "frames.txt"
    code, out, err = run_cli(doc, "--export", str(target))
    assert code == 0, err
    saved = target.read_text(encoding="utf-8")
    assert saved == out
    assert "\x1b" not in saved
    for line in hand_worked_lines():
        assert line in saved
    assert "What each gradient is" in saved  # the explanations are saved too


def test_txt_export_matches_the_view_without_export(doc, tmp_path):
    """--export only records: what is printed does not change."""
    _, plain_out, _ = run_cli(doc)
    _, out, _ = run_cli(doc, "--export", str(tmp_path / "frames.txt"))
    assert out == plain_out


def test_svg_export_parses_as_xml(doc, tmp_path):
    target = tmp_path / "frames.svg"
    code, _, err = run_cli(doc, "--only", "kernels", "--export", str(target))
    assert code == 0, err
    text = ""
    for picture in sorted(tmp_path.glob("frames*.svg")):  # one SVG per frame
        root = ET.parse(picture).getroot()
        assert root.tag.endswith("svg")
        text += "".join(root.itertext()).replace("\xa0", " ")
    for i, row in enumerate(GRAD_KERNELS):
        for j, value in enumerate(row):
            assert f"dL/dw[0,0,{i},{j}] = {value}" in text


def test_svg_export_is_one_picture_per_cell_and_a_folder_takes_every_result(doc, tmp_path):
    cell = r"dL/d(?:images|kernels|bias) step \d+"
    code, printed, err = run_cli(doc, "--limit", "2", "--export", str(tmp_path / "frames.svg"))
    assert code == 0
    pictures = sorted(tmp_path.glob("frames-*.svg"))
    texts = ["".join(ET.parse(p).getroot().itertext()).replace("\xa0", " ") for p in pictures]
    assert [len(re.findall(cell, t)) for t in texts] == [1] * len(pictures)  # each the size of one frame
    assert len(pictures) == len(re.findall(cell, printed)) > 1  # every cell the view draws
    assert f"wrote {len(pictures)} SVG pictures" in err
    folder = tmp_path / "slides"
    code, _, _ = run_cli(doc, "--export", str(folder) + "/")
    assert code == 0
    text = "".join("".join(ET.parse(p).getroot().itertext()) for p in sorted(folder.glob("*.svg")))
    assert f"dL/dbias = [{GRAD_BIAS}]" in text.replace("\xa0", " ")  # results are parts of their own


def test_html_export_holds_the_values(doc, tmp_path):
    target = tmp_path / "frames.html"
    code, _, _ = run_cli(doc, "--export", str(target))
    assert code == 0
    page = target.read_text(encoding="utf-8")
    assert page.startswith("<!DOCTYPE html>") and page.rstrip().endswith("</html>")
    text = html.unescape(re.sub(r"<[^>]+>", "", page))
    for line in hand_worked_lines():
        assert line in text


# --------------------------------------------------------------------------- off a terminal


@pytest.mark.parametrize("option", [["--step"], ["--delay", "0.5"]])
def test_step_and_delay_off_a_terminal_print_the_frames_in_sequence(doc, option):
    _, plain_out, _ = run_cli(doc)
    code, out, _ = run_cli(doc, *option)
    assert code == 0
    assert out == plain_out  # no waiting for keys, no sleeping, no escape codes


# --------------------------------------------------------------------------- misuse


@pytest.mark.parametrize("args, said", [
    (["--step", "--json"], "--json"),
    (["--delay", "1", "--format", "plain"], "--format plain"),
    (["--export", "x.txt", "--format", "jsonl"], "--format jsonl"),
    (["--export", "x.svg", "--json"], "--json"),
    (["--step", "--delay", "1"], "cannot be used together"),
    (["--export", "frames.pdf"], ".svg, .html or .txt"),
])
def test_view_options_misused_are_usage_errors(doc, tmp_path, args, said):
    args = [str(tmp_path / a) if a.startswith(("x.", "frames.")) else a for a in args]
    code, out, err = run_cli(doc, *args)
    assert code == 2
    assert said in err
    assert "Traceback" not in err + out


def test_export_to_a_missing_folder_is_a_usage_error(doc, tmp_path):
    code, _, err = run_cli(doc, "--export", str(tmp_path / "no" / "such" / "frames.txt"))
    assert code == 2
    assert "cannot write" in err


# --------------------------------------------------------------------------- --step in a pseudo-terminal

HIDE, SHOW = "\x1b[?25l", "\x1b[?25h"


def spawn(doc: str, *args: str):
    pexpect = pytest.importorskip("pexpect")
    if sys.platform == "win32":  # pragma: no cover
        pytest.skip("pseudo-terminals need a POSIX system")
    env = {key: value for key, value in os.environ.items() if key not in ("NO_COLOR", "FORCE_COLOR", "COLUMNS", "LINES")}
    env.update(TERM="xterm-256color")
    child = pexpect.spawn(
        sys.executable, ["-m", "convtrace", "grad", doc, *args],
        env=env, encoding="utf-8", timeout=20, dimensions=(60, 110),
    )
    child.logfile_read = io.StringIO()  # everything the program wrote, escape codes included
    return child


def plain(text: str) -> str:
    return re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", text)


def screen_after(child, key: str, footer: str) -> str:
    """Send a key, wait for the footer of the page it leads to, return that page as plain text."""
    child.send(key)
    child.expect_exact(footer)
    return plain(child.before)


def test_step_next_back_quit_and_cursor_restored(doc):
    import pexpect

    child = spawn(doc, "--step")
    child.expect_exact("[backward pass]")
    assert "so all ones" in plain(child.before)
    page = screen_after(child, "\r", "[dL/dimages: preparation]")
    page = screen_after(child, " ", "[dL/dimages step 0 of 0..8]")
    assert "dL/dx_pad[0,0,0,0] = 1" in page
    page = screen_after(child, "\r", "[dL/dimages step 1 of 0..8]")
    assert "dL/dx_pad[0,0,0,1] = 3" in page
    page = screen_after(child, "b", "[dL/dimages step 0 of 0..8]")
    assert "dL/dx_pad[0,0,0,0] = 1" in page and "dL/dx_pad[0,0,0,1]" not in page
    screen_after(child, "\x1b[C", "[dL/dimages step 1 of 0..8]")  # right arrow: next
    child.send("q")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0
    written = child.logfile_read.getvalue()
    assert HIDE in written and written.rfind(SHOW) > written.rfind(HIDE)


def test_stepping_to_the_end_and_enter_leaves(doc):
    import pexpect

    child = spawn(doc, "--only", "kernels", "--step")
    child.expect_exact("[backward pass]")
    screen_after(child, "\r", "[dL/dkernels: preparation]")
    values = []
    for i in range(1, 5):
        values.append(screen_after(child, "\r", f"[dL/dkernels step {i - 1} of 0..3]"))
    assert [f"dL/dw[0,0,{i},{j}] = {GRAD_KERNELS[i][j]}" in page
            for page, (i, j) in zip(values, [(0, 0), (0, 1), (1, 0), (1, 1)])] == [True] * 4
    screen_after(child, "\r", "[dL/dkernels: result]")
    child.send("\r")
    child.expect_exact("Enter/space: quit")  # the last page offers to leave
    assert "What each gradient is" in plain(child.before)
    child.send("\r")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0
    written = child.logfile_read.getvalue()
    assert written.rfind(SHOW) > written.rfind(HIDE)
