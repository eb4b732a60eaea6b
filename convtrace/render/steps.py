"""The step view: one frame per engine `Step`. Every number comes from the event or the input.

A frame shows, top to bottom:

    header      step i of total, out[n,k,row,col] and its formula with the real indices
    shapes      (N,C,H,W) -> padded -> window (C,kh,kw) x kernel[k] -> sum -> (N,K,H',W')
    input       the padded image n, one grid per channel, the window's taps in [ ]
    products    per channel: window * kernel slice = products, and their sum
    sum         c0 + c1 + ... + bias = value
    output      the feature map (n, k) filling in, this step's cell in [ ]

The renderer decides only layout (which cells to mark, what fits on screen);
the values are the event's patch, kernel, products, partials, bias and value,
the problem's input images, and the values earlier events left in a Collector.
"""

from __future__ import annotations

from rich.console import Console, ConsoleOptions, RenderResult
from rich.style import Style

from ..engine.naive import Step
from ..source.problem import Problem
from ..engine.tracecheck import Collector
from . import grids
from .grids import CURRENT, EMPTY, PAD, PAD_TAP, PLAIN, TAP
from .lines import Block, blank, flow, hstack, indent, prose, text, vstack
from ..text import Numbers, shape, signed

RULE = Style(color="cyan", bold=True)
BOLD = Style(bold=True)
DIM = Style(dim=True)
NOTE = Style(italic=True, dim=True)

MAX_CHANNELS = 4  # channel grids drawn per frame; the rest are counted
MAX_ROWS = 12  # rows of the input grid and of the output map before the viewport cuts


def span_text(first: int, last: int) -> str:
    return str(first) if first == last else f"{first}..{last}"


