"""`convtrace check` against learner code that misbehaves on purpose.

Nothing the graded function does may crash check, hang it, leave processes
behind, or reach the terminal raw. The learner files are in tests/learner_impls/;
each test here takes a few seconds at most.
"""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from convtrace.check import run_check
from convtrace.cli import cli

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="POSIX processes and signals")

GALLERY = Path(__file__).parent / "learner_impls"
ROOT = Path(__file__).parent.parent


def target(name: str) -> str:
    return f"{GALLERY / name}.py:conv2d"


def invoke(*args):
    return CliRunner().invoke(cli, ["check", *args], env={"NO_COLOR": "1", "COLUMNS": "100"})


def alive(pid: int) -> bool:
    """True while `pid` runs (a zombie waiting for its parent counts as ended)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return True
    return state != "Z"


def wait_until(condition, seconds: float) -> bool:
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        if condition():
            return True
        time.sleep(0.05)
    return condition()


@pytest.fixture
def pid_file(tmp_path, monkeypatch):
    """A file the learner's code writes process ids into (the worker inherits the variable)."""
    path = tmp_path / "pids"
    path.write_text("")
    monkeypatch.setenv("CONVTRACE_TEST_PIDS", str(path))
    return path


def pids(path: Path) -> list[int]:
    return [int(line) for line in path.read_text().split()]


# --- processes: nothing outlives check, nothing makes it wait


def test_a_forked_child_that_spins_forever_is_ended_with_the_run(pid_file):
    start = time.monotonic()
    report = run_check(target("fork_spin"), timeout=2, cases=["single_channel", "channels"])
    assert time.monotonic() - start < 10
    assert report.status == "pass"  # the function itself answered
    children = pids(pid_file)
    assert len(children) == 2
    assert wait_until(lambda: not any(alive(pid) for pid in children), 5), children


def test_a_forked_child_that_sleeps_does_not_make_check_wait():
    start = time.monotonic()
    report = run_check(target("fork_sleep"), timeout=2, cases=["single_channel", "channels"])
    assert report.status == "pass"
    assert time.monotonic() - start < 10  # not the child's 120 s


# every command ends on SIGTERM/SIGHUP with the shell's code for it, 128 + N, after restoring the terminal
@pytest.mark.parametrize("signum, code", [(signal.SIGTERM, 128 + signal.SIGTERM), (signal.SIGHUP, 128 + signal.SIGHUP),
                                          (signal.SIGINT, 130)])
def test_stopping_check_ends_a_worker_stuck_in_a_loop(pid_file, signum, code):
    process = subprocess.Popen(
        [sys.executable, "-m", "convtrace", "check", target("spin"), "--timeout", "60"],
        cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        env=dict(os.environ, NO_COLOR="1", CONVTRACE_TEST_PIDS=str(pid_file)),
    )
    try:
        assert wait_until(lambda: pids(pid_file), 20), "the worker never imported the file"
        worker = pids(pid_file)[0]
        time.sleep(0.3)  # into the endless call
        process.send_signal(signum)
        assert process.wait(timeout=10) == code
        assert wait_until(lambda: not alive(worker), 5), "the worker outlived check"
        assert b"Traceback" not in process.stderr.read()
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()


def test_a_slow_function_is_told_it_may_simply_be_slow():
    report = run_check(target("slow"), timeout=1, cases=["single_channel", "channels", "kernels"])
    statuses = [c.status for c in report.cases]
    assert statuses == ["pass", "pass", "error"]
    message = report.cases[2].error.message
    assert "may simply be slow" in message and "1 s (--timeout)" in message
    assert re.search(r"earlier calls took 0\.3\d* s each", message), message


