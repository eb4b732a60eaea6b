"""Blocks of styled lines laid out side by side: the small toolkit the step view is drawn with.

A Rich Table measures and wraps every cell, which costs milliseconds per
frame; the grids here only need fixed-width columns. So a `Block` is a plain
list of lines, each a list of (text, style) pieces in single-cell characters,
and its width is known without measuring. Blocks become Rich Segments at the end.
"""

from __future__ import annotations

import textwrap

from rich.console import Console, ConsoleOptions, RenderResult
from rich.measure import Measurement
from rich.segment import Segment
from rich.style import Style

Piece = tuple[str, "Style | None"]
Line = list[Piece]


def line_width(line: Line) -> int:
    """Cells taken by one line (every character used here is one cell wide)."""
    return sum(len(text) for text, _ in line)


class Block:
    """A rectangle of styled text: `lines` of (text, style) pieces, `width` cells wide."""

    __slots__ = ("lines", "width")

    def __init__(self, lines: list[Line], width: int | None = None):
        self.lines = lines
        self.width = max((line_width(line) for line in lines), default=0) if width is None else width

    @property
    def height(self) -> int:
        return len(self.lines)

    def __rich_measure__(self, console: Console, options: ConsoleOptions) -> Measurement:
        # a block is as wide as its widest line and cannot be narrower: Rich containers
        # (Columns, Table, Panel) lay it out like any other renderable
        return Measurement(self.width, self.width)

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        # without colour a coloured blank is just a blank: drop it at the end of lines too
        block = self if self.width <= options.max_width else crop(self, options.max_width)
        if console.color_system is None:
            # no styles can show (a file, a pipe): the whole block is one piece of text
            yield Segment("".join("".join(content for content, _ in line).rstrip() + "\n" for line in block.lines))
        else:
            yield from segments(block, plain=console.no_color)


def text(content: str = "", style: Style | None = None) -> Block:
    """A one-line block."""
    return Block([[(content, style)]], len(content))


NBSP = "\u00a0"  # a space that never becomes a line break: "(no\u00a0bias)" stays on one line


def wrap(content: str, width: int, hanging: int = 0) -> list[str]:
    """Word wrap to `width` cells (textwrap); continuation lines are indented by `hanging` spaces.

    Only a word longer than a whole line is cut; a no-break space keeps two words together
    and is printed as a plain space.
    """
    width = max(width, hanging + 10)
    lines = textwrap.wrap(content, width=width, subsequent_indent=" " * hanging, break_on_hyphens=False,
                          replace_whitespace=False, expand_tabs=False) or [""]
    return [line.replace(NBSP, " ") for line in lines]


def prose(content: str, width: int, style: Style | None = None, hanging: int = 0) -> Block:
    """A paragraph wrapped to `width`."""
    parts = wrap(content, width, hanging)
    return Block([[(part, style)] for part in parts], max(len(part) for part in parts))


class Paragraph:
    """Prose wrapped to whatever width the console offers."""

    def __init__(self, content: str, style: Style | None = None, hanging: int = 0):
        self.content, self.style, self.hanging = content, style, hanging

    def __rich_measure__(self, console: Console, options: ConsoleOptions) -> Measurement:
        longest = max((len(word) for word in self.content.split()), default=0)
        return Measurement(min(longest, options.max_width), min(len(self.content), options.max_width))

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        yield from prose(self.content, options.max_width, self.style, self.hanging).__rich_console__(console, options)


def blank(height: int = 1) -> Block:
    return Block([[] for _ in range(height)], 0)


def hstack(blocks: list[Block], gap: int = 2) -> Block:
    """Blocks side by side, top-aligned, `gap` spaces apart."""
    blocks = [b for b in blocks if b.width or b.height]
    height = max((b.height for b in blocks), default=0)
    last = len(blocks) - 1
    lines: list[Line] = []
    for i in range(height):
        line: Line = []
        for j, block in enumerate(blocks):
            if j:
                line.append((" " * gap, None))
            if i < block.height:
                pieces = block.lines[i]
                line.extend(pieces)
                pad = block.width - line_width(pieces) if j < last else 0
            else:
                pad = block.width if j < last else 0
            if pad > 0:
                line.append((" " * pad, None))
        lines.append(line)
    width = sum(b.width for b in blocks) + gap * max(len(blocks) - 1, 0)
    return Block(lines, width)


def vstack(blocks: list[Block], gap: int = 0) -> Block:
    """Blocks one below the other, `gap` blank lines apart."""
    lines: list[Line] = []
    for j, block in enumerate(blocks):
        if j:
            lines.extend([] for _ in range(gap))
        lines.extend(block.lines)
    return Block(lines, max((b.width for b in blocks), default=0))


def flow(blocks: list[Block], width: int, gap: int = 3, row_gap: int = 1) -> Block:
    """Blocks left to right, starting a new row when the next one would pass `width`."""
    rows: list[list[Block]] = []
    used = 0
    for block in blocks:
        if rows and used + gap + block.width <= width:
            rows[-1].append(block)
            used += gap + block.width
        else:
            rows.append([block])
            used = block.width
    return vstack([hstack(row, gap) for row in rows], row_gap)


def indent(block: Block, spaces: int) -> Block:
    pad = (" " * spaces, None)
    return Block([[pad, *line] if line else line for line in block.lines], block.width + spaces)


def crop(block: Block, width: int) -> Block:
    """Lines cut at `width` cells (what does not fit a narrow terminal is cut, not wrapped)."""
    lines = []
    for line in block.lines:
        kept: Line = []
        room = width
        for content, style in line:
            if room <= 0:
                break
            kept.append((content[:room], style))
            room -= len(content)
        lines.append(kept)
    return Block(lines, min(block.width, width))


def segments(block: Block, plain: bool = False):
    """A block -> Rich Segments, one newline per line, neighbouring pieces of one style merged."""
    new_line = Segment.line()
    for line in block.lines:
        run_text, run_style = "", None
        for content, style in line:
            if style is run_style or (not content):
                run_text += content
            else:
                if run_text:
                    yield Segment(run_text, run_style)
                run_text, run_style = content, style
        if run_text:
            if plain or run_style is None or not (run_style.reverse or run_style.bgcolor):
                run_text = run_text.rstrip()  # no trailing blanks in text output
            yield Segment(run_text, run_style)
        yield new_line
