"""One frame per backward-pass event: the preparation, each cell and the result of every gradient."""

from __future__ import annotations

import numpy as np
from rich.columns import Columns
from rich.console import Console, ConsoleOptions, Group, RenderResult
from rich.text import Text

from ...engine.grad_events import (
    BiasCell, BiasResult, ImagesCell, ImagesPrepare, ImagesResult, KernelsCell, KernelsPrepare, KernelsResult,
)
from ...text import number
from ..output.grad_records import index_text, indices_text, total_text, walk_name
from .grad_grid import VIEW, board_grid, crossings, grid, planes, section_title, window_box

class ImagesPrepareFrame:
    """The stages before the walk: g -> g' (stride), w -> w' (dilation) -> rot180, 'full' padding."""

    def __init__(self, event: ImagesPrepare):
        self.event = event

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        e = self.event
        yield from section_title("dL/dimages", "a 'full' cross-correlation of g' with rot180(w'), summed over kernels")
        yield Text("1. g = dL/dout, the gradient arriving at every output", style="bold")
        yield planes(e.grad_output, "g", "n", "k")
        sh, sw = e.stride
        if (sh, sw) == (1, 1):
            yield Text("2. stride 1: no zeros to insert, g' = g", style="bold")
        else:
            yield Text(
                f"2. stride ({sh}, {sw}): insert {sh - 1} zero row(s) and {sw - 1} zero column(s) between "
                f"neighbours of g, so each value sits where its window started: g' {e.spread.shape[2]}x{e.spread.shape[3]} "
                "(· = inserted zero)", style="bold",
            )
            yield planes(e.spread, "g'", "n", "k", hollow=~e.spread_mask)
        dh, dw = e.dilation
        name = "w_rot" if e.flip else "w"
        applied = " (flip is on: w_rot = rot180(w), your kernels rotated)" if e.flip else ""
        yield Text(f"3. {name}, the kernels the forward window applied{applied}", style="bold")
        yield planes(e.kernels, name, "k", "c")
        if (dh, dw) != (1, 1):
            yield Text(
                f"   dilation ({dh}, {dw}): spread the taps with {dh - 1} zero row(s) and {dw - 1} zero column(s) between them: "
                f"w' {e.kernels_spread.shape[2]}x{e.kernels_spread.shape[3]} (· = dilation zero)", style="bold",
            )
            yield planes(e.kernels_spread, "w'", "k", "c", hollow=~e.tap_mask)
        same = "" if (dh, dw) != (1, 1) else " (= w: dilation 1)"
        yield Text(f"4. rotate w'{same} by 180 degrees (upside down and left to right)", style="bold")
        yield planes(e.kernels_rotated, "rot180(w')", "k", "c", hollow=~e.tap_mask)
        ph, pw = e.full_padding
        yield Text(
            f"5. 'full' padding: {ph} zero row(s) and {pw} zero column(s) on every side of g', so the kernel "
            f"meets every value of g' in every overlap: {e.padded.shape[2]}x{e.padded.shape[3]} (· = not a value of g)",
            style="bold",
        )
        yield planes(e.padded, "g'_pad", "n", "k", hollow=~e.data_mask)
        yield Text(f"6. slide rot180(w') over g'_pad at stride 1: {e.size[0]}x{e.size[1]} cells per image and channel, {e.cells} in all")
        yield Text("")


class ImagesCellFrame:
    """One cell of dL/dx_pad: where the window sits in g'_pad, then per kernel the patch, the kernel slice
    and the products; the sum; and the plane being filled."""

    def __init__(self, event: ImagesCell, prepare: ImagesPrepare, board: np.ndarray):
        self.event, self.prepare, self.board = event, prepare, board

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        e, p = self.event, self.prepare
        target = index_text(e.n, e.c, e.row, e.col)
        where = (f"= dL/dimages{index_text(e.n, e.c, e.input_row, e.input_col)}" if e.input_row is not None
                 else "(padding: the crop drops it)")
        yield Text.assemble(
            (f"dL/dimages step {e.step} of 0..{p.cells - 1}", "bold"),
            f"   dL/dx_pad{target} {where}   window corner ({e.top},{e.left}) in g'_pad",
        )
        eh, ew = e.kernel.shape[1:]
        window = window_box(p.padded.shape[2:], e.top, e.left, eh, ew)
        yield Columns([
            grid(p.padded[e.n, 0], f"the window in g'_pad[n{e.n},k0] (same place for every k)",
                 hollow=~p.data_mask, marked=window),
            board_grid(self.board, f"dL/dx_pad[n{e.n},c{e.c}] so far", e.row, e.col),
        ], padding=(0, 4))
        for k in range(e.patch.shape[0]):
            yield Columns([
                grid(e.patch[k], f"patch k{k}", hollow=~e.patch_mask),
                grid(e.kernel[k], f"rot180(w')[k{k},c{e.c}]", hollow=~e.tap_mask),
                grid(e.products[k], f"products k{k}"),
                Text(f"\npartial k{k} = {number(e.partials[k])}"),
            ], padding=(0, 2))
        yield Text(f"dL/dx_pad{target} = {total_text(e.partials, e.value)}", style="bold")
        yield Text("")


