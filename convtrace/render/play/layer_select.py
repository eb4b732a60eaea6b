"""Which output values of a layer (groups, 1-D, 3-D, transposed, pooling) a notebook player shows.

The same texts `--at` takes: 'n=0,k=1', 'col=0..2', 'depth=1,row=0', 'step=5';
several texts pick what any of them picks. The axis names are those of the
layer's output: col (1-D); row, col (2-D); depth, row, col (3-D).
"""

from __future__ import annotations

from ...errors import UsageError
from ...source.problem import Problem
from ..output.layer_records import POSITION_NAMES


class LayerSelection:
    """A predicate on LayerSteps built from --at texts, each checked against the output's shape (N, K, *O)."""

    def __init__(self, specs: list[str], problem: Problem, option: str = "at"):
        self.option = option  # how messages name the texts: "--at" on the command line, "at" in a notebook
        self.names = ("n", "k", *POSITION_NAMES[problem.dims])
        self.sizes = dict(zip(self.names, problem.output_shape), step=problem.steps)
        self.choices = [self._parse(spec) for spec in specs]

    def _parse(self, spec: str) -> dict[str, range]:
        at = "--at " if self.option == "--at" else ""
        example = f"e.g. {at}n=0,k=1, {at}{self.names[2]}=0..2 or {at}step=5"
        picked = {}
        for part in spec.split(","):
            name, equals, value = part.strip().partition("=")
            name = name.strip().lower()
            if not equals or name not in self.sizes:
                raise UsageError(f"{self.option} {spec!r}: {part.strip()!r} is not NAME=VALUE with NAME one of "
                                 f"{', '.join(self.sizes)}; {example}")
            first, dots, last = value.strip().partition("..")
            try:
                lo, hi = int(first), int(last if dots else first)
            except ValueError:
                raise UsageError(f"{self.option} {spec!r}: {value.strip()!r} is not a whole number or a range like 0..2; "
                                 f"{example}") from None
            if lo < 0 or hi < lo or hi >= self.sizes[name]:
                raise UsageError(f"{self.option} {spec!r}: {name} must be within 0..{self.sizes[name] - 1}, got {value.strip()}")
            picked[name] = range(lo, hi + 1)
        return picked

    def __call__(self, step) -> bool:
        where = dict(zip(self.names, (step.n, step.k, *step.position)), step=step.step)
        return any(all(where[name] in values for name, values in choice.items()) for choice in self.choices)


class ScatterSelection(LayerSelection):
    """The same texts for the scatter view of a transposed convolution, naming INPUT values:
    n, c and the input's axes, or step (the stamp's number). Takes StampAt or ScatterStep."""

    def __init__(self, specs: list[str], problem: Problem, option: str = "at"):
        self.option = option
        self.names = ("n", "c", *POSITION_NAMES[problem.dims])
        self.sizes = dict(zip(self.names, problem.input_shape), step=int(problem.images.size))
        self.choices = [self._parse(spec) for spec in specs]

    def __call__(self, stamp) -> bool:
        where = dict(zip(self.names, (stamp.n, stamp.c, *stamp.position)), step=stamp.step)
        return any(all(where[name] in values for name, values in choice.items()) for choice in self.choices)
