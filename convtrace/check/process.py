"""The parent's side of the worker: start it, send one call, wait at most `timeout` seconds.

The worker runs in its own process group (a new session), so everything the
learner's code starts -- a forked child sleeping for minutes, a grandchild in
`while True: pass` -- is ended with it: after a time-out, at the end of the
run, when check exits and when check itself is told to stop (SIGTERM,
SIGHUP). A call that runs too long, or a worker that dies (os._exit, a crash
in C code), costs only that call: the next call starts a new worker.

The conversation runs over two private pipes, not stdin/stdout. Every reply
line starts with a random token the worker learns from its first request, so
bytes the learner's code writes into a descriptor it guessed are told apart
from the grader's own replies ("tampered"), and never crash the parent. Replies
are read with select() in this thread, so no reader thread can hold a lock
that stopping the worker would wait for.
"""

from __future__ import annotations

import atexit
import json
import os
import secrets
import select
import signal
import subprocess
import sys
import tempfile
import time
import weakref
from pathlib import Path

from .target import Target

STARTUP_SECONDS = 60.0  # starting Python and importing numpy; only a broken install takes this long
MAX_REPLY_BYTES = 64 * 1024 * 1024  # far above any honest reply (at most 100,000 values)
# `python -m` would put the current folder first on sys.path while the worker imports numpy and the
# standard library, so a learner's json.py or queue.py there could replace them; this boot line puts
# convtrace's own root there instead (the worker then puts the learner's folder first, as `python FILE` does)
BOOT = "import sys; sys.path[0] = sys.argv.pop(1); from convtrace.check.worker import main; sys.exit(main(sys.argv[1:]))"
ROOT = str(Path(__file__).resolve().parents[2])  # the folder that holds the convtrace package

_LIVE: "weakref.WeakSet[Worker]" = weakref.WeakSet()  # workers to end if check exits without stopping them


