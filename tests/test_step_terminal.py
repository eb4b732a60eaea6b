"""`convtrace run --step` in a real pseudo-terminal: next, back, quit, the end, Ctrl-C, and the cursor restored."""

from __future__ import annotations

import io
import os
import re
import sys
from pathlib import Path

import pytest

pexpect = pytest.importorskip("pexpect")
if sys.platform == "win32":  # pragma: no cover
    pytest.skip("pseudo-terminals need a POSIX system", allow_module_level=True)

DOC = str(Path(__file__).parent / "golden_text" / "trace_small.json")  # 4 window positions
HIDE, SHOW = "\x1b[?25l", "\x1b[?25h"
TIMEOUT = 20


def spawn(*args: str):
    env = {key: value for key, value in os.environ.items() if key not in ("NO_COLOR", "FORCE_COLOR", "COLUMNS", "LINES")}
    env.update(TERM="xterm-256color")
    child = pexpect.spawn(
        sys.executable, ["-m", "convtrace", "run", *args],
        env=env, encoding="utf-8", timeout=TIMEOUT, dimensions=(50, 110),
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


def test_next_back_quit_and_cursor_restored():
    child = spawn(DOC, "--step")
    child.expect_exact("[summary]")
    assert "4 window positions" in plain(child.before)
    page = screen_after(child, "\r", "[step 0 of 0..3]")
    assert "── step 0 of 0..3 ── out[0,0,0,0]" in page and "[37]" in page
    page = screen_after(child, " ", "[step 1 of 0..3]")
    assert "out[0,0,0,1]" in page and "[47]" in page
    page = screen_after(child, "b", "[step 0 of 0..3]")
    assert "── step 0 of 0..3" in page
    page = screen_after(child, "\x1b[C", "[step 1 of 0..3]")  # right arrow: next
    child.send("q")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0
    written = child.logfile_read.getvalue()
    # the cursor was hidden while stepping and shown again at the end
    assert HIDE in written and written.rfind(SHOW) > written.rfind(HIDE)


def test_stepping_to_the_end_shows_the_feature_maps():
    child = spawn(DOC, "--step")
    child.expect_exact("[summary]")
    transcript = []
    for i in range(4):
        child.send("\r")
        child.expect_exact(f"[step {i} of 0..3]")
        transcript.append(plain(child.before))
    child.send("\r")
    child.expect_exact("[the end]")
    end = plain(child.before)
    assert "output feature maps" in end
    assert re.search(r"max \|difference\| = 0\s+over all 4 values", end)
    child.send("\r")  # Enter on the last page leaves
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0
    assert ["[37]" in transcript[0], "[47]" in transcript[1], "[67]" in transcript[2], "[77]" in transcript[3]] == [True] * 4


def test_ctrl_c_exits_130_and_restores_the_cursor():
    child = spawn(DOC, "--step")
    child.expect_exact("[summary]")
    child.send("\r")
    child.expect_exact("[step 0 of 0..3]")
    child.sendcontrol("c")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 130
    written = child.logfile_read.getvalue()
    assert HIDE in written and written.rfind(SHOW) > written.rfind(HIDE)


def test_back_from_the_first_page_stays_put():
    child = spawn(DOC, "--step")
    child.expect_exact("[summary]")
    child.send("b")  # nothing before the summary: it stays (and is not redrawn)
    child.send(" ")
    child.expect_exact("[step 0 of 0..3]")  # the next page after the summary, not after step 0
    child.send("q")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0
