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
batch. All arrays are NCHW-ordered whatever the document's layout.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import ClassVar

import numpy as np

from ..errors import DataError
from ..source.geometry import make_geometry
from ..source.problem import Problem
from .fast import conv2d_nchw
from .grad import grad_output_of, grads_nchw


def _frozen(array: np.ndarray) -> np.ndarray:
    array.flags.writeable = False
    return array


# ----------------------------------------------------------------------------- dL/dimages


@dataclass(frozen=True, slots=True)
class ImagesPrepare:
    """The arrays dL/dimages slides over, built before the first window.

    grad_output:     (N, K, H', W')  g
    spread:          (N, K, Hs, Ws)  g': s-1 zeros between elements, Hs = (H'-1)*s + 1
    kernels:         (K, C, kh, kw)  the kernels the forward window applied (rotated when flip)
    kernels_spread:  (K, C, eh, ew)  w': d-1 zeros between taps, eh = d*(kh-1) + 1
    kernels_rotated: (K, C, eh, ew)  rot180(w'), what the window multiplies by
    padded:          (N, K, Hs + 2*(eh-1), Ws + 2*(ew-1))  g' with 'full' padding
    spread_mask:     (Hs, Ws)  True where `spread` holds a value of g (not an inserted zero)
    data_mask:       (Hs + 2*(eh-1), Ws + 2*(ew-1))  True where `padded` holds a value of g
    tap_mask:        (eh, ew)  True where w' (and rot180(w'), the same pattern) holds a tap, not a dilation zero
    """

    grad: ClassVar[str] = "images"
    event: ClassVar[str] = "prepare"
    grad_output: np.ndarray
    spread: np.ndarray
    kernels: np.ndarray
    kernels_spread: np.ndarray
    kernels_rotated: np.ndarray
    padded: np.ndarray
    spread_mask: np.ndarray
    data_mask: np.ndarray
    tap_mask: np.ndarray
    stride: tuple[int, int]
    dilation: tuple[int, int]
    flip: bool  # the forward pass applied rot180(kernels); `kernels` holds that
    full_padding: tuple[int, int]  # (eh-1, ew-1) zeros on every side of g'
    size: tuple[int, int]  # (rows, cols) of the full correlation = (Hs + eh - 1, Ws + ew - 1)
    cells: int  # N * C * rows * cols: how many ImagesCell events follow


@dataclass(frozen=True, slots=True)
class ImagesCell:
    """One cell of dL/dx_pad: one window of padded g' against rot180(w') for every kernel.

    patch:    (K, eh, ew)  padded g'[n, :, row : row + eh, col : col + ew]
    kernel:   (K, eh, ew)  rot180(w')[:, c]: the slice of every kernel for channel c
    products: (K, eh, ew)  patch * kernel
    partials: (K,)         per-kernel sums of products (the kernels play the part of channels)
    patch_mask: (eh, ew)   True where the patch holds a value of g (not an inserted or padding zero)
    tap_mask:   (eh, ew)   True where the kernel slice holds a tap (not a dilation zero)
    """

    grad: ClassVar[str] = "images"
    event: ClassVar[str] = "cell"
    step: int  # 0-based among the cells of dL/dimages, loop order n, c, row, col
    n: int
    c: int
    row: int  # the cell of dL/dx_pad being filled (padded-input coordinates)
    col: int
    top: int  # the window's corner in padded g' (= row, col: the full correlation runs at stride 1)
    left: int
    input_row: int | None  # the cell of dL/dimages this becomes, or None when it is padding the crop drops
    input_col: int | None
    patch: np.ndarray
    kernel: np.ndarray
    products: np.ndarray
    partials: np.ndarray
    patch_mask: np.ndarray
    tap_mask: np.ndarray
    value: float  # sum(partials) = dL/dx_pad[n, c, row, col]


@dataclass(frozen=True, slots=True)
class ImagesResult:
    """The full correlation, zero-filled where the floor dropped rows, cropped to dL/dimages.

    full:        (N, C, rows, cols)  the cells the walk filled
    padded:      (N, C, Hp, Wp)      dL/dx_pad: `full` plus `dropped` zero rows (bottom) and columns (right)
    grad_images: (N, C, H, W)        padded[:, :, crop rows, crop cols]
    """

    grad: ClassVar[str] = "images"
    event: ClassVar[str] = "result"
    full: np.ndarray
    padded: np.ndarray
    grad_images: np.ndarray
    dropped: tuple[int, int]  # (rows, cols) no window reached; their gradient is zero
    crop: tuple[tuple[int, int], tuple[int, int]]  # ((top, top + H), (left, left + W)) in padded coordinates


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


