"""render/terminal.Screen on a pseudo-terminal: keys by name, and the terminal restored even when drawing fails."""

from __future__ import annotations

import os
import sys
import termios

import pytest

from convtrace.render.play.terminal import ENTER_ALT, HIDE_CURSOR, LEAVE_ALT, SHOW_CURSOR, Screen

if sys.platform == "win32":  # pragma: no cover
    pytest.skip("pseudo-terminals need a POSIX system", allow_module_level=True)


@pytest.fixture
def pty():
    master, slave = os.openpty()
    stdin = os.fdopen(slave, "r", closefd=False)
    stdout = os.fdopen(os.dup(slave), "w")
    yield master, stdin, stdout
    stdout.close()
    stdin.close()
    os.close(slave)
    os.close(master)


def written(master: int) -> str:
    os.set_blocking(master, False)
    chunks = []
    try:
        while True:
            chunks.append(os.read(master, 65536))
    except BlockingIOError:
        pass
    return b"".join(chunks).decode("utf-8", "replace")


def test_an_error_while_drawing_still_restores_the_terminal(pty):
    master, stdin, stdout = pty
    before = termios.tcgetattr(stdin.fileno())
    with pytest.raises(RuntimeError):
        with Screen(stdin, stdout) as screen:
            inside = termios.tcgetattr(stdin.fileno())
            assert not inside[3] & termios.ICANON and not inside[3] & termios.ECHO  # keys one by one, unechoed
            assert inside[3] & termios.ISIG  # Ctrl-C still interrupts
            screen.draw(["a frame"])
            raise RuntimeError("a renderer failed")
    assert termios.tcgetattr(stdin.fileno()) == before
    out = written(master)
    assert out.index(ENTER_ALT) < out.index("a frame") < out.rindex(LEAVE_ALT)
    assert out.rindex(SHOW_CURSOR) > out.rindex(HIDE_CURSOR)


@pytest.mark.parametrize("typed, names", [
    (b"\x1b[C\x1b[D", ["right", "left"]),
    (b"\x1b[H\x1b[F\x1b[1~\x1b[4~", ["home", "end", "home", "end"]),
    (b"g12\r", ["g", "1", "2", "enter"]),
    (b" q", [" ", "q"]),
    (b"\x04", ["eof"]),
])
def test_keys_arrive_by_name(pty, typed, names):
    master, stdin, stdout = pty
    with Screen(stdin, stdout) as screen:
        os.write(master, typed)
        got = [screen.key(1.0) for _ in names]
        assert screen.key(0.05) is None  # nothing left over
    assert got == names
