"""`--at`: which window positions to draw, e.g. `n=0,k=1`, `row=2,col=1` or `row=0..2`.

Each --at is a set of conditions that must all hold; several --at options
draw the positions any of them picks.
"""

from __future__ import annotations

from ...engine.naive import Step
from ...errors import UsageError
from ...source.problem import Problem

NAMES = ("step", "n", "k", "row", "col")
EXAMPLE = "e.g. --at step=5 or --at n=0,k=1 or --at row=2,col=1 or --at row=0..2"


def parse_at(spec: str, problem: Problem) -> dict[str, range]:
    """'n=0,row=1..2' -> {'n': range(0, 1), 'row': range(1, 3)}, checked against the output's shape.

    `step` is the 0-based position number every view shows (rich header, plain lines, jsonl).
    """
    n, k, h, w = problem.output_shape
    sizes = {"step": (problem.steps, "the number of positions"), "n": (n, "N"), "k": (k, "K"), "row": (h, "H'"), "col": (w, "W'")}
    picked: dict[str, range] = {}
    for part in spec.split(","):
        name, equals, value = part.strip().partition("=")
        name = name.strip().lower()
        if not equals or name not in NAMES:
            raise UsageError(f"--at {spec!r}: {part.strip()!r} is not NAME=VALUE with NAME one of {', '.join(NAMES)}; {EXAMPLE}")
        first, dots, last = value.strip().partition("..")
        try:
            lo, hi = int(first), int(last if dots else first)
        except ValueError:
            raise UsageError(f"--at {spec!r}: {value.strip()!r} is not a whole number or a range like 0..2; {EXAMPLE}") from None
        size, symbol = sizes[name]
        if lo < 0 or hi < lo or hi >= size:
            raise UsageError(
                f"--at {spec!r}: {name} must be within 0..{size - 1} ({symbol} = {size}), got {value.strip()}"
            )
        picked[name] = range(lo, hi + 1)
    return picked


class Selection:
    """The positions picked by zero or more --at options (none: every position)."""

    def __init__(self, specs: tuple[str, ...] | list[str], problem: Problem):
        self.specs = tuple(specs)
        self.choices = [parse_at(spec, problem) for spec in self.specs]

    def __call__(self, step: Step) -> bool:
        if not self.choices:
            return True
        where = {"step": step.step, "n": step.n, "k": step.k, "row": step.row, "col": step.col}
        return any(all(where[name] in values for name, values in choice.items()) for choice in self.choices)
