"""The parent's side of the worker: start it, send one call, wait at most `timeout` seconds.

A call that runs too long, or a worker that dies (os._exit, a crash in C
code), costs only that call: the worker is killed and the next call starts a
new one. A thread reads the worker's replies so the wait works the same on
every platform.
"""

from __future__ import annotations

import json
import queue
import subprocess
import sys
import tempfile
import threading
from pathlib import Path

from .target import Target

STARTUP_SECONDS = 60.0  # starting Python and importing numpy; only a broken install takes this long
# `python -m` would put the current folder first on sys.path while the worker imports numpy and the
# standard library, so a learner's json.py or queue.py there could replace them; this boot line puts
# convtrace's own root there instead (the worker then puts the learner's folder first, as `python FILE` does)
BOOT = "import sys; sys.path[0] = sys.argv.pop(1); from convtrace.check.worker import main; sys.exit(main(sys.argv[1:]))"
ROOT = str(Path(__file__).resolve().parents[2])  # the folder that holds the convtrace package


class Worker:
    """One child process running the learner's file; restarted after a time-out or a crash."""

    def __init__(self, target: Target, timeout: float):
        self.target = target
        self.timeout = timeout
        self.process: subprocess.Popen | None = None
        self.stderr = None
        self.replies: queue.Queue = queue.Queue()
        self.loaded: dict | None = None

    def start(self) -> dict:
        """Start the worker and import the learner's file -> the 'ready' or 'load_error' message.

        Failing to answer in time gives {"event": "timeout"}; dying gives {"event": "crash"}.
        """
        self._close_stderr()
        self.stderr = tempfile.TemporaryFile()
        self.process = subprocess.Popen(
            [sys.executable, "-c", BOOT, ROOT, self.target.path, self.target.function, self.target.display],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=self.stderr,
            text=True, encoding="utf-8", bufsize=1,
        )
        self.replies = queue.Queue()
        threading.Thread(target=_pump, args=(self.process.stdout, self.replies), daemon=True).start()
        # starting Python and numpy is not the learner's time; importing their file is
        started = self._receive(STARTUP_SECONDS)
        self.loaded = self._receive(self.timeout) if started.get("event") == "started" else started
        if self.loaded.get("event") != "ready":
            self.stop()
        return self.loaded

    def call(self, request: dict) -> dict:
        """Send one call -> the worker's 'result', or {"event": "timeout"} / {"event": "crash", ...}."""
        if self.process is None or self.process.poll() is not None:
            started = self.start()
            if started.get("event") != "ready":
                return started if started.get("event") in ("timeout", "crash") else \
                    {"event": "crash", "message": started.get("message", "the file could not be loaded again")}
        try:
            self.process.stdin.write(json.dumps(request) + "\n")
            self.process.stdin.flush()
        except OSError:
            pass  # the worker died; _receive reports it
        return self._receive(self.timeout)

    def _receive(self, seconds: float) -> dict:
        try:
            line = self.replies.get(timeout=seconds)
        except queue.Empty:
            self.stop()
            return {"event": "timeout", "seconds": seconds}
        if line is None:
            return self._crashed()
        return json.loads(line)

    def _crashed(self) -> dict:
        code = self.process.wait()
        self.stderr.seek(0)
        tail = self.stderr.read()[-1500:].decode("utf-8", "replace").strip()
        self.process = None
        self._close_stderr()
        message = f"the Python process running {self.target.display} stopped (exit code {code})"
        return {"event": "crash", "message": message, "stderr": tail}

    def stop(self) -> None:
        """Kill the worker (if running) and forget it."""
        if self.process is not None:
            if self.process.poll() is None:
                self.process.kill()
            self.process.wait()
            for stream in (self.process.stdin, self.process.stdout):
                try:
                    stream.close()
                except OSError:
                    pass
            self.process = None
        self._close_stderr()

    def _close_stderr(self) -> None:
        if self.stderr is not None:
            self.stderr.close()
            self.stderr = None

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.stop()
        return False


def _pump(stream, replies: queue.Queue) -> None:
    """Move the worker's reply lines onto a queue; None marks the end of the stream."""
    try:
        for line in stream:
            replies.put(line)
    except (OSError, ValueError):
        pass
    replies.put(None)
