"""Frames already drawn as text, played by the same page: for views whose events are not window steps
(the gradients' preparation, cells and results), and for the summary above a trace.

Each renderable is drawn once, without colour, so every mark ([ ], ·, .) is in
the text itself; the page shows one at a time.
"""

from __future__ import annotations

from rich.console import Console

from ....errors import UsageError
from .build import write_page

TEXT_WIDTH = 100  # columns the frames are drawn at (the page scrolls wider frames sideways)
MAX_TEXT_FRAMES = 2000  # a page of drawn frames grows with every one: keep it a size a browser opens quickly


def as_text(renderable, width: int = TEXT_WIDTH) -> str:
    """What `renderable` prints at `width` columns, without colour."""
    console = Console(width=width, record=True, file=Discard(), color_system=None, no_color=True,
                      highlight=False, emoji=False, force_terminal=False)
    console.print(renderable, crop=False)
    return console.export_text(styles=False).rstrip("\n")


class Discard:
    """A file that forgets what it is given: the recording, not the console's output, is what counts."""

    def write(self, data: str) -> int:
        return len(data)

    def flush(self) -> None:
        pass

    def isatty(self) -> bool:
        return False


def frame_label(text: str) -> str:
    """A frame's heading: its first line that says something, without the rule characters around it."""
    for line in text.splitlines():
        words = line.strip().strip("─━-=").strip()
        if words:
            return words[:120]
    return "frame"


class TextFramesPage:
    """An exporter for `--export page.html` on views made of drawn frames: `add` each part, `close` at the end."""

    def __init__(self, path: str, title: str, width: int = TEXT_WIDTH, narrow: str = "--limit"):
        self.path, self.title, self.width, self.narrow = path, title, width, narrow
        self.frames: list[dict] = []
        self.left_out = 0
        self.closed = False
        try:  # fail now, not after the whole trace, when the file cannot be written
            open(path, "a", encoding="utf-8").close()
        except OSError as err:
            raise UsageError(f"--export {path!r}: cannot write it ({err.strerror}); check the folder exists") from None

    def add(self, renderable) -> None:
        if len(self.frames) >= MAX_TEXT_FRAMES:
            self.left_out += 1
            return
        text = as_text(renderable, self.width)
        self.frames.append({"label": frame_label(text), "text": text})

    def data(self) -> dict:
        note = None
        if self.left_out:
            note = (f"This page holds the first {MAX_TEXT_FRAMES} frames; {self.left_out} more were left out. "
                    f"Show fewer with {self.narrow}.")
        return {"format": "convtrace-page/1", "kind": "text", "title": self.title, "frames": self.frames, "note": note}

    def close(self) -> None:
        if not self.closed:
            self.closed = True
            write_page(self.path, self.data())
