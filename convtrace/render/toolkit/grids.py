"""Grids of numbers with marked cells, and the viewport that keeps a big grid on screen.

Every mark is written in the text itself, so it survives without colour
(NO_COLOR, pipes, a printed handout): a cell the window reads is `[v]`, the
current output cell is `[v]`, zero padding is `·`, a cell not computed yet
is `.`, a cell a crop drops is `(v)` (`{v}` when the current stamp of a transposed
convolution's scatter view lands on it), and `…` / `⋮` stand for columns / rows
cut off by the viewport. Grids of values outside the step view (render/toolkit/value_grids.py)
bracket the cells they point at the same way: `[v]` is a wrong value, the value it
should have been, or a value that differs from its neighbour map.
Colour only adds emphasis on top.
"""

from __future__ import annotations

from rich.style import Style

from .lines import Block, Line

# what a cell is, for marking and styling
PLAIN, TAP, PAD, CURRENT, EMPTY, PAD_TAP, CROPPED = range(7)
WRONG, WANTED, MARKED = range(7, 10)  # a returned value that is wrong, the one expected there, any other mark
CROPPED_TAP = 10  # a cropped cell the current stamp lands on (the scatter view of a transposed convolution)

PAD_TEXT = "·"
EMPTY_TEXT = "."
BRACKETED = (TAP, CURRENT, PAD_TAP, WRONG, WANTED, MARKED)

LABEL = Style(dim=True)
STYLES = {
    PLAIN: None,
    TAP: Style(color="yellow", bold=True, reverse=True),
    PAD: Style(dim=True),
    CURRENT: Style(color="green", bold=True, reverse=True),
    EMPTY: Style(dim=True),
    PAD_TAP: Style(color="yellow", reverse=True, dim=True),
    CROPPED: Style(dim=True),
    WRONG: Style(color="red", bold=True),
    WANTED: Style(color="green", bold=True),
    MARKED: Style(bold=True),
    CROPPED_TAP: Style(color="yellow", dim=True, reverse=True),
}
MATRIX = Style(color="cyan")


def view_range(total: int, start: int, length: int, limit: int) -> range:
    """Indices 0..total-1 to show: all when they fit in `limit`, else `limit` of them centred on [start, start+length)."""
    if total <= limit:
        return range(total)
    # a block wider than the view (a dilation of 1000) shows its first cells: a frame never grows with it
    first = start - max(limit - length, 0) // 2
    first = min(max(first, 0), total - limit)
    return range(first, first + limit)


def fitting_columns(total: int, cell: int, label: int, width: int) -> int:
    """How many columns of `cell` cells fit in `width` next to a `label`-wide label column."""
    if label + 1 + total * cell <= width:
        return total
    # leave room for the '…' markers on both sides
    return max((width - label - 1 - 4) // cell, 1)


def cell(content: str, width: int, kind: int) -> str:
    """One cell's text: the value right-aligned in `width`, in brackets when it is marked."""
    if kind in BRACKETED:
        return f"[{content:>{width}}]"
    if kind == CROPPED:
        return f"({content:>{width}})"
    if kind == CROPPED_TAP:
        return f"{{{content:>{width}}}}"
    return f" {content:>{width}} "


def runs_line(cells: list[tuple[str, int]], width: int) -> Line:
    """(text, kind) cells -> one grid row, neighbouring cells of the same kind joined into one piece."""
    line: Line = []
    run: list[str] = []
    run_kind = None
    for content, kind in cells:
        if kind != run_kind and run:
            line.append(("".join(run), STYLES[run_kind]))
            run = []
        run_kind = kind
        run.append(cell(content, width, kind))
    if run:
        line.append(("".join(run), STYLES[run_kind]))
    return line


def grid(
    rows: list[Line],
    row_labels: list[str],
    col_labels: list[str],
    cell_width: int,
    cut: tuple[bool, bool, bool, bool] = (False, False, False, False),
) -> Block:
    """Rows of cells (already built, `cell_width` + 2 cells each) -> a grid with row and column labels.

    `cut` = (top, bottom, left, right): which sides the viewport cut off, marked ⋮ and ….
    """
    cut_top, cut_bottom, cut_left, cut_right = cut
    w = cell_width
    label_w = max((len(label) for label in row_labels), default=0)
    lead = " " * (label_w + 1) + ("  " if cut_left else "")
    lines: list[Line] = [[(lead, None), ("".join(f" {c:>{w}} " for c in col_labels), LABEL)]]
    dots = [(lead, None), (f" {'⋮':>{w}} " * len(col_labels), LABEL)]
    if cut_top:
        lines.append(dots)
    left = [("… ", LABEL)] if cut_left else []
    right = [(" …", LABEL)] if cut_right else []
    for label, row in zip(row_labels, rows):
        lines.append([(f"{label:>{label_w}} ", LABEL), *left, *row, *right])
    if cut_bottom:
        lines.append(dots)
    width = label_w + 1 + len(col_labels) * (w + 2) + 2 * cut_left + 2 * cut_right
    return Block(lines, width)


def matrix(texts: list[list[str]], title: str, width: int | None = None) -> Block:
    """A small matrix in brackets under a title: '[ 1 2 ]' rows. Used for patch, kernel and products."""
    w = width or max((len(t) for row in texts for t in row), default=1)
    rows = [[("[ " + " ".join(f"{t:>{w}}" for t in row) + " ]", MATRIX)] for row in texts]
    body = (w + 1) * len(texts[0]) + 3 if texts and texts[0] else 4
    return Block([[(title, Style(bold=True))], *rows], max(body, len(title)))


def operator(symbol: str, height: int) -> Block:
    """An operator (' * ', ' = ') drawn beside the middle row of matrices `height` rows tall (plus a title row)."""
    middle = 1 + (height - 1) // 2
    return Block([[(symbol, None)] if i == middle else [] for i in range(height + 1)], len(symbol))
