"""The backward pass, traced: every gradient built as a sliding-window operation, one cell at a time.

Each gradient is a stream of frozen events (nothing here prints):

    dL/dimages   ImagesPrepare, ImagesCell per cell of dL/dx_pad, ImagesResult (the crop)
    dL/dkernels  KernelsPrepare, KernelsCell per kernel tap, KernelsResult (rotated back when flip)
    dL/dbias     BiasCell per kernel, BiasResult (only when the problem has a bias)

dL/dimages follows the rule in README.md (convtrace grad) to the letter: g' (the gradient with
s-1 zeros between its elements), w' (the applied kernel with its taps spread
by the dilation) rotated 180 degrees, 'full' padding of g', then the forward
pass's own window walk at stride 1, summed over the K kernels the way the
forward pass sums over channels; finally zeros for the rows the floor dropped,
and the crop back to the unpadded input. dL/dkernels reads the padded input at
the offsets each tap read in the forward pass, against g, summed over the
batch. All arrays are NCHW-ordered whatever the document's layout. The events
themselves are in engine/grad_events.py; what each gradient is, in words, in
teach/grad_words.py.
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np

from ..errors import DataError
from ..source.geometry import make_geometry
from ..source.problem import Problem
from .fast import conv2d_nchw
from .grad import grad_output_of, grads_nchw
from .grad_events import (
    BiasCell, BiasResult, ImagesCell, ImagesPrepare, ImagesResult, KernelsCell, KernelsPrepare, KernelsResult,
)


def _frozen(array: np.ndarray) -> np.ndarray:
    array.flags.writeable = False
    return array


# ----------------------------------------------------------------------------- dL/dimages


def spread(array: np.ndarray, step: tuple[int, int]) -> np.ndarray:
    """(..., a, b) -> (..., (a-1)*sh + 1, (b-1)*sw + 1): step-1 zeros between neighbouring elements."""
    sh, sw = step
    a, b = array.shape[-2:]
    out = np.zeros(array.shape[:-2] + ((a - 1) * sh + 1, (b - 1) * sw + 1), dtype=array.dtype)
    out[..., ::sh, ::sw] = array
    return out


def trace_images(problem: Problem, limit: int | None = None) -> Iterator[ImagesPrepare | ImagesCell | ImagesResult]:
    """dL/dimages as the forward window walk: (N, K, H', W') x (K, C, kh, kw) -> (N, C, H, W).

    `limit`: yield at most that many cells; the result is then completed by the vectorized engine.
    """
    geo = problem.geometry
    g = grad_output_of(problem)
    applied = problem.applied_kernels
    g_spread = _frozen(spread(g, geo.stride))
    w_spread = _frozen(spread(applied, geo.dilation))
    w_rot = _frozen(w_spread[:, :, ::-1, ::-1])
    eh, ew = w_spread.shape[2:]
    # 'full' padding: every overlap of g' and the kernel, however small
    ph, pw = eh - 1, ew - 1
    padded = _frozen(np.pad(g_spread, ((0, 0), (0, 0), (ph, ph), (pw, pw))))
    spread_mask = _frozen(spread(np.ones(g.shape[2:], dtype=bool), geo.stride))
    data_mask = _frozen(np.pad(spread_mask, ((ph, ph), (pw, pw))))
    # taps sit every d-th cell from both ends, so the pattern is the same after rotating
    tap_mask = _frozen(spread(np.ones(applied.shape[2:], dtype=bool), geo.dilation))
    rows, cols = g_spread.shape[2] + eh - 1, g_spread.shape[3] + ew - 1
    n_images, channels = problem.images.shape[:2]
    yield ImagesPrepare(
        g, g_spread, applied, w_spread, w_rot, padded, spread_mask, data_mask, tap_mask,
        geo.stride, geo.dilation, problem.flip, (ph, pw), (rows, cols), n_images * channels * rows * cols,
    )

    (top, _), (left, _) = geo.padding
    h, w = geo.input_size
    full = _full_correlation(padded, applied, geo.dilation) if limit is not None else np.zeros((n_images, channels, rows, cols))
    walk = _bounded(n_images * channels * rows * cols, limit, w_rot.shape[0] * eh * ew, "dL/dimages")
    step = 0
    for n in range(n_images):
        for c in range(channels):
            kernel = w_rot[:, c]
            for row in range(rows):
                for col in range(cols):
                    if step >= walk:
                        break
                    patch = padded[n, :, row : row + eh, col : col + ew]
                    products = _frozen(patch * kernel)
                    partials = _frozen(products.sum(axis=(1, 2)))
                    value = float(partials.sum())
                    full[n, c, row, col] = value
                    inside = top <= row < top + h and left <= col < left + w
                    yield ImagesCell(
                        step, n, c, row, col, row, col,
                        row - top if inside else None, col - left if inside else None,
                        patch, kernel, products, partials,
                        data_mask[row : row + eh, col : col + ew], tap_mask, value,
                    )
                    step += 1

    hp, wp = geo.padded_size
    dropped = (hp - rows, wp - cols)
    grad_padded = np.pad(full, ((0, 0), (0, 0), (0, dropped[0]), (0, dropped[1])))
    grad_images = grad_padded[:, :, top : top + h, left : left + w].copy()
    yield ImagesResult(
        _frozen(full), _frozen(grad_padded), _frozen(grad_images),
        dropped, ((top, top + h), (left, left + w)),
    )


# ----------------------------------------------------------------------------- dL/dkernels


def trace_kernels(problem: Problem, limit: int | None = None) -> Iterator[KernelsPrepare | KernelsCell | KernelsResult]:
    """dL/dkernels tap by tap: x_pad (N, C, Hp, Wp) against g (N, K, H', W') -> (K, C, kh, kw).

    `limit`: yield at most that many cells; the result is then completed by the vectorized engine.
    """
    geo = problem.geometry
    g = grad_output_of(problem)
    x_pad = problem.padded_images()
    (sh, sw), (dh, dw) = geo.stride, geo.dilation
    h_out, w_out = geo.out_size
    kh, kw = geo.kernel_size
    n_kernels, channels = problem.kernels.shape[:2]
    (top_pad, _), (left_pad, _) = geo.padding
    h, w = geo.input_size
    data_mask = np.zeros(geo.padded_size, dtype=bool)
    data_mask[top_pad : top_pad + h, left_pad : left_pad + w] = True
    _frozen(data_mask)
    spread_mask = _frozen(spread(np.ones(g.shape[2:], dtype=bool), geo.stride))
    yield KernelsPrepare(
        x_pad, data_mask, g, _frozen(spread(g, geo.stride)), spread_mask, geo.stride, geo.dilation, problem.flip,
        n_kernels * channels * kh * kw,
    )

    applied = _kernels_gradient(problem, g) if limit is not None else np.zeros(problem.kernels.shape)
    walk = _bounded(n_kernels * channels * kh * kw, limit, g.shape[0] * h_out * w_out, "dL/dkernels")
    step = 0
    for k in range(n_kernels):
        kernel = g[:, k]
        for c in range(channels):
            for row in range(kh):
                for col in range(kw):
                    if step >= walk:
                        break
                    # in the forward pass tap (row, col) of window (i, j) read x_pad[i*sh + row*dh, j*sw + col*dw]
                    top, left = row * dh, col * dw
                    rows = slice(top, top + (h_out - 1) * sh + 1, sh)
                    cols = slice(left, left + (w_out - 1) * sw + 1, sw)
                    patch = x_pad[:, c, rows, cols]
                    products = _frozen(patch * kernel)
                    partials = _frozen(products.sum(axis=(1, 2)))
                    value = float(partials.sum())
                    applied[k, c, row, col] = value
                    target = (k, c, kh - 1 - row, kw - 1 - col) if problem.flip else (k, c, row, col)
                    yield KernelsCell(
                        step, k, c, row, col, top, left,
                        tuple(range(top, top + (h_out - 1) * sh + 1, sh)),
                        tuple(range(left, left + (w_out - 1) * sw + 1, sw)),
                        target, problem.flip, patch, kernel, products, partials, data_mask[rows, cols], value,
                    )
                    step += 1

    grad_kernels = applied[:, :, ::-1, ::-1].copy() if problem.flip else applied.copy()
    yield KernelsResult(_frozen(applied), _frozen(grad_kernels), problem.flip)


# ----------------------------------------------------------------------------- dL/dbias


def trace_bias(problem: Problem, limit: int | None = None) -> Iterator[BiasCell | BiasResult]:
    """dL/dbias kernel by kernel: g (N, K, H', W') -> (K,). Yields nothing when there is no bias.

    `limit`: yield at most that many cells (the result holds every kernel's).
    """
    if problem.bias is None:
        return
    g = grad_output_of(problem)
    values = np.zeros(g.shape[1])
    for k in range(g.shape[1]):
        partials = _frozen(g[:, k].sum(axis=(1, 2)))
        values[k] = float(partials.sum())
        if limit is None or k < limit:
            yield BiasCell(k, k, g[:, k], partials, values[k])
    yield BiasResult(_frozen(values))


TRACERS = {"images": trace_images, "kernels": trace_kernels, "bias": trace_bias}


def trace_gradients(problem: Problem, which=("images", "kernels", "bias"), limit: int | None = None) -> Iterator:
    """Every event of the backward pass: dL/dimages, then dL/dkernels, then dL/dbias (when there is a bias).

    `limit`: at most that many cells of dL/dimages and of dL/dkernels; their results stay whole.
    """
    for name in which:
        yield from TRACERS[name](problem, limit)


# ----------------------------------------------------------------------------- bounds


# Multiplications a cell-by-cell walk may take: the (1, 3, 224, 224) x (64, 3, 7, 7) stem layer's
# dL/dimages takes 5e8; a dilation of 1000 on a 2x2 kernel would take 1e12 (hours).
WALK_BUDGET = 2_000_000_000


def _bounded(cells: int, limit: int | None, per_cell: int, name: str) -> int:
    """How many cells the walk visits: all of them, or `limit`; a DataError when that work is unreasonable."""
    walk = cells if limit is None else min(cells, limit)
    if walk * per_cell > WALK_BUDGET:
        raise DataError(
            f"tracing {name} cell by cell would take {walk * per_cell:.2g} multiplications "
            f"({walk:,} cells of {per_cell:,} each); trace the first cells with --limit N, "
            f"or get every gradient at once with --json"
        )
    return walk


def _full_correlation(padded: np.ndarray, applied: np.ndarray, dilation: tuple[int, int]) -> np.ndarray:
    """What the dL/dimages walk fills, vectorized: padded g' (N, K, Rp, Cp) -> (N, C, rows, cols).

    The spread kernel rot180(w') is zero between taps, so the walk equals a dilated valid
    cross-correlation with rot180(w) whose in/out axes are swapped: (C, K, kh, kw).
    """
    kernels = np.ascontiguousarray(applied[:, :, ::-1, ::-1].transpose(1, 0, 2, 3))
    geometry = make_geometry(padded.shape[2:], kernels.shape[2:], dilation=dilation, padding=0)
    return conv2d_nchw(padded, kernels, None, geometry)


def _kernels_gradient(problem: Problem, g: np.ndarray) -> np.ndarray:
    """What the dL/dkernels walk fills, vectorized: the gradient of the applied kernels (K, C, kh, kw)."""
    _, grad_kernels, _ = grads_nchw(problem.images, problem.kernels, g, problem.geometry, problem.flip)
    return grad_kernels[:, :, ::-1, ::-1].copy() if problem.flip else grad_kernels
