"""Rich view of `convtrace run --method winograd`: one 2x2 output tile by F(2x2, 3x3).

It draws the engine's `WinogradTile` record (engine/winograd.py): the input
tile d, B^T d B, the kernel g and G g G^T, the 16 products of each channel,
their sum m over the channels, A^T m A and the loop's outputs beside it.
Nothing here computes: every number comes from the record.
"""

from __future__ import annotations

import numpy as np
from rich.console import Console, ConsoleOptions, RenderResult
from rich.text import Text

from ...engine.winograd import AT, BT, DIRECT_MULTIPLICATIONS, G, MULTIPLICATIONS, WinogradTile
from ...source.problem import Problem
from ..toolkit.grids import matrix, operator
from ..toolkit.lines import Block, flow, hstack
from ...text import number

CHANNELS_SHOWN = 3  # channels drawn one by one; the rest are only summed


def grid(values: np.ndarray, title: str) -> Block:
    """A matrix of numbers under a title; NaN (an output past the edge) is shown as '-'."""
    return matrix([["-" if np.isnan(v) else number(v) for v in row] for row in values], title)


def equation(*parts) -> Block:
    """Matrices and operators side by side: equation(grid(...), "=", grid(...))."""
    tallest = max(b.height for b in parts if isinstance(b, Block)) - 1  # rows under the titles
    return hstack([operator(f" {b} ", tallest) if isinstance(b, str) else b for b in parts], gap=0)


class WinogradView:
    """F(2x2, 3x3) on one tile, step by step, for one Problem."""

    def __init__(self, problem: Problem, tile: WinogradTile):
        self.problem = problem
        self.t = tile

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        p, t = self.problem, self.t
        width = options.max_width
        c = t.d.shape[0]
        h_out, w_out = p.geometry.out_size
        if p.title:
            yield Text(p.title, style="bold")
        yield Text.assemble(("Winograd F(2x2, 3x3)", "bold"), f": a 2x2 block of outputs from {MULTIPLICATIONS} "
                            f"multiplications per channel instead of {DIRECT_MULTIPLICATIONS}")
        yield Text(f"tile: outputs out[{t.n},{t.k},{t.row}:{t.row + 2},{t.col}:{t.col + 2}], reading the 4x4 "
                   f"padded-input cells rows {t.row}..{t.row + 3}, columns {t.col}..{t.col + 3} of image {t.n}; "
                   f"kernel {t.k}" + (" (rotated 180 degrees: flip is on)" if p.flip else ""))
        yield Text("Y = A^T [ (G g G^T) * (B^T d B) ] A   (* multiplies element by element; the fixed "
                   "matrices hold only 0, +-1 and 1/2):")
        yield flow([grid(BT, "B^T (4x4)"), grid(G, "G (4x3)"), grid(AT, "A^T (2x4)")], width)
        yield Text("")
        for ch in range(min(c, CHANNELS_SHOWN)):
            label = f"channel {ch}" if c > 1 else "the channel"
            yield Text.assemble((f"{label}: ", "bold"), "transform the tile and the kernel, then 16 products")
            yield flow([
                equation(grid(t.d[ch], "d"), "->", grid(t.v[ch], "V = B^T d B")),
                equation(grid(t.g[ch], "g"), "->", grid(t.u[ch], "U = G g G^T")),
                equation(grid(t.u[ch], "U"), "*", grid(t.v[ch], "V"), "=", grid(t.products[ch], "U * V")),
            ], width, gap=4)
            yield Text("")
        if c > CHANNELS_SHOWN:
            yield Text(f"({c - CHANNELS_SHOWN} more channels, each with its own 16 products, not drawn)", style="dim")
        sums = " + ".join(f"U*V[{ch}]" for ch in range(min(c, 4))) + (" + ..." if c > 4 else "")
        yield Text.assemble(("sum over the channels", "bold"), f": m = {sums}" if c > 1 else ": m = U * V (one channel)")
        bias = f" + bias {number(t.bias)}" if p.bias is not None else ""
        yield flow([
            grid(t.m, "m (4x4)"),
            equation(grid(t.y, f"Y = A^T m A{bias}"), "vs", grid(t.loop, "the loop's outputs")),
        ], width, gap=4)
        if np.isnan(t.loop).any():
            yield Text(f"('-': the tile reaches past the output's last row or column (H' x W' = {h_out}x{w_out}); "
                       "that cell is computed from zero padding and thrown away)", style="dim")
        yield Text(f"Same outputs as the window-by-window loop: max difference {t.difference:.1e}.", style="bold")
        yield Text(f"Multiplications for these 4 outputs: {t.multiplications} ({MULTIPLICATIONS} x {c} channels) "
                   f"instead of the loop's {t.direct_multiplications} ({DIRECT_MULTIPLICATIONS} x {c}); the "
                   f"kernel transform is done once per kernel, the additions of the transforms are cheap.",
                   style="dim")
