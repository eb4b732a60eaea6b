"""`explain --groups G`: which input channels each output channel reads, and what that saves.

PyTorch's Conv2d(groups=G) cuts the C input channels and the K kernels into G
groups; kernel k belongs to group g = k // (K/G) and reads only input
channels g*C/G .. (g+1)*C/G - 1, so its weight is (C/G, kh, kw), not (C, kh, kw).

The example makes that visible: input channel c is filled with c+1 and every
weight is 1, so out[0, k, 0, 0] = kh*kw * (sum of c+1 over the channels read).
The values and per-channel partial sums come from the engine (its naive loop
and its vectorized layer), computed on a document like any other.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ...errors import DataError
from ...source.geometry import Geometry


@dataclass(frozen=True)
class GroupRow:
    """One output channel: its group, the channels it reads, and out[0, k, 0, 0] from the engine."""

    k: int
    rule: str  # "g = k // (K/G) = 3 // 2 = 1: channels 1*4/2 .. 2*4/2 - 1 = 2..3"
    channels: tuple[int, int]  # [start, stop)
    partials: tuple[tuple[int, float], ...]  # (input channel, its partial sum) at out[0, k, 0, 0]
    value: float


@dataclass(frozen=True)
class GroupsNote:
    """Everything `explain --groups` shows, computed."""

    groups: int
    channels: int  # C
    kernels: int  # K
    geometry: Geometry
    weight_shape: str  # "kernels (K, C/groups, kh, kw) = (4, 4/2, 3, 3) = (4, 2, 3, 3)"
    weights: str  # "K*(C/G)*kh*kw = 4*2*3*3 = 72 weights, against K*C*kh*kw = 144 without groups: 1/2"
    rows: tuple[GroupRow, ...]
    notes: tuple[str, ...]
    output: np.ndarray  # (K, H', W'): the engine's output for image 0


def example_document(groups: int, input_size, kernel_size, stride, dilation, mode: str) -> dict:
    """C = K = 2*G channels (two per group), channel c filled with c+1, all weights 1."""
    channels = kernels = 2 * groups
    h, w = input_size
    images = np.repeat(np.arange(1.0, channels + 1)[:, None, None], h * w).reshape(channels, h, w)
    weights = np.ones((kernels, channels // groups, *kernel_size))
    return {"images": [images.tolist()], "kernels": weights.tolist(), "groups": groups,
            "stride": list(stride), "dilation": list(dilation), "mode": mode}


def _at_origin(step) -> bool:
    """The step computes out[0, k, 0, 0]. groups = 1 is plain convolution, whose loop yields Steps
    (placed by row and col, reading every channel) instead of LayerSteps (placed by position)."""
    where = step.position if hasattr(step, "position") else (step.row, step.col)
    return step.n == 0 and where == (0, 0)


def groups_note(doc: dict) -> GroupsNote:
    """A grouped-convolution document (one image) -> the explanation. DataError if it is not one."""
    from ...engine.dispatch import layer_output, trace_layer
    from ...source.document import load

    problem = load(doc)
    if problem.layer != "conv" or problem.geometry.dims != 2:
        raise DataError("explain --groups needs a 2-D convolution")
    n, c, _, _ = problem.input_shape
    k, per, kh, kw = problem.kernel_shape
    g = problem.groups
    out = layer_output(problem)
    rows = []
    first = {step.k: step for step in trace_layer(problem) if _at_origin(step)}
    for kk in range(k):
        step = first[kk]
        start, stop = getattr(step, "channels", (0, c))
        group = kk // (k // g)
        rule = (f"g = k // (K/G) = {kk} // {k // g} = {group}: channels {group}*{c}/{g} .. "
                f"{group + 1}*{c}/{g} - 1 = {start}..{stop - 1}")
        partials = tuple((start + i, float(p)) for i, p in enumerate(step.partials))
        rows.append(GroupRow(kk, rule, (start, stop), partials, float(out[0, kk, 0, 0])))
    notes = []
    if g == c:
        notes.append(f"groups = C = {c}: depthwise convolution, each kernel reads one channel "
                     "(MobileNet's depthwise layer; a 1x1 convolution then mixes the channels).")
    if g == 1:
        notes.append("groups = 1 is the ordinary convolution: every kernel reads every channel.")
    notes.append(f"Input channel c is filled with c+1 and every weight is 1, so out[0,k,0,0] = "
                 f"{kh}*{kw} * (sum of c+1 over the channels kernel k reads): the value shows which ones.")
    return GroupsNote(
        groups=g, channels=c, kernels=k, geometry=problem.geometry,
        weight_shape=f"kernels (K, C/groups, kh, kw) = ({k}, {c}/{g}, {kh}, {kw}) = ({k}, {per}, {kh}, {kw})",
        weights=(f"K*(C/G)*kh*kw = {k}*{per}*{kh}*{kw} = {k * per * kh * kw} weights, against "
                 f"K*C*kh*kw = {k}*{c}*{kh}*{kw} = {k * c * kh * kw} without groups: 1/{g} of them"),
        rows=tuple(rows), notes=tuple(notes), output=out[0],
    )