class Worker:
    """One child process (and its process group) running the learner's file.

    timeout: seconds per call; deadline: time.monotonic() after which no call may run at all
    (the bound on the whole run); memory_mb: address space the worker may add after start-up.
    """

    def __init__(self, target: Target, timeout: float, deadline: float | None = None, memory_mb: int = 0):
        self.target = target
        self.timeout = timeout
        self.deadline = deadline
        self.memory_mb = memory_mb
        self.process: subprocess.Popen | None = None
        self.stderr = None
        self.requests: int | None = None  # our end of the request pipe
        self.replies: int | None = None  # our end of the reply pipe
        self.buffer = b""
        self.token = ""
        self.loaded: dict | None = None
        _LIVE.add(self)

    def start(self) -> dict:
        """Start the worker and import the learner's file -> the 'ready' or 'load_error' message.

        Failing to answer in time gives {"event": "timeout"}; dying gives {"event": "crash"}.
        """
        self.stop()
        self.stderr = tempfile.TemporaryFile()
        request_read, self.requests = os.pipe()
        self.replies, reply_write = os.pipe()
        try:
            self.process = subprocess.Popen(
                [sys.executable, "-c", BOOT, ROOT, self.target.path, self.target.function, self.target.display,
                 str(request_read), str(reply_write), str(self.memory_mb)],
                stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=self.stderr,
                pass_fds=(request_read, reply_write), start_new_session=True,
            )
        finally:
            os.close(request_read)
            os.close(reply_write)
        self.buffer = b""
        self.token = secrets.token_hex(16)
        self._send({"token": self.token})
        # starting Python and numpy is not the learner's time; importing their file is
        started = self._receive(STARTUP_SECONDS, limited=False)
        self.loaded = self._receive(self.timeout) if started.get("event") == "started" else started
        if self.loaded.get("event") != "ready":
            self.stop()
        return self.loaded

    def call(self, request: dict) -> dict:
        """Send one call -> the worker's 'result', or an event: timeout, crash or tampered."""
        if self.process is None or self.process.poll() is not None:
            started = self.start()
            if started.get("event") != "ready":
                return started if started.get("event") in ("timeout", "crash", "tampered") else \
                    {"event": "crash", "message": started.get("message", "the file could not be loaded again")}
        self._send(request)
        return self._receive(self.timeout)

    def seconds_left(self) -> float:
        """Seconds until the whole run's deadline (infinite without one)."""
        return float("inf") if self.deadline is None else self.deadline - time.monotonic()

    def _send(self, message: dict) -> None:
        data = (json.dumps(message) + "\n").encode("utf-8")
        try:
            while data:
                data = data[os.write(self.requests, data):]
        except OSError:
            pass  # the worker died; _receive reports it

    def _receive(self, seconds: float, limited: bool = True) -> dict:
        """The next reply line, waiting at most `seconds` (and never past the deadline)."""
        whole_run = limited and self.seconds_left() < seconds  # the run's deadline comes first
        if limited:
            seconds = min(seconds, max(self.seconds_left(), 0.0))
        end = time.monotonic() + seconds
        while b"\n" not in self.buffer:
            left = end - time.monotonic()
            if self.replies is None:  # stopped meanwhile (a signal handler ended every worker)
                return {"event": "crash", "message": "the worker was stopped"}
            ready = select.select([self.replies], [], [], max(left, 0))[0] if left > 0 else []
            if not ready:
                self.stop()
                return {"event": "timeout", "seconds": seconds, "whole_run": whole_run}
            try:
                chunk = os.read(self.replies, 1 << 20)
            except OSError:
                chunk = b""
            if not chunk:
                return self._crashed()
            self.buffer += chunk
            if len(self.buffer) > MAX_REPLY_BYTES:
                return self._tampered("more data than any reply holds arrived on the grader's channel")
        line, _, self.buffer = self.buffer.partition(b"\n")
        prefix = self.token.encode() + b" "
        if not line.startswith(prefix):
            return self._tampered(f"the grader's channel received {_preview(line)}, not a reply")
        try:
            message = json.loads(line[len(prefix):])
        except ValueError:
            return self._tampered("a reply on the grader's channel was not valid JSON")
        if not isinstance(message, dict) or not isinstance(message.get("event"), str):
            return self._tampered("a reply on the grader's channel had no event")
        return message

    def _tampered(self, what: str) -> dict:
        self.stop()
        return {"event": "tampered", "message": f"the function tampered with the grader: {what}"}

    def _crashed(self) -> dict:
        code = self.process.wait() if self.process is not None else None
        tail = ""
        if self.stderr is not None:
            self.stderr.seek(0, os.SEEK_END)
            self.stderr.seek(max(self.stderr.tell() - 1500, 0))
            tail = self.stderr.read().decode("utf-8", "replace").strip()
        self.stop()
        if code == TAMPER_EXIT:
            return {"event": "tampered", "message": "the function tampered with the grader: the worker could "
                                                    "no longer send its replies (a descriptor closed or replaced)"}
        message = f"the Python process running {self.target.display} stopped (exit code {code})"
        return {"event": "crash", "message": message, "stderr": tail}

    def stop(self) -> None:
        """End the worker's whole process group and forget it. Never blocks on the learner's code."""
        if self.process is not None:
            _kill_group(self.process)
            self.process.wait()
            self.process = None
        for fd in (self.requests, self.replies):
            if fd is not None:
                try:
                    os.close(fd)
                except OSError:
                    pass
        self.requests = self.replies = None
        if self.stderr is not None:
            self.stderr.close()
            self.stderr = None

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.stop()
        return False


TAMPER_EXIT = 97  # the worker's exit code when its reply channel was taken from it


def _kill_group(process: subprocess.Popen) -> None:
    """SIGKILL the worker's process group (the worker is its leader: start_new_session).

    Done before the leader is reaped, so its id cannot have been reused.
    """
    try:
        os.killpg(process.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        try:
            process.kill()
        except OSError:
            pass


def _preview(line: bytes) -> str:
    text = line[:40].decode("utf-8", "replace")
    return repr(text) + (f" (and {len(line) - 40} more bytes)" if len(line) > 40 else "")


def stop_all() -> None:
    """End every worker still running (at exit, or when check is told to stop)."""
    for worker in list(_LIVE):
        worker.stop()


atexit.register(stop_all)


class StopSignals:
    """While active, SIGTERM and SIGHUP end every worker, then end check the way the signal would.

    Only the main thread can set signal handlers; elsewhere this does nothing (atexit still runs).
    """

    SIGNALS = tuple(getattr(signal, name) for name in ("SIGTERM", "SIGHUP") if hasattr(signal, name))

    def __enter__(self):
        self.saved = {}
        try:
            for signum in self.SIGNALS:
                if signal.getsignal(signum) != signal.SIG_IGN:  # e.g. under nohup: stay ignored
                    self.saved[signum] = signal.signal(signum, self._handle)
        except ValueError:  # not the main thread
            self.saved = {}
        return self

    def __exit__(self, *exc):
        for signum, handler in self.saved.items():
            signal.signal(signum, handler)
        return False

    def _handle(self, signum, frame):
        stop_all()
        previous = self.saved.get(signum)
        if callable(previous):
            previous(signum, frame)
            return
        signal.signal(signum, signal.SIG_DFL)  # die of the same signal, as the sender expects
        os.kill(os.getpid(), signum)
