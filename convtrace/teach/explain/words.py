"""What each mode is for, in words that hold for the case at hand.

A sentence such as "the output shrinks by d*(k-1)" is only true at stride 1,
and "every position where the kernel overlaps the input" reads only zeros at
some positions once the taps have gaps. So `purpose()` looks at the geometry
(stride 1 or more, dilation 1 or more, per axis) and writes what is true,
with the example's numbers put in.
"""

from __future__ import annotations

from ...source.axis import Axis
from ...source.geometry import Geometry
from .axes import distinct_axes, only_zero_windows

SHORT = {
    "valid": "only where it fits",
    "same": "keep the size",
    "full": "every overlap",
    "strided": "skip positions",
    "dilated": "spread the taps",
}

# the first sentence of each mode; purpose() adds what this case's stride and dilation do to it
PURPOSE = {
    "valid": "Only the positions where the whole kernel fits inside the input; no padding.",
    "same": "Keep the size: pad just enough zeros that the output has ceil(H / s) rows and "
            "ceil(W / s) columns (the input's own size at stride 1), so layers can be stacked "
            "without the image shrinking.",
    "full": "Pad d*(k-1) zeros on every side: the padding under which a window starts at every "
            "position where its span overlaps the input by at least one cell.",
    "strided": "Skip positions: the window jumps s cells at a time, so the output keeps about "
               "1/s of the rows and columns (cheap downsampling). Here with valid padding.",
    "dilated": "Spread the taps: d-1 gaps between the kernel's taps let it see d*(k-1)+1 cells "
               "with the same number of weights (a wider view for free). Here with valid padding.",
}


def short(mode: str, stride: tuple[int, int]) -> str:
    """The overview's few words for a mode; full at stride > 1 visits only some of the overlaps."""
    if mode == "full" and stride != (1, 1):
        return f"every {_nth(stride[0])} overlap" if stride[0] == stride[1] else "every s-th overlap"
    return SHORT[mode]


def purpose(mode: str, g: Geometry) -> tuple[str, ...]:
    """The mode's first sentence, then per axis what the stride and dilation make of it, with numbers."""
    parts = [PURPOSE[mode]]
    if mode in ("valid", "strided", "dilated"):
        parts += [_valid_size(axis, what) for axis, what in distinct_axes(g)]
    elif mode == "full":
        parts += [_full_size(axis, what) for axis, what in distinct_axes(g)]
        parts += [_zero_windows(axis, what) for axis, what in distinct_axes(g) if axis.dilation > 1]
        if g.stride == (1, 1):
            parts.append("This is the shape of the backward pass: the gradient of a valid convolution "
                         "(stride 1) with respect to its input is a full one.")
    return tuple(parts)


def _valid_size(axis: Axis, what: str) -> str:
    """No padding: the (dilated) kernel must fit; at stride 1 the output is d*(k-1) smaller, else about 1/s."""
    n, h, k, d, s = axis.name, axis.size, axis.kernel, axis.dilation, axis.stride
    reach = f"d*(k-1) = {d}*({k}-1) = {d * (k - 1)}"
    if s == 1:
        return f"{_cap(what)}: stride 1, so the output is {reach} smaller: {n}' = {h} - {d * (k - 1)} = {axis.out}."
    return (f"{_cap(what)}: stride {s}, so it does not just lose {reach}: the window moves {s} cells at a time, "
            f"{n}' = floor(({h} - {d * (k - 1)} - 1) / {s}) + 1 = {axis.out}.")


def _full_size(axis: Axis, what: str) -> str:
    """Stride 1 visits every overlapping position (the output grows by d*(k-1)); stride s only every s-th."""
    n, h, k, d, s = axis.name, axis.size, axis.kernel, axis.dilation, axis.stride
    overlapping = h + d * (k - 1)  # window starts from d*(k-1) before the input to its last cell
    if s == 1:
        return (f"{_cap(what)}: stride 1 visits every one of them, so the output grows by "
                f"d*(k-1) = {d}*({k}-1) = {d * (k - 1)}: {n}' = {h} + {d * (k - 1)} = {axis.out}.")
    skipped = overlapping - axis.out
    return (f"{_cap(what)}: stride {s} no longer visits every overlapping position: of the "
            f"{h} + {d * (k - 1)} = {overlapping} starts that overlap, the window takes every {_nth(s)} "
            f"(from {-axis.before}), so {n}' = {axis.out} and {skipped} overlapping "
            f"position{'s are' if skipped != 1 else ' is'} never visited.")


def _zero_windows(axis: Axis, what: str) -> str:
    """With gaps between taps, a window whose span overlaps the input can still read only padding."""
    zeros = only_zero_windows(axis)
    one = _one(what)
    if not zeros:
        return (f"{_cap(what)}: with dilation {axis.dilation} the taps have gaps, but here every window "
                f"still has a tap on an input {one}.")
    starts = ", ".join(str(axis.corners()[i] - axis.before) for i in zeros)
    outs = ", ".join(map(str, zeros))
    plural = len(zeros) != 1
    return (f"{_cap(what)}: with dilation {axis.dilation} the taps have gaps, so a window can span the input "
            f"yet read only zeros: the window{'s' if plural else ''} starting at input {one}"
            f"{'s' if plural else ''} {starts} (output {one}{'s' if plural else ''} {outs}) "
            f"{'put' if plural else 'puts'} every tap on padding and {'give' if plural else 'gives'} 0 "
            f"(plus the bias).")


def _one(what: str) -> str:
    """'rows' -> 'row', 'rows (and columns)' -> 'row', 'columns' -> 'column'."""
    return what.split()[0][:-1]


def _cap(what: str) -> str:
    return what[0].upper() + what[1:]


def _nth(s: int) -> str:
    suffix = "th" if 10 <= s % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(s % 10, "th")
    return f"{s}{suffix}"