@dataclass(frozen=True, slots=True)
class KernelsPrepare:
    """The arrays dL/dkernels reads: the padded input and g.

    padded_images: (N, C, Hp, Wp)  x_pad, as the forward pass read it
    data_mask:     (Hp, Wp)        True inside the image, False on its zero padding
    grad_output:   (N, K, H', W')  g
    spread:        (N, K, Hs, Ws)  g' (zeros inserted by the stride): reading x_pad every s-th
                                   cell against g is sliding g' over x_pad
    spread_mask:   (Hs, Ws)        True where `spread` holds a value of g (not an inserted zero)
    """

    grad: ClassVar[str] = "kernels"
    event: ClassVar[str] = "prepare"
    padded_images: np.ndarray
    data_mask: np.ndarray
    grad_output: np.ndarray
    spread: np.ndarray
    spread_mask: np.ndarray
    stride: tuple[int, int]
    dilation: tuple[int, int]
    flip: bool
    cells: int  # K * C * kh * kw: how many KernelsCell events follow


@dataclass(frozen=True, slots=True)
class KernelsCell:
    """One tap (row, col) of kernel k, channel c: the input values it met, against g, over the batch.

    patch:    (N, H', W')  x_pad[:, c, top :: sh, left :: sw], the H' x W' cells this tap read
    kernel:   (N, H', W')  g[:, k]: here the gradient plays the kernel
    products: (N, H', W')  patch * kernel
    partials: (N,)         per-image sums of products (the batch plays the part of channels)
    patch_mask: (H', W')   True where the patch is image data, False on zero padding
    """

    grad: ClassVar[str] = "kernels"
    event: ClassVar[str] = "cell"
    step: int  # 0-based among the cells of dL/dkernels, loop order k, c, row, col
    k: int
    c: int
    row: int  # the tap of the applied kernel being filled (of w_rot = rot180(w) when flip)
    col: int
    top: int  # the first x_pad row this tap read: row * dh
    left: int  # the first x_pad column: col * dw
    rows: tuple[int, ...]  # every x_pad row it read: top, top + sh, ... (H' of them)
    cols: tuple[int, ...]
    target: tuple[int, int, int, int]  # the cell of dL/dkernels this is: (k, c, row, col), rotated when flip
    rotated: bool  # flip is on: this is the gradient of w_rot = rot180(w), which `target` rotates back
    patch: np.ndarray
    kernel: np.ndarray
    products: np.ndarray
    partials: np.ndarray
    patch_mask: np.ndarray
    value: float  # sum(partials)


@dataclass(frozen=True, slots=True)
class KernelsResult:
    """dL/dkernels. With flip the walk filled the gradient of rot180(w); rotating it back gives dL/dw.

    applied:      (K, C, kh, kw)  the gradient of the kernels the window applied
    grad_kernels: (K, C, kh, kw)  the gradient of the kernels as written (= applied unless flip)
    """

    grad: ClassVar[str] = "kernels"
    event: ClassVar[str] = "result"
    applied: np.ndarray
    grad_kernels: np.ndarray
    rotated: bool


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


@dataclass(frozen=True, slots=True)
class BiasCell:
    """dL/dbias[k]: bias[k] was added once to every output of kernel k, so its gradient sums g[:, k].

    patch:    (N, H', W')  g[:, k]
    partials: (N,)         per-image sums
    """

    grad: ClassVar[str] = "bias"
    event: ClassVar[str] = "cell"
    step: int
    k: int
    patch: np.ndarray
    partials: np.ndarray
    value: float


@dataclass(frozen=True, slots=True)
class BiasResult:
    """grad_bias: (K,)."""

    grad: ClassVar[str] = "bias"
    event: ClassVar[str] = "result"
    grad_bias: np.ndarray


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


# ----------------------------------------------------------------------------- the summary


@dataclass(frozen=True)
class Explanation:
    """What one gradient is, in words with this problem's numbers: shown after its trace."""

    grad: str  # "images", "kernels" or "bias"
    title: str
    lines: tuple[str, ...]


def explain(problem: Problem) -> tuple[Explanation, ...]:
    """Which forward mode and rotation each gradient is, and the index derivation behind the rotation."""
    parts = [_explain_images(problem), _explain_kernels(problem)]
    if problem.bias is not None:
        n, k, h_out, w_out = problem.output_shape
        parts.append(Explanation("bias", "dL/dbias = the sum of g over n, row and col", (
            f"bias[k] is added once to each of the N*H'*W' = {n}*{h_out}*{w_out} = {n * h_out * w_out} outputs "
            "of kernel k, so each of them hands back its g: no window, no rotation.",
        )))
    return tuple(parts)


