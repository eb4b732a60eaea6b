"""Backward-pass events and results -> JSON records, plain lines and Rich frames. Nothing here computes.

Every number shown comes from a `grad_trace` event or the `grad.Gradients`
result; the only state kept is where earlier cells' values go on the board of
the array being filled (so the learner sees it grow, with the current cell in
brackets).
"""

from __future__ import annotations

import numpy as np
from rich.columns import Columns
from rich.console import Console, ConsoleOptions, Group, RenderResult
from rich.rule import Rule
from rich.style import Style
from rich.table import Table
from rich.text import Text

from ..engine.grad import Gradients
from ..engine.grad_trace import (
    BiasCell, BiasResult, Explanation, ImagesCell, ImagesPrepare, ImagesResult,
    KernelsCell, KernelsPrepare, KernelsResult,
)
from ..source.problem import Problem
from . import grids
from .lines import Block, text, vstack
from .plain import number
from .records import geometry_record

NAMES = {"images": "dL/dimages", "kernels": "dL/dkernels", "bias": "dL/dbias"}


# ----------------------------------------------------------------------------- JSON


def grad_result_record(problem: Problem, grads: Gradients) -> dict:
    """The `grad --json` object: geometry as `run --json` gives it, the output and the gradients, in the document's layout."""
    record = geometry_record(problem)
    record["output"] = problem.to_layout(grads.output).tolist()
    record["grad_images"] = problem.to_layout(grads.images).tolist()
    kernels = grads.kernels.transpose(0, 2, 3, 1) if problem.layout == "NHWC" else grads.kernels
    record["grad_kernels"] = kernels.tolist()
    if grads.bias is not None:
        record["grad_bias"] = grads.bias.tolist()
    return record


# which event attributes each jsonl object carries, in order (arrays become nested lists)
RECORD_FIELDS = {
    ImagesPrepare: ("grad_output", "spread", "kernels", "kernels_spread", "kernels_rotated", "padded",
                    "full_padding", "stride", "dilation", "flip", "size", "cells"),
    ImagesCell: ("step", "n", "c", "row", "col", "top", "left", "input_row", "input_col",
                 "patch", "kernel", "partials", "value"),
    ImagesResult: ("full", "padded", "grad_images", "dropped", "crop"),
    KernelsPrepare: ("padded_images", "grad_output", "spread", "stride", "dilation", "flip", "cells"),
    KernelsCell: ("step", "k", "c", "row", "col", "top", "left", "rows", "cols", "target", "rotated",
                  "patch", "kernel", "partials", "value"),
    KernelsResult: ("applied", "grad_kernels", "rotated"),
    BiasCell: ("step", "k", "patch", "partials", "value"),
    BiasResult: ("grad_bias",),
}


def _plain_value(value):
    if isinstance(value, np.ndarray):
        return value.tolist()
    if isinstance(value, tuple):
        return [_plain_value(v) for v in value]
    return value


def event_record(event) -> dict:
    """One backward-pass event as a jsonl object: `grad`, `event`, then its fields (arrays NCHW-ordered)."""
    record = {"grad": event.grad, "event": event.event}
    for name in RECORD_FIELDS[type(event)]:
        record[name] = _plain_value(getattr(event, name))
    return record


# ----------------------------------------------------------------------------- plain


def _shape(array: np.ndarray) -> str:
    return "(" + ", ".join(str(d) for d in array.shape) + ")"


def _sum(values) -> str:
    return " + ".join(number(v) for v in values)


def _total(partials, value) -> str:
    """'3 + 4 = 7', or just '7' when there is one partial."""
    return number(value) if len(partials) == 1 else f"{_sum(partials)} = {number(value)}"


def _walk_name(rotated: bool) -> str:
    """What the kernel walk fills: dL/dw, or with flip dL/dw_rot (w_rot = rot180(w), what the window applied)."""
    return "dL/dw_rot" if rotated else "dL/dw"


