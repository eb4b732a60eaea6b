"""Layer events and results -> plain dicts and lines, for `--json`, `--format jsonl` and `--format plain`.

The first release's 2-D convolution keeps render/output/records.py; these are the
records of every other layer (DESIGN.md section 6). Spatial positions are
named as in 2-D: `col` (1-D); `row`, `col` (2-D); `depth`, `row`, `col` (3-D),
and the window's first cell `left`; `top`, `left`; `front`, `top`, `left`.
"""

from __future__ import annotations

import math

import numpy as np

from ...engine.grad import Gradients
from ...engine.layer_step import LayerStep
from ...source.problem import Problem
from ...text import number

POSITION_NAMES = {1: ("col",), 2: ("row", "col"), 3: ("depth", "row", "col")}
CORNER_NAMES = {1: ("left",), 2: ("top", "left"), 3: ("front", "top", "left")}


def _finite_list(array: np.ndarray):
    """Nested lists, with the minus infinity of max-pool padding written as null (JSON has no infinity)."""
    if np.isfinite(array).all():
        return array.tolist()
    return _nulls(array.tolist())


def _nulls(value):
    if isinstance(value, list):
        return [_nulls(v) for v in value]
    return value if math.isfinite(value) else None


def layer_step_record(step: LayerStep) -> dict:
    """One output value as the jsonl contract spells it."""
    dims = len(step.position)
    record = {"step": step.step, "n": step.n, "k": step.k}
    record.update(zip(POSITION_NAMES[dims], step.position))
    record.update(zip(CORNER_NAMES[dims], step.corner))
    record["layer"] = step.layer
    record["channels"] = list(step.channels)
    if step.layer in ("conv", "conv_transpose"):
        record["group"] = step.group
    record["patch"] = _finite_list(step.patch)
    if step.kernel is not None:
        record["kernel"] = step.kernel.tolist()
        record["partials"] = step.partials.tolist()
        record["bias"] = step.bias
    if step.window_max_at is not None:
        record["window_max_at"] = list(step.window_max_at)
    if step.divisor is not None:
        record["sum"] = step.total
        record["divisor"] = step.divisor
    record["value"] = step.value
    return record


def layer_plain_line(step: LayerStep) -> str:
    """e.g. 'step 3  out[0,1,2]  window at (2)  partials 9 + 0  + bias 0 = 9'."""
    where = ",".join(str(i) for i in (step.n, step.k, *step.position))
    corner = ",".join(str(i) for i in step.corner)
    head = f"step {step.step}  out[{where}]  window at ({corner})"
    if step.layer == "max_pool":
        at = ",".join(str(i) for i in step.window_max_at)
        return f"{head}  max at input ({at}) = {number(step.value)}"
    if step.layer == "avg_pool":
        return f"{head}  sum {number(step.total)} / {step.divisor} = {number(step.value)}"
    partials = " + ".join(number(p) for p in step.partials)
    channels = f"  channels {step.channels[0]}..{step.channels[1] - 1}"
    return f"{head}{channels}  partials {partials}  + bias {number(step.bias)} = {number(step.value)}"


def _in_layout(problem: Problem, shape) -> list[int]:
    return problem.shape_in_layout(tuple(shape))


def layer_geometry_record(problem: Problem) -> dict:
    """Shapes in the document's layout and the geometry, one entry per spatial axis."""
    g = problem.geometry
    record = {"layer": problem.layer, "dims": problem.dims, "layout": problem.layout,
              "input_shape": _in_layout(problem, problem.input_shape)}
    if problem.kernels is not None:
        record["kernel_shape"] = _in_layout(problem, problem.kernel_shape)
    record["output_shape"] = _in_layout(problem, problem.output_shape)
    record["padding"] = [list(side) for side in g.padding]
    record["stride"] = list(g.stride)
    record["dilation"] = list(g.dilation)
    if problem.layer == "conv":
        record["flip"] = problem.flip
        record["groups"] = problem.groups
        if problem.dims == 1:
            record["causal"] = problem.causal
    elif problem.layer == "conv_transpose":
        record["groups"] = problem.groups
        record["output_padding"] = list(problem.output_padding)
    else:
        record["pool_size"] = list(problem.pool_size)
        record["ceil_mode"] = problem.ceil_mode
        if problem.layer == "avg_pool":
            record["count_include_pad"] = problem.count_include_pad
    return record


def layer_result_record(problem: Problem, output: np.ndarray) -> dict:
    """The `run --json` object: geometry plus the output (N, K, *O) written in the document's layout."""
    record = layer_geometry_record(problem)
    record["output"] = problem.to_layout(output).tolist()
    return record


def layer_grad_record(problem: Problem, grads: Gradients) -> dict:
    """The `grad --json` object: geometry, the output and the gradients the layer has, in the document's layout."""
    record = layer_geometry_record(problem)
    record["output"] = problem.to_layout(grads.output).tolist()
    record["grad_images"] = problem.to_layout(grads.images).tolist()
    if grads.kernels is not None:
        record["grad_kernels"] = problem.to_layout(grads.kernels).tolist()
    if grads.bias is not None:
        record["grad_bias"] = grads.bias.tolist()
    return record


def back_record(step, only: str | None = None) -> dict:
    """One BackStep as a jsonl object: where the gradient of one output value goes."""
    dims = len(step.position)
    record = {"step": step.step, "n": step.n, "k": step.k}
    record.update(zip(POSITION_NAMES[dims], step.position))
    record["layer"] = step.layer
    record["grad_output"] = step.grad
    if only in (None, "images"):
        record["to_images"] = [[list(cell), amount] for cell, amount in step.to_images]
    if only in (None, "kernels") and step.layer in ("conv", "conv_transpose"):
        record["to_kernels"] = [[list(cell), amount] for cell, amount in step.to_kernels]
    if only in (None, "bias") and step.to_bias is not None:
        record["to_bias"] = step.to_bias
    return record


def back_plain_line(step, only: str | None = None) -> str:
    """e.g. 'step 3  out[0,0,1,1]  g 0.5  -> images x[0,0,2,3] += 0.5'."""
    where = ",".join(str(i) for i in (step.n, step.k, *step.position))
    parts = []
    if only in (None, "images"):
        sends = ", ".join(f"x[{','.join(map(str, (step.n, *cell)))}] += {number(v)}" for cell, v in step.to_images)
        parts.append(f"images {sends or 'nothing (padding only)'}")
    if only in (None, "kernels") and step.layer in ("conv", "conv_transpose"):
        sends = ", ".join(f"w[{','.join(map(str, cell))}] += {number(v)}" for cell, v in step.to_kernels)
        parts.append(f"kernels {sends or 'nothing'}")
    if only in (None, "bias") and step.to_bias is not None:
        parts.append(f"bias b[{step.k}] += {number(step.to_bias)}")
    return f"step {step.step}  out[{where}]  g {number(step.grad)}  -> " + "; ".join(parts)
