"""The 2-D lessons' trace in the classroom player, in tmux at 80x24: fitted as `run --step` fits it.

For each lesson with a 2-D trace: its trace part, a few frames stepped through
with the arrow key, each one screen high (no "↓ more"), naming the step of the
footer and the output cell that step computes, with the value the vectorized
engine gives for it. Where the input has more than one channel, `c` moves to
the next one: a frame that shows one channel names it and shows its partial
sum, a frame that shows them all shows every partial sum. Where it has more
than one image, `i` goes to the same cell in the next one. `q` leaves the
terminal as it was. The partial sums are computed here with NumPy from the
problem the lesson's input loads to; none are copied from the frames' code.
"""

from __future__ import annotations

import re
import time

import numpy as np
import pytest

from test_layer_lesson_screen import press_until, start_lesson
from test_player_screen import PROMPT, Pane

from convtrace.cli.lesson_run import chosen_steps
from convtrace.cli.options import parse_request
from convtrace.engine.fast import problem_output
from convtrace.teach.lessons import get_lesson

# "── step 3 of 0..15 ── out[0,0,1,1] ──" (full, medium) or "── step 3 of 0..15  out[0,0,1,1]  image 0, ..." (compact)
HEADER = re.compile(r"^── step (\d+) of 0\.\.(\d+) (?:── | )out\[([\d,]+)\]")
FOOTER = re.compile(r"the trace: step (\d+) of 0\.\.(\d+)\]")
TOTAL = re.compile(r"^\s+= (-?\d+(?:\.\d+)?)(?:\s{2,}|$)")  # the last line of out[...] = c0 + ... + bias
PARTIAL = re.compile(r"\bsum (-?\d+(?:\.\d+)?)\b")  # a channel's sum beside its products
CHANNEL = re.compile(r"channel c(\d+) of c0\.\.c(\d+)")

TWO_D = [str(n) for n in (*range(1, 16), 19, 20, 21)]
FRAMES = 3  # frames stepped through per lesson (all of them are checked to fit in test_lesson_fit.py)


@pytest.fixture(scope="module")
def problems():
    """Each 2-D lesson's problem, as its input loads, and the steps its trace draws."""
    loaded = {}
    for number in TWO_D:
        item = get_lesson(number, None)
        problem = item.load_problem(parse_request)
        loaded[number] = (problem, sorted(chosen_steps(item, problem, None)))
    return loaded


def partial_sums(problem, n: int, k: int, row: int, col: int) -> np.ndarray:
    """(C,) sums of window * kernel slice for out[n, k, row, col], from the problem's arrays with NumPy."""
    g = problem.geometry
    (top, bottom), (left, right) = g.padding
    padded = np.pad(np.asarray(problem.images, dtype=float)[n], ((0, 0), (top, bottom), (left, right)))
    (sh, sw), (dh, dw) = g.stride, g.dilation
    kernel = np.asarray(problem.kernels, dtype=float)[k]
    if problem.flip:
        kernel = kernel[:, ::-1, ::-1]
    kh, kw = kernel.shape[1:]
    window = padded[:, row * sh: row * sh + dh * (kh - 1) + 1: dh, col * sw: col * sw + dw * (kw - 1) + 1: dw]
    return (window * kernel).sum(axis=(1, 2))


def shown(text: str, expected: float) -> bool:
    """A number as drawn (rounded to the digits it shows) stands for `expected`."""
    digits = len(text.split(".")[1]) if "." in text else 0
    return abs(float(text) - expected) <= 0.5 * 10 ** -digits + 1e-9


