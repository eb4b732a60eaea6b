"""The step view: one frame per engine `Step`. Every number comes from the event or the input.

A frame shows, top to bottom:

    header      step i of total, out[n,k,row,col] and its formula with the real indices
    shapes      (N,C,H,W) -> padded -> window (C,kh,kw) x kernel[k] -> sum -> (N,K,H',W')
    input       the padded image n, one grid per channel, the window's taps in [ ]   (step_input.py)
    products    per channel: window * kernel slice = products, and their sum     (step_products.py)
    sum         c0 + c1 + ... + bias = value                                     (step_products.py)
    output      the feature map (n, k) filling in, this step's cell in [ ]       (step_map.py)

The header and the shape flow are drawn here; StepView puts the parts together.

The renderer decides only layout (which cells to mark, what fits on screen);
the values are the event's patch, kernel, products, partials, bias and value,
the problem's input images, and the values earlier events left in a Collector.
"""

from __future__ import annotations

from rich.console import Console, ConsoleOptions, RenderResult

from ...engine.naive import Step
from ...source.problem import Problem
from ...engine.tracecheck import Collector
from ..toolkit.lines import Block, blank, indent, prose, vstack
from .step_input import InputGrids
from .step_map import OutputMap
from .step_products import StepProducts
from ...text import Numbers, shape
from ..toolkit.styles import BOLD, DIM, RULE


MAX_CHANNELS = 4  # channel grids drawn per frame; the rest are counted
MAX_ROWS = 12  # rows of the input grid and of the output map before the viewport cuts


def span_text(first: int, last: int) -> str:
    return str(first) if first == last else f"{first}..{last}"


class StepView(InputGrids, StepProducts, OutputMap):
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
