"""`explain --pool max|avg`: the output size of pooling, ceil_mode, and the last window it keeps or drops.

Pooling slides a window like a convolution, with stride = the window size
unless told otherwise (Dumoulin and Visin, "A guide to convolution arithmetic",
section 3), per axis:

    H' = floor((H + 2p - d*(k-1) - 1) / s) + 1              (ceil_mode off)
    H' = ceil((H + 2p - d*(k-1) - 1) / s) + 1                (ceil_mode on)

With ceil_mode the last window may run past the padded input: it is kept and
reads only what is there. PyTorch then drops a last window that would start in
the end padding (it would read no input at all). Average pooling divides each
window's sum by its size, counted as PyTorch counts it at the borders.

The outputs and divisors come from the engine on a one-channel document.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ...errors import DataError
from ...source.axis import Axis
from ...source.geometry import Geometry

WORDS = {"H": ("rows", "row"), "W": ("columns", "column")}


@dataclass(frozen=True)
class PoolAxis:
    """One axis: the floor and ceil sizes, and what ceil_mode does to the last window."""

    what: str
    floor: str  # "H' = floor((5 + 0 + 0 - 1*(2-1) - 1) / 2) + 1 = 2"
    ceil: str  # "H' = ceil(...) + 1 = 3"
    starts: str  # window starts, in input coordinates, under the mode in use
    last: str  # what happens to the last window under ceil_mode (kept past the edge, dropped, or no change)


@dataclass(frozen=True)
class PoolNote:
    """Everything `explain --pool` shows, computed."""

    kind: str  # "max" or "avg"
    ceil_mode: bool
    geometry: Geometry
    axes: tuple[PoolAxis, ...]
    x: np.ndarray  # (H, W)
    output: np.ndarray  # (H', W') from the engine
    divisors: np.ndarray | None  # (H', W') avg only: what each window's sum is divided by


def example_document(kind: str, input_size, pool_size, stride, dilation, padding, ceil_mode: bool) -> dict:
    """One channel, the ramp x = 1, 2, ... (row by row); stride None means the window size (PyTorch's default)."""
    h, w = input_size
    doc = {"images": np.arange(1.0, h * w + 1).reshape(h, w).tolist(), "pool": kind,
           "pool_size": list(pool_size), "padding": list(padding), "ceil_mode": ceil_mode}
    if stride is not None:
        doc["stride"] = list(stride)
    if kind == "max":
        doc["dilation"] = list(dilation)
    return doc


def _axis(axis: Axis, ceil_mode: bool) -> PoolAxis:
    what, one = WORDS[axis.name]
    n, h, k, s, d, p = axis.name, axis.size, axis.kernel, axis.stride, axis.dilation, axis.before
    top = h + 2 * p - d * (k - 1) - 1
    body = f"(({h} + {p} + {p} - {d}*({k}-1) - 1) / {s})"
    floor_out, ceil_out = top // s + 1, -(-top // s) + 1
    kept = Axis(n, h, k, s, d, p, p, ceil_mode=True).out  # after PyTorch drops a window starting in the end padding
    starts = ", ".join(str(c - p) for c in axis.corners())
    if ceil_out == floor_out:
        last = f"ceil_mode changes nothing here: {top} / {s} has no remainder"
    else:
        start = (ceil_out - 1) * s - p  # input coordinate of the extra window's first cell
        if kept < ceil_out:
            last = (f"ceil would add a window starting at input {one} {start}, inside the end padding "
                    f"(it would read no input): PyTorch drops it, so ceil_mode gives {kept}")
        else:
            end = start + axis.span - 1
            outside = max(end - (h - 1 + p), 0)
            last = (f"ceil_mode keeps a last window starting at input {one} {start}: it spans {start}..{end}, "
                    f"{outside} {one if outside == 1 else what} past the padded input, and reads only what is there"
                    + ("" if ceil_mode else f"; without ceil_mode (here) the floor drops it and {n}' = {floor_out}"))
    return PoolAxis(what, f"{n}' = floor{body} + 1 = {floor_out}", f"{n}' = ceil{body} + 1 = {ceil_out}"
                    + (f", minus the window starting in the end padding = {kept}" if kept < ceil_out else ""),
                    starts, last)


def pool_note(doc: dict) -> PoolNote:
    """A one-channel pooling document -> the explanation. DataError if it is not one."""
    from ...engine.dispatch import layer_output
    from ...engine.pooling import avg_divisors
    from ...source.document import load

    problem = load(doc)
    if not problem.layer.endswith("_pool") or problem.geometry.dims != 2:
        raise DataError("explain --pool needs 2-D pooling")
    g = problem.geometry
    kind = problem.layer.split("_")[0]
    divisors = avg_divisors(g, problem.count_include_pad) if kind == "avg" else None
    ceil_mode = g.axes[0].ceil_mode
    return PoolNote(kind, ceil_mode, g, tuple(_axis(a, ceil_mode) for a in g.axes), np.array(problem.images[0, 0]),
                    layer_output(problem)[0, 0], divisors)
