"""The backward pass of every layer as a naive loop: each output value hands its gradient back.

For L = sum(out * g), output value out[n, k, *i] was made from some input
cells (and kernel taps); its gradient g[n, k, *i] flows back to exactly those:

    convolution      x[n, c, i*s + u*d - p] += g * w[k, c, u]      w[k, c, u] += g * x[...]    bias[k] += g
    transposed       x[n, c, j] += g * w[c, k, u] for every j, u with j*s + u*d - p = i;  w likewise
    max pooling      the window's first maximum += g           (the other cells get nothing)
    average pooling  every input cell of the window += g / divisor

One `BackStep` per output value, in the forward loop's C order with the same
step numbers; padding cells receive nothing (they are not inputs). Summing
every step's amounts gives dL/dimages, dL/dkernels and dL/dbias (`accumulate`),
which the tests hold against the vectorized gradients and PyTorch.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import NamedTuple

import numpy as np

from ..source.problem import Problem


class BackStep(NamedTuple):
    """Where the gradient of one output value goes. Cells are channels-first indices without n."""

    step: int
    n: int
    k: int
    position: tuple[int, ...]
    grad: float  # g[n, k, *position], arriving from the loss
    layer: str
    to_images: tuple[tuple[tuple[int, ...], float], ...]  # ((c, *cell), amount) into dL/dimages[n]
    to_kernels: tuple[tuple[tuple[int, ...], float], ...]  # ((a, b, *tap), amount) into dL/dkernels, as written
    to_bias: float | None  # amount into dL/dbias[k], None without a bias


def _grad_output(problem: Problem) -> np.ndarray:
    return problem.grad_output if problem.grad_output is not None else np.ones(problem.output_shape)


def _conv(problem: Problem) -> Iterator[BackStep]:
    x, w, g = problem.images, problem.applied_kernels, _grad_output(problem)
    geo = problem.geometry
    K, cg = w.shape[:2]
    kg = K // problem.groups
    taps = list(np.ndindex(*geo.kernel_size))
    for step, (n, k, *position) in enumerate(np.ndindex(*g.shape)):
        grad, first = float(g[(n, k, *position)]), (k // kg) * cg
        images, kernels = [], []
        for c in range(cg):
            for tap in taps:
                cell = tuple(i * a.stride + u * a.dilation - a.before for i, u, a in zip(position, tap, geo.axes))
                if all(0 <= j < a.size for j, a in zip(cell, geo.axes)):  # padding is not an input
                    images.append(((first + c, *cell), grad * float(w[(k, c, *tap)])))
                    # the kernel as written: with flip the window used it rotated, so tap u is (k-1-u) there
                    written = tuple(a.kernel - 1 - u for u, a in zip(tap, geo.axes)) if problem.flip else tap
                    kernels.append(((k, c, *written), grad * float(x[(n, first + c, *cell)])))
        bias = grad if problem.bias is not None else None
        yield BackStep(step, n, k, tuple(position), grad, "conv", tuple(images), tuple(kernels), bias)


def _conv_transpose(problem: Problem) -> Iterator[BackStep]:
    x, w, g = problem.images, problem.kernels, _grad_output(problem)
    geo = problem.geometry
    cg, kg = w.shape[0] // problem.groups, w.shape[1]
    taps = list(np.ndindex(*geo.kernel_size))
    for step, (n, k, *position) in enumerate(np.ndindex(*g.shape)):
        grad, group, kk = float(g[(n, k, *position)]), k // kg, k % kg
        images, kernels = [], []
        for c in range(group * cg, (group + 1) * cg):
            for tap in taps:
                # input cell j with j*s + u*d - p = i: only when the division is exact and j is inside
                offsets = [i + a.before - u * a.dilation for i, u, a in zip(position, tap, geo.axes)]
                if all(o % a.stride == 0 and 0 <= o // a.stride < a.size for o, a in zip(offsets, geo.axes)):
                    cell = tuple(o // a.stride for o, a in zip(offsets, geo.axes))
                    images.append(((c, *cell), grad * float(w[(c, kk, *tap)])))
                    kernels.append(((c, kk, *tap), grad * float(x[(n, c, *cell)])))
        bias = grad if problem.bias is not None else None
        yield BackStep(step, n, k, tuple(position), grad, "conv_transpose", tuple(images), tuple(kernels), bias)


def _pool(problem: Problem, forward) -> Iterator[BackStep]:
    """Pooling: the forward loop's events say which cells each window read (and which one won)."""
    g = _grad_output(problem)
    for s in forward:
        grad = float(g[(s.n, s.k, *s.position)])
        if s.layer == "max_pool":
            images = (((s.k, *s.window_max_at), grad),)
        else:
            corner = [cn - a.before for cn, a in zip(s.corner, problem.geometry.axes)]
            images = tuple(((s.k, *(int(c + u) for c, u in zip(corner, tap))), grad / s.divisor)
                           for tap in zip(*np.nonzero(s.real)))  # every real cell of the window
        yield BackStep(s.step, s.n, s.k, s.position, grad, s.layer, images, (), None)


def trace_backward(problem: Problem) -> Iterator[BackStep]:
    """One BackStep per output value, for every layer (plain 2-D convolution included)."""
    if problem.layer == "conv":
        return _conv(problem)
    if problem.layer == "conv_transpose":
        return _conv_transpose(problem)
    from .naive_pool import avg_pool_steps, max_pool_steps

    forward = max_pool_steps if problem.layer == "max_pool" else avg_pool_steps
    return _pool(problem, forward(problem))


def accumulate(problem: Problem, steps) -> tuple[np.ndarray, np.ndarray | None, np.ndarray | None]:
    """Sum every step's amounts: (dL/dimages, dL/dkernels or None, dL/dbias or None), channels-first."""
    images = np.zeros(problem.images.shape)
    kernels = None if problem.kernels is None else np.zeros(problem.kernels.shape)
    bias = None if problem.bias is None else np.zeros(problem.bias.shape)
    for s in steps:
        for cell, amount in s.to_images:
            images[(s.n, *cell)] += amount
        for cell, amount in s.to_kernels:
            kernels[cell] += amount
        if s.to_bias is not None:
            bias[s.k] += s.to_bias
    return images, kernels, bias
