"""Rich views of `convtrace explain`: a mode's explanation and the overview. Nothing here computes.

Every number and formula comes from convtrace.teach.explain. Marks read without
colour: the window's taps are in [brackets], padding is '.', cells no window
reaches are '-', and map values that differ are in [brackets] too.
"""

from __future__ import annotations

from rich.console import Console, ConsoleOptions, RenderResult
from rich.padding import Padding
from rich.style import Style
from rich.text import Text

from ...teach.explain import Diagram, EvenKernel, Explanation, FlipNote, FullNote, Overview
from .explain_parts import (
    CODE_STYLE, Titled, code_lines, heading, indent_text, labelled, map_table, side_by_side, spelling_block,
)
from ..toolkit.lines import Block, Line
from ..toolkit.text_table import Column, text_table

SYMBOL = {"pad": ".", "data": "x", "dropped": "-"}
STYLE = {"pad": Style(dim=True), "data": None, "dropped": Style(dim=True)}
TAP_STYLE = Style(bold=True, reverse=True)
LABEL = Style(dim=True)


# ----------------------------------------------------------------------------- the diagram


def diagram_block(d: Diagram, taps: frozenset) -> Block:
    """The padded input with the given taps in [brackets]; column and row labels in input coordinates."""
    width = max(len(str(v)) for v in d.row_labels)
    lines: list[Line] = [[(" " * (width + 1), None), ("".join(f"{c:^3}" for c in d.col_labels), LABEL)]]
    for r, kinds in enumerate(d.kinds):
        line: Line = [(f"{d.row_labels[r]:>{width}} ", LABEL)]
        for c, kind in enumerate(kinds):
            symbol = SYMBOL[kind]
            line.append((f"[{symbol}]", TAP_STYLE) if (r, c) in taps else (f" {symbol} ", STYLE[kind]))
        lines.append(line)
    return Block(lines)


class DiagramView:
    """The first and last windows on the padded input, side by side when they fit."""

    def __init__(self, diagram: Diagram):
        self.diagram = diagram

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        d = self.diagram
        first = Titled(f"first window: {d.first_name}", diagram_block(d, d.first))
        last = Titled(f"last window: {d.last_name}", diagram_block(d, d.last))
        yield from side_by_side([first, last], console, options)


# ----------------------------------------------------------------------------- sections


def even_section(even: EvenKernel, console: Console, options: ConsoleOptions) -> RenderResult:
    yield heading("An odd total padding: where the extra row or column goes")
    for line in even.totals:
        yield indent_text(line)
    if not even.placements:
        for note in even.notes:
            yield indent_text(note)
        return
    for i, p in enumerate(even.placements, 1):
        (top, bottom), (left, right) = p.padding
        yield Padding(Text(f"{i}. {p.who}", style="bold"), (0, 0, 0, 2), expand=False)
        yield Text(f"       extra at the {p.extra}: top {top}, bottom {bottom}, left {left}, right {right}")
        yield code_lines(p.code, indent="       ", style="" if p.words else CODE_STYLE)
    maps = []
    for members, first in even.groups:
        p = even.placements[first]
        if p.output is not None:
            title = f"{', '.join(map(str, members))}: {p.extra}"
            maps.append(map_table(p.output, title, p.differs))
    if maps:
        yield indent_text("On the example ([ ] = differs from 1):")
        yield from side_by_side(maps, console, options)
    for note in even.notes:
        yield indent_text(note)


def full_section(full: FullNote, console: Console, options: ConsoleOptions) -> RenderResult:
    yield heading("Why full pads d*(k-1), not k")
    for line in (*full.why, *full.wrong):
        yield indent_text(line)
    yield heading("Full and the backward pass")
    for line in full.gradient:
        yield indent_text(line)
    if full.grad_input is not None:
        h, w = full.grad_output_shape
        yield indent_text(f"With dL/dout = 1 everywhere ({h}x{w}), dL/dx on the example is:")
        yield from side_by_side([map_table(full.grad_input, "dL/dx")], console, options)


def flip_section(flip: FlipNote, console: Console, options: ConsoleOptions, with_code: bool = True) -> RenderResult:
    yield heading("--flip: convolution vs cross-correlation")
    yield indent_text("Convolution (the mathematical one) rotates the kernel 180 degrees before sliding it; "
                      "cross-correlation slides it as it is.")
    yield from side_by_side([map_table(flip.kernel, "w"), map_table(flip.rotated, "w rotated 180")], console, options)
    if flip.correlation is not None:
        yield indent_text(f"Both on the example, {flip.mode} padding ([ ] = the two differ):")
        yield from side_by_side([
            map_table(flip.correlation, "cross-correlation", flip.differs),
            map_table(flip.convolution, "convolution", flip.differs),
        ], console, options)
    if with_code:  # an explanation with --flip already showed this code as "the same call elsewhere"
        yield indent_text("True convolution in each library:")
        yield from spelling_block(flip.code)
    for note in flip.notes:
        yield indent_text(note)