def _index(*indices) -> str:
    return "[" + ",".join(str(i) for i in indices) + "]"


def _indices(values: tuple[int, ...]) -> str:
    """(0, 2, 4, 6, 8, 10, 12) -> '0,2,4,...,12': a long run of indices, shortened."""
    if len(values) <= 6:
        return ",".join(map(str, values))
    return f"{values[0]},{values[1]},{values[2]},...,{values[-1]}"


def plain_line(event) -> str:
    """One compact line per event."""
    e = event
    if isinstance(e, ImagesPrepare):
        return (
            f"images prepare  g {_shape(e.grad_output)} -> g' {_shape(e.spread)} (stride {e.stride[0]},{e.stride[1]}); "
            f"{'w_rot' if e.flip else 'w'} {_shape(e.kernels)} -> w' {_shape(e.kernels_spread)} (dilation {e.dilation[0]},{e.dilation[1]}) "
            f"rotated 180; full padding {e.full_padding[0]},{e.full_padding[1]} -> padded g' {_shape(e.padded)}; "
            f"{e.cells} cells"
        )
    if isinstance(e, ImagesCell):
        where = (f"-> dL/dimages{_index(e.n, e.c, e.input_row, e.input_col)}" if e.input_row is not None
                 else "-> padding, cropped away")
        return (
            f"images step {e.step}  dL/dx_pad{_index(e.n, e.c, e.row, e.col)}  window at ({e.top},{e.left}) of padded g'  "
            f"partials per kernel {_total(e.partials, e.value)}  {where}"
        )
    if isinstance(e, ImagesResult):
        (r0, r1), (c0, c1) = e.crop
        return (
            f"images result  full walk {_shape(e.full)} + {e.dropped[0]} dropped row(s), {e.dropped[1]} column(s) of zeros "
            f"-> dL/dx_pad {_shape(e.padded)}; crop rows {r0}..{r1 - 1}, columns {c0}..{c1 - 1} "
            f"-> dL/dimages {_shape(e.grad_images)}"
        )
    if isinstance(e, KernelsPrepare):
        return (
            f"kernels prepare  x_pad {_shape(e.padded_images)} against g {_shape(e.grad_output)}; "
            f"stride {e.stride[0]},{e.stride[1]}, dilation {e.dilation[0]},{e.dilation[1]}; {e.cells} cells"
        )
    if isinstance(e, KernelsCell):
        back = f"  -> dL/dkernels{_index(*e.target)} (rotated back)" if e.rotated else ""
        return (
            f"kernels step {e.step}  {_walk_name(e.rotated)}{_index(e.k, e.c, e.row, e.col)}  x_pad rows {_indices(e.rows)} "
            f"cols {_indices(e.cols)}  partials per image {_total(e.partials, e.value)}{back}"
        )
    if isinstance(e, KernelsResult):
        how = "dL/dw_rot (w_rot = rot180(w)) rotated back" if e.rotated else "the walk's values as they are"
        return f"kernels result  dL/dkernels {_shape(e.grad_kernels)}: {how}"
    if isinstance(e, BiasCell):
        return f"bias step {e.step}  dL/dbias[{e.k}]  sum of g[:,{e.k}]: partials per image {_total(e.partials, e.value)}"
    if isinstance(e, BiasResult):
        return f"bias result  dL/dbias = [{', '.join(number(v) for v in e.grad_bias)}]"
    raise TypeError(f"not a backward-pass event: {e!r}")


def plain_explanation(part: Explanation) -> str:
    """The summary of one gradient as indented text."""
    return "\n".join([f"== {part.title}", *("   " + line for line in part.lines)])


# ----------------------------------------------------------------------------- Rich


VIEW = 14  # rows / columns of a grid drawn at most; a bigger array shows the part around its marks
PLANES = 8  # planes of one array drawn at most in a preparation or result frame


