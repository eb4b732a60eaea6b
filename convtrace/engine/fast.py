"""The vectorized engine: the same convolution as `engine.trace`, without a Python loop.

Two ideas, chosen by the size of the problem (`choose_strategy`):

* Small problems: a sliding-window *view* of the padded input gives every
  window at once, shape (N, C, H', W', kh, kw), without copying; one tensor
  contraction with the kernels (K, C, kh, kw) sums over C, kh and kw.

* Larger ones: matrix products over a *flat* copy of the input. Each channel
  of the padded images is laid out as one long row, buffer (C, positions), so
  that a window position is one index p and the cell under kernel tap (u, v)
  is always p + shift(u, v). "Every position's tap (u, v)" is then the slice
  buffer[:, p + shift] -- a (C, positions) matrix without copying -- and the
  convolution is a sum over taps of (K, C) @ (C, positions) products. The
  strategies differ in where that sum over taps happens:

      "im2col"   all taps inside one matrix product: copy the kh*kw shifted
                 slices into a column block (C*kh*kw, B), then (K, C*kh*kw) @ it
      "rows"     the taps of one kernel row inside (column block (C*kw, B)),
                 the kh kernel rows added afterwards with a row shift
      "shifted"  no copy at all: (kh*kw*K, C) @ buffer slice, then kh*kw
                 shifted adds

  Positions are processed in blocks of whole rows, a few thousand positions,
  so the column block and the partial results stay in cache; each block's
  kept cells go to the output while they are still there. A few positions
  per row (the columns past W') and per image are computed and thrown away:
  that is the price of one constant shift per tap. With a stride s the input
  is first split into s*s phases (every s-th row and column), which turns it
  into stride-1 slices.

Every strategy gives the same numbers up to float rounding order; float32
inputs are computed in float32, float64 in float64.
"""

from __future__ import annotations

import threading

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from ..errors import DataError
from ..source.geometry import Geometry, make_geometry, pair
from ..source.problem import Problem

STRATEGIES = ("windows", "im2col", "rows", "shifted")

# Below this many multiply-adds the one-call tensordot on the window view wins:
# the flat strategies pay for building the buffer and a Python loop over blocks.
SMALL_PROBLEM = 200_000
# Bytes of the column block and the product of one block of positions: a few blocks
# per layer, each small next to the input (measured on a 2-core machine, see benchmarks/).
BLOCK_BYTES = 8 * 1024 * 1024
# Work arrays up to this many bytes in all are kept between calls (per thread): fresh
# memory costs a page fault per 4 KB page on first touch, as much as the arithmetic
# on a layer of this size when a program calls conv2d again and again.
WORK_BYTES = 64 * 1024 * 1024


def windows(x_pad: np.ndarray, geometry: Geometry) -> np.ndarray:
    """(N, C, Hp, Wp) -> (N, C, H', W', kh, kw): every window's taps, as a view (no copy)."""
    g = geometry
    (sh, sw), (dh, dw) = g.stride, g.dilation
    h_out, w_out = g.out_size
    view = sliding_window_view(x_pad, (g.rows.span, g.cols.span), axis=(2, 3))
    # keep every stride-th window and every dilation-th tap
    return view[:, :, : (h_out - 1) * sh + 1 : sh, : (w_out - 1) * sw + 1 : sw, ::dh, ::dw]


def choose_strategy(input_shape, kernel_shape, geometry: Geometry) -> str:
    """The fastest strategy for this shape, as measured on a 2-core machine (see benchmarks/)."""
    n, c, _, _ = input_shape
    k, _, kh, kw = kernel_shape
    h_out, w_out = geometry.out_size
    if n * k * h_out * w_out * c * kh * kw < SMALL_PROBLEM:
        return "windows"
    if geometry.stride != (1, 1):
        return "im2col"  # the phases make "rows" shifts uneven; one product is simplest
    if kh > 1 and c * kw >= 32:
        return "rows"  # a (C*kw)-deep product is deep enough, and the copy is kh times smaller
    return "im2col"


