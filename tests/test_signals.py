"""Real processes: piping into `head` ends quietly; Ctrl-C exits 130 with the terminal restored."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import threading
import time

import pytest

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals and pipes")

CONVTRACE = [sys.executable, "-m", "convtrace"]
# 400 kernels over a 100 x 100 image: 4,000,000 window positions, far more than any test waits for
LONG = {"images": [[1.0] * 100] * 100, "kernels": [[[[1.0]]]] * 400}


@pytest.fixture(scope="module")
def long_doc(tmp_path_factory):
    path = tmp_path_factory.mktemp("signals") / "long.json"
    path.write_text(json.dumps(LONG))
    return str(path)


def env(**extra) -> dict:
    result = dict(os.environ, NO_COLOR="1", **extra)
    result.pop("CONVTRACE_DEBUG", None)
    return result


@pytest.mark.parametrize("view", [["--format", "plain"], ["--format", "jsonl"], ["--format", "rich", "--limit", "5000"]])
def test_reader_going_away_ends_quietly(long_doc, view):
    """Like `convtrace run FILE | head -1`: no traceback, no 'Broken pipe', exit 0."""
    process = subprocess.Popen([*CONVTRACE, "run", long_doc, *view], stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, env=env())
    first = process.stdout.readline()
    process.stdout.close()  # the reader goes away
    try:
        code = process.wait(timeout=60)
    finally:
        process.kill()
    stderr = process.stderr.read().decode()
    assert first.strip()
    assert stderr == "", stderr
    assert code == 0


@pytest.mark.skipif(shutil.which("head") is None or shutil.which("sh") is None, reason="needs sh and head")
def test_pipe_into_head(long_doc):
    command = " ".join([*CONVTRACE, "run", long_doc, "--format", "plain", "|", "head", "-n", "2"])
    done = subprocess.run(["sh", "-c", command], capture_output=True, text=True, timeout=60, env=env())
    assert len(done.stdout.splitlines()) == 2
    assert done.stderr == ""


def test_ctrl_c_while_tracing_exits_130(long_doc):
    """SIGINT in the middle of a long trace: exit 130, 'Interrupted.', no traceback."""
    process = subprocess.Popen([*CONVTRACE, "run", long_doc, "--format", "plain"], stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, env=env())
    process.stdout.readline()  # the command is running: the trace has started
    process.send_signal(signal.SIGINT)
    drain = threading.Thread(target=process.stdout.read, daemon=True)  # keep the pipe from filling up
    drain.start()
    try:
        code = process.wait(timeout=60)
    finally:
        process.kill()
    stderr = process.stderr.read().decode()
    assert code == 130, stderr
    assert "Interrupted." in stderr
    assert "Traceback" not in stderr and "KeyboardInterrupt" not in stderr


def delay_available() -> bool:
    done = subprocess.run([*CONVTRACE, "run", "--help"], capture_output=True, text=True, timeout=60, env=env())
    return "--delay" in done.stdout


def test_ctrl_c_during_delay_animation_restores_the_terminal():
    """In a terminal, `run --delay` animates frames with Rich's Live; Ctrl-C must stop it and show the cursor."""
    pexpect = pytest.importorskip("pexpect")
    if not delay_available():
        pytest.skip("`convtrace run` has no --delay option yet")
    child = pexpect.spawn(sys.executable, ["-m", "convtrace", "run", "--delay", "0.5"],
                          env=env(TERM="xterm-256color"), dimensions=(50, 140), timeout=60)
    try:
        child.expect(r"\S")  # the first frame is on screen: the animation is running
        time.sleep(1.0)
        child.sendintr()
        child.expect(pexpect.EOF)
        output = child.before.decode(errors="replace")
    finally:
        child.close(force=True)
    assert child.exitstatus == 130, output[-500:]
    assert "Interrupted." in output
    assert "Traceback" not in output and "KeyboardInterrupt" not in output
    show, hide = "\x1b[?25h", "\x1b[?25l"
    assert show in output
    assert output.rfind(show) > output.rfind(hide), "the cursor was left hidden"
