"""The page data of every layer but plain 2-D convolution: one record per output value, from `LayerStep`s.

    LayerSteps (engine events) --watch--> records {step, n, k, at, corner, channels, value, ...}
    Problem                     -------> the layer's summary as text, shapes, the page `kind`

Kinds: "conv" (grouped, 1-D, 3-D), "conv_transpose", "max_pool", "avg_pool";
`dims` says how to lay a window out: 1 a row of cells, 2 a grid, 3 depth
slices side by side. Each record carries the window it read as display text
(C_read, *k), with '·' where the loop read a zero it added (padding, a
transposed stride's inserted zeros) and '[v]' on a max pool's winning tap, so
the page only lays the cells out: the same marks as the terminal frame
(render/frames/layer_frames.py), every number the event's own.
"""

from __future__ import annotations

import numpy as np

from ....engine.layer_step import LayerStep
from ....source.problem import Problem
from ...frames.layer_frames import LayerSummary
from ..layer_records import POSITION_NAMES
from ....text import number
from .data import DEFAULT_PAGE_STEPS, PAGE_FORMAT, TraceRecorder
from .textframes import as_text


def window_text(values: np.ndarray, real: np.ndarray, marked: tuple | None = None) -> list:
    """(*k) values -> the same nesting of cell texts: '·' for a zero the loop added, '[v]' for the marked tap."""
    out = np.empty(values.shape, dtype=object)
    for index in np.ndindex(values.shape):
        if not real[index]:
            out[index] = "·"
        else:
            text = number(float(values[index]))
            out[index] = f"[{text}]" if marked is not None and tuple(marked) == index else text
    return out.tolist()


def layer_record(s: LayerStep) -> dict:
    """One LayerStep as page text: where it is, the window (C_read, *k) it read, and how the value was made."""
    real = s.real if s.real is not None else np.ones(s.patch.shape[1:], dtype=bool)
    record = {
        "step": s.step, "n": s.n, "k": s.k, "at": list(s.position), "corner": list(s.corner),
        "channels": list(s.channels), "group": s.group, "value": number(s.value),
        "patch": [window_text(s.patch[i], real, s.max_tap if i == 0 else None) for i in range(s.patch.shape[0])],
    }
    if s.kernel is not None:  # convolutions: the kernel slice, its per-channel sums and the bias
        everywhere = np.ones(s.kernel.shape[1:], dtype=bool)
        record["kernel"] = [window_text(s.kernel[i], everywhere) for i in range(s.kernel.shape[0])]
        record["partials"] = [number(float(p)) for p in s.partials]
        record["bias"] = number(s.bias)
    if s.window_max_at is not None:  # max pool: where the first maximum sits in the (unpadded) input
        record["max_at"] = list(s.window_max_at)
    if s.divisor is not None:  # avg pool: the window's sum and what it was divided by
        record["total"] = number(s.total)
        record["divisor"] = s.divisor
    return record


class LayerRecorder(TraceRecorder):
    """TraceRecorder's cap and --at rules for LayerSteps: (N, C, *S) -> records of (N, K, *S') output values."""

    def __init__(self, problem: Problem, chosen=lambda step: True, limit: int | None = None):
        # not TraceRecorder.__init__: its Collector holds a 2-D output grid; each record here holds its own value
        self.problem, self.chosen = problem, chosen
        self.cap = DEFAULT_PAGE_STEPS if limit is None else limit
        self.capped_by_default = limit is None
        self.records: list[dict] = []
        self.left_out = 0  # chosen steps beyond the cap
        self.more = False  # stopped at the cap without counting the rest
        self._source = None

    def add(self, step: LayerStep) -> None:
        if self.chosen(step):
            if len(self.records) < self.cap:
                self.records.append(layer_record(step))
            else:
                self.left_out += 1

    def cap_note(self) -> str | None:
        """TraceRecorder's note, its --at example named with this layer's axes (col; row, col; depth, row, col)."""
        note = super().cap_note()
        axis = POSITION_NAMES[self.problem.dims][0]
        return note and note.replace("--at row=0..3", f"--at {axis}=0..3")

    def data(self) -> dict:
        """Everything the page plays, as one JSON-ready dict (see the module docstring)."""
        p = self.problem
        return {
            "format": PAGE_FORMAT,
            "kind": p.layer,
            "dims": p.dims,
            "title": p.title or "convtrace run",
            "description": p.description or "",
            "groups": p.groups,
            "flip": bool(p.flip),
            "input_shape": list(p.input_shape),
            "kernel_shape": list(p.kernel_shape) if p.kernel_shape is not None else None,
            "output_shape": list(p.output_shape),
            "total": p.steps,
            "steps": self.records,
            "summary": as_text(LayerSummary(p)),
            "note": self.cap_note(),
        }