def grid(values: np.ndarray, title: str, *, hollow=None, marked=None, cropped=None) -> Block:
    """A 2-D array as a titled grid with row and column labels (the step view's toolkit, render/grids.py).

    NaN: not filled yet ('.'); hollow: '·', a structural zero; marked: '[v]' (the window or the
    current cell); cropped: '(v)', cut off by the crop. An array bigger than VIEW x VIEW shows the
    part around its marked cells, with '…' / '⋮' for the rest.
    """
    rows, cols = range(values.shape[0]), range(values.shape[1])
    if values.shape[0] > VIEW or values.shape[1] > VIEW:
        where = np.argwhere(marked) if marked is not None and marked.any() else np.zeros((1, 2), dtype=int)
        (r0, c0), (r1, c1) = where.min(axis=0), where.max(axis=0)
        rows = grids.view_range(values.shape[0], int(r0), int(r1 - r0 + 1), VIEW)
        cols = grids.view_range(values.shape[1], int(c0), int(c1 - c0 + 1), VIEW)
        title += f" rows {rows[0]}..{rows[-1]} of {values.shape[0]}, cols {cols[0]}..{cols[-1]} of {values.shape[1]}"
    cells = []
    for r in rows:
        line = []
        for c in cols:
            value = values[r, c]
            if np.isnan(value):
                line.append((grids.EMPTY_TEXT, grids.EMPTY))
                continue
            content = grids.PAD_TEXT if hollow is not None and hollow[r, c] else number(value)
            if marked is not None and marked[r, c]:
                kind = grids.TAP
            elif cropped is not None and cropped[r, c]:
                kind = grids.CROPPED
            else:
                kind = grids.PAD if content == grids.PAD_TEXT else grids.PLAIN
            line.append((content, kind))
        cells.append(line)
    row_labels, col_labels = [str(r) for r in rows], [str(c) for c in cols]
    w = max([len(content) for line in cells for content, _ in line] + [len(t) for t in col_labels])
    cut = (rows[0] > 0, rows[-1] < values.shape[0] - 1, cols[0] > 0, cols[-1] < values.shape[1] - 1)
    body = grids.grid([grids.runs_line(line, w) for line in cells], row_labels, col_labels, w, cut)
    return vstack([text(title, Style(bold=True)), body])


def _box(shape, top: int, left: int, height: int, width: int) -> np.ndarray:
    """A mask of the block of cells a window covers."""
    mask = np.zeros(shape, dtype=bool)
    mask[top : top + height, left : left + width] = True
    return mask


def _crossings(shape, rows, cols) -> np.ndarray:
    """A mask of the cells where the given rows and columns cross (what a strided read touches)."""
    mask = np.zeros(shape, dtype=bool)
    mask[np.ix_(list(rows), list(cols))] = True
    return mask


class GradHeader:
    """Title, description, promotion notes and the shapes the backward pass works with."""

    def __init__(self, problem: Problem, given_grad: bool):
        self.problem = problem
        self.given_grad = given_grad

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        p = self.problem
        if p.title:
            yield Text(p.title, style="bold")
        if p.description:
            yield Text(p.description)
        for note in p.notes:
            yield Text(f"note: {note}", style="italic")
        source = "from the document" if self.given_grad else "not given, so all ones"
        yield Text(
            f"backward pass of images {p.input_shape} x kernels {p.kernel_shape} -> output {p.output_shape} (NCHW); "
            f"g = dL/dout {source}; loss L = sum(out * g)"
        )
        if p.layout == "NHWC":
            yield Text("the document is NHWC; the trace reads every array in NCHW order [n, c, row, col]")
        yield Text("")


