"""Known mistakes, each modelled as the wrong computation it makes.

A failed case is compared with every model; a mistake is named only when its
model reproduces the returned array exactly (within the rounding tolerance).
Models marked with NaN cells leave those cells free: a size rounded up makes
extra cells whose values depend on the learner's code, so only the others count.

A few mistakes crash before they return anything; `exceptions.py` names them
from the exception's type and message.

The models live in groups, each in its own module: `models_values` (start
value, bias), `models_geometry` (stride, padding, dilation, window size),
`models_kernels` (rotations and flips), `models_pairs` (which image meets which
kernel), `models_shape` (axes, layout, reshape). Each registers with an
`order`: the first model that fits is named, so the more specific come first.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Iterator

import numpy as np

from .cases import Case, in_layout

SENTINEL = 1000.0  # left in freed memory before each call, so np.empty + `+=` shows up as +1000


@dataclass(frozen=True)
class Mistake:
    """A named mistake with the advice that fixes it."""

    id: str
    title: str


@dataclass(frozen=True)
class Diagnosis:
    """A mistake that explains this case's result exactly, told with this case's numbers."""

    mistake: str  # Mistake.id
    title: str
    explanation: str


@dataclass
class Situation:
    """A case as one learner saw it: the data, their layout, and (for a repeated call) the first answer."""

    case: Case
    layout: str
    previous: np.ndarray | None = None  # what the first of two identical calls returned

    def out(self, **changes) -> np.ndarray:
        """The case computed with some settings changed, in the learner's layout."""
        return in_layout(self.case.output(**changes), self.layout)

    @property
    def expected(self) -> np.ndarray:
        """The right answer in the learner's layout (read-only)."""
        return in_layout(self.case.expected, self.layout)

    @property
    def spatial(self) -> tuple[int, int]:
        """(H', W') of the right answer."""
        return self.case.expected.shape[2], self.case.expected.shape[3]

    @property
    def plain(self) -> np.ndarray:
        """The right answer without the bias, in the learner's layout."""
        return self.out(bias=None)

    @property
    def bias_part(self) -> np.ndarray:
        """What the bias adds to each value (zeros without a bias), in the learner's layout."""
        return self.expected - self.plain

    @property
    def k_axis(self) -> int:
        """The output axis that holds one channel per kernel in the learner's layout."""
        return 3 if self.layout == "NHWC" else 1


Model = Callable[[Situation], Iterator[tuple[np.ndarray, str]]]
MODELS: list[tuple[int, Mistake, Model]] = []


def model(mistake_id: str, title: str, order: int):
    """Register a model: a generator of (wrong output in the learner's layout, explanation)."""

    def register(function: Model) -> Model:
        MODELS.append((order, Mistake(mistake_id, title), function))
        MODELS.sort(key=lambda entry: entry[0])
        return function

    return register


def padded(case: Case) -> tuple[int, int]:
    """(Hp, Wp): the image size after padding."""
    ph, pw = case.pad
    return case.images.shape[2] + 2 * ph, case.images.shape[3] + 2 * pw


def fits(returned: np.ndarray, candidate: np.ndarray, tol: float) -> bool:
    """True when `returned` is `candidate` within tol (NaN cells of the candidate match anything)."""
    if returned.shape != candidate.shape:
        return False
    known = ~np.isnan(candidate)
    close = np.abs(returned - candidate) <= tol
    return bool(np.all(close | ~known))


def diagnose(situation: Situation, returned: np.ndarray, tol: float) -> Diagnosis | None:
    """The first known mistake whose model reproduces `returned`, or None."""
    for _, mistake, make in MODELS:
        for candidate, explanation in make(situation):
            if candidate is not None and fits(returned, candidate, tol):
                return Diagnosis(mistake.id, mistake.title, explanation)
    return None


def candidates(situation: Situation) -> list[tuple[str, np.ndarray]]:
    """Every model's wrong output for this case (for tests that check the cases tell mistakes apart)."""
    return [(mistake.id, candidate) for _, mistake, make in MODELS for candidate, _ in make(situation)
            if candidate is not None]




# the groups register themselves on import (kept last: they import the names above)
from . import models_geometry, models_kernels, models_pairs, models_shape, models_values  # noqa: E402,F401


def from_exception(*args, **kwargs) -> Diagnosis | None:
    """exceptions.from_exception (imported on first use: that module imports this one)."""
    from .exceptions import from_exception as named

    return named(*args, **kwargs)
