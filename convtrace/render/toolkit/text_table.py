"""A table of text as an aligned block: a header, a rule, one line per row, long cells wrapped in their column.

The summary of `convtrace check` and the overview of `explain` are such
tables. Drawn as a Block (lines.py) they measure without Rich's per-cell
layout, read the same without colour, and wrap between words: a cell marked
`wrap` breaks onto more lines inside its own column; the others keep their
width, so a number is never cut.
"""

from __future__ import annotations

from dataclasses import dataclass

from rich.style import Style

from .lines import Block, Line, Piece, vstack, wrap

HEADER = Style(bold=True)
LEAST_WRAP = 12  # a wrapped column is never narrower than this


@dataclass(frozen=True)
class Column:
    """One column: its title, whether it aligns right (numbers), whether long text wraps inside it."""

    title: str
    right: bool = False
    wrap: bool = False


def _widths(columns: list[Column], rows: list[list[Piece]], width: int, gap: int, lead: int) -> list[int]:
    """Natural widths; the wrapping columns share what the others leave, the narrowest served first."""
    widths = [max([len(c.title), *(len(row[j][0]) for row in rows)]) for j, c in enumerate(columns)]
    # the rule runs one cell past the last column, as the header's padding does
    room = width - 1 - lead - gap * (len(columns) - 1) - sum(w for w, c in zip(widths, columns) if not c.wrap)
    waiting = sorted((j for j, c in enumerate(columns) if c.wrap), key=lambda j: widths[j])
    while waiting:
        j = waiting.pop(0)
        widths[j] = max(min(widths[j], room // (len(waiting) + 1)), LEAST_WRAP, len(columns[j].title))
        room -= widths[j]
    return widths


def text_table(columns: list[Column], rows: list[list[Piece]], width: int, gap: int = 3, lead: int = 1) -> Block:
    """Rows of (text, style) cells under the column titles and a rule, fitted to `width` cells.

    When the columns that keep their width do not fit even so, the table is folded
    into bands, one below the other, each repeating the first column (the row's name).
    """
    bands = _bands(columns, rows, width, gap, lead)
    if len(bands) > 1:
        return vstack([_table([columns[j] for j in band], [[row[j] for j in band] for row in rows], width, gap, lead)
                       for band in bands], gap=1)
    return _table(columns, rows, width, gap, lead)


def _bands(columns: list[Column], rows: list[list[Piece]], width: int, gap: int, lead: int) -> list[list[int]]:
    """Column indices per band: the first column, then as many of the next as fit (at least one)."""
    least = [max([len(c.title), *(len(row[j][0]) for row in rows)]) if not c.wrap else LEAST_WRAP
             for j, c in enumerate(columns)]
    bands: list[list[int]] = []
    used = width + 1
    for j in range(1, len(columns)):
        if used + gap + least[j] > width and (not bands or len(bands[-1]) > 1):
            bands.append([0])
            used = lead + least[0] + 1  # the rule runs one past the last column
        bands[-1].append(j)
        used += gap + least[j]
    return bands or [[0]]


def _table(columns: list[Column], rows: list[list[Piece]], width: int, gap: int, lead: int) -> Block:
    widths = _widths(columns, rows, width, gap, lead)

    def line(cells: list[Piece]) -> Line:
        pieces: Line = [(" " * lead, None)]
        for j, ((content, style), column, w) in enumerate(zip(cells, columns, widths)):
            if j:
                pieces.append((" " * gap, None))
            pad = " " * (w - len(content))
            pieces.extend([(pad, None), (content, style)] if column.right else [(content, style), (pad, None)])
        return pieces

    lines: list[Line] = [line([(c.title, HEADER) for c in columns])]
    total = lead + sum(widths) + gap * (len(columns) - 1) + 1
    lines.append([("─" * total, None)])
    for row in rows:
        parts = [wrap(content, w) if column.wrap else [content]
                 for (content, _), column, w in zip(row, columns, widths)]
        for k in range(max(len(p) for p in parts)):
            lines.append(line([(p[k] if k < len(p) else "", style) for p, (_, style) in zip(parts, row)]))
    return Block(lines, total)