class StepView:
    """Draws frames for one problem; keeps what every frame shares (formatted input images)."""

    def __init__(
        self,
        problem: Problem,
        collector: Collector | None = None,
        max_channels: int = MAX_CHANNELS,
        max_rows: int = MAX_ROWS,
        numbers: Numbers | None = None,
    ):
        self.problem = problem
        self.fmt = numbers or Numbers()  # how drawn values are written (--precision)
        self.collector = collector
        self.max_channels = max_channels
        self.max_rows = max(max_rows, 3)
        self._images: dict[int, tuple[list, int]] = {}
        self._map_key = None  # the feature map whose cells are kept (see map_cells)
        self._map_texts: list[str] = []
        self._map_done = 0
        self._map_width = 1
        self._map_cells: list[list[str]] = []
        self._map_cells_width = None

    def frame(self, step: Step) -> StepFrame:
        return StepFrame(self.problem, step, view=self)

    # ------------------------------------------------------------------ input images

    def padded_cells(self, n: int) -> tuple[list[list[list[str]]], int]:
        """Image n, padded, as ready-made cells ' v ' ([c][padded row][padded col]; ' · ' for padding) and their value width."""
        if n not in self._images:
            g = self.problem.geometry
            (top, bottom), (left, right) = g.padding
            data = [
                [[self.fmt(v) for v in row] for row in channel]
                for channel in self.problem.images[n, : self.max_channels].tolist()
            ]
            labels = [str(j) for j in range(max(g.cols.padded, g.rows.padded))]
            w = max(max(len(t) for channel in data for row in channel for t in row), max(len(t) for t in labels))
            pad = f" {grids.PAD_TEXT:>{w}} "
            channels = []
            for channel in data:
                pad_row = [pad] * g.cols.padded
                padded = [pad_row] * top
                padded += [[pad] * left + [f" {t:>{w}} " for t in row] + [pad] * right for row in channel]
                padded += [pad_row] * bottom
                channels.append(padded)
            self._images = {n: (channels, w)}  # one image at a time: memory stays flat
        return self._images[n]

    # ------------------------------------------------------------------ frame parts

    def header(self, s: Step, width: int) -> list[Block]:
        p = self.problem
        g = p.geometry
        kh, kw = g.kernel_size
        (sh, sw), (dh, dw) = g.stride, g.dilation
        title = f"── step {s.step} of 0..{p.steps - 1} ── out[{s.n},{s.k},{s.row},{s.col}] "
        if p.layout == "NHWC":
            title += f"(NHWC out[{s.n},{s.row},{s.col},{s.k}]) "
        if p.kernel_names:  # named presets (--kernels sobel-x,...): say which one slides here
            title += f"── kernel {s.k}: {p.kernel_names[s.k]} "
        rule = Block([[(title + "─" * max(width - len(title), 0), RULE)]])
        u = "u" if dh == 1 else f"{dh}u"
        v = "v" if dw == 1 else f"{dw}v"
        w_index = f"w[{s.k}, c, {kh - 1}-u, {kw - 1}-v]" if p.flip else f"w[{s.k}, c, u, v]"
        bias = f"b[{s.k}] + " if p.bias is not None else ""
        head = f"out[{s.n},{s.k},{s.row},{s.col}] = "
        formula = (
            f"{head}{bias}sum_c sum_u sum_v x_pad[{s.n}, c, {s.top}+{u}, {s.left}+{v}] * {w_index}"
            + ("" if p.bias is not None else "   (no\u00a0bias)")
        )
        c_count = p.images.shape[1]
        where = (
            f"c = {span_text(0, c_count - 1)}, u = {span_text(0, kh - 1)}, v = {span_text(0, kw - 1)};"
            f" window corner (top, left) = (row*{sh}, col*{sw}) = ({s.top}, {s.left})"
            + ("; flip: w is read rotated 180°" if p.flip else "")
        )
        return [rule, prose(formula, width, BOLD, len(head)), indent(prose(where, width - len(head), DIM), len(head))]

    def shapes(self, s: Step, width: int) -> Block:
        p = self.problem
        g = p.geometry
        n, c, h, w = p.input_shape
        (pt, pb), (pl, pr) = g.padding
        ph, pw = g.padded_size
        kh, kw = g.kernel_size
        padded = f"padded ({n},{c},{h}+{pt}+{pb},{w}+{pl}+{pr})"
        if (pt, pb, pl, pr) != (0, 0, 0, 0):
            padded += f" = ({n},{c},{ph},{pw})"
        span = "" if g.dilation == (1, 1) else f" [taps spread over {g.rows.span}x{g.cols.span}]"
        written = f", written as {shape(p.shape_in_layout(p.output_shape))} NHWC" if p.layout == "NHWC" else ""
        line = (
            f"shapes: images {shape(p.input_shape)} -> {padded} -> window ({c},{kh},{kw}){span} "
            f"x kernel[{s.k}] ({c},{kh},{kw}) -> sum -> out[{s.n},{s.k},{s.row},{s.col}] of {shape(p.output_shape)}{written}"
        )
        return prose(line, width, None, 8)

    def input_grids(self, s: Step, width: int, channels: range | None = None, max_rows: int | None = None,
                    caption: bool = True) -> Block:
        """The padded image s.n, one grid per channel (or those in `channels`), the window's taps bracketed.

        `max_rows` limits the grid's height (the viewport keeps the window in view); `caption`
        off leaves only the grids (the compact frame says the rest in its header).
        """
        p = self.problem
        g = p.geometry
        rows, cols = g.rows, g.cols
        (dh, dw) = g.dilation
        cells, w = self.padded_cells(s.n)
        n_channels = p.images.shape[1]
        shown = min(n_channels, self.max_channels)
        channels = range(shown) if channels is None else channels
        kh, kw = g.kernel_size
        patch = s.patch.tolist()

        # labels are padded coordinates, those of x_pad[n, c, top+u, left+v] in the formula above
        all_row_labels = [str(i) for i in range(rows.padded)]
        all_col_labels = [str(j) for j in range(cols.padded)]
        label_w = max(len(t) for t in all_row_labels)
        fit = grids.fitting_columns(cols.padded, w + 2, label_w, width)
        view_rows = grids.view_range(rows.padded, s.top, rows.span, max_rows or self.max_rows)
        view_cols = grids.view_range(cols.padded, s.left, cols.span, fit)
        cut = (
            view_rows.start > 0, view_rows.stop < rows.padded,
            view_cols.start > 0, view_cols.stop < cols.padded,
        )
        row_labels = [all_row_labels[i] for i in view_rows]
        col_labels = [all_col_labels[j] for j in view_cols]

        # the visible columns as runs of one kind: (first, stop, is padding, tap v or None)
        tap_cols = {s.left + v * dw: v for v in range(kw)}
        col_runs = []
        for j in view_cols:
            padding, v = cols.is_padding(j), tap_cols.get(j)
            if col_runs and v is None and col_runs[-1][3] is None and col_runs[-1][2] == padding:
                col_runs[-1][1] = j + 1
            else:
                col_runs.append([j, j + 1, padding, v])
        tap_rows = {s.top + u * dh: u for u in range(kh)}
        styles = grids.STYLES

        blocks = []
        for c in channels:
            image = cells[c]
            lines = []
            for i in view_rows:
                row_cells = image[i]
                u = tap_rows.get(i)
                pad_row = rows.is_padding(i)
                line = []
                for first, stop, padding, v in col_runs:
                    if v is not None and u is not None:
                        if pad_row or padding:
                            line.append((f"[{grids.PAD_TEXT:>{w}}]", styles[PAD_TAP]))
                        else:
                            line.append((f"[{self.fmt(patch[c][u][v]):>{w}}]", styles[TAP]))
                    else:
                        line.append(("".join(row_cells[first:stop]), styles[PAD if (pad_row or padding) else PLAIN]))
                lines.append(line)
            title = Block([[(f"c{c}", BOLD)]])
            blocks.append(vstack([title, grids.grid(lines, row_labels, col_labels, w, cut)]))
        if not caption:
            return flow(blocks, width, gap=4)
        ph, pw = g.padded_size
        taps = f"{kh}x{kw} taps"
        if g.dilation != (1, 1):
            taps += f", {dh} row{'s' * (dh > 1)} and {dw} column{'s' * (dw > 1)} apart (dilation)"
        caption = f"x_pad[{s.n}]: image {s.n} padded to {ph}x{pw}; [ ] = the window's {taps}"
        if rows.before or rows.after or cols.before or cols.after:
            caption += (f"; {grids.PAD_TEXT} = zero padding; rows and columns are counted in x_pad, "
                        f"where the input starts at ({rows.before}, {cols.before})")
        parts = [prose(caption, width, BOLD), flow(blocks, width, gap=4)]
        if any(cut):
            parts.append(prose(
                f"showing rows {row_labels[0]}..{row_labels[-1]}, columns {col_labels[0]}..{col_labels[-1]} "
                f"of {all_row_labels[0]}..{all_row_labels[-1]} x {all_col_labels[0]}..{all_col_labels[-1]} "
                f"({'⋮ …' if cut[0] or cut[1] else '…'} = cut)", width, NOTE))
        if n_channels > shown:
            parts.append(prose(f"... and {n_channels - shown} more channel{'s' * (n_channels - shown > 1)} (c{shown}..c{n_channels - 1}) not drawn", width, NOTE))
        return vstack(parts)

    def channel_products(self, s: Step, c: int) -> tuple[Block, Block, Block, str]:
        """Channel c's window, kernel slice and products as matrices, and 'sum v', its partial sum."""
        kernel_title = f"w[{s.k},{c}]" + (" rot180" if self.problem.flip else "")
        fmt, out = self.fmt, self.fmt.out
        window = grids.matrix([[fmt(x) for x in row] for row in s.patch[c].tolist()], f"c{c} window")
        kernel = grids.matrix([[fmt(x) for x in row] for row in s.kernel[c].tolist()], kernel_title)
        products = grids.matrix([[out(x) for x in row] for row in s.products[c].tolist()], "products")
        return window, kernel, products, f"sum {out(s.partials[c])}"

    def products_row(self, s: Step, c: int) -> list[Block]:
        """window * kernel = products  sum v, side by side (the sum beside the middle row)."""
        kh = self.problem.geometry.kernel_size[0]
        window, kernel, products, total = self.channel_products(s, c)
        partial = Block([[] for _ in range(1 + (kh - 1) // 2)] + [[(total, BOLD)]])
        return [window, grids.operator("*", kh), kernel, grids.operator("=", kh), products, partial]

    def products(self, s: Step, width: int) -> Block:
        """Per channel: window * kernel slice = products, and the channel's partial sum."""
        p = self.problem
        n_channels = p.images.shape[1]
        shown = min(n_channels, self.max_channels)
        blocks = []
        for c in range(shown):
            pieces = self.products_row(s, c)
            block = hstack(pieces, gap=1)
            # big kernels: let the matrices wrap under each other rather than be cut off
            blocks.append(block if block.width <= width else flow(pieces, width, gap=1))
        title = "window * kernel slice = products, summed per channel"
        parts = [text(title, BOLD)]
        if p.flip:
            parts.append(prose(f"flip is on: w[{s.k}] is shown rotated 180°, as the window uses it", width, NOTE))
        parts.append(flow(blocks, width, gap=4))
        if n_channels > shown:
            parts.append(prose(f"... and {n_channels - shown} more channel{'s' * (n_channels - shown > 1)}; all partial sums are listed below", width, NOTE))
        return vstack(parts)

    def total(self, s: Step, width: int) -> Block:
        """out = c0 + c1 + ... + bias, then the numbers, then the value; wrapped into chunks that fit."""
        labels = [f"c{c}" for c in range(len(s.partials))] + ["bias"]
        # negative terms in parentheses: '14 + (-2)' reads better than '14 + -2'
        values = [signed(self.fmt.out(x)) for x in s.partials.tolist()] + [signed(self.fmt(s.bias))]
        head = f"out[{s.n},{s.k},{s.row},{s.col}]"
        lead = len(head) + 3
        lines = []
        chunk_l, chunk_v, used = [], [], lead
        chunks = []
        for label, value in zip(labels, values):
            w = max(len(label), len(value))
            if chunk_l and used + w + 3 > width:
                chunks.append((chunk_l, chunk_v))
                chunk_l, chunk_v, used = [], [], lead
            chunk_l.append(label.rjust(w))
            chunk_v.append(value.rjust(w))
            used += w + 3
        chunks.append((chunk_l, chunk_v))
        for i, (chunk_l, chunk_v) in enumerate(chunks):
            first, last = i == 0, i == len(chunks) - 1
            start_l = f"{head} = " if first else " " * lead
            start_v = " " * (lead - 2) + "= " if first else " " * lead
            tail = "" if last else " +"
            lines.append([(start_l + " + ".join(chunk_l) + tail, None)])
            lines.append([(start_v + " + ".join(chunk_v) + tail, None)])
        lines.append([(" " * (lead - 2) + "= ", None), (self.fmt.out(s.value), Style(bold=True, reverse=True, color="green"))])
        return Block(lines)

    def map_cells(self, s: Step) -> tuple[list[list[str]], int]:
        """Cells ' v ' of feature map (s.n, s.k) for the positions before s, as earlier steps left them, and their width.

        Kept between frames: each value is formatted once, and the width only grows,
        so the map does not jitter while it fills in.
        """
        h_out, w_out = self.problem.geometry.out_size
        key = (s.n, s.k)
        if self._map_key != key:
            self._map_key, self._map_texts, self._map_done, self._map_width = key, [], 0, len(str(w_out - 1))
        texts = self._map_texts
        current = s.row * w_out + s.col
        if current > self._map_done and self.collector is not None:
            values = self.collector.values[s.n, s.k].reshape(-1)[self._map_done: current].tolist()
            texts.extend(self.fmt.out(x) for x in values)
            self._map_done = current
            self._map_width = max(self._map_width, max(len(t) for t in texts[-len(values):]))
        w = max(self._map_width, len(self.fmt.out(s.value)))
        if self._map_cells_width != (key, w, len(texts)):
            cells = [f" {t:>{w}} " for t in texts]
            self._map_cells = [cells[i * w_out: (i + 1) * w_out] for i in range(h_out)]
            self._map_cells_width = (key, w, len(texts))
        return self._map_cells, w

    def output_map(self, s: Step, width: int, max_rows: int | None = None, caption: bool = True) -> Block:
        """Feature map (s.n, s.k): cells computed before this step, this step's cell in [ ], the rest '.'.

        `caption` off leaves only the grid (a frame short of lines says it in fewer words).
        """
        h_out, w_out = self.problem.geometry.out_size
        cells, w = self.map_cells(s)
        value_text = self.fmt.out(s.value)
        view_rows = grids.view_range(h_out, s.row, 1, max_rows or self.max_rows)
        fit = grids.fitting_columns(w_out, w + 2, len(str(h_out - 1)), width)
        view_cols = grids.view_range(w_out, s.col, 1, fit)
        a, b = view_cols.start, view_cols.stop
        styles = grids.STYLES
        empty = f" {grids.EMPTY_TEXT:>{w}} "
        known = self.collector is not None
        lines = []
        for i in view_rows:
            if i > s.row or (i < s.row and not known):
                lines.append([(empty * (b - a), styles[EMPTY])])
            elif i < s.row:
                lines.append([("".join(cells[i][a:b]), None)])
            else:
                done = "".join(cells[i][a: s.col]) if known else empty * (s.col - a)
                lines.append([
                    (done, None if known else styles[EMPTY]),
                    (f"[{value_text:>{w}}]", styles[CURRENT]),
                    (empty * (b - s.col - 1), styles[EMPTY]),
                ])
        cut = (view_rows.start > 0, view_rows.stop < h_out, a > 0, b < w_out)
        block = grids.grid(lines, [str(i) for i in view_rows], [str(j) for j in view_cols], w, cut)
        if not caption:
            return block
        where = f"out[{s.n},{s.k}]: image {s.n}, kernel {s.k}, {h_out}x{w_out}; [ ] = this step, . = still to come"
        return vstack([prose(where, width, BOLD), block])

    def parts(self, s: Step, width: int) -> list:
        return [
            *self.header(s, width),
            self.shapes(s, width),
            blank(),
            self.input_grids(s, width),
            blank(),
            self.products(s, width),
            blank(),
            self.total(s, width),
            blank(),
            self.output_map(s, width),
            blank(),
        ]


class StepFrame:
    """One window position, drawn to fit the console width."""

    def __init__(self, problem: Problem, step: Step, collector: Collector | None = None, view: StepView | None = None):
        self.problem = problem
        self.step = step
        self.view = view or StepView(problem, collector)

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        # one block, turned into segments here: much faster than one Rich renderable per part
        yield from vstack(self.view.parts(self.step, options.max_width)).__rich_console__(console, options)
