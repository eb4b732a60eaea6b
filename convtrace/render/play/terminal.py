"""The terminal while the player runs: the alternate screen, single key presses, and a clean exit.

    with Screen() as screen:      alternate screen on, cursor hidden, keys read one by one
        screen.draw(lines)        the whole screen redrawn in place (nothing scrolls)
        key = screen.key(0.5)     'right', 'home', 'q', ... or None after 0.5 s, 'eof' when stdin ends
                                  -> on any exit (q, Ctrl-C, an error, SIGTERM, SIGHUP) the terminal
                                     is exactly as before: attributes reset, cursor shown, alternate
                                     screen left, the terminal's line settings (termios) restored

Keys arrive without Enter because the terminal is switched out of line mode
(ICANON and ECHO off). ISIG stays on, so Ctrl-C still raises KeyboardInterrupt
(the command turns it into exit 130); SIGTERM and SIGHUP are turned into
SystemExit so the same `finally` puts the terminal back.
"""

from __future__ import annotations

import os
import select
import signal
import sys

ENTER_ALT, LEAVE_ALT = "\x1b[?1049h", "\x1b[?1049l"
HIDE_CURSOR, SHOW_CURSOR = "\x1b[?25l", "\x1b[?25h"
RESET = "\x1b[0m"
HOME, CLEAR_LINE, CLEAR_BELOW = "\x1b[H", "\x1b[K", "\x1b[J"

# escape sequences -> key names (xterm, VT100 application mode, rxvt/linux console)
SEQUENCES = {
    "\x1b[A": "up", "\x1b[B": "down", "\x1b[C": "right", "\x1b[D": "left",
    "\x1bOA": "up", "\x1bOB": "down", "\x1bOC": "right", "\x1bOD": "left",
    "\x1b[H": "home", "\x1b[F": "end", "\x1bOH": "home", "\x1bOF": "end",
    "\x1b[1~": "home", "\x1b[4~": "end", "\x1b[7~": "home", "\x1b[8~": "end",
    "\x1b[5~": "pageup", "\x1b[6~": "pagedown",
}
NAMED = {"\r": "enter", "\n": "enter", "\x7f": "backspace", "\x08": "backspace", "\x1b": "escape", "\x04": "eof"}


class Screen:
    """The terminal on `stdin`/`stdout` (both must be terminals) taken over for full-screen drawing."""

    def __init__(self, stdin=None, stdout=None):
        self.stdin = stdin or sys.stdin
        self.stdout = stdout or sys.stdout
        self.fd = self.stdin.fileno()
        self._saved = None
        self._handlers: dict[int, object] = {}
        self._pending = ""

    # ------------------------------------------------------------------ entering and leaving

    def __enter__(self) -> Screen:
        import termios

        self._saved = termios.tcgetattr(self.fd)
        for signum in (signal.SIGTERM, signal.SIGHUP):
            self._handlers[signum] = signal.signal(signum, _exit_on_signal)
        mode = termios.tcgetattr(self.fd)
        mode[3] &= ~(termios.ICANON | termios.ECHO)  # lflag: keys one by one, not echoed; ISIG stays
        mode[6][termios.VMIN], mode[6][termios.VTIME] = 1, 0
        termios.tcsetattr(self.fd, termios.TCSAFLUSH, mode)
        self._write(ENTER_ALT + HIDE_CURSOR + HOME + CLEAR_BELOW)
        return self

    def __exit__(self, *exc) -> None:
        self.restore()

    def restore(self) -> None:
        """Put the terminal back as it was; safe to call twice."""
        if self._saved is None:
            return
        import termios

        try:
            self._write(RESET + SHOW_CURSOR + LEAVE_ALT)
        finally:
            termios.tcsetattr(self.fd, termios.TCSADRAIN, self._saved)
            self._saved = None
            for signum, handler in self._handlers.items():
                signal.signal(signum, handler)
            self._handlers.clear()

    # ------------------------------------------------------------------ drawing

    def size(self) -> tuple[int, int]:
        """(columns, lines) of the terminal now (it may have been resized)."""
        size = os.get_terminal_size(self.stdout.fileno())
        return size.columns, size.lines

    def draw(self, lines: list[str]) -> None:
        """Replace the screen's content with `lines` (already cut to the screen), from the top left."""
        body = (RESET + CLEAR_LINE + "\r\n").join(lines)
        self._write(HOME + body + RESET + CLEAR_LINE + CLEAR_BELOW)

    def _write(self, text: str) -> None:
        self.stdout.write(text)
        self.stdout.flush()

    # ------------------------------------------------------------------ keys

    def key(self, timeout: float | None = None) -> str | None:
        """The next key press as a name ('right', 'home', 'enter', 'eof') or character; None after `timeout` s."""
        if not self._pending:
            ready, _, _ = select.select([self.fd], [], [], timeout)
            if not ready:
                return None
            data = os.read(self.fd, 64)
            if not data:
                return "eof"  # stdin closed (Ctrl-D on an empty line reads nothing)
            self._pending = data.decode("utf-8", "replace")
            if self._pending == "\x1b":  # maybe the first byte of an arrow key: wait briefly for the rest
                more, _, _ = select.select([self.fd], [], [], 0.05)
                if more:
                    self._pending += os.read(self.fd, 64).decode("utf-8", "replace")
        return self._take()

    def _take(self) -> str:
        pending = self._pending
        for sequence in sorted(SEQUENCES, key=len, reverse=True):
            if pending.startswith(sequence):
                self._pending = pending[len(sequence):]
                return SEQUENCES[sequence]
        if pending.startswith("\x1b[") or pending.startswith("\x1bO"):  # an unknown sequence: drop it whole
            end = next((i for i, ch in enumerate(pending[2:], 2) if ch.isalpha() or ch == "~"), len(pending) - 1)
            self._pending = pending[end + 1:]
            return "unknown"
        self._pending = pending[1:]
        return NAMED.get(pending[0], pending[0])


def _exit_on_signal(signum, frame):
    # SystemExit unwinds through every `finally`, so the terminal is restored before the process ends
    raise SystemExit(128 + signum)


def single_key(stdin=None) -> str:
    """One key press from a terminal without Enter (a lesson's pause); 'eof' when input ends.

    Unlike a raw-mode read that flushes, keys typed ahead of the prompt are kept.
    """
    import termios

    fd = (stdin or sys.stdin).fileno()
    saved = termios.tcgetattr(fd)
    mode = termios.tcgetattr(fd)
    mode[3] &= ~(termios.ICANON | termios.ECHO)
    mode[6][termios.VMIN], mode[6][termios.VTIME] = 1, 0
    termios.tcsetattr(fd, termios.TCSANOW, mode)
    try:
        data = os.read(fd, 32)
    finally:
        termios.tcsetattr(fd, termios.TCSANOW, saved)
    if not data or data == b"\x04":
        return "eof"
    return data.decode("utf-8", "replace")[:1]