def corner_list(values: tuple[int, ...], limit: int = 16) -> str:
    if len(values) <= limit:
        return ", ".join(map(str, values))
    head = ", ".join(map(str, values[: limit - 2]))
    return f"{head}, ..., {values[-1]} ({len(values)} in all)"


class ExplainView:
    """`convtrace explain --mode MODE`."""

    def __init__(self, explanation: Explanation):
        self.e = explanation

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        e = self.e
        g = e.geometry
        (h, w), (kh, kw) = g.input_size, g.kernel_size
        yield Text.assemble(
            (f"convtrace explain --mode {e.settings.mode}", "bold"),
            f": input {h}x{w}, kernel {kh}x{kw}, stride {_pair(g.stride)}, dilation {_pair(g.dilation)}"
            + (", flip (convolution)" if e.flip is not None else ""),
        )
        yield indent_text(f"numbers from {e.example.source}", style="dim")
        yield heading("What it is for")
        for paragraph in e.purpose:
            yield indent_text(paragraph)

        yield heading("Padding")
        (top, bottom), (left, right) = g.padding
        yield labelled([(story.what, story.padding_rule) for story in (e.rows, e.cols)])
        yield indent_text(f"-> top {top}, bottom {bottom}, left {left}, right {right}; "
                          f"padded input {g.rows.padded}x{g.cols.padded}")

        yield heading("Output size")
        if g.dilation != (1, 1):
            yield labelled([(story.what, story.span) for story in (e.rows, e.cols)])
        for story in (e.rows, e.cols):
            yield indent_text(story.out_steps)
        for story in (e.rows, e.cols):
            if story.dropped:
                yield indent_text(f"{story.what}: {story.dropped}", style="bold")
        yield indent_text(f"-> output {g.rows.out}x{g.cols.out}: {g.positions} window positions")

        yield heading("The padded input")
        if e.diagram is None:
            yield indent_text("(too large to draw)")
        else:
            yield indent_text(". zero padding   x input   - input no window reaches   [ ] read by the window")
            yield DiagramView(e.diagram)
        if top or left:
            where = (f"Window corners (top, left), in input coordinates; in the padded input "
                     f"add {top} to rows and {left} to columns:")
        else:
            where = "Window corners (top, left):"
        yield indent_text(where)
        yield labelled([(story.what, corner_list(story.corners_input)) for story in (e.rows, e.cols)], indent=4)

        yield heading("The same call elsewhere" + (": true convolution (--flip)" if e.flip is not None else ""))
        yield from spelling_block(e.spellings)

        if e.even is not None:
            yield from even_section(e.even, console, options)
        if e.odd_same:
            yield heading("An even total padding: the libraries agree")
            yield indent_text(e.odd_same)
        if e.full is not None:
            yield from full_section(e.full, console, options)
        if e.flip is not None:
            yield from flip_section(e.flip, console, options, with_code=False)
        if e.maps:  # too many numbers to print: the input and the output as pictures
            from ..frames.heatmap import Heatmaps

            yield heading("On the example, as pictures (each on its own scale)")
            yield Heatmaps(list(e.maps))


def _pair(values: tuple[int, int]) -> str:
    return str(values[0]) if values[0] == values[1] else f"{values[0]},{values[1]}"


OVERVIEW_COLUMNS = [Column("mode"), Column("for"), Column("padding t,b,l,r"), Column("stride", right=True),
                    Column("dilation", right=True), Column("output", right=True)]


def overview_table(o: Overview, width: int) -> Block:
    """One row per mode: what it is for, padding per side, stride, dilation, output size ('none' if no output)."""
    rows = []
    for row in o.rows:
        s = row.settings
        if row.geometry is None:
            cells = [s.mode, row.what, "-", _pair(s.stride), _pair(s.dilation), "none"]
        else:
            (top, bottom), (left, right) = row.geometry.padding
            out_h, out_w = row.geometry.out_size
            cells = [s.mode, row.what, f"{top},{bottom},{left},{right}", _pair(s.stride), _pair(s.dilation),
                     f"{out_h}x{out_w}"]
        rows.append([(cell, None) for cell in cells])
    return text_table(OVERVIEW_COLUMNS, rows, width)


class OverviewView:
    """`convtrace explain` without --mode: all modes for the current sizes."""

    def __init__(self, overview: Overview):
        self.o = overview

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        o = self.o
        (h, w), (kh, kw) = o.input_size, o.kernel_size
        yield Text.assemble(("convtrace explain", "bold"), f": every mode for input {h}x{w}, kernel {kh}x{kw}")
        yield overview_table(o, options.max_width)
        yield indent_text("Output size per mode:")
        yield labelled([(row.settings.mode, row.formula if row.error is None else row.error) for row in o.rows])
        yield Text("")
        yield indent_text("convtrace explain --mode MODE shows one mode in detail "
                          "(padding, windows, PyTorch/TensorFlow/scipy).", style="dim")
        if o.flip is not None:
            yield from flip_section(o.flip, console, options)