def check_frame(screen: list[str], problem, output: np.ndarray) -> tuple[int, tuple[int, int, int, int]]:
    """One frame on the screen, fitted: its step and cell agree with the footer and the engine; returns them."""
    assert len(screen) == 24 and "↓ more" not in screen[-1], "\n".join(screen)
    assert max(len(line) for line in screen) <= 80
    headers = [HEADER.match(line) for line in screen if HEADER.match(line)]
    assert len(headers) == 1, "\n".join(screen)  # one frame, drawn in place
    step, last, where = headers[0].groups()
    footer = FOOTER.search(screen[-1])
    assert footer is not None and footer.groups() == (step, last), screen[-1]
    assert int(last) == output.size - 1
    cell = tuple(int(i) for i in np.unravel_index(int(step), output.shape))  # loop order n, k, row, col
    assert tuple(int(i) for i in where.split(",")) == cell
    totals = [TOTAL.match(line).group(1) for line in screen[:-1] if TOTAL.match(line)]
    assert totals and shown(totals[-1], output[cell]), "\n".join(screen)  # the vectorized engine's value
    return int(step), cell


def check_channels(screen: list[str], sums: np.ndarray, channel: int) -> None:
    """A compact frame shows `channel` and its partial sum; a wider one shows every channel's sum in order."""
    text = "\n".join(screen[:-1])
    named = CHANNEL.search(text)
    drawn = [value for line in screen[:-1] for value in PARTIAL.findall(line)]
    if named:  # one channel at a time
        assert named.groups() == (str(channel), str(len(sums) - 1))
        assert f"c{channel} window" in text and len(drawn) == 1 and shown(drawn[0], sums[channel]), text
    else:
        assert len(drawn) == len(sums) and all(shown(d, s) for d, s in zip(drawn, sums)), text
        assert all(f"c{c} window" in text for c in range(len(sums)))


def footer_shows(pane: Pane, words: str) -> list[str]:
    """The screen once its footer (drawn last, after the frame) shows `words`."""
    end = time.time() + 10
    while words not in pane.screen()[-1] and time.time() < end:
        time.sleep(0.05)
    screen = pane.screen()
    assert words in screen[-1], "\n".join(screen)
    return screen


@pytest.mark.parametrize("number", TWO_D)
def test_a_2d_lesson_trace_fits_80x24_and_c_reaches_every_channel(problems, number):
    problem, steps = problems[number]
    output = problem_output(problem)
    pane = Pane(80, 24)
    try:
        start_lesson(pane, number)
        pane.wait_for("[part 1 of ")
        press_until(pane, "Space", "the trace: summary")
        for at in steps[:FRAMES]:
            screen = press_until(pane, "Right", f"the trace: step {at} of ")
            step, cell = check_frame(screen, problem, output)
            sums = partial_sums(problem, *cell)
            check_channels(screen, sums, 0)
        # the footer names c and i where the frame has channels and images to move between
        assert ("c channel" in screen[-1]) == (len(sums) > 1)
        assert ("i image" in screen[-1]) == (output.shape[0] > 1)
        # c: the next channel, on the same frame, until every one has been shown
        for channel in range(1, len(sums)):
            pane.keys("c")
            screen = footer_shows(pane, f"channel c{channel}")
            assert check_frame(screen, problem, output) == (step, cell)
            check_channels(screen, sums, channel)
        # i: from a frame whose cell the lesson also draws in the next image, to that frame
        visited = steps[:FRAMES]
        n_images = output.shape[0]
        pairs = [(at, int(np.ravel_multi_index(((cell[0] + 1) % n_images, *cell[1:]), output.shape)))
                 for at in visited for cell in [np.unravel_index(at, output.shape)]]
        pairs = [(at, other) for at, other in pairs if n_images > 1 and other in steps]
        if number in ("5", "6"):  # the lessons with a batch: i is tried there
            assert pairs
        if pairs:
            at, other = pairs[0]
            press_until(pane, "Left", f"the trace: step {at} of ")
            pane.keys("i")
            screen = footer_shows(pane, f"the trace: step {other} of ")
            check_frame(screen, problem, output)
        pane.keys("q")
        after = pane.wait_for("STTY-SAME")
        assert "EXIT=0" in after and "BEFORE-THE-LESSON" in after
        assert "[part" not in after and not any(HEADER.match(line) for line in after.split("\n"))
        assert [line for line in after.split("\n") if line.strip()][-1] == PROMPT.strip()
        assert pane.info("alternate_on") == "0" and pane.info("cursor_flag") == "1"
        assert pane.info("history_size") == "0"
    finally:
        pane.close()
