"""The classroom player in a real terminal (tmux) at 80x24 and 120x40: what a person sees, key by key.

Each test starts a shell in a fresh tmux server, runs convtrace there, sends
keys and reads the screen back with `capture-pane`. tmux also says how much
scrollback the pane holds (`history_size`), whether the alternate screen is on
and whether the cursor is visible, so 'redrawn in place' and 'the terminal is as
before' are checked as a person would notice them.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest

if sys.platform == "win32" or shutil.which("tmux") is None:  # pragma: no cover
    pytest.skip("needs tmux (.ci/run installs it)", allow_module_level=True)

CONVTRACE = str(Path(sys.executable).with_name("convtrace"))
PROMPT = "READY$ "


class Pane:
    """One tmux pane of `width` x `height` running bash, on its own tmux server."""

    def __init__(self, width: int, height: int):
        self.socket = f"convtrace-{uuid.uuid4().hex[:8]}"
        env = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "FORCE_COLOR", "COLUMNS", "LINES", "TMUX")}
        self.tmux("new-session", "-d", "-x", str(width), "-y", str(height),
                  f"env -u NO_COLOR -u FORCE_COLOR -u COLUMNS -u LINES TERM=xterm-256color PS1='{PROMPT}' "
                  f"bash --norc --noprofile", env=env)
        self.wait_for(PROMPT.strip())

    def tmux(self, *args: str, env=None) -> str:
        done = subprocess.run(["tmux", "-L", self.socket, *args], capture_output=True, text=True, env=env, timeout=20)
        return done.stdout

    def keys(self, *keys: str) -> None:
        for key in keys:
            self.tmux("send-keys", "-t", "0", key)
            time.sleep(0.15)

    def type(self, line: str) -> None:
        self.tmux("send-keys", "-t", "0", "-l", line)
        self.tmux("send-keys", "-t", "0", "Enter")

    def screen(self) -> list[str]:
        return self.tmux("capture-pane", "-p", "-t", "0").rstrip("\n").split("\n")

    def text(self) -> str:
        return "\n".join(self.screen())

    def info(self, name: str) -> str:
        return self.tmux("display", "-p", "-t", "0", f"#{{{name}}}").strip()

    def wait_for(self, words: str, timeout: float = 15) -> str:
        end = time.time() + timeout
        while time.time() < end:
            text = self.text()
            if words in text:
                return text
            time.sleep(0.1)
        raise AssertionError(f"{words!r} never appeared; the screen:\n{self.text()}")

    def close(self) -> None:
        self.tmux("kill-server")


@pytest.fixture
def pane80():
    pane = Pane(80, 24)
    yield pane
    pane.close()


@pytest.fixture
def pane120():
    pane = Pane(120, 40)
    yield pane
    pane.close()


def start(pane: Pane, args: str, command: str = "run", marker: str = "BEFORE-THE-PLAYER") -> None:
    """Remember the terminal's settings, run `convtrace COMMAND ARGS`, then print its exit code and compare the settings.

    `marker` is echoed first, so a test can tell what the screen held before the program.
    """
    pane.type(f"stty -g > /tmp/$$.before; clear; echo {marker}")
    pane.wait_for(marker)
    pane.type(f"{CONVTRACE} {command} {args}; echo EXIT=$?; stty -g | cmp -s - /tmp/$$.before && echo STTY\"\"-SAME")


def footer(pane: Pane) -> str:
    return pane.screen()[-1]


def test_80x24_one_frame_fits_and_keys_move(pane80):
    start(pane80, "--step")
    pane80.wait_for("[summary]")
    assert pane80.info("alternate_on") == "1" and pane80.info("cursor_flag") == "0"
    pane80.keys("Space")
    screen = pane80.wait_for("[step 0 of 0..17]").split("\n")
    assert len(screen) == 24 and "[step 0 of 0..17]" in screen[-1]
    frame = "\n".join(screen)
    # the step and the cell, the grid with the window, kernel slice, products, sums, the total, the map
    assert screen[0].startswith("── step 0 of 0..17  out[0,0,0,0]")
    assert re.search(r"0 \[1\]\[2\]\[0\] 3  1", frame)  # row 0 of c0, the window's three taps bracketed
    # by hand: c0 window [[1,2,0],[0,4,2],[2,1,5]] * [[1,0,-1],[2,0,-2],[1,0,-1]] -> 1 - 4 - 3 = -6;
    # c1 window [[2,0,1],[1,3,0],[0,1,2]] * [[0,0,0],[1,0,-1],[0,0,0]] -> 1; bias 1: -6 + 1 + 1 = -4
    for part in ("c0 window", "w[0,0]", "products", "sum -6", "c0 + c1 + bias", "(-6) +", "= -4",
                 "out[0,0]: image 0, kernel 0, 3x3", "[-4]"):
        assert part in frame, part
    assert max(len(line) for line in screen) <= 80
    pane80.keys("Right")
    assert "out[0,0,0,1]" in pane80.wait_for("[step 1 of 0..17]")
    pane80.keys("Left")
    pane80.wait_for("[step 0 of 0..17]")
    pane80.keys("End")
    assert "out[0,1,2,2]" in pane80.wait_for("[step 17 of 0..17]")
    pane80.keys("Home")
    pane80.wait_for("[step 0 of 0..17]")
    pane80.keys("g", "1", "2", "Enter")
    assert "out[0,1,1,0]" in pane80.wait_for("[step 12 of 0..17]")
    pane80.keys("g", "2", ",", "1", "Enter")  # row 2, column 1 of the map on screen (image 0, kernel 1)
    assert "out[0,1,2,1]" in pane80.wait_for("[step 16 of 0..17]")
    pane80.keys("c")
    assert "channel c1 of c0..c1" in pane80.wait_for("c1 window")
    pane80.keys("n")
    pane80.wait_for("[step 17 of 0..17]")
    pane80.keys("b")
    pane80.wait_for("[step 16 of 0..17]")
    pane80.keys("?")
    assert "play / pause" in pane80.wait_for("Keys (no Enter needed)")
    pane80.keys("x")
    pane80.wait_for("[step 16 of 0..17]")
    # every key redrew the same screen: nothing went into the scrollback
    assert pane80.info("history_size") == "0"
    pane80.keys("q")
    after = pane80.wait_for("STTY-SAME")
    assert "EXIT=0" in after
    # the screen from before is back, with no frame left on it, and the cursor shows
    assert "BEFORE-THE-PLAYER" in after and "── step" not in after and "[step" not in after
    assert pane80.info("alternate_on") == "0" and pane80.info("cursor_flag") == "1"
    assert pane80.info("history_size") == "0"


def test_120x40_shows_every_channel_and_the_formula(pane120):
    start(pane120, "--step")
    pane120.wait_for("[summary]")
    pane120.keys("Space")
    frame = pane120.wait_for("[step 0 of 0..17]")
    assert "sum_c sum_u sum_v x_pad[0, c, 0+u, 0+v]" in frame
    assert "shapes: images (1,2,5,5)" in frame  # the shape flow
    assert re.search(r"^c0 +c1$", frame, re.M)  # both channels' grids side by side
    assert "c0 window" in frame and "c1 window" in frame
    assert len(frame.split("\n")) == 40 and max(len(line) for line in frame.split("\n")) <= 120
    pane120.keys("q")
    assert "EXIT=0" in pane120.wait_for("STTY-SAME")


def test_view_compact_overrides_the_layout(pane120):
    start(pane120, "--step --view compact")
    pane120.wait_for("[summary]")
    pane120.keys("Space")
    frame = pane120.wait_for("[step 0 of 0..17]")
    assert "channel c0 of c0..c1" in frame and "c1 window" not in frame
    pane120.keys("q")
    pane120.wait_for("EXIT=0")


def test_a_big_padded_input_keeps_the_window_in_view(pane80, tmp_path):
    import json

    doc = tmp_path / "big.json"
    doc.write_text(json.dumps({"images": [[(i * 7 + j) % 10 for j in range(30)] for i in range(30)],
                               "kernels": [[1, 0, -1], [1, 0, -1], [1, 0, -1]], "padding": 1}))
    start(pane80, f"{doc} --step")
    pane80.wait_for("[summary]")
    pane80.keys("g", "4", "6", "5", "Enter")  # row 15, column 15 of 30x30
    frame = pane80.wait_for("[step 465 of 0..899]")
    assert "out[0,0,15,15]" in frame and "the input starts at (1, 1)" in frame
    assert re.search(r"^15 .*\[ ?\d\]\[ ?\d\]\[ ?\d\]", frame, re.M)  # padded row 15 with the window on it
    assert "⋮" in frame and "…" in frame  # cropped around the window
    assert max(len(line) for line in frame.split("\n")) <= 80
    pane80.keys("q")
    assert "EXIT=0" in pane80.wait_for("STTY-SAME")


@pytest.mark.parametrize("how, code", [("C-c", "130"), ("C-d", "0")])
def test_ctrl_c_and_ctrl_d_restore_the_terminal(pane80, how, code):
    start(pane80, "--step")
    pane80.wait_for("[summary]")
    pane80.keys("Space", how)
    after = pane80.wait_for(f"EXIT={code}")
    assert "STTY-SAME" in pane80.wait_for("STTY-SAME")
    assert "BEFORE-THE-PLAYER" in after and "[step" not in after
    assert pane80.info("alternate_on") == "0" and pane80.info("cursor_flag") == "1"


@pytest.mark.parametrize("signal_name, code", [("TERM", "143"), ("HUP", "129")])
def test_sigterm_and_sighup_restore_the_terminal(pane80, signal_name, code):
    start(pane80, "--step")
    pane80.wait_for("[summary]")
    shell = int(pane80.info("pane_pid"))
    children = subprocess.run(["ps", "-o", "pid=", "--ppid", str(shell)], capture_output=True, text=True).stdout.split()
    assert len(children) == 1  # the convtrace the shell started
    os.kill(int(children[0]), getattr(signal, f"SIG{signal_name}"))
    after = pane80.wait_for(f"EXIT={code}")
    assert "STTY-SAME" in pane80.wait_for("STTY-SAME")
    assert "[summary]" not in after and pane80.info("alternate_on") == "0" and pane80.info("cursor_flag") == "1"


def test_delay_plays_in_place_and_leaves_the_result(pane80):
    start(pane80, "--example same --delay 0.3")
    seen = set()
    end = time.time() + 20
    while time.time() < end:
        screen = pane80.text()
        if re.search(r"EXIT=\d", screen):
            break
        seen.update(re.findall(r"\[step (\d+) of 0\.\.15\]", screen))
        time.sleep(0.05)
    after = pane80.wait_for("EXIT=0")
    assert len(seen) >= 5  # frames replaced each other in place, the footer counting up
    assert "output feature maps" in after or "the trace agrees" in after
    assert "STTY-SAME" in pane80.wait_for("STTY-SAME")


def test_readme_shows_the_player_as_it_is(pane80):
    """The README's 80x24 screen is what the program draws after `g 5` Enter."""
    readme = (Path(__file__).parent.parent / "README.md").read_text(encoding="utf-8")
    shown = readme.split("example at 80x24, after `g 5` Enter:\n\n```text\n", 1)[1].split("```", 1)[0]
    start(pane80, "--step")
    pane80.wait_for("[summary]")
    pane80.keys("g", "5", "Enter")
    pane80.wait_for("[step 5 of 0..17]")
    time.sleep(0.3)
    assert [line.rstrip() for line in pane80.screen()] == [line.rstrip() for line in shown.rstrip("\n").split("\n")]
    pane80.keys("q")
    pane80.wait_for("EXIT=0")


