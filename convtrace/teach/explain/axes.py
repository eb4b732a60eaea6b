"""One axis at a time: the padding rule, the output size with its arithmetic, what the floor drops,
the window corners; and the padded input drawn as cells with the first and last windows.
"""

from __future__ import annotations

from dataclasses import dataclass

from ...source.axis import Axis
from ...source.geometry import Geometry
from ...source.padding import same_padding_formula
from .example import DRAW_LIMIT


@dataclass(frozen=True)
class AxisStory:
    """One axis (rows or columns): its padding rule and output size, with the numbers put in."""

    what: str  # "rows" or "columns"
    sides: tuple[str, str]  # ("top", "bottom") or ("left", "right")
    axis: Axis
    padding_rule: str  # e.g. "top = bottom = d*(k-1) = 1*(3-1) = 2"
    span: str  # "span = d*(k-1) + 1 = 2*(3-1) + 1 = 5"
    out_steps: str  # "H' = floor((5 + 2 + 2 - 1*(3-1) - 1) / 1) + 1 = floor(6 / 1) + 1 = 6 + 1 = 7"
    dropped: str | None  # what the floor drops, or None
    corners_padded: tuple[int, ...]  # window starts in padded coordinates: 0, s, 2s, ...
    corners_input: tuple[int, ...]  # the same in input coordinates (padded - before)


def distinct_axes(g: Geometry) -> list[tuple[Axis, str]]:
    """[(rows, "rows"), (cols, "columns")], or just the rows when both axes have the same numbers."""
    r, c = g.rows, g.cols
    if (r.size, r.kernel, r.stride, r.dilation, r.before, r.after) == (c.size, c.kernel, c.stride, c.dilation,
                                                                        c.before, c.after):
        return [(r, "rows (and columns)")]
    return [(r, "rows"), (c, "columns")]


def only_zero_windows(axis: Axis) -> list[int]:
    """Output indices along an axis whose window reads nothing but padding."""
    return [i for i, c in enumerate(axis.corners()) if all(axis.is_padding(t) for t in axis.taps(c))]


def padding_rule(axis: Axis, padding_mode: str, sides: tuple[str, str]) -> str:
    """The padding of one axis as a rule with its numbers (same: padding.same_padding_formula)."""
    before, after = sides
    k, d = axis.kernel, axis.dilation
    if padding_mode == "valid":
        return f"{before} = {after} = 0 (no padding)"
    if padding_mode == "full":
        return f"{before} = {after} = d*(k-1) = {d}*({k}-1) = {d * (k - 1)}"
    text = same_padding_formula(axis.size, k, axis.stride, d)
    return text.replace("before", before).replace("after", after)


def out_steps(axis: Axis) -> str:
    """Axis.out_formula(), with the arithmetic shown one step at a time."""
    head = axis.out_formula().rsplit(" = ", 1)[0]  # "H' = floor((5 + 2 + 2 - 1*(3-1) - 1) / 1) + 1"
    top = axis.padded - axis.span  # H + before + after - d*(k-1) - 1
    whole = top // axis.stride
    return f"{head} = floor({top} / {axis.stride}) + 1 = {whole} + 1 = {axis.out}"


def dropped_text(axis: Axis, what: str, sides: tuple[str, str]) -> str | None:
    """What the floor in the output-size formula throws away, in words, or None."""
    if axis.dropped == 0:
        return None
    top = axis.padded - axis.span
    one = what[:-1]  # "row" / "column"
    start, end = axis.dropped_range  # input coordinates, half-open
    data = [i for i in range(start, end) if 0 <= i < axis.size]
    pads_after = sum(1 for i in range(start, end) if i >= axis.size)
    pieces = []
    if data:
        pieces.append(f"input {one} {data[0]}" if len(data) == 1 else f"input {what} {data[0]}-{data[-1]}")
    if pads_after:
        pieces.append(f"{pads_after} padding {one if pads_after == 1 else what} at the {sides[1]}")
    r = axis.dropped
    # only input cells are lost data; zeros of the padding past the last window are not
    lost = (f"input {one if len(data) == 1 else what} {pieces[0].split()[-1]} never affect{'s' if len(data) == 1 else ''} "
            "the output" if data else "only padding, so no input is lost")
    return (
        f"{top} / {axis.stride} = {top // axis.stride} remainder {r}: the floor drops "
        f"{r} {one if r == 1 else what} ({', '.join(pieces)}); no window reaches {'it' if r == 1 else 'them'}: "
        f"{lost}"
    )


def axis_story(axis: Axis, padding_mode: str, what: str) -> AxisStory:
    sides = ("top", "bottom") if what == "rows" else ("left", "right")
    corners = tuple(axis.corners())
    return AxisStory(
        what=what,
        sides=sides,
        axis=axis,
        padding_rule=padding_rule(axis, padding_mode, sides),
        span=f"span = d*(k-1) + 1 = {axis.dilation}*({axis.kernel}-1) + 1 = {axis.span}",
        out_steps=out_steps(axis),
        dropped=dropped_text(axis, what, sides),
        corners_padded=corners,
        corners_input=tuple(c - axis.before for c in corners),
    )


# ----------------------------------------------------------------------------- the padded input


@dataclass(frozen=True)
class Diagram:
    """The padded input as a grid of cell kinds, with the cells read by the first and last windows.

    kinds[r][c] is "pad" (a zero of the padding), "data" (an input cell) or
    "dropped" (an input cell no window reaches). Coordinates are padded ones.
    """

    kinds: tuple[tuple[str, ...], ...]
    row_labels: tuple[int, ...]  # input coordinate of every padded row (negative above the input)
    col_labels: tuple[int, ...]
    first: frozenset  # {(row, col)} read by out[0, 0]
    last: frozenset  # {(row, col)} read by the last output position
    first_name: str
    last_name: str


def diagram(g: Geometry) -> Diagram | None:
    """The padded input with the first and last windows' taps, or None when too large to draw."""
    rows, cols = g.rows, g.cols
    if max(rows.padded, cols.padded) > DRAW_LIMIT:
        return None

    def dropped(axis: Axis, index: int) -> bool:
        span = axis.dropped_range
        return span is not None and span[0] <= index - axis.before < span[1]

    kinds = []
    for r in range(rows.padded):
        line = []
        for c in range(cols.padded):
            if rows.is_padding(r) or cols.is_padding(c):
                line.append("pad")
            elif dropped(rows, r) or dropped(cols, c):
                line.append("dropped")
            else:
                line.append("data")
        kinds.append(tuple(line))

    def taps(row_corner: int, col_corner: int) -> frozenset:
        return frozenset((r, c) for r in rows.taps(row_corner) for c in cols.taps(col_corner))

    last_r, last_c = rows.corners()[-1], cols.corners()[-1]
    return Diagram(
        kinds=tuple(kinds),
        row_labels=tuple(r - rows.before for r in range(rows.padded)),
        col_labels=tuple(c - cols.before for c in range(cols.padded)),
        first=taps(0, 0),
        last=taps(last_r, last_c),
        first_name="out[0,0]",
        last_name=f"out[{rows.out - 1},{cols.out - 1}]",
    )