class ImagesResultFrame:
    """Zeros for the rows the floor dropped, then the crop to the unpadded input."""

    def __init__(self, event: ImagesResult):
        self.event = event

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        e = self.event
        (r0, r1), (c0, c1) = e.crop
        hp, wp = e.padded.shape[2:]
        if e.dropped != (0, 0):
            yield Text(
                f"the walk filled {e.full.shape[2]}x{e.full.shape[3]} cells; the floor dropped {e.dropped[0]} row(s) and "
                f"{e.dropped[1]} column(s) at the bottom/right of the padded input: no window read them, their gradient is 0",
                style="bold",
            )
        outside = ~window_box((hp, wp), r0, c0, r1 - r0, c1 - c0)
        yield Text(
            f"crop dL/dx_pad ({hp}x{wp}) to rows {r0}..{r1 - 1}, columns {c0}..{c1 - 1}; (v) = a padding cell, cut off by the crop",
            style="bold",
        )
        yield planes(e.padded, "dL/dx_pad", "n", "c", cropped=outside)
        yield planes(e.grad_images, "dL/dimages", "n", "c")
        yield Text("")


class KernelsPrepareFrame:
    """What dL/dkernels reads: the padded input and g (with g' to show where g's values sit)."""

    def __init__(self, event: KernelsPrepare):
        self.event = event

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        e = self.event
        yield from section_title("dL/dkernels", "a valid cross-correlation of x_pad with g', summed over the batch")
        yield Text("1. x_pad, the padded input the forward pass read (· = padding zero)", style="bold")
        yield planes(e.padded_images, "x_pad", "n", "c", hollow=~e.data_mask)
        yield Text("2. g = dL/dout plays the kernel", style="bold")
        yield planes(e.grad_output, "g", "n", "k")
        sh, sw = e.stride
        dh, dw = e.dilation
        if (sh, sw) != (1, 1):
            yield Text(
                f"   stride ({sh}, {sw}): g' has zeros between its values (·), so sliding g' over x_pad only "
                f"multiplies cells at stride ({sh}, {sw}) from the window's corner: each tap reads x_pad at stride ({sh}, {sw})",
            )
            yield planes(e.spread, "g'", "n", "k", hollow=~e.spread_mask)
        yield Text(
            f"3. tap (u, v) met x_pad at offset (u*{dh}, v*{dw})"
            + (" (every d-th offset: dilation)" if (dh, dw) != (1, 1) else "")
            + f"; {e.cells} taps to fill"
        )
        yield Text("")


class KernelsCellFrame:
    """One kernel tap: the x_pad cells it read, per image the patch, g and the products; the sum; the board."""

    def __init__(self, event: KernelsCell, prepare: KernelsPrepare, board: np.ndarray):
        self.event, self.prepare, self.board = event, prepare, board

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        e, p = self.event, self.prepare
        target = walk_name(e.rotated) + index_text(e.k, e.c, e.row, e.col)
        back = f"   (rotated back: dL/dkernels{index_text(*e.target)})" if e.rotated else ""
        yield Text.assemble(
            (f"dL/dkernels step {e.step} of 0..{p.cells - 1}", "bold"),
            f"   {target}{back}   tap ({e.row},{e.col}) read x_pad rows {indices_text(e.rows)}, columns {indices_text(e.cols)}",
        )
        drawn = board_grid(self.board, f"{walk_name(e.rotated)}[k{e.k},c{e.c}] so far", e.row, e.col)
        if max(p.padded_images.shape[2:]) <= VIEW:  # the cells read are scattered: show them only when all fit
            read = crossings(p.padded_images.shape[2:], e.rows, e.cols)
            where = grid(p.padded_images[0, e.c], f"the cells it read in x_pad[n0,c{e.c}] (same for every n)",
                         hollow=~p.data_mask, marked=read)
            yield Columns([where, drawn], padding=(0, 4))
        else:
            yield drawn
        for n in range(e.patch.shape[0]):
            yield Columns([
                grid(e.patch[n], f"patch n{n}", hollow=~e.patch_mask),
                grid(e.kernel[n], f"g[n{n},k{e.k}]"),
                grid(e.products[n], f"products n{n}"),
                Text(f"\npartial n{n} = {number(e.partials[n])}"),
            ], padding=(0, 2))
        yield Text(f"{target} = {total_text(e.partials, e.value)}", style="bold")
        yield Text("")


class KernelsResultFrame:
    """dL/dkernels, with the rotation back when flip is on."""

    def __init__(self, event: KernelsResult):
        self.event = event

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        e = self.event
        if e.rotated:
            yield Text("the walk gave dL/dw_rot, the gradient of w_rot = rot180(w), the kernels the window applied",
                       style="bold")
            yield planes(e.applied, "dL/dw_rot", "k", "c")
            yield Text("rotate it back by 180 degrees: the gradient of the kernels as written", style="bold")
        yield planes(e.grad_kernels, "dL/dkernels", "k", "c")
        yield Text("")


class BiasCellFrame:
    """dL/dbias[k]: the sum of g over every output of kernel k."""

    def __init__(self, event: BiasCell):
        self.event = event

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        e = self.event
        if e.step == 0:
            yield from section_title("dL/dbias", "the sum of g over n, row and col")
        yield Text.assemble((f"dL/dbias step {e.step}", "bold"), f"   dL/dbias[{e.k}]")
        parts = [Group(grid(e.patch[n], f"g[n{n},k{e.k}]"), Text(f"partial n{n} = {number(e.partials[n])}"))
                 for n in range(e.patch.shape[0])]
        yield Columns(parts, padding=(0, 2))
        yield Text(f"dL/dbias[{e.k}] = {total_text(e.partials, e.value)}", style="bold")
        yield Text("")


class BiasResultFrame:
    def __init__(self, event: BiasResult):
        self.event = event

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        yield Text(f"dL/dbias = [{', '.join(number(v) for v in self.event.grad_bias)}]", style="bold")
        yield Text("")