def conv2d_nchw(
    images: np.ndarray,
    kernels: np.ndarray,
    bias: np.ndarray | None,
    geometry: Geometry,
    flip: bool = False,
    strategy: str = "auto",
) -> np.ndarray:
    """(N, C, H, W) x (K, C, kh, kw) -> (N, K, H', W'), computed in the inputs' dtype.

    strategy: "auto" picks one by shape (`choose_strategy`); any of STRATEGIES gives the same numbers.
    """
    w = kernels[:, :, ::-1, ::-1] if flip else kernels
    if strategy == "auto":
        strategy = choose_strategy(images.shape, w.shape, geometry)
    if strategy not in STRATEGIES:
        raise ValueError(f"strategy must be 'auto' or one of {', '.join(STRATEGIES)}, got {strategy!r}")
    if strategy in ("rows", "shifted") and geometry.stride != (1, 1):
        raise ValueError(f"strategy {strategy!r} needs stride 1; use 'im2col' or 'windows' for stride {geometry.stride}")
    n, k = images.shape[0], w.shape[0]
    h_out, w_out = geometry.out_size
    dtype = np.result_type(images, w)
    if images.size == 0 or w.size == 0:
        out = np.zeros((n, k, h_out, w_out), dtype)
    elif strategy == "windows":
        out = _conv_windows(images, w, geometry)
    else:  # the flat strategies add the bias while copying to the output: one pass instead of two
        bias = None if bias is None else np.asarray(bias, dtype=dtype)
        return _conv_flat(images, w, geometry, strategy, bias)
    if bias is not None:
        out += np.asarray(bias, dtype=out.dtype)[None, :, None, None]
    return out


def _conv_windows(images: np.ndarray, w: np.ndarray, geometry: Geometry) -> np.ndarray:
    """The sliding-window view and one tensordot: (N, C, H, W) x (K, C, kh, kw) -> (N, K, H', W')."""
    (top, bottom), (left, right) = geometry.padding
    x_pad = np.pad(images, ((0, 0), (0, 0), (top, bottom), (left, right)))
    win = windows(x_pad, geometry)  # (N, C, H', W', kh, kw)
    # sum over c, u, v: out[n, k, i, j] = sum win[n, c, i, j, u, v] * w[k, c, u, v]
    out = np.tensordot(win, w, axes=([1, 4, 5], [1, 2, 3]))  # (N, H', W', K)
    return np.ascontiguousarray(out.transpose(0, 3, 1, 2))


# ----------------------------------------------------------------------------- the flat layout


def flat_input(images: np.ndarray, geometry: Geometry, zeros=None):
    """(N, C, H, W) -> (buffers, taps, (Hq, Wq)): the input laid flat so every tap is one shift.

    buffers: list of (C, N*Hq*Wq + extra) arrays (one per stride phase; one when stride is 1)
    taps:    taps[u][v] = (which buffer, shift): output position p = n*Hq*Wq + i*Wq + j reads
             the cell under tap (u, v) at buffers[which][:, p + shift]
    zeros:   makes a zero-filled array from (shape, dtype, index of the buffer); default np.zeros
    """
    zeros = zeros or (lambda shape, dtype, index: np.zeros(shape, dtype))
    if geometry.stride == (1, 1):
        return _shared_padding_layout(images, geometry, zeros)
    return _phase_layout(images, geometry, zeros)


