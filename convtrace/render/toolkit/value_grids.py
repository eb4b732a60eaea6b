"""Titled grids of values with text marks, folded into bands of columns to fit the width.

Every grid of numbers outside the step view is drawn with this: the planes of a
`convtrace check` report and the maps of `explain` and `compare`. Rows and
columns carry their index, as in the step view, and a marked cell is written
`[v]` (grids.py), so the mark survives NO_COLOR, pipes and projectors.

A grid wider than the terminal is neither squeezed nor cut: its columns are
split into bands, one below the other, each under its own column indices, so a
number is never broken across lines. Nothing here computes: the cells arrive
as text.
"""

from __future__ import annotations

from rich.console import Console, ConsoleOptions, RenderResult
from rich.measure import Measurement
from rich.style import Style

from . import grids
from .lines import Block, prose, text, vstack

TITLE = Style(bold=True)


class ValueGrid:
    """A (rows, cols) grid of value texts under a title; `kinds` (same shape, grids.PLAIN, grids.MARKED ...) marks cells.

    `more_rows` / `more_cols` say the texts are the first rows / columns of a larger
    array (drawn ⋮ / …). Labels default to the row and column indices.
    """

    def __init__(self, title: str, texts: list[list[str]], kinds: list[list[int]] | None = None,
                 more_rows: bool = False, more_cols: bool = False, title_style: Style | None = TITLE,
                 row_labels: list[str] | None = None, col_labels: list[str] | None = None):
        self.title, self.texts, self.title_style = title, texts, title_style
        self.rows = len(texts)
        self.cols = len(texts[0]) if texts else 0
        self.kinds = kinds if kinds is not None else [[grids.PLAIN] * self.cols for _ in texts]
        self.more_rows, self.more_cols = more_rows, more_cols
        self.row_labels = row_labels if row_labels is not None else [str(i) for i in range(self.rows)]
        self.col_labels = col_labels if col_labels is not None else [str(j) for j in range(self.cols)]
        # one width for every cell, as in the step view: the columns line up band after band
        self.cell_width = max([1, *(len(t) for row in texts for t in row), *(len(c) for c in self.col_labels)])
        self.label_width = max((len(label) for label in self.row_labels), default=0)

    def _band_width(self, columns: int) -> int:
        return self.label_width + 1 + columns * (self.cell_width + 2) + (2 if self.more_cols else 0)

    @property
    def full_width(self) -> int:
        """Cells taken with every column in one band."""
        return max(len(self.title), self._band_width(self.cols))

    @property
    def least_width(self) -> int:
        """Cells taken with one column per band (the title wraps)."""
        return self._band_width(min(self.cols, 1))

    def block(self, width: int) -> Block:
        """The grid drawn in as many bands of columns as `width` cells require."""
        title = prose(self.title, width, self.title_style) if len(self.title) > width else text(self.title,
                                                                                               self.title_style)
        if not self.rows or not self.cols:
            return vstack([title, text("(no values)", grids.LABEL)])
        room = width - self.label_width - 1 - (2 if self.more_cols else 0)
        per_band = max(room // (self.cell_width + 2), 1)
        bands = []
        for start in range(0, self.cols, per_band):
            columns = range(start, min(start + per_band, self.cols))
            last = columns.stop == self.cols
            lines = [grids.runs_line([(self.texts[i][j], self.kinds[i][j]) for j in columns], self.cell_width)
                     for i in range(self.rows)]
            bands.append(grids.grid(lines, self.row_labels, [self.col_labels[j] for j in columns],
                                    self.cell_width, cut=(False, self.more_rows, False, self.more_cols and last)))
        return vstack([title, vstack(bands, gap=1)])

    def __rich_measure__(self, console: Console, options: ConsoleOptions) -> Measurement:
        return Measurement(min(self.least_width, options.max_width), self.full_width)

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        yield from self.block(options.max_width).__rich_console__(console, options)
