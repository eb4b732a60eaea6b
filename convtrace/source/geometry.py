"""Where the windows go: one `Axis` per spatial axis, resolved and checked by `make_geometry`.

Everything here is integer arithmetic on sizes; no arrays. The same `Geometry`
drives the naive engine, the vectorized engine, the renderer and `explain`, so
a formula printed on screen is exactly the one the numbers were computed with.
A Geometry holds one `Axis` per spatial axis: L (1-D); H, W (2-D); D, H, W (3-D).

The formulas per axis live with `Axis` (axis.py); how a mode name becomes
padding per side, in padding.py.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..errors import DataError

from .axis import Axis
from .padding import resolve_padding


@dataclass(frozen=True)
class Geometry:
    """The resolved shape of a convolution or pooling: one Axis per spatial axis, plus how padding was chosen.

    For 2-D, `rows` and `cols` name the two axes; tuples such as `padding` and
    `out_size` hold one entry per axis in order (D,) H, W.
    """

    axes: tuple[Axis, ...]
    mode: str  # "valid", "same", "full", "causal" or "explicit"

    @property
    def dims(self) -> int:
        return len(self.axes)

    @property
    def rows(self) -> Axis:
        """The H axis (2-D and 3-D)."""
        if len(self.axes) < 2:
            raise AttributeError("a 1-D geometry has no rows; use axes[0]")
        return self.axes[-2]

    @property
    def cols(self) -> Axis:
        """The W axis (the last one)."""
        return self.axes[-1]

    @property
    def padding(self) -> tuple[tuple[int, int], ...]:
        """((before, after), ...) per axis: ((top, bottom), (left, right)) in 2-D."""
        return tuple((a.before, a.after) for a in self.axes)

    @property
    def stride(self) -> tuple[int, ...]:
        return tuple(a.stride for a in self.axes)

    @property
    def dilation(self) -> tuple[int, ...]:
        return tuple(a.dilation for a in self.axes)

    @property
    def output_padding(self) -> tuple[int, ...]:
        return tuple(a.output_padding for a in self.axes)

    @property
    def kernel_size(self) -> tuple[int, ...]:
        return tuple(a.kernel for a in self.axes)

    @property
    def input_size(self) -> tuple[int, ...]:
        return tuple(a.size for a in self.axes)

    @property
    def padded_size(self) -> tuple[int, ...]:
        return tuple(a.padded for a in self.axes)

    @property
    def out_size(self) -> tuple[int, ...]:
        """(H', W'): one output size per axis."""
        return tuple(a.out for a in self.axes)

    @property
    def positions(self) -> int:
        """Window positions per (image, kernel) pair: H' * W'."""
        count = 1
        for a in self.axes:
            count *= a.out
        return count


AXIS_NAMES = {1: ("L",), 2: ("H", "W"), 3: ("D", "H", "W")}
AXIS_WORDS = {"L": "length", "D": "depth slices", "H": "rows", "W": "columns"}


def per_axis(value, dims: int) -> tuple[int, ...]:
    """2 -> (2,) * dims; [2, 1] -> (2, 1)."""
    if isinstance(value, int):
        return (value,) * dims
    return tuple(value)


def pair(value: int | tuple[int, int] | list[int]) -> tuple[int, int]:
    """2 -> (2, 2); [2, 1] -> (2, 1)."""
    if isinstance(value, int):
        return value, value
    first, second = value
    return first, second


def make_geometry(
    input_size: tuple[int, ...],
    kernel_size: tuple[int, ...],
    *,
    stride=1,
    dilation=1,
    mode: str | None = None,
    padding=None,
    output_padding=0,
    transposed: bool = False,
    ceil_mode: bool = False,
) -> Geometry:
    """Resolve a convolution's (or pooling's) geometry and check that at least one window fits.

    One entry of input_size/kernel_size per spatial axis. Raises DataError
    naming the axis and showing the substituted formula when an output size
    would be below 1.
    """
    dims = len(input_size)
    stride, dilation = per_axis(stride, dims), per_axis(dilation, dims)
    output_padding = per_axis(output_padding, dims)
    for label, values in (("stride", stride), ("dilation", dilation)):
        if min(values) < 1:
            raise DataError(f"{label} must be >= 1, got {list(values)}; 1 means no {'skipping' if label == 'stride' else 'gaps'}")
    for label, values in (("stride", stride), ("dilation", dilation), ("output_padding", output_padding)):
        if len(values) != dims:
            raise DataError(f"{label} needs one entry per spatial axis ({dims}), got {list(values)}")
    mode_name, sides = resolve_padding(mode, padding, input_size, kernel_size, stride, dilation)
    if len(sides) != dims:
        raise DataError(f"padding needs one entry per spatial axis ({dims}), got {[list(side) for side in sides]}")
    if min(min(side) for side in sides) < 0:
        raise DataError(
            f"padding must be >= 0 on every side, got {[list(side) for side in sides]}; "
            f"it counts rows or columns of zeros added, 0 means none"
        )
    names = AXIS_NAMES.get(dims, tuple(f"axis{i}" for i in range(dims)))
    axes = tuple(
        Axis(name, size, k, s, d, before, after, op, transposed, ceil_mode)
        for name, size, k, s, d, (before, after), op in zip(
            names, input_size, kernel_size, stride, dilation, sides, output_padding)
    )
    for axis in axes:
        what = AXIS_WORDS.get(axis.name, axis.name)
        if axis.out < 1 and axis.transposed:
            raise DataError(
                f"the transposed output has no {what}: {axis.out_formula()}, but it must be >= 1; "
                f"use less padding (it crops the output) or a larger input"
            )
        if axis.out < 1:
            raise DataError(
                f"the kernel does not fit the {what}: {axis.out_formula()}, but it must be >= 1. "
                f"The dilated kernel spans {axis.span} {what}, the padded input has {axis.padded}; "
                f"add padding (e.g. mode \"same\"), use a smaller kernel or dilation, or a larger image"
            )
    return Geometry(axes, mode_name)
