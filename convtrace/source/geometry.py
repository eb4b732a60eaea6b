"""Where the windows go: padding per side, output size, window corners, dropped rows.

Everything here is integer arithmetic on sizes; no arrays. The same `Geometry`
drives the naive engine, the vectorized engine, the renderer and `explain`, so
a formula printed on screen is exactly the one the numbers were computed with.

Per axis (rows use H, columns use W):

    span = d*(k-1) + 1                       # how far a dilated kernel reaches
    H'   = floor((H + top + bottom - d*(k-1) - 1) / s) + 1
"""

from __future__ import annotations

from dataclasses import dataclass

from ..errors import DataError

from .choices import MODES  # noqa: F401  (re-exported: geometry.MODES)


@dataclass(frozen=True)
class Axis:
    """One spatial axis (rows or columns) of a convolution."""

    name: str  # "H" for rows, "W" for columns
    size: int  # input size along this axis, before padding
    kernel: int  # kernel taps along this axis
    stride: int
    dilation: int
    before: int  # zero padding on the top (rows) or left (columns)
    after: int  # zero padding on the bottom (rows) or right (columns)

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
        return (self.padded - self.span) // self.stride + 1

    @property
    def dropped(self) -> int:
        """Cells at the end of the padded input that no window reaches (what the floor drops)."""
        if self.out < 1:
            return 0
        return self.padded - ((self.out - 1) * self.stride + self.span)

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
        return (
            f"{n}' = floor(({self.size} + {self.before} + {self.after} - "
            f"{self.dilation}*({self.kernel}-1) - 1) / {self.stride}) + 1 = {self.out}"
        )

    def out_formula_symbolic(self) -> str:
        """The output-size formula in symbols."""
        n = self.name
        return f"{n}' = floor(({n} + pad_before + pad_after - d*(k-1) - 1) / s) + 1"


@dataclass(frozen=True)
class Geometry:
    """The resolved shape of a 2-D convolution: rows and columns axes, plus how padding was chosen."""

    rows: Axis
    cols: Axis
    mode: str  # "valid", "same", "full" or "explicit"

    @property
    def padding(self) -> tuple[tuple[int, int], tuple[int, int]]:
        """((top, bottom), (left, right))."""
        return (self.rows.before, self.rows.after), (self.cols.before, self.cols.after)

    @property
    def stride(self) -> tuple[int, int]:
        return self.rows.stride, self.cols.stride

    @property
    def dilation(self) -> tuple[int, int]:
        return self.rows.dilation, self.cols.dilation

    @property
    def kernel_size(self) -> tuple[int, int]:
        return self.rows.kernel, self.cols.kernel

    @property
    def input_size(self) -> tuple[int, int]:
        return self.rows.size, self.cols.size

    @property
    def padded_size(self) -> tuple[int, int]:
        return self.rows.padded, self.cols.padded

    @property
    def out_size(self) -> tuple[int, int]:
        """(H', W')."""
        return self.rows.out, self.cols.out

    @property
    def positions(self) -> int:
        """Window positions per (image, kernel) pair: H' * W'."""
        return self.rows.out * self.cols.out


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
    input_size: tuple[int, int],
    kernel_size: tuple[int, int],
    stride: tuple[int, int],
    dilation: tuple[int, int],
) -> tuple[str, tuple[tuple[int, int], tuple[int, int]]]:
    """Turn a mode name or an explicit padding into ((top, bottom), (left, right)).

    `padding` is an int, (ph, pw) or ((top, bottom), (left, right)); it is used
    when `mode` is None. Returns the mode name ("explicit" for given padding).
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
            else:
                raise DataError(f"mode {mode!r} is not one of {', '.join(MODES)}")
        return mode, (per_axis[0], per_axis[1])
    return "explicit", normalize_padding(padding)


def normalize_padding(padding) -> tuple[tuple[int, int], tuple[int, int]]:
    """int | (ph, pw) | ((top, bottom), (left, right)) -> ((top, bottom), (left, right))."""
    if isinstance(padding, int):
        return (padding, padding), (padding, padding)
    rows, cols = padding
    if isinstance(rows, int):
        return (rows, rows), (cols, cols)
    return (rows[0], rows[1]), (cols[0], cols[1])


def make_geometry(
    input_size: tuple[int, int],
    kernel_size: tuple[int, int],
    *,
    stride=1,
    dilation=1,
    mode: str | None = None,
    padding=None,
) -> Geometry:
    """Resolve a convolution's geometry and check that at least one window fits.

    Raises DataError naming the axis and showing the substituted formula when
    H' or W' would be below 1.
    """
    stride, dilation = pair(stride), pair(dilation)
    for label, values in (("stride", stride), ("dilation", dilation)):
        if min(values) < 1:
            raise DataError(f"{label} must be >= 1, got {list(values)}; 1 means no {'skipping' if label == 'stride' else 'gaps'}")
    mode_name, ((top, bottom), (left, right)) = resolve_padding(
        mode, padding, input_size, kernel_size, stride, dilation
    )
    if min(top, bottom, left, right) < 0:
        raise DataError(
            f"padding must be >= 0 on every side, got [[{top}, {bottom}], [{left}, {right}]]; "
            f"it counts rows or columns of zeros added, 0 means none"
        )
    rows = Axis("H", input_size[0], kernel_size[0], stride[0], dilation[0], top, bottom)
    cols = Axis("W", input_size[1], kernel_size[1], stride[1], dilation[1], left, right)
    for axis, what in ((rows, "rows"), (cols, "columns")):
        if axis.out < 1:
            raise DataError(
                f"the kernel does not fit the {what}: {axis.out_formula()}, but it must be >= 1. "
                f"The dilated kernel spans {axis.span} {what}, the padded input has {axis.padded}; "
                f"add padding (e.g. mode \"same\"), use a smaller kernel or dilation, or a larger image"
            )
    return Geometry(rows, cols, mode_name)
