"""One spatial axis of a convolution: its padding, output size, window corners and dropped cells.

Integer arithmetic on sizes only; no arrays. Per axis (rows use H, columns use W):

    span = d*(k-1) + 1                       # how far a dilated kernel reaches
    H'   = floor((H + top + bottom - d*(k-1) - 1) / s) + 1
    transposed: H' = (H-1)*s - 2p + d*(k-1) + output_padding + 1
    pooling with ceil_mode: ceil instead of floor, minus a last window that
    would start in the bottom padding (as PyTorch)

`out_formula` prints the same formula with the axis's numbers, so what a
learner reads is exactly what the sizes were computed with.
"""

from __future__ import annotations

from dataclasses import dataclass


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
