"""Rich view of `convtrace compare`: a table of the runs and their output maps side by side. Nothing here computes."""

from __future__ import annotations

from rich import box
from rich.console import Console, ConsoleOptions, RenderResult
from rich.table import Table
from rich.text import Text

from ...teach.compare import Comparison
from ...teach.explain import MAP_LIMIT
from ...teach.feature_maps import map_pictures
from .explain_parts import map_table, side_by_side
from ..frames.heatmap import Heatmaps


class CompareView:
    """Runs of one problem: mode, stride, padding per side, output shape, formula; then one map per run."""

    def __init__(self, comparison: Comparison, image: int = 0, kernel: int = 0):
        self.c = comparison
        self.image = image
        self.kernel = kernel

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        p = self.c.problem
        n, ch, h, w = p.input_shape
        k, _, kh, kw = p.kernel_shape
        dh, dw = p.geometry.dilation
        yield Text.assemble(
            ("convtrace compare", "bold"),
            f": images {n}x{ch}x{h}x{w}, kernels {k}x{ch}x{kh}x{kw} (NCHW), dilation "
            f"{dh if dh == dw else f'{dh},{dw}'}{', flip' if p.flip else ''}",
        )
        table = Table(box=box.SIMPLE_HEAD, show_edge=False, padding=(0, 1), header_style="bold")
        for name, justify in (("mode", "left"), ("stride", "right"), ("pad t,b,l,r", "left"),
                              ("output N,K,H',W'", "right"), ("input dropped", "right"), ("pad unread", "right")):
            table.add_column(name, justify=justify)
        for r in self.c.runs:
            if r.error:
                table.add_row(r.mode, str(r.stride), "-", "none", "-", "-")
                continue
            (top, bottom), (left, right) = r.geometry.padding
            table.add_row(r.mode, str(r.stride), f"{top},{bottom},{left},{right}",
                          ",".join(map(str, r.output.shape)),
                          _pair(r.dropped_input), _pair(r.unread_padding))
        yield table
        yield Text("input dropped: input rows,cols the floor leaves unread (data lost); pad unread: "
                   "zero-padding rows,cols past the last window (nothing lost).", style="dim")
        yield Text("")
        yield Text("Output size per run:")
        for r in self.c.runs:
            label = f"  {r.mode:<5} s={r.stride}  "
            if r.error:
                yield Text(label + r.error)
                continue
            for line in r.formulas:
                yield Text(label + line)
                label = " " * len(label)

        maps, skipped = [], []
        for r in self.c.runs:
            if r.error:
                continue
            h_out, w_out = r.output.shape[2:]
            title = f"{r.mode} s={r.stride}"
            if max(h_out, w_out) > MAP_LIMIT or p.pictures:  # too many numbers to read: draw it as a picture
                skipped.extend(map_pictures(p, r.output, [(self.image, self.kernel)], prefix=title + " "))
                continue
            maps.append(map_table(r.output[self.image, self.kernel], title, r.touches_padding))
        yield Text("")
        yield Text(f"Output maps of image {self.image}, kernel {self.kernel} "
                   f"([ ] = the window reads padding zeros, so the value depends on the mode):")
        yield from side_by_side(maps, console, options)
        if skipped:
            yield Text("As pictures (too many numbers to print; --json has every value):")
            yield Heatmaps(skipped)
        yield Text("Unmarked values come from windows entirely inside the input: such a window gives the "
                   "same number in every mode, only its place in the map moves (and a stride skips some).",
                   style="dim")


def _pair(values: tuple[int, int]) -> str:
    return f"{values[0]},{values[1]}"
