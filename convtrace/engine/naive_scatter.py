"""The naive loop of transposed convolution, in its scatter view: each input value stamps the kernel.

The gather view (naive_transposed.py) makes one output value at a time. The
scatter view, the way most textbooks draw it, walks the INPUT instead:

    out = bias, on every output cell
    for n, c, i, j:                                   one event per input value
        stamp = x[n, c, i, j] * w[c]                  (K/G, kh, kw): one stamp per output channel of c's group
        for u, v:
            out[n, group's k, i*s - p + u*d, j*s - p + v*d] += stamp[:, u, v]

Where stamps overlap they add. A target row or column outside 0..H'-1 is
cropped by the padding p: the stamp's value there is dropped. Both views give
the same output (the tests hold them to each other and to PyTorch).

The loop stamps onto a canvas a little larger than the output: p cells more
before each axis (the cells the padding crops) and, after, whatever the
stamps reach past the end. The canvas's output cells start at the bias, its
cropped cells at 0, so each event can show the running totals of both.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import NamedTuple

import numpy as np

from ..source.problem import Problem
from .layer_step import frozen


class StampAt(NamedTuple):
    """Which input value a stamp comes from: what --at chooses by, before the stamp is recorded."""

    step: int
    n: int
    c: int
    position: tuple[int, ...]


class ScatterStep(NamedTuple):
    """One input value stamped onto the output. Arrays are read-only.

    kernel:  (K/G, *k)  w[c]: the kernel slices of the output channels of c's group
    stamp:   (K/G, *k)  value * kernel: what this input value adds
    cells:   (*k, dims) the output cell each tap lands on, i*s - p + u*d per axis (may lie outside)
    kept:    (*k)       True where that cell is inside the output, False where the padding crops it
    hit:     (*canvas)  True on the canvas cells this stamp lands on
    running: (K/G, *canvas) the canvas of image n, output channels `outputs`, after this stamp
    inside:  (*canvas)  True on the output's cells, False on the cells the padding crops
    origin:  canvas index of output cell (0, ..., 0): p per axis
    output_so_far(): (K/G, *O) the output maps after this stamp (the canvas without its cropped cells)
    """

    step: int  # 0-based, in C order of the input (n, c, then the spatial axes)
    n: int  # image
    c: int  # input channel
    position: tuple[int, ...]  # the input value's position, one index per spatial axis
    value: float  # x[n, c, *position]
    group: int
    outputs: tuple[int, int]  # output channels stamped, [start, stop): c's group
    kernel: np.ndarray
    stamp: np.ndarray
    cells: np.ndarray
    kept: np.ndarray
    hit: np.ndarray
    running: np.ndarray
    inside: np.ndarray
    origin: tuple[int, ...]
    out_size: tuple[int, ...]  # O: the output's size per axis

    def output_so_far(self) -> np.ndarray:
        """(K/G, *O): the output maps stamped so far, bias included: the canvas without the cropped cells."""
        inner = tuple(slice(o, o + size) for o, size in zip(self.origin, self.out_size))
        return self.running[(slice(None), *inner)]


def canvas_extent(problem: Problem) -> tuple[tuple[int, int], ...]:
    """Per axis, the canvas as a half-open range of output coordinates: [-p, max(H', reach - p))."""
    extent = []
    for a in problem.geometry.axes:
        reach = (a.size - 1) * a.stride + a.span  # the cells the stamps cover before any crop
        extent.append((-a.before, max(a.out, reach - a.before)))
    return tuple(extent)


class ScatterLoop:
    """The scatter loop and the canvas it stamps onto. Iterate it once; `finish` runs what is left.

    `chosen(StampAt) -> bool` picks the stamps recorded as events (--at); every stamp is made either way.
    """

    def __init__(self, problem: Problem, chosen: Callable[[StampAt], bool] | None = None):
        if problem.layer != "conv_transpose":
            raise ValueError("the scatter loop is the loop of a transposed convolution")
        self.problem = problem
        self.chosen = chosen or (lambda at: True)
        self.extent = canvas_extent(problem)
        self.origin = tuple(-lo for lo, _ in self.extent)
        n_images, out_channels = problem.output_shape[:2]
        size = tuple(hi - lo for lo, hi in self.extent)
        self.canvas = np.zeros((n_images, out_channels, *size))
        inner = tuple(slice(o, o + a.out) for o, a in zip(self.origin, problem.geometry.axes))
        inside = np.zeros(size, dtype=bool)
        inside[inner] = True
        self.inside = frozen(inside)
        self.inner = inner
        # every output cell starts at its channel's bias; the cropped cells at 0
        self.canvas[(Ellipsis, *inner)] += problem.bias_or_zeros.reshape(-1, *(1,) * problem.dims)
        self.total = int(np.prod(problem.input_shape))  # one stamp per input value
        self.made = 0  # stamps made so far
        self.quiet = False  # finish(): make the remaining stamps without recording them
        self.events = self._loop()

    def __iter__(self) -> Iterator[ScatterStep]:
        return self.events

    def _loop(self) -> Iterator[ScatterStep]:
        """(N, C, *S) x (C, K/G, *k) -> one ScatterStep per input value, in C order of the input."""
        p = self.problem
        x, w, axes = p.images, p.kernels, p.geometry.axes
        C, kg = w.shape[:2]
        cg = C // p.groups
        taps = list(np.ndindex(*p.geometry.kernel_size))
        step = 0
        for n in range(x.shape[0]):
            for c in range(C):
                g = c // cg
                outputs = (g * kg, (g + 1) * kg)
                for position in np.ndindex(*x.shape[2:]):  # one loop per spatial axis, C order
                    value = float(x[(n, c, *position)])
                    stamp = value * w[c]  # (K/G, *k)
                    cells = np.empty((*p.geometry.kernel_size, p.dims), dtype=int)
                    for tap in taps:
                        # the textbook formula: output cell i*s - p + u*d on every axis
                        cell = tuple(i * a.stride - a.before + u * a.dilation for i, u, a in zip(position, tap, axes))
                        cells[tap] = cell
                        at = tuple(o + ci for o, ci in zip(self.origin, cell))  # the same cell on the canvas
                        self.canvas[(n, slice(*outputs), *at)] += stamp[(slice(None), *tap)]
                    self.made += 1
                    where = StampAt(step, n, c, tuple(position))
                    step += 1
                    if self.quiet or not self.chosen(where):
                        continue
                    kept = np.all((cells >= 0) & (cells < np.array(p.geometry.out_size)), axis=-1)
                    hit = np.zeros(self.inside.shape, dtype=bool)
                    hit[tuple(np.moveaxis(cells + np.array(self.origin), -1, 0))] = True
                    yield ScatterStep(where.step, n, c, where.position, value, g, outputs, frozen(w[c].copy()),
                                      frozen(stamp), frozen(cells), frozen(kept), frozen(hit),
                                      frozen(self.canvas[n, slice(*outputs)].copy()), self.inside, self.origin,
                                      p.geometry.out_size)

    @property
    def done(self) -> bool:
        return self.made == self.total

    def finish(self) -> np.ndarray:
        """Make every stamp not made yet (no events), then the output (N, K, *O): the canvas cropped."""
        self.quiet = True
        for _ in self.events:
            pass
        return frozen(self.canvas[(Ellipsis, *self.inner)].copy())


def scatter_output(problem: Problem) -> np.ndarray:
    """(N, C, *S) x (C, K/G, *k) -> (N, K, *O): the whole scatter loop's output, bias included."""
    return ScatterLoop(problem, chosen=lambda at: False).finish()


def gather_difference(problem: Problem, output: np.ndarray) -> float:
    """max |scatter output - the vectorized engine's| (the output the gather view ends with)."""
    from .dispatch import layer_output

    return float(np.max(np.abs(output - layer_output(problem)), initial=0.0))
