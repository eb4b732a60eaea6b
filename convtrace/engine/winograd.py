"""Winograd's minimal filtering F(2x2, 3x3): a 2x2 block of outputs from 16 multiplications, not 36.

For one channel, a 4x4 input tile d and a 3x3 kernel g give the 2x2 outputs

    Y = A^T [ (G g G^T) * (B^T d B) ] A          (* = elementwise, 16 products)

with small fixed matrices B^T (4x4), G (4x3) and A^T (2x4) of 0, +-1 and 1/2.
The loop needs 2*2*9 = 36 multiplications for the same 2x2 outputs; the
transforms are only additions (and halvings of the kernel, done once). Over
C channels the 16 products of every channel are summed before A^T . A, so
for a layer the work is 16 matrix products (K, C) @ (C, tiles): one per
position e of the 4x4 transformed tile. That is how cuDNN and oneDNN compute
3x3 layers (stride 1, no dilation) faster than the direct method.

Two front doors:

* `conv2d_winograd`: the whole layer, (N, C, H, W) x (K, C, 3, 3) -> (N, K, H', W'),
  in blocks of tile rows that stay in cache, every core taking whole blocks
  (engine/blocks.py).
* `winograd_tile`: one tile of one image and one kernel, every intermediate kept
  (a frozen `WinogradTile`), for `convtrace run --method winograd`.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..errors import DataError
from ..source.geometry import Geometry
from ..source.problem import Problem

# F(2x2, 3x3) (Lavin and Gray, "Fast Algorithms for Convolutional Neural Networks", 2016)
BT = np.array([[1, 0, -1, 0],
               [0, 1, 1, 0],
               [0, -1, 1, 0],
               [0, 1, 0, -1]], dtype=np.float64)  # input transform: B^T d B
G = np.array([[1, 0, 0],
              [0.5, 0.5, 0.5],
              [0.5, -0.5, 0.5],
              [0, 0, 1]], dtype=np.float64)  # kernel transform: G g G^T
AT = np.array([[1, 1, 1, 0],
               [0, 1, -1, -1]], dtype=np.float64)  # output transform: A^T m A

TILE = 4  # input tile side: 2 outputs + 3 - 1
OUT = 2  # output tile side
MULTIPLICATIONS = TILE * TILE  # per channel and 2x2 output tile
DIRECT_MULTIPLICATIONS = OUT * OUT * 3 * 3  # the loop's, for the same outputs

# Tile rows per block: the transformed tiles (16, C, tiles) and products (16, K, tiles)
# of a block stay near this many bytes, so they are still in cache when reused.
BLOCK_BYTES = 2 * 1024 * 1024


def applies(kernel_shape, geometry: Geometry) -> bool:
    """True when F(2x2, 3x3) computes this layer: 3x3 kernels, stride 1, dilation 1."""
    return tuple(kernel_shape[2:]) == (3, 3) and geometry.stride == (1, 1) and geometry.dilation == (1, 1)


def kernel_transform(kernels: np.ndarray) -> np.ndarray:
    """(K, C, 3, 3) -> (16, K, C): U = G g G^T of every kernel and channel, one (K, C) matrix per tile position.

    G turns three numbers (g0, g1, g2) into four: g0, (g0 + g1 + g2)/2,
    (g0 - g1 + g2)/2, g2. Applied along the kernel rows, then along the
    columns, each step on whole (K, C) planes. Element-wise on purpose: a
    matrix product here would be large enough for BLAS to wake its own
    threads, which then spin for a while beside the blocks' threads
    (engine/blocks.py).
    """
    def g_times(g0, g1, g2):  # three (K, C) planes -> four
        middle, half = (g0 + g2) * 0.5, g1 * 0.5
        return g0, middle + half, middle - half, g2

    planes = np.ascontiguousarray(kernels.transpose(2, 3, 0, 1))  # (3, 3, K, C): plane [u, v] is tap (u, v)
    rows = [g_times(*planes[:, v]) for v in range(3)]  # rows[v][a] = (G g)[a, v]
    u = np.empty((TILE, TILE, *kernels.shape[:2]), kernels.dtype)
    for a in range(TILE):
        u[a] = g_times(rows[0][a], rows[1][a], rows[2][a])  # (G g G^T)[a, b] for b = 0..3
    return u.reshape(MULTIPLICATIONS, *kernels.shape[:2])


def gather_tiles(images: np.ndarray, padding: tuple[int, int], hq: int, first: int, chunk: np.ndarray) -> None:
    """Grid rows first .. first+R-1 of the padded images, split by row and column parity -> chunk (2, 2, C, R, Wq).

    Phase (r, s) holds padded cell (2q + r, 2t + s) of image n at grid row
    n*Hq + q, column t (Hq = tiles down + 1, Wq = tiles across + 1; zeros where
    no image cell lands). Tile (n, q, t) starts at padded cell (2q, 2t), so its
    cell (i, j) is phase (i % 2, j % 2) shifted by (i // 2) grid rows and
    (j // 2) columns: one constant shift per cell, which makes every step of
    the input transform a pass over contiguous memory. Tiles with q or t past
    the output are computed and thrown away (the price of the constant shifts).
    """
    n_images, _, h, w = images.shape
    (top, left), rows, wq = padding, chunk.shape[3], chunk.shape[4]
    chunk.fill(0)
    for n in range(first // hq, min(n_images, (first + rows - 1) // hq + 1)):  # the images these rows show
        g0, g1 = max(first, n * hq) - n * hq, min(first + rows, (n + 1) * hq) - n * hq  # its grid rows q here
        for r in range(2):
            qa, qb = max(g0, -(-(top - r) // 2)), min(g1, (h - 1 + top - r) // 2 + 1)  # rows q holding image rows
            for s in range(2):
                ta, tb = max(0, -(-(left - s) // 2)), min(wq, (w - 1 + left - s) // 2 + 1)
                if qa < qb and ta < tb:
                    y, x = 2 * qa + r - top, 2 * ta + s - left  # the first image cell that lands here
                    chunk[r, s, :, n * hq + qa - first : n * hq + qb - first, ta:tb] = \
                        images[n, :, y : y + 2 * (qb - qa) - 1 : 2, x : x + 2 * (tb - ta) - 1 : 2]


def input_transform(chunk: np.ndarray, wq: int, rows: np.ndarray, v: np.ndarray) -> None:
    """One block's phases, chunk (2, 2, C, R, Wq) -> v (4, 4, C, R*Wq) = B^T d B of every tile; rows (4, 2, C*R*Wq) scratch.

    For a block of b tiles, R*Wq >= b + Wq + 1 (gather_tiles). Every channel's row is contiguous
    and the channels follow each other, so each step below is one pass over
    one long 1-D array: a tile's cell is a constant shift of it (phase layout),
    and the few results where a shift runs into the next channel's row land in
    the columns past b, which the products never read.
    B^T's rows are (d0 - d2, d1 + d2, d2 - d1, d1 - d3). First along the tiles'
    rows (row i is phase i % 2 shifted by (i // 2)*Wq), for both column parities;
    then along their columns (column j is parity j % 2 shifted by j // 2).
    """
    flat = chunk.reshape(2, 2, -1)
    first = flat.shape[2] - wq  # stage 1: shifts up to Wq
    d = [flat[i % 2, :, (i // 2) * wq : (i // 2) * wq + first] for i in range(TILE)]  # (2, ...): both parities
    np.subtract(d[0], d[2], out=rows[0, :, :first])
    np.add(d[1], d[2], out=rows[1, :, :first])
    np.subtract(d[2], d[1], out=rows[2, :, :first])
    np.subtract(d[1], d[3], out=rows[3, :, :first])
    second = first - 1  # stage 2: shifts up to 1
    e = [rows[:, j % 2, j // 2 : j // 2 + second] for j in range(TILE)]  # (4, ...): every row of the tile
    vflat = v.reshape(TILE, TILE, -1)
    np.subtract(e[0], e[2], out=vflat[:, 0, :second])
    np.add(e[1], e[2], out=vflat[:, 1, :second])
    np.subtract(e[2], e[1], out=vflat[:, 2, :second])
    np.subtract(e[1], e[3], out=vflat[:, 3, :second])


# A^T m A for every tile at once: y[2a + b] = sum over (i, j) of AT[a, i] * AT[b, j] * m[4i + j],
# which is one (4, 16) @ (16, K*tiles) product with the Kronecker product of A^T with itself.
AT_AT = np.kron(AT, AT)  # (4, 16)


def output_transform(m: np.ndarray, y: np.ndarray) -> None:
    """m (4, 4, K, b) -> y (2, 2, K, b) = A^T m A of every tile: one small matrix product (one pass over m)."""
    _, _, k, b = m.shape
    np.matmul(AT_AT.astype(m.dtype), m.reshape(MULTIPLICATIONS, k * b), out=y.reshape(OUT * OUT, k * b))


def conv2d_winograd(images: np.ndarray, kernels: np.ndarray, bias, geometry: Geometry) -> np.ndarray:
    """(N, C, H, W) x (K, C, 3, 3) -> (N, K, H', W') by F(2x2, 3x3); stride 1, dilation 1 only.

    Computed in the inputs' dtype, in blocks of whole tile rows: a block's
    transformed tiles (16, C, b), products (16, K, b) and outputs stay in cache
    from one stage to the next. Work arrays are reused between calls.
    """
    from .blocks import blocks_on_every_core
    from .flat import _keep_rows
    from .workspace import work_array

    if not applies(kernels.shape, geometry):
        raise ValueError("Winograd F(2x2, 3x3) needs 3x3 kernels, stride 1 and dilation 1")
    n, c = images.shape[:2]
    k = kernels.shape[0]
    dtype = np.result_type(images, kernels)
    h_out, w_out = geometry.out_size
    th, tw = -(-h_out // OUT), -(-w_out // OUT)  # tiles; a last odd row or column reaches into zeros
    images = images.astype(dtype, copy=False)
    (top, _), (left, _) = geometry.padding
    hq, wq = th + 1, tw + 1  # the phase grid: one more row and column than there are tiles
    u = kernel_transform(kernels.astype(dtype, copy=False))  # (16, K, C)
    out = np.empty((n, k, h_out, w_out), dtype)
    rows_total = (n - 1) * hq + th  # tile rows up to the last kept one
    per_block = max(1, BLOCK_BYTES // (MULTIPLICATIONS * (c + k) * wq * np.dtype(dtype).itemsize))
    per_block = -(-rows_total // -(-rows_total // per_block))  # blocks of even size
    bias = None if bias is None else np.asarray(bias, dtype)
    kept = [[out[:, :, a::2, b::2] for b in range(OUT)] for a in range(OUT)]  # (N, K, ~H'/2, ~W'/2) views

    def one_block(row: int) -> None:
        """Tile rows row .. row+count-1: transform, 16 products, transform back, keep the real outputs."""
        count = min(per_block, rows_total - row)
        b = count * wq
        # work arrays of this thread, reused between calls
        chunk = work_array("winograd_chunk", (2, 2, c, count + 2, wq), dtype)  # the tiles plus the shifts' reach
        gather_tiles(images, (top, left), hq, row, chunk)
        bw = (count + 2) * wq
        v = work_array("winograd_v", (TILE, TILE, c, bw), dtype)
        m = work_array("winograd_m", (TILE, TILE, k, b), dtype)
        input_transform(chunk, wq, work_array("winograd_rows", (TILE, 2, c * bw), dtype), v)
        np.matmul(u, v.reshape(MULTIPLICATIONS, c, bw)[:, :, :b], out=m.reshape(MULTIPLICATIONS, k, b))
        y = work_array("winograd_y", (OUT, OUT, k, b), dtype)
        output_transform(m, y)
        for a in range(OUT):
            for bb in range(OUT):
                _keep_rows(y[a, bb].reshape(k, count, wq), row, hq, bias, kept[a][bb])

    blocks_on_every_core(range(0, rows_total, per_block), one_block)
    return out


# ----------------------------------------------------------------------------- one tile, shown


@dataclass(frozen=True)
class WinogradTile:
    """Every intermediate of F(2x2, 3x3) for one 2x2 output tile of image n and kernel k (float64).

    d:        (C, 4, 4) the input tile (padded-input rows top..top+3, columns left..left+3)
    g:        (C, 3, 3) the kernel as applied (rotated 180 degrees when flip is on)
    v:        (C, 4, 4) B^T d B, the transformed input tile
    u:        (C, 4, 4) G g G^T, the transformed kernel
    products: (C, 4, 4) u * v: the 16 multiplications of each channel
    m:        (4, 4)    products summed over the channels
    y:        (2, 2)    A^T m A + bias: the outputs out[n, k, row:row+2, col:col+2]
    loop:     (2, 2)    the same outputs from the naive loop's Steps (NaN where the tile
                        reaches past the output's last row or column)
    """

    n: int
    k: int
    row: int  # first output row of the tile
    col: int  # first output column
    d: np.ndarray
    g: np.ndarray
    v: np.ndarray
    u: np.ndarray
    products: np.ndarray
    m: np.ndarray
    bias: float
    y: np.ndarray
    loop: np.ndarray
    difference: float  # max |y - loop| over the outputs that exist: 0 up to rounding

    @property
    def multiplications(self) -> int:
        """16 per channel for 4 outputs (the loop: 36 per channel)."""
        return MULTIPLICATIONS * self.d.shape[0]

    @property
    def direct_multiplications(self) -> int:
        """The loop's for the same 4 outputs: 2*2*3*3 = 36 per channel."""
        return DIRECT_MULTIPLICATIONS * self.d.shape[0]


def winograd_tile(problem: Problem, n: int = 0, k: int = 0, tile: tuple[int, int] = (0, 0)) -> WinogradTile:
    """Output tile `tile` (tile row, tile column) of image n and kernel k, done the Winograd way."""
    from .naive import trace

    g = problem.geometry
    if not applies(problem.kernel_shape, g):
        _, _, kh, kw = problem.kernel_shape
        raise DataError(
            f"--method winograd needs 3x3 kernels, stride 1 and dilation 1 (F(2x2, 3x3)); this input has "
            f"{kh}x{kw} kernels, stride {list(g.stride)}, dilation {list(g.dilation)}: use --method loop or im2col"
        )
    h_out, w_out = g.out_size
    th, tw = -(-h_out // OUT), -(-w_out // OUT)
    if not (0 <= tile[0] < th and 0 <= tile[1] < tw):
        raise DataError(f"tile {tile} is outside the {th}x{tw} tiles of the output")
    row, col = tile[0] * OUT, tile[1] * OUT
    x_pad = problem.padded_images()
    c = x_pad.shape[1]
    d = np.zeros((c, TILE, TILE))  # a tile past the last row or column reads zeros
    part = x_pad[n, :, row : row + TILE, col : col + TILE]
    d[:, : part.shape[1], : part.shape[2]] = part
    kernel = np.array(problem.applied_kernels[k])  # (C, 3, 3)
    v = BT @ d @ BT.T  # (C, 4, 4): B^T d B, B = BT.T
    u = G @ kernel @ G.T  # (C, 4, 4)
    products = u * v
    m = products.sum(axis=0)
    bias = float(problem.bias_or_zeros[k])
    y = AT @ m @ AT.T + bias
    loop = np.full((OUT, OUT), np.nan)
    for a in range(min(OUT, h_out - row)):
        for b in range(min(OUT, w_out - col)):
            step = ((n * problem.kernel_shape[0] + k) * h_out + row + a) * w_out + col + b
            loop[a, b] = next(trace(problem, start=step)).value  # the loop's own Step for that output
    exists = ~np.isnan(loop)
    difference = float(np.abs(y - loop)[exists].max())
    for array in (d, kernel, v, u, products, m, y, loop):
        array.setflags(write=False)
    return WinogradTile(n, k, row, col, d, kernel, v, u, products, m, bias, y, loop, difference)
