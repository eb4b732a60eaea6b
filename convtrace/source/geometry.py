"""Where the windows go: padding per side, output size, window corners, dropped rows.

Everything here is integer arithmetic on sizes; no arrays. The same `Geometry`
drives the naive engine, the vectorized engine, the renderer and `explain`, so
a formula printed on screen is exactly the one the numbers were computed with.
A Geometry holds one `Axis` per spatial axis: L (1-D); H, W (2-D); D, H, W (3-D).

Per axis (rows use H, columns use W):

    span = d*(k-1) + 1                       # how far a dilated kernel reaches
    H'   = floor((H + top + bottom - d*(k-1) - 1) / s) + 1
    transposed: H' = (H-1)*s - 2p + d*(k-1) + output_padding + 1
    pooling with ceil_mode: ceil instead of floor, minus a last window that
    would start in the bottom padding (as PyTorch)
"""

from __future__ import annotations

from dataclasses import dataclass

from ..errors import DataError

from .choices import MODES


@dataclass(frozen=True)
class Axis:
    """One spatial axis (rows or columns) of a convolution."""

    name: str  # "H" for rows, "W" for columns
    size: int  # input size along this axis, before padding
    kernel: int  # kernel taps along this axis
    stride: int
    dilation: int
    before: int  # zero padding on the top (rows) or left (columns); transposed: cropped from the output
    after: int  # zero padding on the bottom (rows) or right (columns)
    output_padding: int = 0  # transposed only: extra cells at the end of the output
    transposed: bool = False
    ceil_mode: bool = False  # pooling only: round the window count up

    @property
    def span(self) -> int:
        """How many input cells one dilated window covers: d*(k-1) + 1."""
        return self.dilation * (self.kernel - 1) + 1

    @property
    def padded(self) -> int:
        """Input size after zero padding: H + top + bottom."""
        return self.size + self.before + self.after

    @property
    def out(self) -> int:
        """Output size: floor((H + top + bottom - d*(k-1) - 1) / s) + 1 (may be < 1 before validation)."""
        if self.transposed:
            return (self.size - 1) * self.stride - self.before - self.after + self.span + self.output_padding
        if self.ceil_mode:
            out = -(-(self.padded - self.span) // self.stride) + 1
            # PyTorch drops a last window that would start inside the end padding
            return out - 1 if (out - 1) * self.stride >= self.size + self.before else out
        return (self.padded - self.span) // self.stride + 1

    @property
    def dropped(self) -> int:
        """Cells at the end of the padded input that no window reaches (what the floor drops)."""
        if self.out < 1 or self.transposed:
            return 0
        return max(self.padded - ((self.out - 1) * self.stride + self.span), 0)

    @property
    def gather_border(self) -> int:
        """Transposed, read as a gather: zeros around the zero-inserted input, d*(k-1) - p (negative: cropped)."""
        return self.span - 1 - self.before

    @property
    def overhang(self) -> int:
        """Cells the last window reaches past the padded input (ceil_mode pooling only; else 0)."""
        if self.out < 1 or self.transposed:
            return 0
        return max((self.out - 1) * self.stride + self.span - self.padded, 0)

    @property
    def dropped_range(self) -> tuple[int, int] | None:
        """The dropped cells as a half-open range in original (unpadded) coordinates, or None."""
        if self.dropped == 0:
            return None
        end = self.padded - self.before
        return end - self.dropped, end

    def corners(self) -> range:
        """Window start of every output position, in padded coordinates: 0, s, 2s, ..."""
        return range(0, max(self.out, 0) * self.stride, self.stride)

    def taps(self, corner: int) -> range:
        """Padded-input indices read by the window that starts at `corner`."""
        return range(corner, corner + self.span, self.dilation)

    def is_padding(self, padded_index: int) -> bool:
        """True when this padded-input index is a zero of the padding, not data."""
        return padded_index < self.before or padded_index >= self.before + self.size

    def out_formula(self) -> str:
        """The output-size formula with this axis's numbers substituted."""
        n = self.name
        if self.transposed:
            return (
                f"{n}' = ({self.size}-1)*{self.stride} - {self.before} - {self.after} + "
                f"{self.dilation}*({self.kernel}-1) + {self.output_padding} + 1 = {self.out}"
            )
        if self.ceil_mode:
            return (
                f"{n}' = ceil(({self.size} + {self.before} + {self.after} - "
                f"{self.dilation}*({self.kernel}-1) - 1) / {self.stride}) + 1 = {self.out}"
                " (minus a window that would start in the end padding)"
            )
        return (
            f"{n}' = floor(({self.size} + {self.before} + {self.after} - "
            f"{self.dilation}*({self.kernel}-1) - 1) / {self.stride}) + 1 = {self.out}"
        )


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


def same_padding(size: int, kernel: int, stride: int, dilation: int) -> tuple[int, int]:
    """TensorFlow's 'same' rule: out = ceil(in / s); the odd extra cell goes after (bottom/right)."""
    out = -(-size // stride)
    total = max((out - 1) * stride + dilation * (kernel - 1) + 1 - size, 0)
    return total // 2, total - total // 2


def same_padding_formula(size: int, kernel: int, stride: int, dilation: int) -> str:
    """The 'same' padding rule with numbers substituted, for explanations."""
    out = -(-size // stride)
    raw = (out - 1) * stride + dilation * (kernel - 1) + 1 - size
    total = max(raw, 0)
    return (
        f"out = ceil({size} / {stride}) = {out}; "
        f"total = max(({out}-1)*{stride} + {dilation}*({kernel}-1) + 1 - {size}, 0) = {total}; "
        f"before = {total} // 2 = {total // 2}, after = {total} - {total // 2} = {total - total // 2}"
    )


def resolve_padding(
    mode: str | None,
    padding,
    input_size: tuple[int, ...],
    kernel_size: tuple[int, ...],
    stride: tuple[int, ...],
    dilation: tuple[int, ...],
) -> tuple[str, tuple[tuple[int, int], ...]]:
    """Turn a mode name or an explicit padding into ((top, bottom), (left, right)), one pair per axis.

    `padding` is an int, (ph, pw) or ((top, bottom), (left, right)) (any number
    of axes); it is used when `mode` is None. `mode` "causal" pads d*(k-1)
    before only. Returns the mode name ("explicit" for given padding).
    """
    if mode is None and padding is None:
        mode = "valid"
    if mode is not None:
        per_axis = []
        for size, k, s, d in zip(input_size, kernel_size, stride, dilation):
            if mode == "valid":
                per_axis.append((0, 0))
            elif mode == "full":
                per_axis.append((d * (k - 1), d * (k - 1)))
            elif mode == "same":
                per_axis.append(same_padding(size, k, s, d))
            elif mode == "causal":
                per_axis.append((d * (k - 1), 0))
            else:
                raise DataError(f"mode {mode!r} is not one of {', '.join(MODES)}")
        return mode, tuple(per_axis)
    return "explicit", normalize_padding(padding, len(input_size))


def normalize_padding(padding, dims: int = 2) -> tuple[tuple[int, int], ...]:
    """int | (ph, pw) | ((top, bottom), (left, right)) -> ((top, bottom), (left, right)); any number of axes."""
    if isinstance(padding, int):
        return ((padding, padding),) * dims
    if all(isinstance(p, int) for p in padding):
        return tuple((p, p) for p in padding)
    return tuple((side[0], side[1]) for side in padding)


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
