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

import numpy as np

# the groups register their models with situation.model on import
from . import models_geometry, models_kernels, models_pairs, models_shape, models_values  # noqa: F401
from .situation import MODELS, Diagnosis, Situation, fits


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
