"""The compact frame for big kernels (7x7, 9x9 and up) on a small screen such as a projector's 80x24.

The compact frame (render/play/fit.py) stacks window * kernel above the products
beside the grid: for a 7x7 kernel that column alone is 17 lines and 50
columns, so the output map falls off the screen and the grid loses the
window's columns. This frame reads the same step in two columns instead:

    c0 (the input, [ ] = the window)    w[0,0]  (the kernel slice)
                                        [ kernel rows ]
    out[...] = c0 + bias                [ ] window * w[0,0] = products
             = ...                      [ product rows ]
    out[0,0] (the map, [ ] = this step) sum of the 49 products -37

The window's values are not drawn a second time: they are the bracketed
cells of the grid, in the kernel's own arrangement. When even that is too
tall or too wide, the kernel slice and the products keep their first and last
rows (and columns) and a row of ⋮ (a column of …) stands for the ones left
out, which a note names; the sum is always that of every product. Only layout
is decided here: every number comes from the Step and the view's collector.
"""

from __future__ import annotations

from ...engine.naive import Step
from ..toolkit import grids
from ..toolkit.lines import Block, hstack, prose, text, vstack
from ..frames.step_products import NOTE
from ..frames.steps import BOLD, StepView


def kept(total: int, shown: int) -> list[int | None]:
    """Indices 0..total-1 to draw when only `shown` fit: the first and last ones, None where the gap is."""
    if shown >= total:
        return list(range(total))
    head = (shown + 1) // 2
    return [*range(head), None, *range(total - (shown - head), total)]


def abbreviated(texts: list[list[str]], rows: list[int | None], cols: list[int | None]) -> list[list[str]]:
    """A matrix's cell texts cut to `rows` x `cols` (None: a ⋮ row or a … column)."""
    lines = []
    for i in rows:
        if i is None:
            lines.append(["⋮" if j is not None else "" for j in cols])
        else:
            lines.append(["…" if j is None else texts[i][j] for j in cols])
    return lines


def left_out(indices: list[int | None]) -> str | None:
    """'3..5' for the indices a gap stands for, or None when nothing was left out."""
    if None not in indices:
        return None
    gap = indices.index(None)
    first, last = indices[gap - 1] + 1, indices[gap + 1] - 1
    return str(first) if first == last else f"{first}..{last}"


def kernel_column(view: StepView, s: Step, c: int, shown_rows: int, shown_cols: int) -> Block:
    """Channel c's kernel slice (kh, kw) over its products (window * kernel, tap by tap) and their sum."""
    kh, kw = s.kernel[c].shape
    rows, cols = kept(kh, shown_rows), kept(kw, shown_cols)
    fmt, out = view.fmt, view.fmt.out
    kernel = [[fmt(x) for x in row] for row in s.kernel[c].tolist()]
    products = [[out(x) for x in row] for row in s.products[c].tolist()]
    w = max(len(t) for matrix in (kernel, products) for row in matrix for t in row)
    flip = " rot180" if view.problem.flip else ""
    kernel_block = grids.matrix(abbreviated(kernel, rows, cols), f"w[{s.k},{c}]{flip}", w)
    parts = [
        kernel_block,
        grids.matrix(abbreviated(products, rows, cols), f"[ ] window * w[{s.k},{c}] = products", w),
        text(f"sum of the {kh * kw} products {out(s.partials[c])}", BOLD),
    ]
    hidden_rows, hidden_cols = left_out(rows), left_out(cols)
    if hidden_rows or hidden_cols:
        hidden = ", ".join(part for part in (hidden_rows and f"⋮ rows {hidden_rows}",
                                             hidden_cols and f"… columns {hidden_cols}") if part)
        parts.append(prose(f"{hidden} not drawn", max(kernel_block.width, 24), NOTE))
    return vstack(parts)


def window_columns(view: StepView, s: Step, room: int) -> int:
    """How many of the grid's columns fit in `room` (the window's own columns must, for the frame to be used)."""
    g = view.problem.geometry
    _, w = view.padded_cells(s.n)
    label = len(str(g.rows.padded - 1))
    return grids.fitting_columns(g.cols.padded, w + 2, label, room)


def grid_width(view: StepView, s: Step) -> int:
    """The narrowest grid that still shows the window's columns: labels, the window, both … marks."""
    g = view.problem.geometry
    _, w = view.padded_cells(s.n)
    return len(str(g.rows.padded - 1)) + 1 + g.cols.span * (w + 2) + 4


def tall_frame(view: StepView, s: Step, width: int, grid_rows: int, map_rows: int, shown_rows: int,
               shown_cols: int, channel: int, head: list[Block], sum_right: bool) -> Block | None:
    """The two-column frame, or None when the grid beside the kernel column cannot show the whole window.

    The sum out = c0 + ... + bias goes under the grid, or under the products (`sum_right`) when the
    grid and the map leave no room for it.
    """
    right = kernel_column(view, s, channel, shown_rows, shown_cols)
    if sum_right:  # as wide as the grid beside it allows, so the sum wraps as little as it can
        right = vstack([right, view.total(s, max(right.width, width - 3 - grid_width(view, s)))])
    room = width - right.width - 3
    if room < 16 or window_columns(view, s, room) < view.problem.geometry.cols.span:
        return None
    grid = view.input_grids(s, room, channels=range(channel, channel + 1), max_rows=grid_rows, caption=False)
    total = [] if sum_right else [view.total(s, room)]
    h_out, w_out = view.problem.geometry.out_size
    caption = prose(f"out[{s.n},{s.k}] {h_out}x{w_out}: [ ] = this step, . = to come", room, BOLD)
    left = vstack([grid, *total, caption, view.output_map(s, room, max_rows=map_rows, caption=False)])
    return vstack([*head, hstack([left, right], gap=3)])


def fitted_tall_frame(view: StepView, s: Step, width: int, height: int, channel: int,
                      head: list[Block], grid_rows: list[int]) -> Block | None:
    """The tall frame with the most drawn that fits width x height, or None when none fits.

    Kept longest: every column of the kernel slice (the window beside it must fit), then every row
    of it, then the grid's rows (down to the window's own) and the map's (down to this step's row);
    never fewer than three rows and columns of the kernel slice.
    """
    kh, kw = s.kernel[channel].shape
    narrowest_grid = grid_width(view, s)
    for cols in range(kw, min(kw, 3) - 1, -1):
        if kernel_column(view, s, channel, min(kh, 3), cols).width + 3 + narrowest_grid > width:
            continue  # too wide whatever the rows: drop a column first
        for rows in range(kh, min(kh, 3) - 1, -1):
            for sum_right in (False, True):
                for grid in grid_rows:
                    for map_rows in (grid, 3, 1):
                        frame = tall_frame(view, s, width, grid, map_rows, rows, cols, channel, head, sum_right)
                        if frame is not None and frame.height <= height and frame.width <= width:
                            return frame
    return None
