"""The end of a trace: every output feature map, shaded low -> high, and whether the trace agrees
with the vectorized engine. The values are those the trace's steps produced (a Collector)."""

from __future__ import annotations

from rich.color import Color
from rich.console import Console, ConsoleOptions, RenderResult
from rich.style import Style

from ...source.problem import OUTPUT_AXES, Problem
from ...engine.tracecheck import Agreement, Collector
from ...teach.feature_maps import map_pictures
from ..toolkit import grids
from .heatmap import Heatmaps
from ..toolkit.grids import EMPTY, LABEL, STYLES
from ..toolkit.lines import Block, Line, Paragraph, blank, flow, prose, text, vstack
from ...text import number
from ..toolkit.styles import BOLD, NOTE

MAX_MAPS = 16  # feature maps drawn; more are counted
MAX_ROWS = 32  # rows of one map drawn; a bigger map shows its top-left corner and says so

# a dark-to-bright ramp (close to viridis) for the cells of maps small enough to print as numbers
RAMP = [(68, 1, 84), (65, 68, 135), (42, 120, 142), (34, 168, 132), (122, 209, 81), (253, 231, 37)]


def _shade_styles(levels: int) -> list[Style]:
    styles = []
    for i in range(levels):
        r, g, b = RAMP[i * (len(RAMP) - 1) // max(levels - 1, 1)]
        dark = (r * 299 + g * 587 + b * 114) // 1000 < 128
        styles.append(Style(bgcolor=Color.from_rgb(r, g, b), color="white" if dark else "black"))
    return styles


SHADES = _shade_styles(len(RAMP))
EMPTY_STYLE = STYLES[EMPTY]


def level(value: float, low: float, high: float, levels: int) -> int:
    """Which of `levels` shades a value gets between the smallest and largest output (layout, not arithmetic on results)."""
    if high <= low:
        return levels - 1
    return min(int((value - low) / (high - low) * levels), levels - 1)


class FeatureMaps:
    """Every output feature map (n, k) as a grid of the traced values, with heatmap shading.

    Cells the trace has not reached (after --limit) are '.'. When numbers do
    not fit the width, or the input is a picture, the maps are drawn as
    heatmaps instead (render/frames/heatmap.py), each on its own scale.
    """

    def __init__(self, problem: Problem, collector: Collector, agreement: Agreement | None = None, fmt=number):
        self.problem = problem
        self.fmt = fmt  # how a cell's value is written (--precision)
        self.collector = collector
        self.agreement = agreement

    def _range(self) -> tuple[float, float]:
        done = self.collector.values.reshape(-1)[: self.collector.count]
        if done.size == 0:
            return 0.0, 0.0
        return float(done.min()), float(done.max())

    def _map(self, n: int, k: int, low: float, high: float, cell_width: int, h_out: int, w_out: int) -> Block:
        """The top-left h_out x w_out cells of map (n, k)."""
        collector = self.collector
        full_w = collector.shape[3]
        values = collector.values[n, k].tolist()
        first = collector.index(n, k, 0, 0)
        w = cell_width
        row_labels = [str(i) for i in range(h_out)]
        label_w = len(row_labels[-1])
        header = "".join(f" {j:>{w}} " for j in range(w_out))
        lines: list[Line] = [[(" " * (label_w + 1), None), (header, LABEL)]]
        for i, label in enumerate(row_labels):
            line: Line = [(f"{label:>{label_w}} ", LABEL)]
            for j in range(w_out):
                if first + i * full_w + j >= collector.count:
                    line.append((f" {grids.EMPTY_TEXT:>{w}} ", EMPTY_STYLE))
                    continue
                value = values[i][j]
                style = SHADES[level(value, low, high, len(SHADES))]
                line.append((f" {self.fmt(value):>{w}} ", style))
            lines.append(line)
        grid = Block(lines, label_w + 1 + w_out * (w + 2))
        title = f"out[{n},{k}]" if self.problem.layout == "NCHW" else f"out[{n},:,:,{k}]"
        return vstack([text(title, BOLD), grid])

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        p = self.problem
        collector = self.collector
        n_images, n_kernels, h_out, w_out = collector.shape
        width = options.max_width
        low, high = self._range()
        done = collector.values.reshape(-1)[: collector.count].tolist()
        cell_width = max([len(self.fmt(v)) for v in done] + [len(str(w_out - 1)), 1])
        label_w = len(str(h_out - 1))
        too_wide = label_w + 1 + w_out * (cell_width + 2) > width
        # big maps: draw the top-left corner that fits (the rest is in --json)
        rows_shown = min(h_out, MAX_ROWS)
        cols_shown = min(w_out, max(1, (width - label_w - 1) // (cell_width + 2)))
        # only maps the trace reached (after --limit, the rest are all '.')
        reached = [(n, k) for n in range(n_images) for k in range(n_kernels)
                   if collector.index(n, k, 0, 0) < collector.count]
        pairs = reached[:MAX_MAPS]
        shape = "(" + ", ".join(str(v) for v in p.shape_in_layout(p.output_shape)) + ")"
        if too_wide or p.pictures:  # numbers do not fit, or the input is a picture: draw the maps as pictures
            yield prose(f"output feature maps {shape} {OUTPUT_AXES[p.layout]}, from the traced values, "
                        f"each on its own scale (exact numbers: --json)", width, BOLD)
            yield Heatmaps(map_pictures(p, collector.traced(), pairs))
            yield from self._notes(reached, pairs, width)
            return
        # one row of maps per image: across are the kernels (output channels)
        rows = [
            flow([self._map(n, k, low, high, cell_width, rows_shown, cols_shown)
                  for nn, k in pairs if nn == n], width, gap=4)
            for n in range(n_images) if any(nn == n for nn, _ in pairs)
        ]

        yield prose(f"output feature maps {shape} {OUTPUT_AXES[p.layout]}, from the traced values", width, BOLD)
        scale = f"shading from {number(low)} (darkest) to {number(high)} (brightest)"
        yield prose(scale, width, NOTE)
        yield vstack(rows, gap=1)
        if (rows_shown, cols_shown) != (h_out, w_out):
            yield prose(f"each map shows its rows 0..{rows_shown - 1} and columns 0..{cols_shown - 1} "
                        f"of {h_out} x {w_out}; see every value with --json", width, NOTE)
        yield from self._notes(reached, pairs, width)

    def _notes(self, reached, pairs, width: int) -> RenderResult:
        """What was left out, and whether the trace agrees with the vectorized engine."""
        collector = self.collector
        n_images, n_kernels = collector.shape[:2]
        if len(reached) > len(pairs):
            yield prose(f"... and {len(reached) - len(pairs)} more feature maps; see them all with --json", width, NOTE)
        if len(reached) < n_images * n_kernels:
            yield prose(f"{n_images * n_kernels - len(reached)} feature maps not reached by the trace are not drawn",
                        width, NOTE)
        if collector.count < collector.total:
            yield prose(f"{collector.count} of {collector.total} values traced; '.' = not traced (raise --limit to see more)", width, NOTE)
        if self.agreement is not None:
            yield blank()
            yield agreement_line(self.agreement)
        yield blank()


def agreement_line(a: Agreement) -> Paragraph:
    """One line: does the trace agree with the vectorized engine, and by how much."""
    if a.compared == a.total:
        over = "the one value" if a.total == 1 else f"all {a.total} values"
    else:
        over = f"the {a.compared} value{'s' * (a.compared != 1)} traced (of {a.total})"
    if a.compared == 0:
        return Paragraph("no window positions were traced, so there is nothing to compare", NOTE)
    if a.agrees:
        return Paragraph(
            f"the trace agrees with the vectorized engine: max |difference| = "
            f"{number(a.max_difference)} over {over}",
            Style(bold=True, color="green"),
        )
    return text(
        f"the trace DISAGREES with the vectorized engine: max |difference| = "
        f"{number(a.max_difference)} over {over}, more than rounding explains ({number(a.tolerance)})",
        Style(bold=True, color="red"),
    )
