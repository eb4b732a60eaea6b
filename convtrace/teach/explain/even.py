"""'same' with an odd total padding: where each library puts the extra row or column, computed."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ...source.geometry import Geometry, make_geometry
from .example import Example, run, small_enough
from .spellings import _spread_lines, torch_spelling


@dataclass(frozen=True)
class Placement:
    """One library's way of splitting an odd total padding, and what it computes on the example."""

    who: str
    code: tuple[str, ...]  # code lines, or words when `words` is set
    words: bool  # True when `code` describes a rule in prose (d2l), not a call
    extra: str  # where the extra row/column goes: "bottom/right" or "top/left"
    padding: tuple[tuple[int, int], tuple[int, int]]
    output: np.ndarray | None  # (H', W'), or None when too large to print
    differs: np.ndarray | None  # (H', W') bool: differs from the first placement's output


@dataclass(frozen=True)
class EvenKernel:
    """'same' whose total padding is odd on some axis (an even kernel at stride 1)."""

    totals: tuple[str, ...]  # e.g. "rows: total = 0 + 1 = 1 is odd, ..."
    placements: tuple[Placement, ...]  # empty when stride > 1 (only TensorFlow has a rule then)
    groups: tuple[tuple[tuple[int, ...], int], ...]  # (placement numbers from 1, index of one of them) per distinct output
    notes: tuple[str, ...]


def _split(total: int, extra_after: bool) -> tuple[int, int]:
    small = total // 2
    return (small, total - small) if extra_after else (total - small, small)


def even_kernel(g: Geometry, example: Example, flip: bool = False) -> EvenKernel | None:
    """Where each library puts the extra row/column of 'same', computed on the example; None if even.

    flip: example.w is already the rotated kernel convolution slides; a note says so.
    """
    axes = [(g.rows, "rows"), (g.cols, "columns")]
    totals = [(a.before + a.after, what, a) for a, what in axes]
    odd = [t for t in totals if t[0] % 2]
    if not odd:
        return None
    lines = tuple(
        f"{what}: total = {a.before} + {a.after} = {total} is odd, so one side gets one more"
        for total, what, a in odd
    )
    odd_rows, odd_cols = (g.rows.before + g.rows.after) % 2 == 1, (g.cols.before + g.cols.after) % 2 == 1
    late = "/".join(side for side, odd in (("bottom", odd_rows), ("right", odd_cols)) if odd)
    early = "/".join(side for side, odd in (("top", odd_rows), ("left", odd_cols)) if odd)
    if g.stride != (1, 1):
        notes = (
            f"TensorFlow's rule puts the extra one at the {late} (before = total // 2).",
            "PyTorch refuses padding=\"same\" with stride > 1, and scipy has no stride: "
            "pad by hand with the numbers above.",
        )
        return EvenKernel(lines, (), (), notes)

    spread, kernel = _spread_lines(g)
    (th, tw) = (g.rows.before + g.rows.after, g.cols.before + g.cols.after)
    after = (_split(th, True), _split(tw, True))
    before = (_split(th, False), _split(tw, False))
    rotated = "w[::-1, ::-1]" if not spread else "wd[::-1, ::-1]"
    specs = [
        ('TensorFlow padding="SAME", PyTorch padding="same", convtrace',
         torch_spelling(g, "same").code, False, late, after),
        ("scipy.signal.correlate2d", (*spread, f'correlate2d(x, {kernel}, mode="same")'), False, late, after),
        ("scipy.signal.correlate", (*spread, f'correlate(x, {kernel}, mode="same")'), False, early, before),
        ("scipy.signal.convolve2d, kernel rotated", (*spread, f'convolve2d(x, {rotated}, mode="same")'), False,
         early, before),
    ]
    if g.dilation == (1, 1):
        specs.append(
            ("d2l (Dive into Deep Learning)",
             ("p_h = k_h - 1 rows in all: ceil(p_h/2) on the top,",
              "floor(p_h/2) on the bottom; the width the same way"), True,
             early, before)
        )
    show = small_enough(g)
    placements = []
    reference = None
    for who, code, words, extra, padding in specs:
        geom = make_geometry(example.input_size, example.kernel_size, dilation=g.dilation, padding=padding)
        out = run(example.x, example.w, geom)
        if reference is None:
            reference = out
        differs = out != reference if out.shape == reference.shape else np.ones(out.shape, bool)
        placements.append(Placement(who, code, words, extra, padding, out if show else None, differs if show else None))
    groups = []  # placements with identical outputs share one printed map
    for i, p in enumerate(placements):
        for members, first in groups:
            if np.array_equal(placements[first].output, p.output):
                members.append(i + 1)
                break
        else:
            groups.append(([i + 1], i))
    notes = (shift_note(odd_rows, odd_cols),
        "d2l states its rule in words (section 'Padding and Stride'); its code uses odd kernels "
        "with nn.Conv2d(padding=...), which pads both sides equally.",
    )
    notes = notes if g.dilation == (1, 1) else notes[:1]
    if flip:
        notes += ("--flip: these maps slide w rotated 180 degrees (convolution); in each line above, "
                  "write w[::-1, ::-1] for w (or convolve instead of correlate).",)
    return EvenKernel(lines, tuple(placements), tuple((tuple(m), f) for m, f in groups), notes)


def shift_note(odd_rows: bool, odd_cols: bool) -> str:
    """How the top/left maps relate to the bottom/right ones: shifted only along the axes whose total is odd.

    One more zero before the input moves the input one cell later in the padded
    array, so the window at i reads what the other placement's window at i-1 read.
    """
    sides = " and ".join(side for side, odd in (("top", odd_rows), ("left", odd_cols)) if odd)
    cells = " and ".join(cell for cell, odd in (("row", odd_rows), ("column", odd_cols)) if odd)
    late = "/".join(side for side, odd in (("bottom", odd_rows), ("right", odd_cols)) if odd)
    i, j = ("i-1" if odd_rows else "i"), ("j-1" if odd_cols else "j")
    return (f"Same numbers, shifted: with the extra zero at the {sides} every window starts one {cells} "
            f"earlier on the input, so out[i, j] there equals out[{i}, {j}] of the {late} maps.")


def same_agrees(g: Geometry) -> str:
    """Why the libraries agree when both totals are even, and (at stride 1) what would make one odd."""
    totals = ", ".join(f"{what} {a.before} + {a.after} = {a.before + a.after}"
                       for a, what in ((g.rows, "rows"), (g.cols, "columns")))
    if g.stride == (1, 1):
        reach = ", ".join(f"{what} {a.dilation}*({a.kernel}-1) = {a.dilation * (a.kernel - 1)}"
                          for a, what in ((g.rows, "rows"), (g.cols, "columns")))
        return (f"At stride 1 the total padding is d*(k-1) ({reach}): even on both axes, so it splits "
                "equally and PyTorch, TensorFlow and scipy agree. It is odd only for an even kernel with "
                "an odd dilation (try --kernel-size 2 --dilation 1); then they do not.")
    return (f"The total padding is even on both axes ({totals}), so it splits equally. At stride > 1 "
            "it also depends on the input size; when it is odd, the extra row or column goes to the "
            "bottom/right (TensorFlow's rule), and PyTorch's padding=\"same\" refuses a stride.")
