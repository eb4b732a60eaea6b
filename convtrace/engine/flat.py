"""The flat-buffer strategies of the vectorized engine: "im2col", "rows" and "shifted".

Each channel of the padded images is laid out as one long row, buffer (C, positions),
so that a window position is one index p and the cell under kernel tap (u, v) is
always p + shift(u, v); the convolution is then a sum over taps of (K, C) @ (C, B)
matrix products, done block by block of whole rows (engine/fast.py explains the
strategies; engine/blocks.py shares the blocks between the cores).
"""

from __future__ import annotations

import numpy as np

from ..source.geometry import Geometry
from .workspace import work_array

# Bytes of the column block and the product of one block of positions: a few blocks
# per layer, each small next to the input (measured on a 2-core machine, see benchmarks/).
BLOCK_BYTES = 8 * 1024 * 1024


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
    buffers, taps, (hq, wq) = flat_input(x, g, lambda shape, dtype, i: work_array(f"input{i}", shape, dtype, zero=True))
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
    no_copy = len(inside) == 1 and inside[0][1] == 0  # "shifted": the buffer slice is the matrix

    def one_block(row: int) -> None:  # grid rows row .. row+per_block-1; work arrays are per thread
        p, b = row * wq, min(per_block, rows - row) * wq
        if no_copy:
            cols = buffers[inside[0][0]][:, p : p + b + reach]
        else:
            cols = work_array("columns", (depth, block + reach), dtype)[:, : b + reach]
            for t, (which, shift) in enumerate(inside):
                cols[t * c : (t + 1) * c] = buffers[which][:, p + shift : p + shift + b + reach]
        target = work_array("sums", (k, block), dtype)[:, :b]
        if len(groups) == 1:  # one group: the product is the answer
            np.matmul(stacked, cols, out=target)
        else:
            y = work_array("product", (len(groups) * k, block + reach), dtype)[:, : b + reach]
            np.matmul(stacked, cols, out=y)
            np.add(y[:k, after[0] : after[0] + b], y[k : 2 * k, after[1] : after[1] + b], out=target)
            for group in range(2, len(groups)):
                target += y[group * k : (group + 1) * k, after[group] : after[group] + b]
        _keep_rows(target.reshape(k, b // wq, wq), row, hq, bias, out)

    from .blocks import blocks_in_order  # BLAS spreads each product over the cores (engine/blocks.py)

    blocks_in_order(range(0, rows, per_block), one_block)
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
