"""Feature maps drawn as pictures in the terminal: one heatmap per map, each with its own scale.

In colour, every character is two map cells: "▀" painted with the upper
cell's colour in front and the lower cell's colour behind, so a 30 x 30 map
takes 30 columns and 15 lines. Rich sends true colour where the terminal has
it and the nearest of 256 or 16 colours elsewhere. Signed maps (an edge
detector's output) use a diverging palette: blue below zero, white at zero,
red above; maps of one sign use a dark-to-bright ramp. Without colour (a pipe,
NO_COLOR) each cell is a character from SHADES, low to high, and the scale
line says which character stands for which end. Every number shown (the
scale's min and max) comes from the MapPicture; colours and characters are layout.
"""

from __future__ import annotations

import math

from rich.color import Color
from rich.console import Console, ConsoleOptions, RenderResult
from rich.style import Style

from ...teach.feature_maps import MapPicture
from ..toolkit.lines import Block, Line, blank, flow, prose
from ...text import number
from ..toolkit.styles import BOLD, NOTE

UPPER_HALF = "▀"
SHADES = " .:-=+*#%@"  # no colour: low -> high, one character per cell
MISSING = "·"  # a cell not computed yet (the trace stopped early)
RAMP = [(68, 1, 84), (65, 68, 135), (42, 120, 142), (34, 168, 132), (122, 209, 81), (253, 231, 37)]
COLD, ZERO, HOT = (59, 76, 192), (242, 242, 242), (180, 4, 38)
BAR = 8  # cells in a scale bar


def _mix(a, b, t: float) -> tuple[int, int, int]:
    return tuple(round(x + (y - x) * t) for x, y in zip(a, b))


def colour(value: float, m: MapPicture) -> tuple[int, int, int] | None:
    """The colour of one cell on its map's own scale; None when it was not computed."""
    if math.isnan(value):
        return None
    if m.signed:  # zero is white whatever the range, so the sign can be read off the colour
        reach = max(-m.low, m.high)
        t = max(-1.0, min(1.0, value / reach))
        return _mix(ZERO, HOT, t) if t >= 0 else _mix(ZERO, COLD, -t)
    t = 0.0 if m.high <= m.low else (value - m.low) / (m.high - m.low)
    position = max(0.0, min(1.0, t)) * (len(RAMP) - 1)
    i = min(int(position), len(RAMP) - 2)
    return _mix(RAMP[i], RAMP[i + 1], position - i)


def shade(value: float, m: MapPicture) -> str:
    """The character of one cell without colour: SHADES from its map's min to max."""
    if math.isnan(value):
        return MISSING
    if m.high <= m.low:
        return SHADES[len(SHADES) // 2]
    t = (value - m.low) / (m.high - m.low)
    return SHADES[max(0, min(len(SHADES) - 1, int(t * len(SHADES))))]


def _style(top, bottom) -> Style:
    fg = Color.from_rgb(*top) if top else None
    bg = Color.from_rgb(*bottom) if bottom else None
    return Style(color=fg, bgcolor=bg)


class Heatmaps:
    """Maps side by side as heatmaps, each titled and with a scale line showing its own min and max.

    Large maps are thinned (every s-th row and column) to fit the width and
    the height; a note says so.
    """

    def __init__(self, maps: list[MapPicture], heading: str | None = None):
        self.maps = maps
        self.heading = heading

    def _step(self, m: MapPicture, width: int, height: int, lines_per_cell: float, cells_per_col: int) -> int:
        h, w = m.values.shape
        across = math.ceil(w * cells_per_col / max(width, 1))
        down = math.ceil(h * lines_per_cell / max(height, 1))
        return max(1, across, down)

    def _colour_block(self, m: MapPicture, step: int) -> list[Line]:
        values = m.values[::step, ::step].tolist()
        lines: list[Line] = []
        for r in range(0, len(values), 2):
            top_row = values[r]
            bottom_row = values[r + 1] if r + 1 < len(values) else None
            line: Line = []
            for c, top in enumerate(top_row):
                bottom = bottom_row[c] if bottom_row is not None else float("nan")
                line.append((UPPER_HALF, _style(colour(top, m), colour(bottom, m))))
            lines.append(line)
        return lines

    def _plain_block(self, m: MapPicture, step: int, doubled: bool) -> list[Line]:
        values = m.values[::step, ::step].tolist()
        repeat = 2 if doubled else 1
        return [[("".join(shade(v, m) * repeat for v in row), None)] for row in values]

    def _scale(self, m: MapPicture, coloured: bool) -> list[Line]:
        low, high = number(m.low), number(m.high)
        if not coloured:
            zero = f", 0 is '{shade(0.0, m)}'" if m.signed else ""
            return [[(f"min {low} '{SHADES[0]}' .. '{SHADES[-1]}' max {high}{zero}", None)]]
        bar: Line = []
        for i in range(BAR):
            value = m.low + (m.high - m.low) * (i + 0.5) / BAR
            bar.append((" ", Style(bgcolor=Color.from_rgb(*colour(value, m)))))
        return [[(f"min {low} ", None), *bar, (f" max {high}", None)]]

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        coloured = console.color_system is not None and not console.no_color
        width = options.max_width
        # a terminal shows one screen at a time; a file or pipe can take the whole map
        height = max(8, (options.height or console.height or 24) - 6) if console.is_terminal else 10**6
        blocks, thinned = [], []
        for m in self.maps:
            h, w = m.values.shape
            doubled = not coloured and 2 * w <= width  # two characters per cell keep the map's shape
            step = self._step(m, width, height, 0.5 if coloured else 1, 2 if doubled else 1)
            if step > 1:
                thinned.append(f"{m.title}: 1 in {step} rows and columns of {h}x{w}")
            body = self._colour_block(m, step) if coloured else self._plain_block(m, step, doubled)
            lines = [[(m.title, BOLD)], *body, *self._scale(m, coloured)]
            blocks.append(Block(lines))
        if self.heading:
            yield prose(self.heading, width, BOLD)
        if coloured and any(m.signed for m in self.maps):
            yield prose("maps with values of both signs: blue below 0, white at 0, red above", width, NOTE)
        if not coloured:
            yield prose(f"each cell is a character from '{SHADES}', its map's min to max"
                        f"{'; ' + MISSING + ' = not computed yet' if any(_has_nan(m) for m in self.maps) else ''}",
                        width, NOTE)
        yield flow(blocks, width, gap=3)
        if thinned:
            yield prose("too large to draw whole, so thinned: " + "; ".join(thinned), width, NOTE)
        yield blank()


def _has_nan(m: MapPicture) -> bool:
    return any(math.isnan(v) for row in m.values.tolist() for v in row)