class GradView:
    """Turns each backward-pass event into a Rich frame, keeping the boards of the arrays being filled."""

    def __init__(self, problem: Problem):
        self.problem = problem
        self.images_prepare: ImagesPrepare | None = None
        self.kernels_prepare: KernelsPrepare | None = None
        self.boards: dict[tuple, np.ndarray] = {}

    def frame(self, event):
        """The renderable for one event."""
        if isinstance(event, ImagesPrepare):
            self.images_prepare = event
            return ImagesPrepareFrame(event)
        if isinstance(event, ImagesCell):
            board = self._board(("images", event.n, event.c), self.images_prepare.size)
            board[event.row, event.col] = event.value
            return ImagesCellFrame(event, self.images_prepare, board.copy())
        if isinstance(event, ImagesResult):
            return ImagesResultFrame(event)
        if isinstance(event, KernelsPrepare):
            self.kernels_prepare = event
            return KernelsPrepareFrame(event)
        if isinstance(event, KernelsCell):
            board = self._board(("kernels", event.k, event.c), self.problem.kernel_shape[2:])
            board[event.row, event.col] = event.value
            return KernelsCellFrame(event, self.kernels_prepare, board.copy())
        if isinstance(event, KernelsResult):
            return KernelsResultFrame(event)
        if isinstance(event, BiasCell):
            return BiasCellFrame(event)
        if isinstance(event, BiasResult):
            return BiasResultFrame(event)
        raise TypeError(f"not a backward-pass event: {event!r}")

    def _board(self, key, shape) -> np.ndarray:
        if key not in self.boards:
            self.boards[key] = np.full(shape, np.nan)
        return self.boards[key]


def _planes(array: np.ndarray, name: str, first: str, second: str, **marks) -> Columns:
    """(A, B, h, w) -> one grid per (a, b), titled name[a,b]; the first PLANES of them."""
    grids = []
    for a in range(array.shape[0]):
        for b in range(array.shape[1]):
            if len(grids) == PLANES:
                more = array.shape[0] * array.shape[1] - PLANES
                grids.append(Text(f"... and {more} more plane(s) of {name}", style="italic"))
                return Columns(grids, padding=(0, 2))
            grids.append(grid(array[a, b], f"{name}[{first}{a},{second}{b}]", **marks))
    return Columns(grids, padding=(0, 2))


def section_title(name: str, what: str):
    """A rule with the gradient's short name, then what it is on its own line, which wraps at any width.

    A Rule cuts a long title with an ellipsis, so only the name goes in it.
    """
    yield Rule(Text(name, style="bold"))
    yield Text(what, style="bold")


class ImagesPrepareFrame:
    """The stages before the walk: g -> g' (stride), w -> w' (dilation) -> rot180, 'full' padding."""

    def __init__(self, event: ImagesPrepare):
        self.event = event

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        e = self.event
        yield from section_title("dL/dimages", "a 'full' cross-correlation of g' with rot180(w'), summed over kernels")
        yield Text("1. g = dL/dout, the gradient arriving at every output", style="bold")
        yield _planes(e.grad_output, "g", "n", "k")
        sh, sw = e.stride
        if (sh, sw) == (1, 1):
            yield Text("2. stride 1: no zeros to insert, g' = g", style="bold")
        else:
            yield Text(
                f"2. stride ({sh}, {sw}): insert {sh - 1} zero row(s) and {sw - 1} zero column(s) between "
                f"neighbours of g, so each value sits where its window started: g' {e.spread.shape[2]}x{e.spread.shape[3]} "
                "(· = inserted zero)", style="bold",
            )
            yield _planes(e.spread, "g'", "n", "k", hollow=~e.spread_mask)
        dh, dw = e.dilation
        name = "w_rot" if e.flip else "w"
        applied = " (flip is on: w_rot = rot180(w), your kernels rotated)" if e.flip else ""
        yield Text(f"3. {name}, the kernels the forward window applied{applied}", style="bold")
        yield _planes(e.kernels, name, "k", "c")
        if (dh, dw) != (1, 1):
            yield Text(
                f"   dilation ({dh}, {dw}): spread the taps with {dh - 1} zero row(s) and {dw - 1} zero column(s) between them: "
                f"w' {e.kernels_spread.shape[2]}x{e.kernels_spread.shape[3]} (· = dilation zero)", style="bold",
            )
            yield _planes(e.kernels_spread, "w'", "k", "c", hollow=~e.tap_mask)
        same = "" if (dh, dw) != (1, 1) else " (= w: dilation 1)"
        yield Text(f"4. rotate w'{same} by 180 degrees (upside down and left to right)", style="bold")
        yield _planes(e.kernels_rotated, "rot180(w')", "k", "c", hollow=~e.tap_mask)
        ph, pw = e.full_padding
        yield Text(
            f"5. 'full' padding: {ph} zero row(s) and {pw} zero column(s) on every side of g', so the kernel "
            f"meets every value of g' in every overlap: {e.padded.shape[2]}x{e.padded.shape[3]} (· = not a value of g)",
            style="bold",
        )
        yield _planes(e.padded, "g'_pad", "n", "k", hollow=~e.data_mask)
        yield Text(f"6. slide rot180(w') over g'_pad at stride 1: {e.size[0]}x{e.size[1]} cells per image and channel, {e.cells} in all")
        yield Text("")


