"""Mistakes in the output's shape: right numbers on the wrong axes, in the wrong order, or axes lost or added.

`L` below is the right answer in the learner's layout: (N, K, H', W') for
NCHW, (N, H', W', K) for NHWC.
"""

from __future__ import annotations

from itertools import combinations

import numpy as np

from ..engine.fast import conv2d
from .cases import in_layout, pair
from .mistakes import Situation, model

NAMES = {"NCHW": ("N", "K", "H'", "W'"), "NHWC": ("N", "H'", "W'", "K")}


def _order(names, permutation) -> str:
    return "(" + ", ".join(names[i] for i in permutation) + ")"


@model("layout_output", "output in the other layout (NCHW / NHWC mixed up)", order=60)
def _layout_output(s: Situation):
    out = s.case.expected
    if s.layout == "NCHW":
        yield out.transpose(0, 2, 3, 1), (
            "The numbers are right, but the output is ordered (N, H', W', K), channels last (NHWC); "
            "convtrace expects (N, K, H', W') (NCHW). Build it as out[n, k, i, j], or run with "
            "--layout NHWC if your function keeps channels last."
        )
    else:
        yield out, (
            "The numbers are right, but the output is ordered (N, K, H', W') (NCHW); with --layout NHWC "
            "convtrace expects (N, H', W', K). Build it as out[n, i, j, k], or run without --layout NHWC."
        )


@model("nk_swapped", "N and K axes swapped in the output", order=61)
def _nk_swapped(s: Situation):
    out = s.case.expected
    if out.shape[0] > 1 or out.shape[1] > 1:
        yield in_layout(out.transpose(1, 0, 2, 3), s.layout), (
            "The numbers are right, but image and kernel axes are swapped: the output is indexed "
            "[k, n, ...] instead of [n, k, ...]. The batch axis N comes first, then one channel per kernel."
        )


@model("rows_columns_swapped", "rows and columns swapped", order=62)
def _rows_columns_swapped(s: Situation):
    yield in_layout(s.case.expected.transpose(0, 1, 3, 2), s.layout), (
        "The numbers are right, but rows and columns are swapped: the output is transposed, "
        "out[..., j, i] instead of out[..., i, j]."
    )


# orders an output is often built in before a reshape, as permutations of the learner's layout
BUILT = {"NCHW": ((0, 2, 3, 1), (1, 0, 2, 3), (0, 1, 3, 2)), "NHWC": ((0, 3, 1, 2), (3, 0, 1, 2), (0, 2, 1, 3))}


@model("reshape_not_transpose", "reshape where a transpose was needed", order=63)
def _reshape_not_transpose(s: Situation):
    right = s.expected
    names = NAMES[s.layout]
    for permutation in BUILT[s.layout]:
        built = right.transpose(permutation)
        wrong = built.reshape(right.shape)
        # with equal shapes the reshape changes nothing: that is a plain transpose, named by its own model
        if built.shape != right.shape and not np.array_equal(wrong, right):
            yield wrong, (
                f"The numbers are all there but in the wrong places: the output was computed as "
                f"{_order(names, permutation)} and then reshaped to {_order(names, range(4))}. reshape keeps "
                f"the values in memory order and only relabels the axes; reorder them with "
                f".transpose({', '.join(str(permutation.index(i)) for i in range(4))}) instead."
            )


def _per_channel(s: Situation) -> np.ndarray:
    """(N, K, C, H', W'): each channel's share of every output value, not yet summed."""
    case = s.case
    x, w = case.images, case.kernels
    return np.stack([conv2d(x[:, c:c + 1], w[:, c:c + 1], stride=pair(case.stride), padding=case.pad,
                            dilation=pair(case.dilation), flip=case.flip) for c in range(x.shape[1])], axis=2)


@model("channels_not_summed", "channels not summed: an extra axis of length C", order=64)
def _channels_not_summed(s: Situation):
    if s.case.bias is not None or s.case.images.shape[1] == 1:  # with C = 1 it is just an extra axis
        return
    parts = _per_channel(s)  # (N, K, C, H', W')
    c = parts.shape[2]
    shapes = ((parts, "(N, K, C, H', W')"), (parts.transpose(0, 2, 1, 3, 4), "(N, C, K, H', W')"))
    if s.layout == "NHWC":
        shapes = ((parts.transpose(0, 3, 4, 1, 2), "(N, H', W', K, C)"),
                  (parts.transpose(0, 3, 4, 2, 1), "(N, H', W', C, K)"))
    for wrong, order in shapes:
        yield wrong, (
            f"The output has an extra axis of length C = {c}, {order}: each channel's products were kept "
            f"apart instead of summed. Every output value is one number: the sum over channels and kernel "
            f"taps, e.g. np.sum(patch * kernels[k]) over (C, kh, kw)."
        )


@model("axes_dropped", "output axes of length 1 dropped", order=65)
def _axes_dropped(s: Situation):
    right, names = s.expected, NAMES[s.layout]
    ones = [axis for axis in range(4) if right.shape[axis] == 1]
    by_shape: dict[tuple, list[tuple[int, ...]]] = {}
    for size in range(1, len(ones) + 1):
        for dropped in combinations(ones, size):
            by_shape.setdefault(right.squeeze(axis=dropped).shape, []).append(dropped)
    for shape, ways in by_shape.items():
        told = [" and ".join(names[a] for a in way) for way in ways]
        which = told[0] if len(told) == 1 else "one of " + ", ".join(told) + " (all of length 1)"
        plural = "axis was" if len(ways[0]) == 1 else "axes were"
        yield right.reshape(shape), (
            f"The numbers are right, but the output has shape {tuple(shape)}: the {which} {plural} dropped "
            f"(as squeeze() or indexing with [0] do). Keep every axis, even of length 1: "
            f"{tuple(right.shape)} = {_order(names, range(4))}."
        )


@model("extra_axis", "an extra axis of length 1 in the output", order=66)
def _extra_axis(s: Situation):
    right = s.expected
    for position in range(5):
        yield np.expand_dims(right, position), (
            f"The numbers are right, but the output has shape {np.expand_dims(right, position).shape}: an "
            f"extra axis of length 1 (keepdims=True, or [None] / np.newaxis). Return "
            f"{tuple(right.shape)} = {_order(NAMES[s.layout], range(4))}."
        )
