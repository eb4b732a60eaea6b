"""`explain --transposed`: the output size of a transposed convolution, and why output_padding exists.

The relationships are those of Dumoulin and Visin, "A guide to convolution
arithmetic for deep learning" (2016), section 4, per axis:

    H' = (H-1)*s - 2p + d*(k-1) + output_padding + 1

A transposed convolution is the gradient of the convolution with the same k,
s, p and d, run backwards: it turns that convolution's output size back into its
input size. At stride s > 1 the forward floor maps s input sizes to the same
output size, so going back is ambiguous; output_padding (0 .. s-1) picks one.
Equivalently (the gather view): insert s-1 zeros between the input's cells,
pad d*(k-1) - p zeros on each side (plus output_padding at the end), and slide
the kernel rotated 180 degrees at stride 1.

The example's output comes from the engine on a one-channel document.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ...errors import DataError
from ...source.axis import Axis
from ...source.geometry import Geometry, make_geometry

WORDS = {"H": ("rows", "row"), "W": ("columns", "column")}


@dataclass(frozen=True)
class TransposedAxis:
    """One axis: the size formula, the forward sizes that map back to it, and the gather view."""

    what: str  # "rows" or "columns"
    formula: str  # "H' = (3-1)*2 - 1 - 1 + 1*(3-1) + 0 + 1 = 5"
    forward: tuple[str, ...]  # "X = 5: floor((5 + 1 + 1 - 1*(3-1) - 1) / 2) + 1 = 3", one per output_padding
    chosen: str  # which of them this output_padding picks
    gather: str  # the zero-inserted, padded size and the stride-1 window count


@dataclass(frozen=True)
class TransposedNote:
    """Everything `explain --transposed` shows, computed."""

    geometry: Geometry
    axes: tuple[TransposedAxis, ...]
    x: np.ndarray  # (H, W) the example input
    w: np.ndarray  # (kh, kw) the kernel
    output: np.ndarray  # (H', W') from the engine


def example_document(input_size, kernel_size, stride, dilation, padding, output_padding) -> dict:
    """One channel: ramps x = 1, 2, ... and w = 1, 2, ... (row by row)."""
    (h, w), (kh, kw) = input_size, kernel_size
    return {"images": np.arange(1.0, h * w + 1).reshape(h, w).tolist(),
            "kernels": np.arange(1.0, kh * kw + 1).reshape(kh, kw).tolist(),
            "transposed": True, "stride": list(stride), "dilation": list(dilation),
            "padding": list(padding), "output_padding": list(output_padding)}


def _axis(axis: Axis) -> TransposedAxis:
    what, one = WORDS[axis.name]
    h, k, s, d, p, a = axis.size, axis.kernel, axis.stride, axis.dilation, axis.before, axis.output_padding
    formula = f"{axis.name}' = ({h}-1)*{s} - 2*{p} + {d}*({k}-1) + {a} + 1 = {axis.out}"
    smallest = axis.out - a  # the size output_padding 0 gives
    forward = []
    for extra in range(s):
        size = smallest + extra
        if size < 1:
            continue
        try:
            back = make_geometry((size,), (k,), stride=s, dilation=d, padding=[[p, p]]).axes[0]
        except DataError:  # that size fits no forward window: nothing maps back to it
            continue
        forward.append(f"X = {size}: floor(({size} + {p} + {p} - {d}*({k}-1) - 1) / {s}) + 1 = {back.out}"
                       + (f"   (output_padding {extra})" if s > 1 else ""))
    if s == 1:
        chosen = f"At stride 1 only X = {smallest} gives {h}: no output_padding is needed (it must be 0)."
    else:
        chosen = (f"At stride {s}, {s} input sizes give {h} {what} (the floor): output_padding = {a} "
                  f"picks X = {axis.out}. It must be less than the stride or the dilation.")
    border = axis.gather_border  # d*(k-1) - p: zeros on each side, or cropped when negative
    inserted = (h - 1) * s + 1
    around = (f"pad {d}*({k}-1) - {p} = {border} zeros on each side" if border >= 0
              else f"crop {-border} from each side (p > d*(k-1))")
    gather = (f"gather view: {h} {what} with {s}-1 zeros between them = {inserted}; {around}"
              f"{f' and {a} more at the end' if a else ''}: {inserted} + 2*{border} + {a} = "
              f"{inserted + 2 * border + a}; a stride-1 window spanning d*(k-1)+1 = {axis.span} "
              f"fits {inserted + 2 * border + a} - {axis.span} + 1 = {axis.out} times")
    return TransposedAxis(what, formula, tuple(forward), chosen, gather)


def transposed_note(doc: dict) -> TransposedNote:
    """A one-channel transposed-convolution document -> the explanation. DataError if it is not one."""
    from ...engine.dispatch import layer_output
    from ...source.document import load

    problem = load(doc)
    if problem.layer != "conv_transpose" or problem.geometry.dims != 2:
        raise DataError("explain --transposed needs a 2-D transposed convolution")
    g = problem.geometry
    return TransposedNote(g, tuple(_axis(a) for a in g.axes), np.array(problem.images[0, 0]),
                          np.array(problem.kernels[0, 0]), layer_output(problem)[0, 0])
