"""One door per question, whatever the layer: its naive loop, its output, its gradients.

Plain 2-D convolution keeps the first release's engines (engine/naive.py,
engine/fast.py, engine/grad.py); every other layer (groups, 1-D, 3-D,
transposed, pooling) goes to the modules written for it.
"""

from __future__ import annotations

from collections.abc import Iterator
from itertools import islice

import numpy as np

from ..source.problem import Problem
from .grad import Gradients, grad_output_of


def trace_layer(problem: Problem, start: int = 0) -> Iterator:
    """One event per output value, in channels-first C order, from step number `start` on.

    Plain 2-D convolution yields `Step`s (engine/naive.py); every other layer `LayerStep`s.
    """
    if problem.is_plain_conv2d:
        from .naive import trace

        return trace(problem, start)
    if problem.layer == "conv":
        from .naive_conv import conv_steps as steps
    elif problem.layer == "conv_transpose":
        from .naive_transposed import conv_transpose_steps as steps
    elif problem.layer == "max_pool":
        from .naive_pool import max_pool_steps as steps
    else:
        from .naive_pool import avg_pool_steps as steps
    return islice(steps(problem), start, None)


def layer_output(problem: Problem) -> np.ndarray:
    """The problem's output (N, K, *O), float64, from the vectorized engine."""
    if problem.is_plain_conv2d:
        from .fast import problem_output

        return problem_output(problem)
    from . import layers, pooling

    g = problem.geometry
    if problem.layer == "conv":
        return layers.conv_forward(problem.images, problem.kernels, problem.bias, g, problem.groups, problem.flip)
    if problem.layer == "conv_transpose":
        return layers.conv_transpose_forward(problem.images, problem.kernels, problem.bias, g, problem.groups)
    if problem.layer == "max_pool":
        return pooling.max_pool_forward(problem.images, g)[0]
    return pooling.avg_pool_forward(problem.images, g, problem.count_include_pad)


def layer_gradients(problem: Problem) -> Gradients:
    """The output and dL/dimages, dL/dkernels, dL/dbias (None where the layer has none), channels-first."""
    if problem.is_plain_conv2d:
        from .grad import gradients

        return gradients(problem)
    from . import layers, pooling

    g, geo = grad_output_of(problem), problem.geometry
    gw = gb = None
    if problem.layer == "conv":
        gx, gw, gb = layers.conv_grads(problem.images, problem.kernels, g, geo, problem.groups, problem.flip)
    elif problem.layer == "conv_transpose":
        gx, gw, gb = layers.conv_transpose_grads(problem.images, problem.kernels, g, geo, problem.groups)
    elif problem.layer == "max_pool":
        gx = pooling.max_pool_grad(problem.images, g, geo)
    else:
        gx = pooling.avg_pool_grad(problem.images, g, geo, problem.count_include_pad)
    output = layer_output(problem)
    for array in (output, gx, gw, gb):
        if array is not None:
            array.setflags(write=False)
    return Gradients(output, g, gx, gw, gb if problem.bias is not None else None)
