"""The layer lessons (16 pooling, 17 transposed, 18 depthwise) in the classroom player, in tmux at 80x24.

What a learner sees, key by key: the lesson's first part alone on the alternate
screen, each key redrawing the screen in place (nothing scrolls into the
history), a layer frame whose numbers are those of the step it names, and the
terminal exactly as before after q, Ctrl-C or SIGTERM. The expected numbers are
computed here with NumPy from the lesson's own input document and checked
against the vectorized engine; none are copied from the frames' code.
"""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import time

import numpy as np
import pytest

from test_player_screen import CONVTRACE, PROMPT, Pane, start

import convtrace
from convtrace.engine.dispatch import layer_output
from convtrace.teach.lessons import get_lesson

HEADER = re.compile(r"^step (\d+) of 0\.\.(\d+):  out\[([\d,]+)\] = (\S+)$")


@pytest.fixture
def pane():
    pane = Pane(80, 24)
    yield pane
    pane.close()


def start_lesson(pane: Pane, number: str) -> None:
    """Run `convtrace lesson run N` the way test_player_screen.start runs the player (settings kept, exit printed)."""
    start(pane, number, command="lesson run", marker="BEFORE-THE-LESSON")


def press_until(pane: Pane, key: str, words: str, tries: int = 12) -> list[str]:
    """Press `key` until the footer shows `words`; the screen then."""
    for _ in range(tries):
        if words in pane.screen()[-1]:
            return pane.screen()
        before = pane.screen()[-1]
        pane.keys(key)
        _wait_for_change(pane, before)
    assert words in pane.screen()[-1], pane.text()
    return pane.screen()


def _wait_for_change(pane: Pane, footer: str) -> None:
    end = time.time() + 10
    while pane.screen()[-1] == footer and time.time() < end:
        time.sleep(0.05)


def one_frame(screen: list[str], footer: str = "[part ") -> tuple[int, tuple[int, ...], float, list[str]]:
    """The single frame on the screen: its step, the output index it names, its value, its lines."""
    headers = [i for i, line in enumerate(screen) if HEADER.match(line)]
    assert len(headers) == 1, "\n".join(screen)  # one frame, drawn in place: none above it
    assert sum(footer in line for line in screen) == 1
    step, _, where, value = HEADER.match(screen[headers[0]]).groups()
    return int(step), tuple(int(i) for i in where.split(",")), float(value), screen[headers[0]:-1]


def numbers(line: str) -> list[str]:
    return line.split()


def doc_of(number: str) -> tuple[dict, object]:
    """The lesson's input document (as JSON) and the problem the library loads from it."""
    path = get_lesson(number, None).folder / "input.json"
    return json.loads(path.read_text()), convtrace.load(str(path))


def check_pooling(lines: list[str], index, value, doc) -> None:
    """Lesson 16: max pooling 2x2, stride 2; the window is the image's 2x2 block, its maximum marked."""
    image = np.array(doc["images"], dtype=float)
    _, _, i, j = index
    window = image[2 * i:2 * i + 2, 2 * j:2 * j + 2]
    assert value == window.max()
    rows = [numbers(line) for line in lines[2:4]]
    assert [[float(cell.strip("[]")) for cell in row] for row in rows] == window.tolist()
    marked = [(r, c) for r, row in enumerate(rows) for c, cell in enumerate(row) if cell.startswith("[")]
    first_max = np.unravel_index(np.argmax(window), window.shape)  # row-major: the first maximum
    assert marked == [tuple(int(v) for v in first_max)]
    assert f"max = {value:g}, first met at input ({2 * i + first_max[0]},{2 * j + first_max[1]})" in lines[4]


def check_transposed(lines: list[str], index, value, doc) -> None:
    """Lesson 17: stride-2 transposed convolution; the gather window over the zero-inserted, padded input."""
    image, kernel = np.array(doc["images"], dtype=float), np.array(doc["kernels"], dtype=float)
    stride, k = doc["stride"], kernel.shape[0]
    stamped = np.zeros(((image.shape[0] - 1) * stride + k,) * 2)  # every input value stamps value * kernel
    for a in range(image.shape[0]):
        for b in range(image.shape[1]):
            stamped[a * stride:a * stride + k, b * stride:b * stride + k] += image[a, b] * kernel
    _, _, i, j = index
    assert value == stamped[i, j]
    spread = np.full(((image.shape[0] - 1) * stride + 1 + 2 * (k - 1),) * 2, np.nan)  # nan: a zero the loop added
    spread[k - 1:k - 1 + (image.shape[0] - 1) * stride + 1:stride, k - 1:k - 1 + (image.shape[1] - 1) * stride + 1:stride] = image
    window = spread[i:i + k, j:j + k]
    rows = [numbers(line) for line in lines[3:3 + k]]
    shown = [[np.nan if cell == "·" else float(cell) for cell in row[:k]] for row in rows]
    np.testing.assert_array_equal(np.array(shown), window)
    assert [[float(cell) for cell in row[k:]] for row in rows] == np.rot90(kernel, 2).tolist()
    assert f"partial sum = {value:g}" in lines[3 + k]


def check_depthwise(lines: list[str], index, value, doc) -> None:
    """Lesson 18: groups = channels; kernel k reads channel k only."""
    images, kernels = np.array(doc["images"], dtype=float), np.array(doc["kernels"], dtype=float)
    _, k, i, j = index
    kh, kw = kernels.shape[2:]
    window = images[k, i:i + kh, j:j + kw]
    assert value == (window * kernels[k, 0]).sum()
    assert f"input channels {k}..{k} (group {k})" in lines[1]
    assert lines[2].split(":")[0].strip() == f"channel {k}"
    rows = [[float(cell) for cell in numbers(line)] for line in lines[3:3 + kh]]
    assert [row[:kw] for row in rows] == window.tolist()
    assert [row[kw:] for row in rows] == kernels[k, 0].tolist()
    assert f"partial sum = {value:g}" in lines[3 + kh]


