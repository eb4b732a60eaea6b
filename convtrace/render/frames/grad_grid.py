"""The backward-pass frames' drawing pieces: grids with marks, planes side by side, section titles."""

from __future__ import annotations

import numpy as np
from rich.columns import Columns
from rich.rule import Rule
from rich.style import Style
from rich.text import Text

from ..toolkit import grids
from ..toolkit.lines import Block, text, vstack
from ...text import number

VIEW = 14  # rows / columns of a grid drawn at most; a bigger array shows the part around its marks
PLANES = 8  # planes of one array drawn at most in a preparation or result frame


def grid(values: np.ndarray, title: str, *, hollow=None, marked=None, cropped=None) -> Block:
    """A 2-D array as a titled grid with row and column labels (the step view's toolkit, render/toolkit/grids.py).

    NaN: not filled yet ('.'); hollow: '·', a structural zero; marked: '[v]' (the window or the
    current cell); cropped: '(v)', cut off by the crop. An array bigger than VIEW x VIEW shows the
    part around its marked cells, with '…' / '⋮' for the rest.
    """
    rows, cols = range(values.shape[0]), range(values.shape[1])
    if values.shape[0] > VIEW or values.shape[1] > VIEW:
        where = np.argwhere(marked) if marked is not None and marked.any() else np.zeros((1, 2), dtype=int)
        (r0, c0), (r1, c1) = where.min(axis=0), where.max(axis=0)
        rows = grids.view_range(values.shape[0], int(r0), int(r1 - r0 + 1), VIEW)
        cols = grids.view_range(values.shape[1], int(c0), int(c1 - c0 + 1), VIEW)
        title += f" rows {rows[0]}..{rows[-1]} of {values.shape[0]}, cols {cols[0]}..{cols[-1]} of {values.shape[1]}"
    cells = []
    for r in rows:
        line = []
        for c in cols:
            value = values[r, c]
            if np.isnan(value):
                line.append((grids.EMPTY_TEXT, grids.EMPTY))
                continue
            content = grids.PAD_TEXT if hollow is not None and hollow[r, c] else number(value)
            if marked is not None and marked[r, c]:
                kind = grids.TAP
            elif cropped is not None and cropped[r, c]:
                kind = grids.CROPPED
            else:
                kind = grids.PAD if content == grids.PAD_TEXT else grids.PLAIN
            line.append((content, kind))
        cells.append(line)
    row_labels, col_labels = [str(r) for r in rows], [str(c) for c in cols]
    w = max([len(content) for line in cells for content, _ in line] + [len(t) for t in col_labels])
    cut = (rows[0] > 0, rows[-1] < values.shape[0] - 1, cols[0] > 0, cols[-1] < values.shape[1] - 1)
    body = grids.grid([grids.runs_line(line, w) for line in cells], row_labels, col_labels, w, cut)
    return vstack([text(title, Style(bold=True)), body])


def window_box(shape, top: int, left: int, height: int, width: int) -> np.ndarray:
    """A mask of the block of cells a window covers."""
    mask = np.zeros(shape, dtype=bool)
    mask[top : top + height, left : left + width] = True
    return mask


def crossings(shape, rows, cols) -> np.ndarray:
    """A mask of the cells where the given rows and columns cross (what a strided read touches)."""
    mask = np.zeros(shape, dtype=bool)
    mask[np.ix_(list(rows), list(cols))] = True
    return mask


def planes(array: np.ndarray, name: str, first: str, second: str, **marks) -> Columns:
    """(A, B, h, w) -> one grid per (a, b), titled name[a,b]; the first PLANES of them."""
    grids = []
    for a in range(array.shape[0]):
        for b in range(array.shape[1]):
            if len(grids) == PLANES:
                more = array.shape[0] * array.shape[1] - PLANES
                grids.append(Text(f"... and {more} more plane(s) of {name}", style="italic"))
                return Columns(grids, padding=(0, 2))
            grids.append(grid(array[a, b], f"{name}[{first}{a},{second}{b}]", **marks))
    return Columns(grids, padding=(0, 2))


def section_title(name: str, what: str):
    """A rule with the gradient's short name, then what it is on its own line, which wraps at any width.

    A Rule cuts a long title with an ellipsis, so only the name goes in it.
    """
    yield Rule(Text(name, style="bold"))
    yield Text(what, style="bold")


def board_grid(board: np.ndarray, title: str, row: int, col: int) -> Text:
    """The array being filled: values so far, '.' for cells to come, the current cell in brackets."""
    return grid(board, title, marked=window_box(board.shape, row, col, 1, 1))
