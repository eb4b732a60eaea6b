"""The text-block toolkit (render/toolkit/lines.py, render/toolkit/grids.py) composes inside Rich containers, and wraps between words."""

from __future__ import annotations

import io

from rich.columns import Columns
from rich.console import Console
from rich.panel import Panel
from rich.table import Table

from convtrace.render.toolkit import grids
from convtrace.render.toolkit.lines import Block, Paragraph, prose, text, vstack, wrap


def render(renderable, width: int = 60) -> str:
    console = Console(file=io.StringIO(), width=width, color_system=None, force_terminal=False)
    console.print(renderable)
    return console.file.getvalue()


def small_grid(title: str) -> Block:
    lines = [grids.runs_line([("1", grids.PLAIN), ("2", grids.TAP)], 1),
             grids.runs_line([("3", grids.PAD), ("4", grids.CROPPED)], 1)]
    return vstack([text(title), grids.grid(lines, ["0", "1"], ["0", "1"], 1)])


def test_blocks_sit_side_by_side_in_columns():
    out = render(Columns([small_grid("left"), small_grid("right")], padding=(0, 4)))
    lines = [line.rstrip() for line in out.splitlines()]
    assert lines[0].split() == ["left", "right"]
    assert lines[2].split() == ["0", "1", "[2]", "0", "1", "[2]"]  # both grids on the same row, marks in the text
    assert lines[3].split() == ["1", "3", "(4)", "1", "3", "(4)"]


def test_a_block_measures_its_width_in_a_table_and_a_panel():
    table = Table.grid(padding=(0, 2))
    table.add_row(small_grid("a"), text("beside"))
    out = render(table)
    assert "beside" in out.splitlines()[0] and out.splitlines()[0].startswith("a")
    panel = render(Panel(small_grid("boxed"), expand=False))
    assert max(len(line) for line in panel.splitlines()) == small_grid("boxed").width + 4  # borders and padding


def test_wrapping_never_cuts_a_word():
    words = "the window's corner (top, left) = (row*2, col*2) moves across x_pad[0, c, 2+u, 2+v]".split()
    for width in range(12, 60):
        lines = wrap(" ".join(words), width, hanging=2)
        assert all(len(line) <= width for line in lines)
        assert " ".join(" ".join(lines).split()) == " ".join(words)
    assert wrap("out = sum (no\u00a0bias)", 14) == ["out = sum", "(no bias)"]  # a no-break space holds
    assert prose("a b", 10).width == 3


def test_a_paragraph_wraps_inside_a_container():
    out = render(Panel(Paragraph("one two three four five six seven eight nine ten"), width=20))
    inner = [line.strip("│ ").strip() for line in out.splitlines()[1:-1]]
    assert " ".join(inner) == "one two three four five six seven eight nine ten"
