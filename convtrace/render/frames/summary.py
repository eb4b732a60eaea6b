"""The summary printed before the first frame: shapes, padding per side, stride, dilation, flip, layout,
rank promotions, the output-size formulas and the rows or columns the floor drops."""

from __future__ import annotations

from rich.console import Console, ConsoleOptions, RenderResult
from rich.style import Style

from ...source.axis import Axis
from ...source.problem import IMAGE_AXES, KERNEL_AXES, OUTPUT_AXES, Problem
from ..toolkit.lines import Block, blank, prose, wrap
from ...text import number
from ..toolkit.styles import BOLD

KEY = Style(bold=True, color="cyan")
MAX_BIAS = 8  # bias values listed; longer lists are shortened


def shape_text(values) -> str:
    return "(" + ", ".join(str(v) for v in values) + ")"


def dropped_text(axis: Axis) -> str | None:
    """'row 4 is never reached by a window ...' for an axis whose last cells the floor drops, else None."""
    span = axis.dropped_range
    if span is None:
        return None
    first, stop = span
    last = stop - 1
    noun = "row" if axis.name == "H" else "column"
    cells = f"{noun} {first}" if first == last else f"{noun}s {first}..{last}"
    padding = ""
    if last >= axis.size:
        pad_first = max(first, axis.size)
        side = "bottom" if axis.name == "H" else "right"
        padding = f" ({side} padding from {pad_first} on)" if pad_first < last else f" ({pad_first} is {side} padding)"
    return (
        f"{cells}{padding} never reached by a window: with stride {axis.stride} the last window "
        f"ends before it, so the floor in {axis.name}' drops it"
    )


class ProblemSummary:
    """What is about to be traced, in the document's own terms."""

    def __init__(self, problem: Problem):
        self.problem = problem

    def rows(self) -> list[tuple[str, str]]:
        p = self.problem
        g = p.geometry
        (top, bottom), (left, right) = g.padding
        layout = p.layout
        nchw = layout == "NCHW"
        images = f"{shape_text(p.shape_in_layout(p.input_shape))} {IMAGE_AXES[layout]}"
        k, c, kh, kw = p.kernel_shape
        kernels = f"{shape_text((k, c, kh, kw) if nchw else (k, kh, kw, c))} {KERNEL_AXES[layout]}"
        output = f"{shape_text(p.shape_in_layout(p.output_shape))} {OUTPUT_AXES[layout]}"
        if not nchw:
            images += f", traced as {shape_text(p.input_shape)} {IMAGE_AXES['NCHW']}"
            kernels += f", traced as {shape_text(p.kernel_shape)} {KERNEL_AXES['NCHW']}"
            output += f", traced as {shape_text(p.output_shape)} {OUTPUT_AXES['NCHW']}"
        if p.kernel_names:  # named presets, each copied into every channel
            kernels += ": " + ", ".join(f"{i} {name}" for i, name in enumerate(p.kernel_names))
        if p.bias is None:
            bias = "none"
        else:
            values = [number(b) for b in p.bias.tolist()]
            more = f", ... ({len(values) - MAX_BIAS} more)" if len(values) > MAX_BIAS else ""
            bias = "[" + ", ".join(values[:MAX_BIAS]) + more + "], one per kernel, added once per output value"
        mode = {"explicit": "explicit"}.get(g.mode, f"mode {g.mode!r}")
        rows = [
            ("images", images),
            ("kernels", kernels),
            ("bias", bias),
            ("padding", f"{mode}: top {top}, bottom {bottom}, left {left}, right {right} (zeros)"),
            ("stride", f"{g.rows.stride} down, {g.cols.stride} across"),
            ("dilation", f"{g.rows.dilation} down, {g.cols.dilation} across (1 = no gaps)"
             + ("" if g.dilation == (1, 1) else f": each {kh}x{kw} kernel spreads over {g.rows.span}x{g.cols.span} cells")),
            ("flip", "on: true convolution, every kernel is rotated 180° before it slides" if p.flip
             else "off: cross-correlation, what CNN layers compute"),
            ("layout", layout + ("" if nchw else ": the trace works channel by channel (NCHW); "
                                 "positions are out[n,k,row,col], written back as out[n,row,col,k]")),
            ("output", output),
            ("", g.rows.out_formula()),
            ("", g.cols.out_formula()),
        ]
        n, kk, h, w = p.output_shape
        rows.append(("steps", f"{p.steps} window position{'s' * (p.steps != 1)} = N*K*H'*W' = {n}*{kk}*{h}*{w}"))
        for note in p.notes:
            rows.append(("promoted" if "rank" in note else "read", note))  # rank promotion, or how a picture was read
        for axis in (g.rows, g.cols):
            dropped = dropped_text(axis)
            if dropped:
                rows.append(("dropped", dropped))
        return rows

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        p = self.problem
        width = options.max_width
        if p.title:
            yield prose(p.title, width, BOLD)
        if p.description:
            yield prose(p.description, width, Style(italic=True))
        if p.title or p.description:
            yield blank()
        rows = self.rows()
        key_w = max(len(key) for key, _ in rows) + 2
        lines = []
        for key, value in rows:
            for i, part in enumerate(wrap(value, width - key_w, 2)):
                lines.append([(key.ljust(key_w) if i == 0 else " " * key_w, KEY), (part, None)])
        yield Block(lines)
        yield blank()
