"""Scatter events -> jsonl records and plain lines (`run --method scatter --format jsonl|plain`).

One record per input value, in C order of the input (n, c, then the spatial
axes), named as the layer records name positions (render/output/layer_records.py):
`col`; `row`, `col`; `depth`, `row`, `col` -- here the input value's position.
Output cells are written channels-first without n: `[k, row, col]`, in output
coordinates (a cropped cell's row or column is negative or past the end).
"""

from __future__ import annotations

import numpy as np

from ...engine.naive_scatter import ScatterStep
from ...text import number
from .layer_records import POSITION_NAMES


def _sends(step: ScatterStep):
    """(kept, cropped): ((k, *cell), amount, running total or None) for every output channel and tap, C order."""
    kept, cropped = [], []
    so_far = step.output_so_far()
    for i, k in enumerate(range(*step.outputs)):
        for tap in np.ndindex(*step.kept.shape):
            cell = tuple(int(v) for v in step.cells[tap])
            amount = float(step.stamp[(i, *tap)])
            if step.kept[tap]:
                kept.append(((k, *cell), amount, float(so_far[(i, *cell)])))
            else:
                cropped.append(((k, *cell), amount, None))
    return kept, cropped


def scatter_record(step: ScatterStep) -> dict:
    """One input value's stamp as a jsonl object."""
    record = {"step": step.step, "n": step.n, "c": step.c}
    record.update(zip(POSITION_NAMES[len(step.position)], step.position))
    record.update({"layer": "conv_transpose", "view": "scatter", "group": step.group,
                   "outputs": list(step.outputs), "value": step.value,
                   "kernel": step.kernel.tolist(), "stamp": step.stamp.tolist()})
    kept, cropped = _sends(step)
    record["to_output"] = [[list(cell), amount, total] for cell, amount, total in kept]
    record["cropped"] = [[list(cell), amount] for cell, amount, _ in cropped]
    record["running"] = step.output_so_far().tolist()
    return record


def scatter_plain_line(step: ScatterStep) -> str:
    """e.g. 'stamp 3  x[0,0,1,1] = 4  -> out[0,0,2,2] += 4 = 36, ...; cropped: out[0,0,-1,2] += 8'."""
    kept, cropped = _sends(step)
    at = lambda cell: f"out[{','.join(map(str, (step.n, *cell)))}]"  # noqa: E731
    sends = ", ".join(f"{at(cell)} += {number(amount)} = {number(total)}" for cell, amount, total in kept)
    line = f"stamp {step.step}  x[{','.join(map(str, (step.n, step.c, *step.position)))}] = {number(step.value)}"
    line += f"  -> {sends or 'no output cell (all cropped)'}"
    if cropped:
        line += "; cropped: " + ", ".join(f"{at(cell)} += {number(amount)}" for cell, amount, _ in cropped)
    return line