def test_the_whole_run_is_bounded_by_ten_timeouts():
    start = time.monotonic()
    report = run_check(target("slow_everywhere"), timeout=0.4)  # 0.25 s per call: 4 s fit 15 of 18 calls
    elapsed = time.monotonic() - start
    assert elapsed < 4 + 2  # ten timeouts, plus starting Python and numpy
    assert all(c.status in ("pass", "skip") for c in report.cases[:5])
    not_run = [c for c in report.cases if c.error is not None and c.error.kind == "not_run"]
    assert not_run and "10 x --timeout = 4 s" in not_run[-1].error.message
    assert not any(c.error is not None and c.error.kind == "timeout" for c in report.cases)


# --- the grader's channel


@pytest.mark.parametrize("name", ["sprays_descriptors", "closes_descriptors"])
def test_tampering_with_the_grader_is_reported_not_a_crash(name):
    report = run_check(target(name), cases=["single_channel", "channels"])
    assert [c.error.kind for c in report.cases] == ["tampered", "tampered"]
    assert report.cases[0].verdict.startswith("the function tampered with the grader")
    assert report.exit_code == 1


def test_a_fake_reply_on_descriptor_4_changes_nothing():
    assert run_check(target("writes_fd4"), cases=["single_channel", "batch"]).status == "pass"


def test_replacing_json_at_module_level_does_not_reach_the_grader():
    assert run_check(target("replaces_json")).status == "pass"


def test_cli_reports_tampering_with_exit_1_and_no_traceback():
    result = invoke(target("sprays_descriptors"), "--case", "single_channel", "--json")
    assert result.exit_code == 1
    case = json.loads(result.stdout)["cases"][0]
    assert case["error"]["kind"] == "tampered" and "Traceback" not in result.output


# --- what reaches the terminal


def test_a_ten_megabyte_message_is_trimmed():
    start = time.monotonic()
    result = invoke(target("huge_message"), "--case", "single_channel")
    assert time.monotonic() - start < 5
    assert result.exit_code == 1
    assert len(result.stdout) < 20_000 and "more characters cut" in result.stdout


def test_learner_text_is_never_read_as_markup():
    result = invoke(target("markup_text"), "--case", "single_channel")
    assert result.exit_code == 1, result.output
    assert "FileNotFoundError: [/tmp/data] missing" in result.stdout
    assert "[bold red]x[/bold red]" in result.stdout


def test_control_characters_are_shown_not_sent_to_the_terminal():
    pexpect = pytest.importorskip("pexpect")
    env = {k: v for k, v in os.environ.items() if k != "NO_COLOR"}
    env.update(TERM="xterm-256color", COLUMNS="80", LINES="24")
    child = pexpect.spawn(sys.executable, ["-m", "convtrace", "check", target("control_chars"), "--case",
                                           "single_channel"], cwd=str(ROOT), env=env, dimensions=(24, 80),
                          timeout=30)
    child.expect(pexpect.EOF)
    child.close()
    screen = child.before.decode("utf-8", "replace")
    assert child.exitstatus == 1
    assert "\x1b]0;PWNED" not in screen and "\x1b[2J" not in screen and "\x07" not in screen
    assert "\\x1b]0;PWNED\\x07\\x1b[2J" in screen  # shown, escaped
    assert "bad \\x1b[31mred\\x1b[0m value\\x07" in screen


def test_a_right_answer_that_changed_its_input_says_so_in_the_text_report():
    result = invoke(target("changes_input"), "--case", "single_channel")
    assert result.exit_code == 0
    assert "single_channel: The function changed its input images in place" in " ".join(result.stdout.split())


# --- limits


def test_a_runaway_allocation_is_named():
    report = run_check(target("memory_hog"), cases=["single_channel"])
    case = report.cases[0]
    assert case.error.kind == "exception" and case.error.message.startswith("MemoryError")
    assert case.diagnosis.mistake == "out_of_memory" and "MB" in case.diagnosis.explanation


@pytest.mark.parametrize("value", ["inf", "nan", "1e300", "-1", "0", "soon"])
def test_timeouts_that_are_not_a_sensible_number_are_usage_errors(value):
    result = invoke(target("correct"), "--timeout", value)
    assert result.exit_code == 2 and result.stdout == ""
    assert "--timeout" in result.stderr and "Traceback" not in result.stderr
