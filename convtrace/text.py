"""Numbers and shapes as text, the same way everywhere: the library (quiz verdicts) and every renderer.

    number(27.0) -> '27'     number(0.125) -> '0.125'     shape((1, 3, 5, 5)) -> '(1,3,5,5)'
    Numbers.for_values([0.3137254, 1.0]) -> shows 0.314 and 1: as few decimals as show the
    values faithfully, at most 3 unless --precision asks for more

Plain lines, jsonl and --json never round: they use `number` (6 significant
digits) or the float itself. Only the drawn grids go through `Numbers`.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np

MAX_DECIMALS = 3  # the default cap: 0.313725 is drawn 0.314, so a cell stays 5 characters wide


def number(value: float) -> str:
    """Short, exact-looking text for a value: 27.0 -> '27', 0.125 -> '0.125' (6 significant digits)."""
    text = f"{value:.6g}"
    return "0" if text == "-0" else text


def shape(values) -> str:
    """(1, 3, 5, 5) -> '(1,3,5,5)'."""
    return "(" + ",".join(str(v) for v in values) + ")"


def signed(number_text: str) -> str:
    """'-2' -> '(-2)': a negative term reads better in a sum ('14 + (-2)')."""
    return f"({number_text})" if number_text.startswith("-") else number_text


def fewest_decimals(values: Iterable[float] | np.ndarray, limit: int = MAX_DECIMALS) -> tuple[int, bool]:
    """The fewest decimals (0..limit) that show every value exactly, and whether even `limit` rounds some."""
    array = np.asarray(values, dtype=float).reshape(-1)
    array = array[np.isfinite(array)]
    for decimals in range(limit + 1):
        if np.allclose(np.round(array, decimals), array, rtol=1e-9, atol=1e-12):
            return decimals, False
    return limit, True


class Numbers:
    """Formats drawn values with at most `decimals` decimals (exact ones without trailing zeros: 0.5, not 0.500).

    `derived` is for products, sums and outputs, which need more decimals than their factors
    (0.5 * 0.5 = 0.25). `rounded` says whether some input value is shown rounded.
    """

    def __init__(self, decimals: int | None = None, derived: int | None = None, rounded: bool = False):
        self.decimals = decimals
        self.derived = decimals if derived is None else derived
        self.rounded = rounded

    @classmethod
    def for_values(cls, values, precision: int | None = None) -> Numbers:
        """The formatter for a problem's inputs: --precision N, or as few decimals as show them faithfully."""
        if precision is not None:
            return cls(precision, precision, False)
        decimals, rounded = fewest_decimals(values)
        return cls(decimals, max(decimals, min(2 * decimals, MAX_DECIMALS)), rounded)

    def __call__(self, value: float) -> str:
        """An input value (image, kernel, bias)."""
        return self._text(value, self.decimals)

    def out(self, value: float) -> str:
        """A computed value (product, sum, output)."""
        return self._text(value, self.derived)

    def _text(self, value: float, decimals: int | None) -> str:
        if decimals is None or not np.isfinite(value):
            return number(value)
        text = f"{value:.{decimals}f}"
        # exact values drop their trailing zeros (0.5, 27); rounded ones keep every decimal, so the
        # points line up in a grid (0.510 under 0.851)
        if "." in text and not self.rounded:
            text = text.rstrip("0").rstrip(".")
        return "0" if text in ("-0", "") else text

    def note(self) -> str | None:
        """What to tell the reader when drawn values are rounded."""
        if not self.rounded:
            return None
        return (f"Numbers are drawn with at most {self.decimals} decimals; --precision N draws more "
                f"(plain, jsonl and --json keep every digit).")
