"""Mistakes in where the windows sit: stride, padding, dilation and the window size.

Most are the right computation with one setting changed, computed by the
vectorized engine (`Case.output`). "Cropped" models are for code that sizes the
output right but slices the windows wrong: the output has the right shape and
holds the first cells of the wrong computation.
"""

from __future__ import annotations

import numpy as np

from .cases import in_layout, pair
from .mistakes import Situation, model, padded


def _crop(s: Situation, out: np.ndarray) -> np.ndarray | None:
    """The top-left corner of `out` (N, K, H, W) the size of the right answer, when it is that large."""
    h, w = s.spatial
    if out.shape[2] < h or out.shape[3] < w:
        return None
    return in_layout(out[:, :, :h, :w], s.layout)


@model("stride_not_in_slice", "stride not applied to the slice start", order=20)
def _stride_not_in_slice(s: Situation):
    sh, sw = pair(s.case.stride)
    if (sh, sw) != (1, 1):
        yield _crop(s, s.case.output(stride=1)), (
            f"The output has the right size, but out[i, j] holds the window starting at row i, column j "
            f"instead of row i*{sh}, column j*{sw}: the stride is missing from the slice. "
            f"Slice images[..., i*sh:i*sh+kh, j*sw:j*sw+kw]."
        )


@model("stride_ignored", "stride ignored", order=21)
def _stride_ignored(s: Situation):
    if pair(s.case.stride) != (1, 1):
        full = s.case.output(stride=1)
        yield in_layout(full, s.layout), (
            f"The output is {full.shape[2]}x{full.shape[3]}, what stride 1 gives, instead of "
            f"{s.spatial[0]}x{s.spatial[1]}: the stride is never used. Step the window by `stride` and "
            f"size the output with (H + 2*padding - kh) // stride + 1."
        )


def _one_axis_stride(s: Situation, rows: bool):
    sh, sw = pair(s.case.stride)
    used, unused = ("rows", "columns") if rows else ("columns", "rows")
    step, other = (sh, sw) if rows else (sw, sh)
    if step == 1 or other == 1:  # with the other axis at 1 the mistake changes nothing
        return
    wrong = s.case.output(stride=(sh, 1) if rows else (1, sw))
    text = (f"The window steps by {step} along the {used} but by 1 along the {unused}: the stride is applied "
            f"to the {used} only. Use it for both: i*stride on the rows and j*stride on the columns "
            f"(and (W + 2*padding - kw) // stride + 1 columns).")
    yield in_layout(wrong, s.layout), text
    cropped = _crop(s, wrong)
    if cropped is not None and cropped.shape != in_layout(wrong, s.layout).shape:
        yield cropped, text


@model("stride_rows_only", "stride applied to the rows only", order=22)
def _stride_rows_only(s: Situation):
    yield from _one_axis_stride(s, rows=True)


@model("stride_columns_only", "stride applied to the columns only", order=23)
def _stride_columns_only(s: Situation):
    yield from _one_axis_stride(s, rows=False)


@model("padding_ignored", "padding ignored", order=24)
def _padding_ignored(s: Situation):
    if s.case.pad != (0, 0):
        bare = s.case.output(pad=0)
        yield in_layout(bare, s.layout), (
            f"The output is {bare.shape[2]}x{bare.shape[3]}, what no padding gives: the image was never "
            f"padded. Pad it first, e.g. np.pad(images, ((0, 0), (0, 0), (p, p), (p, p)))."
        )


@model("padding_one_side", "padding on one side only", order=25)
def _padding_one_side(s: Situation):
    ph, pw = s.case.pad
    if (ph, pw) == (0, 0):
        return
    for where, pad in (("before (top and left)", ((ph, 0), (pw, 0))), ("after (bottom and right)", ((0, ph), (0, pw)))):
        wrong = s.case.output(pad=pad)
        yield in_layout(wrong, s.layout), (
            f"The zeros went {where} only: the output is {wrong.shape[2]}x{wrong.shape[3]} instead of "
            f"{s.spatial[0]}x{s.spatial[1]}. Padding p adds p zeros on both sides of each axis: "
            f"np.pad(images, ((0, 0), (0, 0), (p, p), (p, p)))."
        )


@model("full_padding_k", "'full' padding of k instead of k-1", order=26)
def _full_padding_k(s: Situation):
    if s.case.padding == "full":
        kh, kw = s.case.kernel_size
        wide = s.case.output(pad=(kh, kw))
        yield in_layout(wide, s.layout), (
            f"The output is {wide.shape[2]}x{wide.shape[3]}, as with k zeros on each side; 'full' padding "
            f"adds k-1 (the last position where kernel and image still overlap): {kh - 1} rows and "
            f"{kw - 1} columns here, giving {s.spatial[0]}x{s.spatial[1]}."
        )


@model("full_padding_square", "'full' padding from one kernel side for both axes", order=27)
def _full_padding_square(s: Situation):
    kh, kw = s.case.kernel_size
    if s.case.padding == "full" and kh != kw:
        for side, name in ((kh, "kh"), (kw, "kw")):
            wrong = s.case.output(pad=(side - 1, side - 1))
            yield in_layout(wrong, s.layout), (
                f"Rows and columns both got {name}-1 = {side - 1} zeros, but this kernel is {kh}x{kw}: "
                f"'full' padding adds kh-1 = {kh - 1} rows and kw-1 = {kw - 1} columns on each side. "
                f"Take each from its own axis: kh, kw = kernels.shape[-2:]."
            )


