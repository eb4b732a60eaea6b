"""Rich view of `convtrace run --method fft`: one channel pair convolved through the frequency domain.

It draws the engine's `FftPair` record (engine/fft.py): the padded image channel
and the rotated kernel in their grids of zeros, both spectra, their product,
the inverse transform and the cropped result beside the loop's per-channel
partial sums. Nothing here computes: every number comes from the record.
"""

from __future__ import annotations

import numpy as np
from rich.console import Console, ConsoleOptions, RenderResult
from rich.text import Text

from ...engine.fft import FftPair
from ...source.problem import Problem
from ..toolkit.grids import matrix
from ..toolkit.lines import flow
from ...text import number
from .winograd import equation

SIDE_SHOWN = 8  # rows and columns of a grid drawn; larger grids are cut with '…'


def part_text(value: float, size: float) -> str:
    """One real or imaginary part, 4 significant digits; FFT rounding noise (1e-16 next to 1) shows as 0."""
    if abs(value) < 1e-9 * max(1.0, size):
        return "0"
    return number(float(f"{value:.4g}"))


def complex_text(z: complex) -> str:
    """(3+0j) -> '3', (1.5-2j) -> '1.5-2i', -2j -> '-2i': short, and exact-looking for small integers."""
    size = abs(z)
    re, im = part_text(z.real, size), part_text(abs(z.imag), size)
    if im == "0":
        return re
    sign = "-" if z.imag < 0 else "+"
    if re == "0":
        return f"{'-' if sign == '-' else ''}{im}i"
    return f"{re}{sign}{im}i"


def cut(values: np.ndarray, to_text, width: int) -> list[list[str]]:
    """Cell texts, cut to SIDE_SHOWN rows and to the columns that fit `width` ('…' and '⋮' mark the rest)."""
    texts = [[to_text(v) for v in row] for row in values[:SIDE_SHOWN]]
    cell = max((len(t) for row in texts for t in row), default=1)
    fits = max(1, min(SIDE_SHOWN, (width - 6) // (cell + 1)))
    rows = [row[:fits] + (["…"] if len(row) > fits else []) for row in texts]
    if len(values) > SIDE_SHOWN:
        rows.append(["⋮"] + [""] * (len(rows[0]) - 1))
    return rows


def spectrum(values: np.ndarray, title: str, width: int):
    return matrix(cut(values, complex_text, width), title)


def real_grid(values: np.ndarray, title: str, width: int):
    return matrix(cut(values, lambda v: part_text(v, abs(v)), width), title)


class FftView:
    """FFT convolution of one image channel with one kernel channel."""

    def __init__(self, problem: Problem, pair: FftPair):
        self.problem = problem
        self.r = pair

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        p, r = self.problem, self.r
        width = options.max_width
        l1, l2 = r.size
        hp, wp = p.geometry.padded_size
        h_out, w_out = p.geometry.out_size
        r0, c0 = r.crop_start
        (sh, sw) = p.geometry.stride
        if p.title:
            yield Text(p.title, style="bold")
        yield Text.assemble(("FFT convolution", "bold"), ": multiply the spectra frequency by frequency, "
                            "transform back, crop")
        yield Text(f"image {r.n}, channel {r.c} with kernel {r.k}, channel {r.c}; grid {l1}x{l2} "
                   f"(at least the padded input {hp}x{wp}, sizes with factors 2, 3, 5 are fast)")
        yield Text("")
        rotated = "not rotated: flip is on, so this is already a convolution" if p.flip else "rotated 180 degrees"
        yield Text.assemble(("1. into grids of zeros", "bold"),
                            f": the padded image, and the kernel {rotated} (a layer correlates; "
                            "the convolution theorem is about convolution)")
        half = (width - 4) // 2  # two grids side by side when they fit
        yield flow([real_grid(r.x, f"x ({l1}x{l2})", half), real_grid(r.w, f"w ({l1}x{l2})", half)], width, gap=4)
        yield Text("")
        yield Text.assemble(("2. spectra", "bold"), f": X = FFT2(x), W = FFT2(w), {l1}x{l2 // 2 + 1} complex "
                            f"numbers each (i = sqrt(-1); the remaining columns of a full FFT mirror these)")
        yield flow([spectrum(r.x_hat, "X", half), spectrum(r.w_hat, "W", half)], width, gap=4)
        yield Text("")
        yield Text.assemble(("3. pointwise product", "bold"), f": P = X * W, {r.product.size} complex "
                            "multiplications, one per frequency, whatever the kernel size")
        yield spectrum(r.product, "P = X * W", width)
        yield Text("")
        yield Text.assemble(("4. back", "bold"), f": z = inverse FFT2(P), a circular convolution ({l1}x{l2}); "
                            f"cells from ({r0}, {c0}) on read no wrapped-around cells")
        stride = f", every {sh}th row and {sw}th column" if (sh, sw) != (1, 1) else ""
        yield flow([
            real_grid(r.circular, "z", half),
            equation(real_grid(r.cropped, f"z[{r0}:, {c0}:]{stride} ({h_out}x{w_out})", half // 2), "vs",
                     matrix(cut(r.loop, number, half // 2), f"the loop's channel-{r.c} sums")),
        ], width, gap=4)
        yield Text(f"Same as the window-by-window loop's partial sums for channel {r.c}: max difference "
                   f"{r.difference:.1e}.", style="bold")
        c = p.input_shape[1]
        if c > 1:
            yield Text(f"out[{r.n},{r.k}] is the sum of the {c} channels' results plus the bias: the engine adds "
                       "the products P over the channels before transforming back, once per output map.",
                       style="dim")