LESSONS = [("16", 2, check_pooling), ("17", 12, check_transposed), ("18", 5, check_depthwise)]


@pytest.mark.parametrize("number, step, check", LESSONS, ids=[number for number, _, _ in LESSONS])
def test_a_layer_lesson_plays_part_by_part_in_place_and_q_restores_the_terminal(pane, number, step, check):
    item = get_lesson(number, None)
    start_lesson(pane, number)
    first = pane.wait_for("[part 1 of ").split("\n")
    assert pane.info("alternate_on") == "1" and pane.info("cursor_flag") == "0"
    # the first part alone: the lesson's header, its title and goal, not yet the idea
    text = "\n".join(first)
    assert f"Lesson {item.number}" in first[0] and item.title in text and "Goal" in text
    assert "The idea" not in text and len(first) == 24
    second = "\n".join(press_until(pane, "Space", "[part 2 of "))
    assert "The idea" in second and "Goal" not in second and f"Lesson {item.number}" not in second
    assert pane.info("history_size") == "0"  # redrawn in place: nothing scrolled into the history
    press_until(pane, "Space", "the trace: summary")
    screen = press_until(pane, "Right", f"the trace: step {step} of ", tries=step + 2)
    shown_step, index, value, lines = one_frame(screen)
    doc, problem = doc_of(number)
    output = layer_output(problem)
    assert shown_step == step and index == tuple(int(i) for i in np.unravel_index(step, output.shape))
    assert value == output[index]  # the vectorized engine
    check(lines, index, value, doc)  # NumPy, from the lesson's document
    assert "↓ more" not in screen[-1] and max(len(line) for line in screen) <= 80  # the frame fits 80x24
    pane.keys("Left")
    assert one_frame(press_until(pane, "Left", f"the trace: step {step - 1} of "))[0] == step - 1
    assert pane.info("history_size") == "0"
    pane.keys("q")
    after = pane.wait_for("STTY-SAME")
    assert "EXIT=0" in after and "BEFORE-THE-LESSON" in after
    assert "[part" not in after and not any(HEADER.match(line) for line in after.split("\n"))
    assert [line for line in after.split("\n") if line.strip()][-1] == PROMPT.strip()  # the shell prompt is back
    assert pane.info("alternate_on") == "0" and pane.info("cursor_flag") == "1"
    assert pane.info("history_size") == "0"


@pytest.mark.parametrize("how", ["C-c", "SIGTERM"])
def test_ctrl_c_and_sigterm_in_a_layer_frame_restore_the_terminal(pane, how):
    start_lesson(pane, "18")
    pane.wait_for("[part 1 of ")
    press_until(pane, "Space", "the trace: summary")
    press_until(pane, "Right", "the trace: step 0 of ")
    if how == "C-c":
        pane.keys("C-c")
        code = "130"
    else:
        shell = int(pane.info("pane_pid"))
        children = subprocess.run(["ps", "-o", "pid=", "--ppid", str(shell)], capture_output=True, text=True).stdout.split()
        assert len(children) == 1  # the convtrace the shell started
        os.kill(int(children[0]), signal.SIGTERM)
        code = "143"
    after = pane.wait_for(f"EXIT={code}")
    assert "STTY-SAME" in pane.wait_for("STTY-SAME")
    assert "BEFORE-THE-LESSON" in after and "[part" not in after
    assert pane.info("alternate_on") == "0" and pane.info("cursor_flag") == "1"


def test_run_step_fits_a_tall_layer_frame_to_80x24_with_a_note(pane, tmp_path):
    """Five channels per group (28 lines) do not fit 23: the value, the sum of every channel and a note stay."""
    rng = np.random.default_rng(3)
    images, kernels = rng.integers(-3, 4, (1, 10, 5, 5)), rng.integers(-3, 4, (2, 5, 3, 3))
    (tmp_path / "grouped.json").write_text(json.dumps({"images": images.tolist(), "kernels": kernels.tolist(),
                                                      "groups": 2, "padding": 1}))
    pane.type(f"cd {tmp_path} && clear && {CONVTRACE} run grouped.json --step; echo EXIT=$?")
    pane.wait_for("[summary]")
    pane.keys("Space", "Space")
    screen = pane.wait_for("[step 1 of ").split("\n")
    shown_step, index, value, lines = one_frame(screen, footer="[step ")
    assert shown_step == 1 and index == (0, 0, 0, 1)
    padded = np.pad(images[0, :5].astype(float), ((0, 0), (1, 1), (1, 1)))
    partials = (padded[:, 0:3, 1:4] * kernels[0]).sum(axis=(1, 2))  # kernel 0 reads channels 0..4
    assert value == partials.sum()
    sums = [line for line in lines if "+ bias 0 =" in line]
    assert len(sums) == 1 and [float(v) for v in sums[0].split("+ bias")[0].split(" + ")] == partials.tolist()
    text = "\n".join(screen)
    assert "channels 3..4 not drawn (no room)" in text and "channel 2: patch" in text
    assert len(screen) == 24 and "↓ more" not in screen[-1] and max(len(line) for line in screen) <= 80
    pane.keys("q")
    assert "EXIT=0" in pane.wait_for("EXIT=")