@model("dilation_ignored", "dilation ignored", order=28)
def _dilation_ignored(s: Situation):
    dh, dw = pair(s.case.dilation)
    if (dh, dw) != (1, 1):
        tight = s.case.output(dilation=1)
        text = (f"The taps sit next to each other, as with dilation 1: dilation {dh} puts {dh - 1} gap(s) "
                f"between them, so tap (u, v) reads row i + u*{dh}, column j + v*{dw}, and a {s.case.kernel_size[0]}x"
                f"{s.case.kernel_size[1]} kernel spans d*(k-1)+1 cells.")
        yield in_layout(tight, s.layout), text
        cropped = _crop(s, tight)
        if cropped is not None:
            yield cropped, text


@model("dilation_as_gap", "dilation counted as the gap size", order=29)
def _dilation_as_gap(s: Situation):
    dh, dw = pair(s.case.dilation)
    if (dh, dw) != (1, 1):
        wide = s.case.output(dilation=(dh + 1, dw + 1))
        yield in_layout(wide, s.layout), (
            f"The taps are {dh + 1} apart: dilation {dh} was taken as the size of the gap. In PyTorch's "
            f"convention dilation is the distance between taps (1 = no gap), so dilation {dh} means taps "
            f"{dh} apart: row i + u*dilation."
        )


def _window_sized(s: Situation, side: int) -> tuple[np.ndarray, int, int] | None:
    """(the right values cropped to the output size a side x side window gives, rows, columns), when smaller."""
    (hp, wp), (sh, sw), (dh, dw) = padded(s.case), pair(s.case.stride), pair(s.case.dilation)
    rows, cols = (hp - dh * (side - 1) - 1) // sh + 1, (wp - dw * (side - 1) - 1) // sw + 1
    h, w = s.spatial
    if 1 <= rows <= h and 1 <= cols <= w and (rows, cols) != (h, w):
        return in_layout(s.case.expected[:, :, :rows, :cols], s.layout), rows, cols
    return None


@model("hardcoded_window", "hard-coded 3x3 window", order=30)
def _hardcoded_window(s: Situation):
    kh, kw = s.case.kernel_size
    if 3 in (kh, kw):  # a 3 in the kernel's shape cannot tell a written 3 from a read one
        return
    sized = _window_sized(s, 3)
    if sized is not None:
        cropped, rows, cols = sized
        yield cropped, (
            f"The output is {rows}x{cols}, the size a 3x3 kernel gives, but this kernel is {kh}x{kw} "
            f"(right size: {s.spatial[0]}x{s.spatial[1]}): the window size is written as 3. Take it "
            f"from the kernels: kh, kw = kernels.shape[-2:]."
        )


@model("square_kernel", "square kernel assumed: one side used for both", order=31)
def _square_kernel(s: Situation):
    kh, kw = s.case.kernel_size
    if kh == kw:
        return
    for side, axis, name in ((kw, -1, "kw"), (kh, -2, "kh")):
        if side == 3:  # looks the same as a hard-coded 3
            continue
        sized = _window_sized(s, side)
        if sized is not None:
            yield sized[0], (
                f"The output has the size a {side}x{side} window gives, but this kernel is {kh}x{kw}: one "
                f"side was used for both, as `k = kernels.shape[{axis}]` does. Read both: "
                f"kh, kw = kernels.shape[-2:], and size the output with each."
            )


@model("height_width_swapped", "height and width mixed up", order=32)
def _height_width_swapped(s: Situation):
    (hp, wp), (sh, sw), (dh, dw) = padded(s.case), pair(s.case.stride), pair(s.case.dilation)
    kh, kw = s.case.kernel_size
    rows, cols = (wp - dh * (kh - 1) - 1) // sh + 1, (hp - dw * (kw - 1) - 1) // sw + 1
    h, w = s.spatial
    if (rows, cols) != (h, w) and rows >= 1 and cols >= 1:
        n, k = s.case.expected.shape[:2]
        loose = np.full((n, k, rows, cols), np.nan)  # cells past the right size depend on the code
        loose[:, :, :min(rows, h), :min(cols, w)] = s.case.expected[:, :, :min(rows, h), :min(cols, w)]
        yield in_layout(loose, s.layout), (
            f"The output is {rows}x{cols} instead of {h}x{w}: the image's height and width were taken the "
            f"wrong way round, as `n, c, w, h = images.shape` does (the order is N, C, H, W). A square "
            f"image hides this; this one is {s.case.images.shape[2]}x{s.case.images.shape[3]}."
        )


@model("output_size_rounded_up", "float division in the output size", order=33)
def _rounded_up(s: Situation):
    (hp, wp), (sh, sw), (dh, dw) = padded(s.case), pair(s.case.stride), pair(s.case.dilation)
    kh, kw = s.case.kernel_size
    spans = dh * (kh - 1) + 1, dw * (kw - 1) + 1
    hc, wc = -(-(hp - spans[0]) // sh) + 1, -(-(wp - spans[1]) // sw) + 1  # ceil instead of floor
    h, w = s.spatial
    if (hc, wc) != (h, w):
        n, k = s.case.expected.shape[:2]
        loose = np.full((n, k, hc, wc), np.nan)
        loose[:, :, :h, :w] = s.case.expected
        yield in_layout(loose, s.layout), (
            f"The output is {hc}x{wc} instead of {h}x{w}: the size was rounded up, as round() or ceil() "
            f"of a float division do. The formula floors: (H + 2*padding - kh) // stride + 1."
        )