class ImagesCellFrame:
    """One cell of dL/dx_pad: where the window sits in g'_pad, then per kernel the patch, the kernel slice
    and the products; the sum; and the plane being filled."""

    def __init__(self, event: ImagesCell, prepare: ImagesPrepare, board: np.ndarray):
        self.event, self.prepare, self.board = event, prepare, board

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        e, p = self.event, self.prepare
        target = _index(e.n, e.c, e.row, e.col)
        where = (f"= dL/dimages{_index(e.n, e.c, e.input_row, e.input_col)}" if e.input_row is not None
                 else "(padding: the crop drops it)")
        yield Text.assemble(
            (f"dL/dimages step {e.step} of 0..{p.cells - 1}", "bold"),
            f"   dL/dx_pad{target} {where}   window corner ({e.top},{e.left}) in g'_pad",
        )
        eh, ew = e.kernel.shape[1:]
        window = _box(p.padded.shape[2:], e.top, e.left, eh, ew)
        yield Columns([
            grid(p.padded[e.n, 0], f"the window in g'_pad[n{e.n},k0] (same place for every k)",
                 hollow=~p.data_mask, marked=window),
            _board(self.board, f"dL/dx_pad[n{e.n},c{e.c}] so far", e.row, e.col),
        ], padding=(0, 4))
        for k in range(e.patch.shape[0]):
            yield Columns([
                grid(e.patch[k], f"patch k{k}", hollow=~e.patch_mask),
                grid(e.kernel[k], f"rot180(w')[k{k},c{e.c}]", hollow=~e.tap_mask),
                grid(e.products[k], f"products k{k}"),
                Text(f"\npartial k{k} = {number(e.partials[k])}"),
            ], padding=(0, 2))
        yield Text(f"dL/dx_pad{target} = {_total(e.partials, e.value)}", style="bold")
        yield Text("")


def _board(board: np.ndarray, title: str, row: int, col: int) -> Text:
    """The array being filled: values so far, '.' for cells to come, the current cell in brackets."""
    return grid(board, title, marked=_box(board.shape, row, col, 1, 1))


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
        outside = ~_box((hp, wp), r0, c0, r1 - r0, c1 - c0)
        yield Text(
            f"crop dL/dx_pad ({hp}x{wp}) to rows {r0}..{r1 - 1}, columns {c0}..{c1 - 1}; (v) = a padding cell, cut off by the crop",
            style="bold",
        )
        yield _planes(e.padded, "dL/dx_pad", "n", "c", cropped=outside)
        yield _planes(e.grad_images, "dL/dimages", "n", "c")
        yield Text("")


