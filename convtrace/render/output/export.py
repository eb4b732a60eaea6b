"""`--export`: the frames saved for slides, handouts and browsers, through a recording console of their own.

    FILE.txt      every part as plain text, streamed to the file after each one
    FILE.svg      one SVG per frame, each the size of one frame (several frames: FILE-001.svg, FILE-002.svg, ...)
    FOLDER/       one SVG per part: the summary, every frame, the feature maps (001-summary.svg, 002-step-....svg)
    FILE.html     an interactive player (render/output/page): for `run` built from the steps; for views made of
                  drawn frames (the gradients) the frames as text, one at a time

Memory stays bounded on long traces: text and SVG are written part by part
(the recording is cleared each time).
"""

from __future__ import annotations

import os
import re
import sys
from pathlib import Path

from rich.console import Console

from ...errors import UsageError
from ..play.pages import Frame
from .page.textframes import Discard, TextFramesPage, as_text, frame_label
from .svgfont import console_html, console_svg

FILE_SUFFIXES = (".svg", ".html", ".htm", ".txt")
PAGE_SUFFIXES = (".html", ".htm")
FOLDER = "folder"


def is_folder(path: str) -> bool:
    """A path that names a folder: it ends with a slash or is an existing directory."""
    return path.endswith(("/", os.sep)) or os.path.isdir(path)


def check_export_path(path: str, suffixes=FILE_SUFFIXES, folders: bool = True) -> str:
    """The export format from FILE's suffix ('.svg', '.html', ...) or FOLDER; a UsageError for anything else."""
    if folders and is_folder(path):
        return FOLDER
    suffix = Path(path).suffix.lower()
    if suffix == ".png" and folders:  # the input picture and the output maps as one image (map_images.py)
        return suffix
    if suffix not in suffixes:
        names = [s for s in suffixes if s != ".htm"]
        names = ", ".join(names[:-1]) + " or " + names[-1] if len(names) > 1 else names[0]
        folder = (", .png for the maps as a picture, or name a folder (ending in /) for one SVG per part "
                  "and one PNG per map") if folders else ""
        raise UsageError(f"--export {path!r}: the file name must end in {names} (it picks the format){folder}")
    return suffix


def is_page(path: str) -> bool:
    """True when --export asks for the interactive HTML player."""
    return not is_folder(path) and Path(path).suffix.lower() in PAGE_SUFFIXES


def recording_console(width: int, colour: bool) -> Console:
    return Console(
        file=Discard(), record=True, width=width, force_terminal=colour,
        color_system="truecolor" if colour else None, no_color=not colour,
        highlight=False, emoji=False, legacy_windows=False,
    )


def slug(text: str, length: int = 40) -> str:
    """'── step 2 of 9 ── out[0,0,0,1]' -> 'step-2-of-9-out-0-0-0-1', for file names."""
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:length].rstrip("-") or "part"


class Exporter:
    """Records what a view shows into FILE.txt, FILE.svg (one per frame), FOLDER/ or FILE.html; `close()` at the end."""

    def __init__(self, path: str, width: int, title: str = "convtrace", narrow: str = "--at or --limit"):
        self.kind = check_export_path(path)
        self.path = path
        self.title = title
        self.narrow = narrow  # the options that pick fewer frames, named in notes
        self.frames = 0
        self.parts = 0
        self.written: list[str] = []
        self.file = None
        self.page = None
        self.console = recording_console(width, colour=self.kind != ".txt")
        if self.kind in PAGE_SUFFIXES:
            self.page = TextFramesPage(path, title, narrow=narrow)
        elif self.kind == FOLDER:
            try:
                os.makedirs(path, exist_ok=True)
            except OSError as err:
                raise UsageError(f"--export {path!r}: cannot make the folder ({err.strerror})") from None
        elif self.kind == ".txt":
            self.file = _open(path)
        else:
            _open(path).close()  # fail now, not after the whole trace, when the file cannot be written

    def add(self, renderable) -> None:
        """Record one renderable (a frame, the summary, the feature maps)."""
        if self.page is not None:
            self.page.add(renderable)
            return
        frame = isinstance(renderable, Frame) or type(renderable).__name__ == "StepFrame"
        if self.kind != ".txt" and _is_blank(renderable):
            return  # the blank line between printed frames is no picture of its own
        self.parts += 1
        self.frames += frame
        if self.kind == ".svg" and not frame:
            return  # FILE.svg holds frames only; a folder takes every part
        self.console.print(renderable, crop=False)
        if self.kind == ".txt":
            self.file.write(self.console.export_text(clear=True))
        elif self.kind == FOLDER:
            label = frame_label(self.console.export_text(clear=False))
            self._write_svg(os.path.join(self.path, f"{self.parts:03d}-{slug(label)}.svg"))
        else:
            stem, suffix = os.path.splitext(self.path)
            # the first frame takes FILE.svg's own name for now; a second renames it FILE-001.svg
            if self.frames == 2:
                os.replace(self.path, f"{stem}-001{suffix}")
                self.written[0] = f"{stem}-001{suffix}"
            self._write_svg(self.path if self.frames == 1 else f"{stem}-{self.frames:03d}{suffix}")

    def _write_svg(self, path: str) -> None:
        with _open(path) as handle:
            handle.write(console_svg(self.console, self.title))
        self.written.append(path)

    def close(self) -> None:
        """Finish the file or files, and say on stderr where several SVGs went."""
        if self.page is not None:
            self.page.close()
            return
        if self.file is not None and not self.file.closed:
            self.file.close()
        if self.kind == ".svg" and self.frames == 0 and os.path.exists(self.path) and os.path.getsize(self.path) == 0:
            os.remove(self.path)
            print(f"--export {self.path}: no frames were drawn, so no picture was written", file=sys.stderr)
        elif self.kind in (".svg", FOLDER) and len(self.written) > 1:
            where = self.path if self.kind == FOLDER else os.path.dirname(self.path) or "."
            print(f"--export: wrote {len(self.written)} SVG pictures, one per "
                  f"{'part' if self.kind == FOLDER else 'frame'}, in {where} "
                  f"({os.path.basename(self.written[0])} .. {os.path.basename(self.written[-1])})", file=sys.stderr)


def _open(path: str):
    try:
        return open(path, "w", encoding="utf-8")
    except OSError as err:
        raise UsageError(f"--export {path!r}: cannot write it ({err.strerror}); check the folder exists") from None


VIEW_SUFFIXES = (".txt", ".svg", ".html", ".htm")


def _is_blank(renderable) -> bool:
    """A spacer: an empty Text, on its own or inside a Frame."""
    from rich.text import Text

    inner = getattr(renderable, "renderable", renderable)
    return isinstance(inner, Text) and not inner.plain.strip()


def save_view(renderables, path: str, title: str, width: int = 100) -> None:
    """`explain`, `compare`, `lesson show --export FILE`: the whole view as one .txt, .svg or static .html."""
    kind = check_export_path(path, VIEW_SUFFIXES, folders=False)
    console = recording_console(width, colour=kind != ".txt")
    for renderable in renderables:
        console.print(renderable, crop=False)
    if kind == ".txt":
        text = console.export_text(clear=True)
    elif kind == ".svg":
        text = console_svg(console, title)
    else:
        text = console_html(console, title)
    with _open(path) as handle:
        handle.write(text)


__all__ = ["Exporter", "check_export_path", "is_page", "save_view", "as_text"]
