"""The pieces every explain view is made of: section headings, titled grids side by side, code, labels.

Shared by the views of `explain`, `explain --groups/--transposed/--pool` and
`compare`. Nothing here computes. Grids of values fold into bands of columns
when the terminal is narrow; a diagram too wide to fold is named instead of squeezed.
"""

from __future__ import annotations

import numpy as np
from rich.console import Console, ConsoleOptions, Group, RenderResult
from rich.measure import Measurement
from rich.padding import Padding
from rich.rule import Rule
from rich.style import Style
from rich.text import Text

from ...teach.explain import Spelling
from ...text import number
from ..toolkit import grids
from ..toolkit.lines import Block, flow, text, vstack, wrap
from ..toolkit.lines import indent as shift
from ..toolkit.value_grids import ValueGrid

CODE_STYLE = "cyan"


def heading(title: str) -> Group:
    """A blank line, then a rule with the section's title."""
    return Group(Text(""), Rule(Text(title, style="bold"), align="left", characters="-"))


class Titled:
    """A drawn block under a bold one-line title (the explain diagram); side_by_side names it when it is too wide."""

    def __init__(self, title: str, body: Block):
        self.title = title
        self.body = body
        self.full_width = self.least_width = max(body.width, len(title))

    def block(self, width: int) -> Block:
        return vstack([text(self.title, Style(bold=True)), self.body])


def map_table(values: np.ndarray, title: str, marks: np.ndarray | None = None) -> ValueGrid:
    """A 2-D array (rows, cols) as a titled grid with row and column indices; values whose mark is set in [brackets]."""
    texts = [[number(value) for value in row] for row in values]
    kinds = None
    if marks is not None:
        kinds = [[grids.MARKED if marks[i, j] else grids.PLAIN for j in range(values.shape[1])]
                 for i in range(values.shape[0])]
    return ValueGrid(title, texts, kinds)


def side_by_side(items: list, console: Console, options: ConsoleOptions, gap: int = 4,
                 indent: int = 2) -> RenderResult:
    """Lay titled grids out left to right, starting a new row when the next would not fit.

    A grid of values too wide for the terminal on its own is folded into bands of
    columns; a diagram that cannot fold is named instead of drawn squeezed.
    """
    width = options.max_width - indent
    blocks = []
    for item in items:
        if item.least_width > width:
            yield indent_text(f"({item.title}: needs {item.least_width} columns, the terminal has {width}; "
                              f"widen it to see this)", indent=indent)
            continue
        blocks.append(item.block(width))
    if blocks:
        yield shift(flow(blocks, width, gap=gap, row_gap=0), indent)


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


def labelled(pairs, indent: int = 2) -> Labelled:
    """Label / text lines; wrapped text stays in its column."""
    return Labelled(list(pairs), indent)


class Labelled:
    """An aligned text block: each label in a column of its own, its text wrapped between words beside it."""

    def __init__(self, pairs: list[tuple[str, str]], indent: int):
        self.pairs, self.indent = pairs, indent
        self.label_width = max((len(label) for label, _ in pairs), default=0)

    def block(self, width: int) -> Block:
        lead = self.indent + self.label_width + 1
        lines = []
        for label, words in self.pairs:
            for k, part in enumerate(wrap(words, width - lead)):
                shown = label if k == 0 else ""
                lines.append([(" " * self.indent + f"{shown:<{self.label_width}} ", None), (part, None)])
        return Block(lines)

    def __rich_measure__(self, console: Console, options: ConsoleOptions) -> Measurement:
        widest = self.block(10_000).width
        return Measurement(min(widest, options.max_width), widest)

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        yield from self.block(options.max_width).__rich_console__(console, options)