class KernelsPrepareFrame:
    """What dL/dkernels reads: the padded input and g (with g' to show where g's values sit)."""

    def __init__(self, event: KernelsPrepare):
        self.event = event

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        e = self.event
        yield from section_title("dL/dkernels", "a valid cross-correlation of x_pad with g', summed over the batch")
        yield Text("1. x_pad, the padded input the forward pass read (· = padding zero)", style="bold")
        yield _planes(e.padded_images, "x_pad", "n", "c", hollow=~e.data_mask)
        yield Text("2. g = dL/dout plays the kernel", style="bold")
        yield _planes(e.grad_output, "g", "n", "k")
        sh, sw = e.stride
        dh, dw = e.dilation
        if (sh, sw) != (1, 1):
            yield Text(
                f"   stride ({sh}, {sw}): g' has zeros between its values (·), so sliding g' over x_pad only "
                f"multiplies cells at stride ({sh}, {sw}) from the window's corner: each tap reads x_pad at stride ({sh}, {sw})",
            )
            yield _planes(e.spread, "g'", "n", "k", hollow=~e.spread_mask)
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
        target = _walk_name(e.rotated) + _index(e.k, e.c, e.row, e.col)
        back = f"   (rotated back: dL/dkernels{_index(*e.target)})" if e.rotated else ""
        yield Text.assemble(
            (f"dL/dkernels step {e.step} of 0..{p.cells - 1}", "bold"),
            f"   {target}{back}   tap ({e.row},{e.col}) read x_pad rows {_indices(e.rows)}, columns {_indices(e.cols)}",
        )
        board = _board(self.board, f"{_walk_name(e.rotated)}[k{e.k},c{e.c}] so far", e.row, e.col)
        if max(p.padded_images.shape[2:]) <= VIEW:  # the cells read are scattered: show them only when all fit
            read = _crossings(p.padded_images.shape[2:], e.rows, e.cols)
            where = grid(p.padded_images[0, e.c], f"the cells it read in x_pad[n0,c{e.c}] (same for every n)",
                         hollow=~p.data_mask, marked=read)
            yield Columns([where, board], padding=(0, 4))
        else:
            yield board
        for n in range(e.patch.shape[0]):
            yield Columns([
                grid(e.patch[n], f"patch n{n}", hollow=~e.patch_mask),
                grid(e.kernel[n], f"g[n{n},k{e.k}]"),
                grid(e.products[n], f"products n{n}"),
                Text(f"\npartial n{n} = {number(e.partials[n])}"),
            ], padding=(0, 2))
        yield Text(f"{target} = {_total(e.partials, e.value)}", style="bold")
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
            yield _planes(e.applied, "dL/dw_rot", "k", "c")
            yield Text("rotate it back by 180 degrees: the gradient of the kernels as written", style="bold")
        yield _planes(e.grad_kernels, "dL/dkernels", "k", "c")
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
        yield Text(f"dL/dbias[{e.k}] = {_total(e.partials, e.value)}", style="bold")
        yield Text("")


class BiasResultFrame:
    def __init__(self, event: BiasResult):
        self.event = event

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        yield Text(f"dL/dbias = [{', '.join(number(v) for v in self.event.grad_bias)}]", style="bold")
        yield Text("")


class ExplanationFrame:
    """The summary of one gradient: its forward mode, its rotation and why."""

    def __init__(self, part: Explanation):
        self.part = part

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        yield Text(self.part.title, style="bold")
        lines = Table.grid()
        lines.add_column(width=2)
        lines.add_column()
        for line in self.part.lines:
            lines.add_row("", Text(line))  # wrapped lines stay indented
        yield lines
        yield Text("")


class SkippedNote:
    """How many cells were traced but not drawn before a result: by --limit, or by the default cap."""

    def __init__(self, grad: str, skipped: int, cap: int | None = None):
        if cap is None:
            self.text = f"... {skipped} more {NAMES[grad]} cell(s) not shown (--limit)"
        else:
            self.text = (
                f"... {skipped} more {NAMES[grad]} cell(s) traced but not drawn (the first {cap} of each gradient "
                f"are drawn by default); draw them all with --limit {cap + skipped}, or list them with --format plain"
            )

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        yield Text(self.text, style="italic")
        yield Text("")