def _shared_padding_layout(x: np.ndarray, g: Geometry, zeros):
    """Stride 1: rows of Wq = W + gap cells, images of Hq = H + gap rows, the gaps all zeros.

    One gap serves as the right padding of a row and the left padding of the
    next one (likewise between images), so fewer positions are thrown away
    than with every image padded on its own.
    """
    n, c, h, w = x.shape
    (top, bottom), (left, right) = g.padding
    h_out, w_out = g.out_size
    hq = h + max(top, bottom, h_out - h)  # room for every output row
    wq = w + max(left, right, w_out - w)
    dh, dw = g.dilation
    extra = (g.rows.span - 1) * wq + g.cols.span - 1  # how far past the last position a tap reads
    start = top * wq + left  # p + shift(0, 0) lands on padding: data begins top rows, left cells in
    buffer = zeros((c, n * hq * wq + max(extra, start)), x.dtype, 0)
    grid = buffer[:, start : start + n * hq * wq].reshape(c, n, hq, wq)
    grid[:, :, :h, :w] = x.transpose(1, 0, 2, 3)
    taps = [[(0, u * dh * wq + v * dw) for v in range(g.cols.kernel)] for u in range(g.rows.kernel)]
    return [buffer], taps, (hq, wq)


def _phase_layout(x: np.ndarray, g: Geometry, zeros):
    """Stride (sh, sw): the padded images split into sh*sw phases, each a stride-1 grid.

    Phase (a, b) holds padded cells (a + sh*r, b + sw*q). Tap (u, v) of output
    (i, j) reads padded cell (i*sh + u*dh, j*sw + v*dw): phase (u*dh % sh,
    v*dw % sw) at grid cell (i + u*dh // sh, j + v*dw // sw).
    """
    n, c, h, w = x.shape
    (top, _), (left, _) = g.padding
    (sh, sw), (dh, dw) = g.stride, g.dilation
    hp, wp = g.padded_size
    hq, wq = -(-hp // sh), -(-wp // sw)
    extra = ((g.rows.span - 1) // sh) * wq + (g.cols.span - 1) // sw
    buffers = []
    for a in range(sh):
        for b in range(sw):
            buffer = zeros((c, n * hq * wq + extra), x.dtype, len(buffers))
            grid = buffer[:, : n * hq * wq].reshape(c, n, hq, wq)
            r0, y0 = _first_data_cell(a, top, sh)
            q0, x0 = _first_data_cell(b, left, sw)
            if y0 < h and x0 < w:
                part = x[:, :, y0::sh, x0::sw].transpose(1, 0, 2, 3)
                grid[:, :, r0 : r0 + part.shape[2], q0 : q0 + part.shape[3]] = part
            buffers.append(buffer)
    taps = [
        [((u * dh % sh) * sw + v * dw % sw, (u * dh // sh) * wq + v * dw // sw) for v in range(g.cols.kernel)]
        for u in range(g.rows.kernel)
    ]
    return buffers, taps, (hq, wq)


def _first_data_cell(phase: int, before: int, stride: int) -> tuple[int, int]:
    """The first grid cell r of a phase that holds data (not padding), and its data index."""
    r = max(0, -(-(before - phase) // stride))
    return r, phase + stride * r - before


# ----------------------------------------------------------------------------- the products


def _conv_flat(x: np.ndarray, w: np.ndarray, g: Geometry, strategy: str, bias) -> np.ndarray:
    """(N, C, H, W) x (K, C, kh, kw) -> (N, K, H', W'): matrix products over the flat layout, in blocks of rows."""
    buffers, taps, (hq, wq) = flat_input(x, g, lambda shape, dtype, i: _work(f"input{i}", shape, dtype, zero=True))
    n, c = x.shape[:2]
    k = w.shape[0]
    dtype = np.result_type(x, w)
    groups = _tap_groups(taps, strategy)  # [(shift after the product, [(u, v, buffer, shift inside), ...]), ...]
    inside = [(which, shift) for _, _, which, shift in groups[0][1]]
    # stacked[(group, k), (tap inside, c)] = w[k, c, that tap]: one product serves every group
    stacked = np.concatenate(
        [np.concatenate([w[:, :, u, v] for u, v, _, _ in members], axis=1) for _, members in groups]
    ).astype(dtype, copy=False)  # (groups*K, taps inside*C)
    after = [shift for shift, _ in groups]
    reach = max(after)  # a block of b positions needs b + reach product columns

    # Blocks of whole grid rows (Wq positions each), so a block's kept cells are whole output rows.
    h_out, w_out = g.out_size
    rows = (n - 1) * hq + h_out  # grid rows up to the last kept one
    depth = len(inside) * c
    per_block = max(1, _block_size(depth + len(groups) * k, dtype) // wq)  # the column block and the product
    per_block = -(-rows // -(-rows // per_block))  # as many blocks, of even size: no small last block
    block = per_block * wq
    out = np.empty((n, k, h_out, w_out), dtype)
    sums = _work("sums", (k, block), dtype)
    no_copy = len(inside) == 1 and inside[0][1] == 0  # "shifted": the buffer slice is the matrix
    columns = None if no_copy else _work("columns", (depth, block + reach), dtype)
    product = _work("product", (len(groups) * k, block + reach), dtype) if len(groups) > 1 else None
    for row in range(0, rows, per_block):
        p, b = row * wq, min(per_block, rows - row) * wq
        if no_copy:
            cols = buffers[inside[0][0]][:, p : p + b + reach]
        else:
            cols = columns[:, : b + reach]
            for t, (which, shift) in enumerate(inside):
                cols[t * c : (t + 1) * c] = buffers[which][:, p + shift : p + shift + b + reach]
        target = sums[:, :b]
        if product is None:  # one group: the product is the answer
            np.matmul(stacked, cols, out=target)
        else:
            y = product[:, : b + reach]
            np.matmul(stacked, cols, out=y)
            np.add(y[:k, after[0] : after[0] + b], y[k : 2 * k, after[1] : after[1] + b], out=target)
            for group in range(2, len(groups)):
                target += y[group * k : (group + 1) * k, after[group] : after[group] + b]
        _keep_rows(target.reshape(k, b // wq, wq), row, hq, bias, out)
    return out


def _keep_rows(block: np.ndarray, first: int, hq: int, bias, out: np.ndarray) -> None:
    """Copy the kept cells of grid rows first, first+1, ... (block (K, rows, Wq)) into out (N, K, H', W').

    Grid row r is row r % Hq of image r // Hq; its rows past H' and cells past W' are thrown away.
    """
    _, count, _ = block.shape
    _, _, h_out, w_out = out.shape
    for image in range(first // hq, (first + count - 1) // hq + 1):
        top, bottom = max(first, image * hq), min(first + count, image * hq + h_out)  # grid rows kept
        if top >= bottom:
            continue
        kept = block[:, top - first : bottom - first, :w_out]
        into = out[image, :, top - image * hq : bottom - image * hq]
        if bias is None:
            np.copyto(into, kept)
        else:
            np.add(kept, bias[:, None, None], out=into)


_kept = threading.local()  # this thread's work arrays, by name


def _work(name: str, shape, dtype, zero: bool = False) -> np.ndarray:
    """A work array of `shape`, reused from the last call when it fits (garbage unless `zero`).

    Only this module uses the array, and only until the call returns: every call
    hands back a fresh output. Arrays are kept per thread, WORK_BYTES in all.
    """
    size = int(np.prod(shape)) * np.dtype(dtype).itemsize
    kept = getattr(_kept, "arrays", None)
    if kept is None:
        kept = _kept.arrays = {}
    memory = kept.get(name)
    if memory is None or memory.nbytes < size:
        kept.pop(name, None)
        if size > WORK_BYTES - sum(m.nbytes for m in kept.values()):
            make = np.zeros if zero else np.empty
            return make(shape, dtype)  # too big to keep
        memory = kept[name] = np.empty(size, np.uint8)
    array = memory[:size].view(dtype).reshape(shape)
    if zero:
        array.fill(0)
    return array


def _tap_groups(taps, strategy: str):
    """Split the taps into groups added after the product; within a group they are summed inside it.

    Returns [(shift after, [(u, v, buffer, shift inside), ...]), ...]. Every group
    has the same inside pattern, so one column block serves all of them.
    """
    cells = [(u, v, which, shift) for u, row in enumerate(taps) for v, (which, shift) in enumerate(row)]
    if strategy == "im2col":
        return [(0, cells)]
    if strategy == "rows":
        rows = [[cell for cell in cells if cell[0] == u] for u in range(len(taps))]
        return [(row[0][3], [(u, v, which, shift - row[0][3]) for u, v, which, shift in row]) for row in rows]
    if strategy == "shifted":
        return [(shift, [(u, v, which, 0)]) for u, v, which, shift in cells]
    raise ValueError(f"not a flat strategy: {strategy!r}")


def _block_size(numbers_per_position: int, dtype) -> int:
    """Positions per block: the block's columns and products near BLOCK_BYTES, at least 4096 positions.

    Fewer, larger products also pay off on a busy machine: every product call waits
    for all of BLAS's threads, and a thread that lost its core makes that wait long.
    """
    block = BLOCK_BYTES // (numbers_per_position * np.dtype(dtype).itemsize)
    return max(4096, block // 1024 * 1024)


# ----------------------------------------------------------------------------- front doors


def problem_output(problem: Problem) -> np.ndarray:
    """The Problem's output (N, K, H', W'), float64."""
    return conv2d_nchw(problem.images, problem.kernels, problem.bias, problem.geometry, problem.flip)


def conv2d(
    images,
    kernels,
    bias=None,
    *,
    stride=1,
    padding=0,
    dilation=1,
    flip: bool = False,
    layout: str = "NCHW",
    strategy: str = "auto",
    groups: int = 1,
) -> np.ndarray:
    """2-D convolution as a CNN layer computes it (cross-correlation unless flip=True).

    images (N, C, H, W), kernels (K, C, kh, kw) -> (N, K, H', W') for layout="NCHW";
    images (N, H, W, C), kernels (K, kh, kw, C) -> (N, H', W', K) for layout="NHWC".
    padding: "valid", "same", "full", an int, (ph, pw) or ((top, bottom), (left, right)).
    float32 inputs stay float32; everything else is computed in float64.
    strategy: "auto" (by shape) or one of STRATEGIES; all give the same numbers.
    groups: kernels (K, C/groups, kh, kw); output channel k reads its group's channels (engine/layers.py).
    """
    if groups != 1:
        from .layer_api import conv_nd

        x, w = (np.moveaxis(np.asarray(a), -1, 1) for a in (images, kernels)) if layout == "NHWC" else (images, kernels)
        out = conv_nd(x, w, bias, dims=2, stride=stride, padding=padding, dilation=dilation, groups=groups,
                      flip=flip, caller="conv2d")
        return np.moveaxis(out, 1, -1) if layout == "NHWC" else out
    x, w, geometry = prepare_arrays(images, kernels, stride, padding, dilation, layout, "conv2d")
    out = conv2d_nchw(x, w, bias, geometry, flip, strategy)
    return out.transpose(0, 2, 3, 1) if layout == "NHWC" else out


def prepare_arrays(images, kernels, stride, padding, dilation, layout: str, caller: str):
    """Array-API arguments -> (images (N, C, H, W), kernels (K, C, kh, kw), Geometry), checked.

    Both arrays get a common float dtype: float32 stays float32, anything else becomes float64.
    """
    x, w = np.asarray(images), np.asarray(kernels)
    dtype = np.result_type(x, w)
    dtype = dtype if dtype in (np.float32, np.float64) else np.float64
    x, w = x.astype(dtype, copy=False), w.astype(dtype, copy=False)
    if x.ndim != 4 or w.ndim != 4:
        raise DataError(f"{caller} needs rank-4 images and kernels, got shapes {x.shape} and {w.shape}")
    if layout == "NHWC":
        x, w = x.transpose(0, 3, 1, 2), w.transpose(0, 3, 1, 2)
    if x.shape[1] != w.shape[1]:
        raise DataError(f"kernels expect {w.shape[1]} channels, images have {x.shape[1]}")
    mode = padding if isinstance(padding, str) else None
    geometry = make_geometry(
        x.shape[2:], w.shape[2:],
        stride=pair(stride), dilation=pair(dilation),
        mode=mode, padding=None if mode else padding,
    )
    return x, w, geometry
