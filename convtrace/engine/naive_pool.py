"""The naive loops of max and average pooling (any number of spatial axes), as PyTorch computes them.

One window per output value, one channel at a time (pooling never mixes
channels). Max pooling pads with minus infinity, so padding never wins, and
keeps the first maximum met in row-major order; the gradient goes there.
Average pooling sums the window over zero padding and divides by PyTorch's
divisor: per axis, the window clipped to the padded input (start = i*s - p,
end = min(start + k, size + p)); with count_include_pad that length,
otherwise only the real cells inside it.
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np

from ..source.problem import Problem
from .layer_step import LayerStep, input_mask


def _padded(problem: Problem, fill: float) -> tuple[np.ndarray, np.ndarray]:
    """(N, C, *P): padding and any ceil_mode overhang (windows running past the end) filled with `fill`;
    and (*P) bool, True on the input's own cells."""
    sides = [(a.before, a.after + a.overhang) for a in problem.geometry.axes]
    padded = np.pad(problem.images, ((0, 0), (0, 0), *sides), constant_values=fill)
    padded.setflags(write=False)
    return padded, input_mask(problem.images.shape[2:], sides)


def _window(position, geometry) -> tuple[tuple[int, ...], tuple[slice, ...]]:
    corner = tuple(i * a.stride for i, a in zip(position, geometry.axes))
    return corner, tuple(slice(c, c + a.span, a.dilation) for c, a in zip(corner, geometry.axes))


def max_pool_steps(problem: Problem) -> Iterator[LayerStep]:
    """(N, C, *S) -> one step per value of (N, C, *O): the window's maximum and which cell held it."""
    x_pad, real = _padded(problem, -np.inf)
    g = problem.geometry
    N, C = x_pad.shape[:2]
    step = 0
    for n in range(N):
        for c in range(C):
            for position in np.ndindex(*g.out_size):
                corner, window = _window(position, g)
                patch = x_pad[(n, slice(c, c + 1), *window)]
                best, best_at = -np.inf, None
                for tap in np.ndindex(*g.kernel_size):  # row-major; '>' keeps the first maximum
                    if best_at is None or patch[(0, *tap)] > best:
                        best, best_at = patch[(0, *tap)], tap
                at = tuple(cn + u * a.dilation - a.before for cn, u, a in zip(corner, best_at, g.axes))
                yield LayerStep(step, n, c, position, corner, patch, None, None, None, 0.0, float(best),
                                (c, c + 1), "max_pool", real[window], window_max_at=at,
                                max_tap=best_at)
                step += 1


def avg_pool_steps(problem: Problem) -> Iterator[LayerStep]:
    """(N, C, *S) -> one step per value of (N, C, *O): the window's sum, its divisor and their quotient."""
    x_pad, real = _padded(problem, 0.0)
    g = problem.geometry
    N, C = x_pad.shape[:2]
    step = 0
    for n in range(N):
        for c in range(C):
            for position in np.ndindex(*g.out_size):
                corner, window = _window(position, g)
                patch = x_pad[(n, slice(c, c + 1), *window)]
                divisor = 1
                for i, a in zip(position, g.axes):
                    start = i * a.stride - a.before  # in input coordinates; negative inside the padding
                    end = min(start + a.kernel, a.size + a.after)
                    divisor *= (end - start) if problem.count_include_pad else (min(end, a.size) - max(start, 0))
                total = float(patch.sum())
                yield LayerStep(step, n, c, position, corner, patch, None, None, None, 0.0, total / divisor,
                                (c, c + 1), "avg_pool", real[window], total=total, divisor=divisor)
                step += 1
