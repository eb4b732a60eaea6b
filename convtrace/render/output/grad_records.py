"""Backward-pass events and results -> `grad --json`, jsonl records and plain lines. Nothing here computes."""

from __future__ import annotations

import numpy as np

from ...engine.grad import Gradients
from ...engine.grad_events import (
    BiasCell, BiasResult, ImagesCell, ImagesPrepare, ImagesResult, KernelsCell, KernelsPrepare, KernelsResult,
)
from ...source.problem import Problem
from ...teach.grad_words import Explanation
from ...text import number
from .records import geometry_record

NAMES = {"images": "dL/dimages", "kernels": "dL/dkernels", "bias": "dL/dbias"}


# ----------------------------------------------------------------------------- JSON


def grad_result_record(problem: Problem, grads: Gradients) -> dict:
    """The `grad --json` object: geometry as `run --json` gives it, the output and the gradients, in the document's layout."""
    record = geometry_record(problem)
    record["output"] = problem.to_layout(grads.output).tolist()
    record["grad_images"] = problem.to_layout(grads.images).tolist()
    kernels = grads.kernels.transpose(0, 2, 3, 1) if problem.layout == "NHWC" else grads.kernels
    record["grad_kernels"] = kernels.tolist()
    if grads.bias is not None:
        record["grad_bias"] = grads.bias.tolist()
    return record


# which event attributes each jsonl object carries, in order (arrays become nested lists)
RECORD_FIELDS = {
    ImagesPrepare: ("grad_output", "spread", "kernels", "kernels_spread", "kernels_rotated", "padded",
                    "full_padding", "stride", "dilation", "flip", "size", "cells"),
    ImagesCell: ("step", "n", "c", "row", "col", "top", "left", "input_row", "input_col",
                 "patch", "kernel", "partials", "value"),
    ImagesResult: ("full", "padded", "grad_images", "dropped", "crop"),
    KernelsPrepare: ("padded_images", "grad_output", "spread", "stride", "dilation", "flip", "cells"),
    KernelsCell: ("step", "k", "c", "row", "col", "top", "left", "rows", "cols", "target", "rotated",
                  "patch", "kernel", "partials", "value"),
    KernelsResult: ("applied", "grad_kernels", "rotated"),
    BiasCell: ("step", "k", "patch", "partials", "value"),
    BiasResult: ("grad_bias",),
}


def _plain_value(value):
    if isinstance(value, np.ndarray):
        return value.tolist()
    if isinstance(value, tuple):
        return [_plain_value(v) for v in value]
    return value


def event_record(event) -> dict:
    """One backward-pass event as a jsonl object: `grad`, `event`, then its fields (arrays NCHW-ordered)."""
    record = {"grad": event.grad, "event": event.event}
    for name in RECORD_FIELDS[type(event)]:
        record[name] = _plain_value(getattr(event, name))
    return record


# ----------------------------------------------------------------------------- plain


def _shape(array: np.ndarray) -> str:
    return "(" + ", ".join(str(d) for d in array.shape) + ")"


def _sum(values) -> str:
    return " + ".join(number(v) for v in values)


def total_text(partials, value) -> str:
    """'3 + 4 = 7', or just '7' when there is one partial."""
    return number(value) if len(partials) == 1 else f"{_sum(partials)} = {number(value)}"


def walk_name(rotated: bool) -> str:
    """What the kernel walk fills: dL/dw, or with flip dL/dw_rot (w_rot = rot180(w), what the window applied)."""
    return "dL/dw_rot" if rotated else "dL/dw"


def index_text(*indices) -> str:
    return "[" + ",".join(str(i) for i in indices) + "]"


def indices_text(values: tuple[int, ...]) -> str:
    """(0, 2, 4, 6, 8, 10, 12) -> '0,2,4,...,12': a long run of indices, shortened."""
    if len(values) <= 6:
        return ",".join(map(str, values))
    return f"{values[0]},{values[1]},{values[2]},...,{values[-1]}"


def plain_line(event) -> str:
    """One compact line per event."""
    e = event
    if isinstance(e, ImagesPrepare):
        return (
            f"images prepare  g {_shape(e.grad_output)} -> g' {_shape(e.spread)} (stride {e.stride[0]},{e.stride[1]}); "
            f"{'w_rot' if e.flip else 'w'} {_shape(e.kernels)} -> w' {_shape(e.kernels_spread)} (dilation {e.dilation[0]},{e.dilation[1]}) "
            f"rotated 180; full padding {e.full_padding[0]},{e.full_padding[1]} -> padded g' {_shape(e.padded)}; "
            f"{e.cells} cells"
        )
    if isinstance(e, ImagesCell):
        where = (f"-> dL/dimages{index_text(e.n, e.c, e.input_row, e.input_col)}" if e.input_row is not None
                 else "-> padding, cropped away")
        return (
            f"images step {e.step}  dL/dx_pad{index_text(e.n, e.c, e.row, e.col)}  window at ({e.top},{e.left}) of padded g'  "
            f"partials per kernel {total_text(e.partials, e.value)}  {where}"
        )
    if isinstance(e, ImagesResult):
        (r0, r1), (c0, c1) = e.crop
        return (
            f"images result  full walk {_shape(e.full)} + {e.dropped[0]} dropped row(s), {e.dropped[1]} column(s) of zeros "
            f"-> dL/dx_pad {_shape(e.padded)}; crop rows {r0}..{r1 - 1}, columns {c0}..{c1 - 1} "
            f"-> dL/dimages {_shape(e.grad_images)}"
        )
    if isinstance(e, KernelsPrepare):
        return (
            f"kernels prepare  x_pad {_shape(e.padded_images)} against g {_shape(e.grad_output)}; "
            f"stride {e.stride[0]},{e.stride[1]}, dilation {e.dilation[0]},{e.dilation[1]}; {e.cells} cells"
        )
    if isinstance(e, KernelsCell):
        back = f"  -> dL/dkernels{index_text(*e.target)} (rotated back)" if e.rotated else ""
        return (
            f"kernels step {e.step}  {walk_name(e.rotated)}{index_text(e.k, e.c, e.row, e.col)}  x_pad rows {indices_text(e.rows)} "
            f"cols {indices_text(e.cols)}  partials per image {total_text(e.partials, e.value)}{back}"
        )
    if isinstance(e, KernelsResult):
        how = "dL/dw_rot (w_rot = rot180(w)) rotated back" if e.rotated else "the walk's values as they are"
        return f"kernels result  dL/dkernels {_shape(e.grad_kernels)}: {how}"
    if isinstance(e, BiasCell):
        return f"bias step {e.step}  dL/dbias[{e.k}]  sum of g[:,{e.k}]: partials per image {total_text(e.partials, e.value)}"
    if isinstance(e, BiasResult):
        return f"bias result  dL/dbias = [{', '.join(number(v) for v in e.grad_bias)}]"
    raise TypeError(f"not a backward-pass event: {e!r}")


def plain_explanation(part: Explanation) -> str:
    """The summary of one gradient as indented text."""
    return "\n".join([f"== {part.title}", *("   " + line for line in part.lines)])
