"""`--export FILE.svg|.html|.txt`: the frames saved for slides and handouts, through a recording console of their own.

Memory stays bounded on long traces: text and HTML are streamed to the file
after every frame (the recording is cleared each time); an SVG is one picture,
so it keeps at most `SVG_FRAMES` frames and says how many it left out.
"""

from __future__ import annotations

from html import escape
from pathlib import Path

from rich.console import Console
from rich.style import Style
from rich.terminal_theme import DEFAULT_TERMINAL_THEME

from ..errors import UsageError
from .lines import Paragraph
from .map_images import is_image_export
from .pages import Frame
from .steps import StepFrame

SUFFIXES = (".svg", ".html", ".htm", ".txt")
SVG_FRAMES = 12

HTML_HEAD = """<!DOCTYPE html>
<html>
<head>
<meta charset="UTF-8">
<title>{title}</title>
<style>
body {{ color: {foreground}; background-color: {background}; }}
pre {{ font-family: Menlo, 'DejaVu Sans Mono', consolas, 'Courier New', monospace; }}
</style>
</head>
<body>
<pre><code style="font-family:inherit">"""
HTML_TAIL = """</code></pre>
</body>
</html>
"""


class _Discard:
    """A file that forgets what it is given: the recording, not the console's output, is what counts."""

    def write(self, data: str) -> int:
        return len(data)

    def flush(self) -> None:
        pass

    def isatty(self) -> bool:
        return False


def check_export_path(path: str) -> str:
    """The export format from FILE's suffix; a UsageError for anything else."""
    suffix = Path(path).suffix.lower()
    if is_image_export(path):  # FILE.png or a folder: the maps as pictures (map_images.py)
        return ".png"
    if suffix not in SUFFIXES:
        raise UsageError(f"--export {path!r}: the file name must end in .svg, .html or .txt (it picks the format)")
    return suffix


class Exporter:
    """Records what the trace view shows into one file; call `close()` at the end."""

    def __init__(self, path: str, width: int, title: str = "convtrace", narrow: str = "--at or --limit"):
        self.suffix = check_export_path(path)
        self.path = path
        self.title = title
        self.narrow = narrow  # the options that pick fewer frames, named when an SVG leaves some out
        self.frames = 0
        self.omitted = 0
        self._noted = 0  # omitted frames already mentioned (frames and other parts can alternate)
        colour = self.suffix != ".txt"
        self.console = Console(
            file=_Discard(), record=True, width=width, force_terminal=colour,
            color_system="truecolor" if colour else None, no_color=not colour,
            highlight=False, emoji=False, legacy_windows=False,
        )
        try:
            self.file = open(path, "w", encoding="utf-8")
        except OSError as err:
            raise UsageError(f"--export {path!r}: cannot write it ({err.strerror}); check the folder exists") from None
        if self.suffix in (".html", ".htm"):
            theme = DEFAULT_TERMINAL_THEME
            self.file.write(HTML_HEAD.format(
                title=escape(title), foreground=theme.foreground_color.hex, background=theme.background_color.hex,
            ))

    def add(self, renderable) -> None:
        """Record one renderable (a frame, the summary, the feature maps); frames count against an SVG's cap."""
        if isinstance(renderable, (StepFrame, Frame)):
            self.frames += 1
            if self.suffix == ".svg" and self.frames > SVG_FRAMES:
                self.omitted += 1
                return
        else:
            self._note_omitted()
        self.console.print(renderable)
        self._flush()

    def _note_omitted(self) -> None:
        new = self.omitted - self._noted
        if new:
            self._noted = self.omitted
            self.console.print(Paragraph(
                f"({new} more frame{'s' * (new != 1)} not in this picture: an SVG keeps the "
                f"first {SVG_FRAMES}; pick frames with {self.narrow}, or export .html or .txt for all)",
                Style(italic=True),
            ))

    def _flush(self) -> None:
        if self.suffix == ".txt":
            self.file.write(self.console.export_text(clear=True))
        elif self.suffix in (".html", ".htm"):
            self.file.write(self.console.export_html(clear=True, inline_styles=True, code_format="{code}"))

    def close(self) -> None:
        """Finish the file (an SVG is written here, all at once)."""
        if self.file.closed:
            return
        try:
            if self.suffix == ".svg":
                if self.omitted:
                    self._note_omitted()
                svg = self.console.export_svg(title=self.title)
                # keep runs of spaces: without this, some SVG renderers (librsvg, used by many
                # converters) drop the leading blanks that align the grids
                self.file.write(svg.replace("<svg ", '<svg xml:space="preserve" ', 1))
            elif self.suffix in (".html", ".htm"):
                self.file.write(HTML_TAIL)
        finally:
            self.file.close()
