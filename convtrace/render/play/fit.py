"""Frames that fit the screen they are drawn on: full, medium or compact, chosen by the terminal's size.

    full     the whole step view (render/frames/steps.py): formula, shape flow, every channel
    medium   the formula and shape flow, every channel's grid and products, the sum beside the map
    compact  one channel at a time (the player's `c` key picks it): its grid with the window
             beside window * kernel = products, then the sum and the output map (80x24 fits)
    tall     compact for big kernels (7x7, 9x9 at 80x24, render/play/fit_tall.py): the grid, the sum and
             the map in one column, the kernel slice over the products in the other

`fitted_frame` tries them in that order and shrinks the grids' viewport (the
window stays in view) until the frame fits `height` lines; a frame that fits
nowhere is handed over whole, for the player to scroll. Only layout is
decided here; every number comes from the Step and the view's collector.
"""

from __future__ import annotations

from ...engine.naive import Step
from ..toolkit import grids
from ..toolkit.lines import Block, crop, hstack, prose, text, vstack
from .fit_tall import fitted_tall_frame, window_columns
from ..frames.steps import BOLD, DIM, RULE, StepView

VIEWS = ("auto", "full", "compact")


def fitted_frame(view: StepView, s: Step, width: int, height: int | None, mode: str = "auto",
                 channel: int = 0) -> Block:
    """The richest frame for step `s` that fits width x height (height None: no limit, the full view)."""
    if mode == "full" or (mode == "auto" and height is None):
        return vstack(view.parts(s, width))
    if mode == "auto":
        full = vstack(view.parts(s, width))
        if full.height <= height:
            return full
        for shapes in (True, False):  # the shape flow goes first when room is short
            for rows in _row_limits(view, s):
                medium = medium_frame(view, s, width, rows, shapes)
                if medium.height <= height and medium.width <= width:
                    return medium
    block = None
    for formula in (True, False):  # the formula line is the first thing a small screen gives up
        for rows in _row_limits(view, s):
            block = compact_frame(view, s, width, rows, channel, formula)
            if height is None or (block.height <= height and _window_shown(view, s, width, channel)):
                return block
    # big kernels (7x7 and up at 80x24): the kernel slice and products beside the grid, the sum and map under it
    channel = min(channel, view.problem.images.shape[1] - 1, view.max_channels - 1)
    head = [header_line(view, s, width, channel), legend(view, s, width)]
    tall = fitted_tall_frame(view, s, width, height, channel, head, _row_limits(view, s))
    # nothing fits (numbers too wide for the window to fit beside the kernel): the whole compact frame,
    # which the player scrolls (its footer says '↓ more'), rather than lines silently left out
    return tall if tall is not None else block


def _window_shown(view: StepView, s: Step, width: int, channel: int) -> bool:
    """False when the compact frame's grid had to cut the window's own columns (a kernel too wide beside it)."""
    right = products_column(view, s, min(channel, view.problem.images.shape[1] - 1, view.max_channels - 1))
    room = width - right.width - 3
    return room < 16 or window_columns(view, s, room) >= view.problem.geometry.cols.span


def _row_limits(view: StepView, s: Step) -> list[int]:
    """Grid heights to try, largest first: down to the window's own rows (it must stay in view)."""
    span = view.problem.geometry.rows.span
    top = max(view.max_rows, span)
    return list(range(top, span - 1, -1)) or [span]


def header_line(view: StepView, s: Step, width: int, channel: int | None) -> Block:
    """'step 5 of 0..17  out[0,0,1,2]  image 0, kernel 0, channel c1 of c0..c1' as one rule line."""
    p = view.problem
    c_count = p.images.shape[1]
    title = f"step {s.step} of 0..{p.steps - 1}  out[{s.n},{s.k},{s.row},{s.col}]"
    where = f"  image {s.n}, kernel {s.k}"
    if channel is not None and c_count > 1:
        where += f", channel c{channel} of c0..c{c_count - 1}"
    line = f"── {title}{where} "
    return Block([[(line + "─" * max(width - len(line), 0), RULE)]]) if len(line) <= width else prose(line, width, RULE)


def legend(view: StepView, s: Step, width: int) -> Block:
    """What the grid shows, once: x_pad coordinates, where the input starts, the marks."""
    g = view.problem.geometry
    rows, cols = g.rows, g.cols
    ph, pw = g.padded_size
    padded = rows.before or rows.after or cols.before or cols.after
    where = (f"x_pad[{s.n}] {ph}x{pw} in padded coordinates: the input starts at ({rows.before}, {cols.before}); "
             f"[ ] window, {grids.PAD_TEXT} padding") if padded else f"x[{s.n}] (no padding); [ ] = the window"
    return prose(where, width, DIM)


def products_column(view: StepView, s: Step, c: int) -> Block:
    """window * kernel over = products, sum: two rows of matrices for channel c."""
    window, kernel, products, total = view.channel_products(s, c)
    kh = len(s.patch[c])
    top = hstack([window, grids.operator("*", kh), kernel], gap=1)
    bottom = hstack([grids.operator("=", kh), vstack([products, text(total, BOLD)])], gap=1)
    return vstack([top, bottom])


def bottom_row(view: StepView, s: Step, width: int, map_rows: int) -> Block:
    """The sum with bias beside the output map (below it when they do not fit side by side)."""
    total = view.total(s, width)
    side = width - total.width - 4
    if side >= 20:
        out_map = view.output_map(s, side, max_rows=map_rows)
        if out_map.width <= side:
            return hstack([total, out_map], gap=4)
    return vstack([total, view.output_map(s, width, max_rows=map_rows)])


def medium_frame(view: StepView, s: Step, width: int, rows: int, shapes: bool = True) -> Block:
    """Formula (and the shape flow), every channel's grid and products, the sum beside the map."""
    head = view.header(s, width) + ([view.shapes(s, width)] if shapes else [])
    c_count = min(view.problem.images.shape[1], view.max_channels)
    from ..toolkit.lines import flow

    products = flow([hstack(view.products_row(s, c), gap=1) for c in range(c_count)], width, gap=4)
    return vstack([
        *head,
        legend(view, s, width),
        view.input_grids(s, width, max_rows=rows, caption=False),
        text(),
        products,
        text(),
        bottom_row(view, s, width, rows),
    ])


def compact_frame(view: StepView, s: Step, width: int, rows: int, channel: int = 0, formula: bool = True) -> Block:
    """One channel's grid beside its products, then the sum and the map: fits 80x24 for small kernels."""
    c_count = view.problem.images.shape[1]
    channel = min(channel, c_count - 1, view.max_channels - 1)
    right = products_column(view, s, channel)
    room = width - right.width - 3
    if room >= 16:
        grid = view.input_grids(s, room, channels=range(channel, channel + 1), max_rows=rows, caption=False)
        middle = hstack([grid, right], gap=3)
    else:  # too narrow for both: the grid, then the products under it
        grid = view.input_grids(s, width, channels=range(channel, channel + 1), max_rows=rows, caption=False)
        middle = vstack([grid, crop(right, width)])
    return vstack([
        header_line(view, s, width, channel),
        *(view.header(s, width)[1:2] if formula else []),
        legend(view, s, width),
        middle,
        bottom_row(view, s, width, rows),
    ])
