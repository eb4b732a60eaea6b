"""The worker's side of the conversation, set up before any learner code runs.

* The two pipes from the parent are moved to descriptor numbers chosen at
  random (and closed on exec), so `os.write(4, ...)` in the learner's code hits
  nothing; every reply starts with the token the parent sent first, so the
  parent can tell its replies from anything else.
* The JSON encoder and decoder and os.write are taken now, so a learner's file
  that replaces `json.dumps` at module level cannot change what is sent.
* Standard input is empty and records whether it was read (check gives no
  input); the learner's prints go to a `Capture`, trimmed.
* Address space is limited (RLIMIT_AS) so a runaway allocation ends in a
  MemoryError the report can name, not in a machine that swaps.

Only the standard library is imported here.
"""

from __future__ import annotations

import io
import json
import os
import random
import sys

ENCODE = json.JSONEncoder().encode
DECODE = json.JSONDecoder().decode
WRITE = os.write
EXIT = os._exit
TAMPER_EXIT = 97  # process.TAMPER_EXIT: the reply channel was taken away
MAX_CAPTURE = 2_000  # characters of the learner's printed output kept per call
MAX_MESSAGE = 400  # characters kept of any one message from the learner's code


def trim(text: str, limit: int = MAX_MESSAGE) -> str:
    """`text` cut to `limit` characters, saying how much was cut."""
    if len(text) <= limit:
        return text
    return f"{text[:limit]}... [{len(text) - limit} more characters cut]"


class Channel:
    """Requests in, framed replies out, on private descriptors."""

    def __init__(self, request_fd: int, reply_fd: int):
        self.requests = os.fdopen(_hide(request_fd), "rb")
        self.reply_fd = _hide(reply_fd)
        self.token = DECODE(self.requests.readline().decode("utf-8"))["token"]

    def send(self, message: dict) -> None:
        data = f"{self.token} {ENCODE(message)}\n".encode("utf-8")
        try:
            while data:
                data = data[WRITE(self.reply_fd, data):]
        except OSError:
            EXIT(TAMPER_EXIT)  # the learner's code closed or replaced our descriptor

    def __iter__(self):
        """Each request as a dict, until the parent closes the pipe."""
        for line in self.requests:
            if line.strip():
                yield DECODE(line.decode("utf-8"))


def _hide(fd: int) -> int:
    """Move `fd` to a random high number, closed on exec -> the new number."""
    import fcntl

    import resource

    ceiling = resource.getrlimit(resource.RLIMIT_NOFILE)[0]
    ceiling = 1024 if ceiling in (resource.RLIM_INFINITY,) or ceiling > 4096 else ceiling
    low = min(100, max(ceiling // 4, 3))
    moved = fcntl.fcntl(fd, fcntl.F_DUPFD_CLOEXEC, random.randint(low, max(ceiling - 64, low)))
    os.close(fd)
    return moved


class NoInput(io.StringIO):
    """An empty standard input that remembers being read (input(), sys.stdin.read(), iteration)."""

    def __init__(self):
        super().__init__("")
        self.was_read = False

    def read(self, *args):
        self.was_read = True
        return super().read(*args)

    def readline(self, *args):
        self.was_read = True
        return super().readline(*args)

    def readlines(self, *args):
        self.was_read = True
        return super().readlines(*args)

    def __next__(self):
        self.was_read = True
        return super().__next__()


class Capture(io.TextIOBase):
    """Stands in for sys.stdout / sys.stderr during a call: keeps the first MAX_CAPTURE characters."""

    def __init__(self):
        self.parts: list[str] = []
        self.size = 0
        self.dropped = 0

    def writable(self) -> bool:
        return True

    def write(self, text) -> int:
        text = str(text)
        room = MAX_CAPTURE - self.size
        self.parts.append(text[:max(room, 0)])
        self.size += min(len(text), max(room, 0))
        self.dropped += max(len(text) - max(room, 0), 0)
        return len(text)

    def text(self) -> str:
        out = "".join(self.parts)
        return out + (f"\n... ({self.dropped} more characters cut)" if self.dropped else "")


class redirected:
    """Point sys.stdout, sys.stderr and sys.stdin at a capture and an empty stdin for a while."""

    def __init__(self, capture: Capture, stdin: NoInput):
        self.capture, self.stdin = capture, stdin

    def __enter__(self):
        self.saved = sys.stdout, sys.stderr, sys.stdin
        sys.stdout = sys.stderr = self.capture
        sys.stdin = self.stdin

    def __exit__(self, *exc):
        sys.stdout, sys.stderr, sys.stdin = self.saved
        return False


def quiet_standard_streams() -> None:
    """Descriptors 0 and 1 -> os.devnull, so C code and os.write(1, ...) cannot reach anyone."""
    devnull = os.open(os.devnull, os.O_RDWR)
    os.dup2(devnull, 0)
    os.dup2(devnull, 1)
    os.close(devnull)
    sys.stdin = NoInput()
    sys.stdout = open(os.devnull, "w", encoding="utf-8")  # noqa: SIM115 - lives as long as the process


def limit_memory(megabytes: int) -> None:
    """Let the process map at most `megabytes` more than it has now (numpy and its threads included)."""
    if megabytes <= 0:
        return
    try:
        import resource

        with open("/proc/self/statm") as handle:
            now = int(handle.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
        _, hard = resource.getrlimit(resource.RLIMIT_AS)
        soft = now + megabytes * 1024 * 1024
        if hard != resource.RLIM_INFINITY:
            soft = min(soft, hard)
        resource.setrlimit(resource.RLIMIT_AS, (soft, hard))
    except (ImportError, OSError, ValueError):
        pass  # no /proc or no RLIMIT_AS on this system: the time limit still holds