def _explain_images(problem: Problem) -> Explanation:
    geo = problem.geometry
    rows, cols = geo.rows, geo.cols
    (sh, sw), (dh, dw) = geo.stride, geo.dilation
    h_out, w_out = geo.out_size
    hs, ws = (h_out - 1) * sh + 1, (w_out - 1) * sw + 1
    eh, ew = rows.span, cols.span
    full_h, full_w = hs + eh - 1, ws + ew - 1
    hp, wp = geo.padded_size
    (top, _), (left, _) = geo.padding
    h, w = geo.input_size
    lines = [
        f"eh = dh*(kh-1) + 1 = {dh}*({rows.kernel}-1) + 1 = {eh} and ew = dw*(kw-1) + 1 = {dw}*({cols.kernel}-1) + 1 "
        f"= {ew}: the height and width of the dilated kernel w'.",
        f"mode: 'full' (g' padded with eh-1 = {eh - 1} rows and ew-1 = {ew - 1} columns of zeros on every side), "
        "stride 1, dilation 1: the stride and dilation already sit inside g' and w'.",
        "rotation: 180 degrees: the window multiplies g' by w' read backwards; "
        "equivalently a true convolution of g' with w' as it stands.",
    ]
    if problem.flip:
        lines.append(
            "flip is on: the forward pass applied w_rot = rot180(w), and rotating that again gives w back, "
            "so here the window slides your kernels as written (spread by the dilation)."
        )
    lines += [
        "the K kernels play the part the channels play in the forward pass: one partial per kernel, "
        "summed; every image channel c gets its own plane.",
        f"why rotated (rows; columns alike), here s = {sh}, d = {dh}:",
        "  forward:  out[i] = ... + x_pad[i*s + u*d] * w[u] + ...",
        "  so x_pad[r] meets tap u in output i exactly when i*s + u*d = r, and",
        "  dL/dx_pad[r] = sum over those (i, u) of g[i] * w[u].",
        "  spread both: g'[i*s] = g[i] (s-1 zeros between), w'[u*d] = w[u] (d-1 zeros between); with p = i*s:",
        "  dL/dx_pad[r] = sum over p of g'[p] * w'[r - p]",
        "  as p, the position in g', goes up, the kernel index r - p goes down: w' is read backwards (rotated 180).",
        "  put t = p - r + (eh-1): dL/dx_pad[r] = sum over t of g'_pad[r + t] * rot180(w')[t],",
        f"  where g'_pad is g' with eh-1 = {eh - 1} zeros each side: the forward window walk in 'full' mode.",
        f"sizes: g {h_out}x{w_out} -> g' {hs}x{ws} -> padded {hs + 2 * (eh - 1)}x{ws + 2 * (ew - 1)}; "
        f"the full walk fills {full_h}x{full_w} cells of dL/dx_pad ({hp}x{wp}).",
    ]
    if rows.dropped or cols.dropped:
        lines.append(
            f"the floor dropped {rows.dropped} row(s) and {cols.dropped} column(s) at the bottom/right: no window "
            "read them, so their gradient is 0."
        )
    lines.append(
        f"crop: rows {top}..{top + h - 1}, columns {left}..{left + w - 1} of dL/dx_pad are dL/dimages ({h}x{w}); "
        "the rest is padding, which is not an input."
    )
    return Explanation(
        "images",
        "dL/dimages = the forward window walk in 'full' mode of g' against w' rotated 180 degrees, summed over kernels",
        tuple(lines),
    )


def _explain_kernels(problem: Problem) -> Explanation:
    geo = problem.geometry
    (sh, sw), (dh, dw) = geo.stride, geo.dilation
    kh, kw = geo.kernel_size
    lines = [
        f"mode: 'valid' over x_pad with g[n, k] as the kernel, stride and dilation swapped: "
        f"stride ({dh}, {dw}) (the forward dilation), dilation ({sh}, {sw}) (the forward stride); "
        f"the first {kh}x{kw} results, one per tap.",
        "equivalently a valid cross-correlation of x_pad with g' (g with s-1 zeros inserted), "
        "read at every d-th offset (u*d, v*d).",
        "rotation: none: dL/dw[u] = sum over i of g[i] * x_pad[i*s + u*d]; "
        "i and the x_pad index go up together, so g is read forwards.",
        "the N images play the part the channels play in the forward pass: one partial per image, summed.",
    ]
    if problem.flip:
        lines.append(
            "flip is on: the forward pass applied w_rot = rot180(w), so the walk gives dL/dw_rot; "
            f"rotating it back gives dL/dw: dL/dw[u, v] = dL/dw_rot[{kh - 1} - u, {kw - 1} - v]."
        )
    return Explanation(
        "kernels",
        "dL/dkernels = the forward window walk in 'valid' mode over x_pad, with g as the kernel, summed over the batch",
        tuple(lines),
    )
