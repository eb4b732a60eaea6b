"""The naive loop of transposed convolution, in its gather view (any number of spatial axes).

A transposed convolution is the input gradient of a forward convolution used
as a layer. Read as a gather, it is an ordinary stride-1 sliding window:

1. insert s-1 zeros between neighbouring input cells (stride s);
2. pad every side with d*(k-1) - p zeros (fewer when the padding p crops more),
   plus output_padding extra zeros at the end;
3. slide the kernel rotated 180 degrees, with in and out axes swapped per
   group: the kernel for output channel k is w[group's input channels, k % (K/G)].

Each output value is one window of that zero-filled input. output_padding
exists because a stride s maps s different input sizes to one output size of
the forward convolution; it picks which one to rebuild.
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np

from ..source.geometry import Geometry
from ..source.problem import Problem
from .layer_step import LayerStep, frozen


def zero_inserted(x: np.ndarray, geometry: Geometry) -> np.ndarray:
    """(N, C, *S) -> (N, C, *O + span - 1): stride-1 zeros inserted, padded d*(k-1)-p each side (+ output_padding after)."""
    full = tuple((a.size - 1) * a.stride + 1 + 2 * (a.span - 1) + a.output_padding for a in geometry.axes)
    out = np.zeros((*x.shape[:2], *full), dtype=x.dtype)
    place = tuple(slice(a.span - 1, a.span - 1 + (a.size - 1) * a.stride + 1, a.stride) for a in geometry.axes)
    out[(Ellipsis, *place)] = x
    # padding p crops p cells from each side of a full d*(k-1) border (a negative border, when p > d*(k-1))
    crop = tuple(slice(a.before, a.before + a.out + a.span - 1) for a in geometry.axes)
    return out[(Ellipsis, *crop)]


def gather_kernels(problem: Problem) -> np.ndarray:
    """(C, K/G, *k) -> (K, C/G, *k): per group, in/out axes swapped and every spatial axis rotated."""
    w = problem.kernels
    c, kg = w.shape[:2]
    cg = c // problem.groups
    rotated = w[(slice(None), slice(None)) + (slice(None, None, -1),) * problem.dims]
    per_group = rotated.reshape(problem.groups, cg, kg, *w.shape[2:]).swapaxes(1, 2)  # (G, K/G, C/G, *k)
    return per_group.reshape(problem.groups * kg, cg, *w.shape[2:])


def conv_transpose_steps(problem: Problem) -> Iterator[LayerStep]:
    """(N, C, *S) x (C, K/G, *k) -> one step per output value of (N, K, *O), in C order."""
    x_zi = zero_inserted(problem.images, problem.geometry)
    x_zi.setflags(write=False)
    # where the real input values sit among the zeros: the same construction on ones
    real = zero_inserted(np.ones((1, 1, *problem.images.shape[2:]), dtype=bool), problem.geometry)[0, 0]
    w = gather_kernels(problem)  # (K, C/G, *k)
    w.setflags(write=False)
    bias = problem.bias_or_zeros
    N, K = x_zi.shape[0], w.shape[0]
    per_group_in, per_group_out = w.shape[1], K // problem.groups
    dilation = problem.geometry.dilation
    spans = tuple(a.span for a in problem.geometry.axes)
    step = 0
    for n in range(N):
        for k in range(K):
            g = k // per_group_out
            c0, c1 = g * per_group_in, (g + 1) * per_group_in
            for position in np.ndindex(*problem.geometry.out_size):  # one loop per spatial axis, C order
                # stride 1 over the zero-inserted input: the window starts at the output position itself
                window = tuple(slice(i, i + span, d) for i, span, d in zip(position, spans, dilation))
                patch = x_zi[(n, slice(c0, c1), *window)]
                products = frozen(patch * w[k])
                partials = frozen(products.reshape(products.shape[0], -1).sum(axis=1))
                value = float(partials.sum() + bias[k])
                yield LayerStep(step, n, k, position, position, patch, w[k], products, partials, float(bias[k]),
                                value, (c0, c1), "conv_transpose", real[window], group=g)
                step += 1
