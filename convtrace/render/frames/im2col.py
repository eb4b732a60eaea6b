"""Rich view of `convtrace run --method im2col`: the column matrix, the kernel matrix, their product
and the reshape back to (N, K, H', W'), with the shape at every step. Nothing here computes."""

from __future__ import annotations

import numpy as np
from rich import box
from rich.columns import Columns
from rich.console import Console, ConsoleOptions, RenderResult
from rich.style import Style
from rich.table import Table
from rich.text import Text

from ...engine.im2col import Im2col
from ...source.problem import Problem
from ..toolkit.lines import NBSP, Paragraph
from ...text import number

ROWS_SHOWN = 12  # column-matrix rows shown unless --limit says otherwise
MAP_SIDE = 16  # output maps larger than this are summarised, not printed


def _shape(shape) -> str:
    # no-break spaces: a shape is never split across two lines (the paragraphs print them as spaces)
    return "(" + f",{NBSP}".join(str(s) for s in shape) + ")"


def _heading(content: str) -> Paragraph:
    return _para(content, Style(bold=True))


def _para(content: str, style=None) -> Paragraph:
    """A paragraph wrapped between words; continuation lines line up under the first line's indent."""
    return Paragraph(content, style, hanging=3)


def _matrix(values: np.ndarray, row_labels: list[str], col_labels: list[str], rows_shown: int,
            width: int, corner: str) -> tuple[Table, str]:
    """A labelled matrix cut to `rows_shown` rows and the columns that fit `width`; plus what was cut."""
    cells = [[number(v) for v in row] for row in values[:rows_shown]]
    cell = max([len(c) for row in cells for c in row] + [len(c) for c in col_labels] + [1])
    label = max([len(r) for r in row_labels[:rows_shown]] + [len(corner)])
    fits = max(1, (width - label - 6) // (cell + 2))  # each column: the cell, its padding, a gap
    cols_shown = min(values.shape[1], fits)
    table = Table(box=box.SIMPLE_HEAD, show_edge=False, padding=(0, 0, 0, 1), header_style="bold",
                  pad_edge=False)
    table.add_column(corner, justify="right", style="dim", no_wrap=True)
    for name in col_labels[:cols_shown]:
        table.add_column(name, justify="right", no_wrap=True)
    if cols_shown < values.shape[1]:
        table.add_column("…", no_wrap=True)
    for label_text, row in zip(row_labels, cells):
        extra = ["…"] if cols_shown < values.shape[1] else []
        table.add_row(label_text, *row[:cols_shown], *extra)
    cut = []
    if values.shape[0] > rows_shown:
        cut.append(f"{values.shape[0] - rows_shown:,} more rows not shown")
    if cols_shown < values.shape[1]:
        cut.append(f"{values.shape[1] - cols_shown:,} more columns not shown")
    return table, "; ".join(cut)


class Im2colView:
    """The four steps of im2col for one Problem."""

    def __init__(self, problem: Problem, result: Im2col, rows_shown: int | None = None):
        self.problem = problem
        self.r = result
        self.rows_shown = ROWS_SHOWN if rows_shown is None else rows_shown

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        p, r = self.problem, self.r
        n, c, h, w = p.input_shape
        k, _, kh, kw = p.kernel_shape
        hp, wp = p.geometry.padded_size
        h_out, w_out = p.geometry.out_size
        shapes = r.shapes
        rows, depth = shapes["columns"]
        width = options.max_width
        if p.title:
            yield Text(p.title, style="bold")
        yield Text.assemble(("im2col", "bold"), ": the whole convolution as one matrix product")
        yield _para(f"images {_shape(p.input_shape)} (N, C, H, W) -> padded {_shape((n, c, hp, wp))} -> "
                   f"{rows} windows of C*kh*kw = {c}*{kh}*{kw} = {depth} numbers each")
        yield Text("")

        yield _heading("1. column matrix " + f"{_shape(shapes['columns'])} = (N*H'*W', C*kh*kw) "
                            f"= ({n}*{h_out}*{w_out}, {c}*{kh}*{kw})")
        yield _para("   one row per window position (n, row, col) in loop order; the row is that window's "
                   "patch, flattened channel by channel, then row by row (c, u, v):")
        (sh, sw), (dh, dw) = p.geometry.stride, p.geometry.dilation
        step_h = f":{dh}" if dh > 1 else ""
        step_w = f":{dw}" if dw > 1 else ""
        yield _para(f"   row (n,row,col) = x_pad[n, :, row*{sh} : row*{sh}+{p.geometry.rows.span}{step_h}, "
                   f"col*{sw} : col*{sw}+{p.geometry.cols.span}{step_w}].reshape(-1)   ({c}x{kh}x{kw} -> {depth})")
        row_labels = [f"{i},{y},{x}" for i, y, x in r.row_labels[: self.rows_shown]]
        col_labels = [f"{ch},{u},{v}" for ch, u, v in r.column_labels]
        table, cut = _matrix(r.columns, row_labels, col_labels, self.rows_shown, width, "n,row,col \\ c,u,v")
        yield table
        if cut:
            yield _para(f"   ({cut})", Style(dim=True))
        yield Text("")

        yield _heading("2. kernel matrix " + f"{_shape(shapes['kernel_matrix'])} = (K, C*kh*kw)")
        yield _para("   one row per kernel, flattened in the same (c, u, v) order"
                   + (" (each rotated 180 degrees first: flip is on)" if p.flip else ""))
        table, cut = _matrix(r.kernel_matrix, [f"k={i}" for i in range(k)], col_labels, self.rows_shown, width,
                             "k \\ c,u,v")
        yield table
        if cut:
            yield _para(f"   ({cut})", Style(dim=True))
        yield Text("")

        yield _heading("3. product " + f"columns {_shape(shapes['columns'])} @ kernel matrix "
                            f"transposed {_shape((depth, k))} = {_shape(shapes['product'])} = (N*H'*W', K)"
                            + (" + bias[k] in column k" if r.has_bias else ""))
        yield _para("   entry (row, k) = sum(column-matrix row * kernel-matrix row k): one window "
                   "against one kernel, the naive loop's value")
        table, cut = _matrix(r.product, row_labels, [f"k={i}" for i in range(k)], self.rows_shown, width,
                             "n,row,col \\ k")
        yield table
        if cut:
            yield _para(f"   ({cut})", Style(dim=True))
        if rows and k:
            i, y, x = r.row_labels[0]
            terms = " + ".join(f"{number(a)}*{number(b)}" for a, b in zip(r.columns[0][:4], r.kernel_matrix[0][:4]))
            more = " + ..." if depth > 4 else ""
            bias = f" + bias {number(r.bias[0])}" if r.has_bias else ""
            yield _para(f"   e.g. row ({i},{y},{x}), k=0: {terms}{more}{bias} = {number(r.product[0, 0])} "
                       f"= out[{i},0,{y},{x}]")
        yield Text("")

        yield _heading("4. reshape " + f"{_shape(shapes['product'])} -> {_shape(shapes['reshaped'])} "
                            f"(N, H', W', K) -> transpose{_shape((0, 3, 1, 2))} -> {_shape(shapes['output'])} (N, K, H', W')")
        yield from self._maps(r.output, width)
        yield Text(f"Same output as the window-by-window loop: max difference {r.loop_difference:.1e}.",
                   style="bold")
        yield Text(f"The cost: the column matrix holds {r.columns.size:,} numbers for an input of "
                   f"{n * c * h * w:,}; each input cell is copied once per window that covers it.", Style(dim=True))

    def _maps(self, output: np.ndarray, width: int) -> RenderResult:
        n, k, h_out, w_out = output.shape
        if max(h_out, w_out) > MAP_SIDE:
            yield _para(f"   (the {n * k} output maps of {h_out}x{w_out} are too large to print; "
                       "--json gives every value)", Style(dim=True))
            return
        shown = 0
        row = []
        for i in range(n):
            for kk in range(k):
                if shown >= 8:
                    break
                table = Table(title=f"out[{i},{kk}]", box=box.SQUARE, show_header=False, padding=(0, 1))
                for _ in range(w_out):
                    table.add_column(justify="right")
                for line in output[i, kk]:
                    table.add_row(*(number(v) for v in line))
                row.append(table)
                shown += 1
        yield Columns(row, padding=(0, 3))
        if n * k > shown:
            yield _para(f"   ({n * k - shown} more maps not shown; --json gives every value)", Style(dim=True))
