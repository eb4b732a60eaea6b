"""The pieces every explain view is made of: section headings, titled grids side by side, code, labels.

Shared by the views of `explain`, `explain --groups/--transposed/--pool` and
`compare`. Nothing here computes; wide items are named instead of squeezed.
"""

from __future__ import annotations

import numpy as np
from rich import box
from rich.console import Console, ConsoleOptions, Group, RenderResult
from rich.measure import Measurement
from rich.padding import Padding
from rich.rule import Rule
from rich.table import Table
from rich.text import Text

from ..teach.explain import Spelling
from ..text import number

CODE_STYLE = "cyan"


def heading(title: str) -> Group:
    """A blank line, then a rule with the section's title."""
    return Group(Text(""), Rule(Text(title, style="bold"), align="left", characters="-"))


class Titled:
    """A renderable under a bold one-line title; side_by_side names it when it is too wide to show."""

    def __init__(self, title: str, body):
        self.title = title
        self.body = body

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        yield Text(self.title, style="bold", no_wrap=True)
        yield self.body

    def __rich_measure__(self, console: Console, options: ConsoleOptions) -> Measurement:
        body = Measurement.get(console, options, self.body)
        return Measurement(max(body.minimum, len(self.title)), max(body.maximum, len(self.title)))


def map_table(values: np.ndarray, title: str, marks: np.ndarray | None = None) -> Titled:
    """A 2-D array as a titled, boxed grid; values whose mark is set get a '*' (and bold)."""
    table = Table(show_header=False, box=box.SQUARE, padding=(0, 1))
    for _ in range(values.shape[1]):
        table.add_column(justify="right")
    for i, row in enumerate(values):
        cells = []
        for j, value in enumerate(row):
            if marks is None:
                cells.append(Text(number(value)))
            elif marks[i, j]:
                cells.append(Text(number(value) + "*", style="bold"))
            else:
                cells.append(Text(number(value) + " "))
        table.add_row(*cells)
    return Titled(title, table)


def side_by_side(items: list, console: Console, options: ConsoleOptions, gap: int = 2,
                 indent: int = 2) -> RenderResult:
    """Lay titled renderables out left to right, wrapping to a new line when the next would not fit.

    One too wide for the terminal on its own is named instead of drawn squeezed.
    """
    width = options.max_width - indent
    line, used = [], 0
    for item in items:
        need = Measurement.get(console, options.update_width(10_000), item).maximum
        if need > width:
            yield indent_text(f"({item.title}: needs {need} columns, the terminal has {width}; "
                              f"widen it to see this)", indent=indent)
            continue
        if line and used + gap + need > width:
            yield Padding(_row(line, gap), (0, 0, 0, indent), expand=False)
            line, used = [], 0
        used += need + (gap if line else 0)
        line.append(item)
    if line:
        yield Padding(_row(line, gap), (0, 0, 0, indent), expand=False)


def _row(items: list, gap: int) -> Table:
    grid = Table.grid(padding=(0, gap))
    for _ in items:
        grid.add_column(vertical="top")
    grid.add_row(*items)
    return grid


def code_lines(spelling_code, indent: str = "    ", style: str = CODE_STYLE) -> Text:
    return Text("\n".join(indent + line for line in spelling_code), style=style)


def spelling_block(spellings: tuple[Spelling, ...]) -> RenderResult:
    for s in spellings:
        yield Text.assemble((f"  {s.library:<11}", "bold"), s.shapes)
        yield code_lines(s.code)
        for note in s.notes:
            yield indent_text(f"- {note}", indent=4)


def indent_text(text: str, indent: int = 2, style: str = "") -> Padding:
    """A paragraph whose wrapped lines keep the indent."""
    return Padding(Text(text, style=style), (0, 0, 0, indent), expand=False)


def labelled(pairs, indent: int = 2) -> Padding:
    """Label / text lines; wrapped text stays in its column."""
    grid = Table.grid(padding=(0, 1))
    grid.add_column(no_wrap=True)
    grid.add_column()
    for label, text in pairs:
        grid.add_row(label, text)
    return Padding(grid, (0, 0, 0, indent), expand=False)
