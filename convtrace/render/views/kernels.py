"""The `convtrace kernels` list: each named kernel with its values and what it shows in a picture."""

from __future__ import annotations

from rich.console import Console, ConsoleOptions, RenderResult

from ...source.presets import Preset
from ..toolkit.lines import Block, Line, blank, indent, prose, text
from ...text import number
from ..toolkit.styles import BOLD, DIM



def _matrix(preset: Preset) -> list[str]:
    """The values as rows of right-aligned numbers, fractions written as n/d when that is exact."""
    cells = [[_value(v) for v in row] for row in preset.values]
    w = max(len(c) for row in cells for c in row)
    return ["[ " + " ".join(f"{c:>{w}}" for c in row) + " ]" for row in cells]


def _value(v: float) -> str:
    for d in (9, 16):  # box3 and gauss3: show 1/9 and 2/16 rather than 0.111111
        if abs(v * d - round(v * d)) < 1e-12 and v != round(v):
            return f"{round(v * d)}/{d}"
    return number(v)


class KernelList:
    """Every preset: name, values, and what it detects; then how to use them."""

    def __init__(self, presets: list[Preset]):
        self.presets = presets

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        width = options.max_width
        yield prose("Named kernels for --kernels (comma-separated; each is copied into every input "
                    "channel, so K = the number of names). Values are used as written: the window "
                    "computes cross-correlation unless --flip.", width)
        yield blank()
        for preset in self.presets:
            rows = _matrix(preset)
            lines: list[Line] = [[(f"{preset.name:<10}", BOLD), ("  " + rows[0], None)]]
            lines += [[(" " * 10, None), ("  " + row, None)] for row in rows[1:]]
            yield Block(lines)
            yield indent(prose(preset.detects, width - 12, DIM), 12)
            yield blank()
        yield text("e.g. convtrace run --images photo.png --gray --size 32 --kernels sobel-x,sobel-y", DIM)