def test_lesson_list_wraps_between_words_at_80_columns(pane80):
    from convtrace.teach.lessons import find_lessons

    pane80.type("clear; " + CONVTRACE + " lesson list; echo DONE=$((40+2))")
    screen = pane80.wait_for("DONE=42")
    words = " ".join(screen.split())
    for item in find_lessons(None)[-4:]:  # the last ones are still on the 24-line screen
        assert " ".join(f"{item.number} {item.title}: {item.summary}".split()) in words
    assert max(len(line) for line in screen.split("\n")) <= 80


def test_long_work_shows_a_progress_line_on_stderr_only(pane80, tmp_path):
    import numpy as np

    rng = np.random.default_rng(0)
    np.save(tmp_path / "x.npy", rng.integers(0, 5, (1, 3, 128, 128)).astype(float))
    np.save(tmp_path / "w.npy", rng.integers(-1, 2, (16, 3, 3, 3)).astype(float))
    out = tmp_path / "trace.txt"
    pane80.type(f"clear; {CONVTRACE} run --images {tmp_path / 'x.npy'} --kernels {tmp_path / 'w.npy'} "
                f"--padding 1 > {out}; echo DONE=$((40+2))")
    seen = ""
    end = time.time() + 60
    while time.time() < end and "DONE=42" not in seen:
        seen = pane80.text()
        if "tracing window positions" in seen:
            break
        time.sleep(0.05)
    assert re.search(r"tracing window positions .* \d+/262144", seen), seen
    after = pane80.wait_for("DONE=42", timeout=60)
    assert "tracing" not in after  # transient: gone when the work is done
    written = out.read_text(encoding="utf-8")
    assert "\x1b" not in written and "tracing" not in written and "the trace agrees" in written


def test_pager_pages_the_printed_view(pane80):
    pane80.type(f"clear; PAGER=less {CONVTRACE} run --example block --pager; echo DONE=$((40+2))")
    first = pane80.wait_for("images    (1, 1, 7, 7)")  # the summary, at the top of the pager
    assert "DONE=42" not in first and first.split("\n")[-1].startswith(":")  # less waits for a key
    pane80.keys("q")
    pane80.wait_for("DONE=42")


def test_a_resized_terminal_gets_a_frame_that_fits_it(pane80):
    start(pane80, "--step")
    pane80.wait_for("[summary]")
    pane80.keys("Space")
    assert "c1 window" not in pane80.wait_for("[step 0 of 0..17]")  # 80x24: one channel
    pane80.tmux("resize-window", "-t", "0", "-x", "120", "-y", "40")
    frame = pane80.wait_for("c1 window")  # redrawn for 120x40 without a key press: every channel
    assert "[step 0 of 0..17]" in frame.split("\n")[-1] and len(frame.split("\n")) == 40
    pane80.keys("q")
    assert "EXIT=0" in pane80.wait_for("STTY-SAME")
