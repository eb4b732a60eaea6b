"""Mistakes in which image meets which kernel: the batch axis N against the kernel axis K.

Every image must meet every kernel: out[n, k] = sum over c, u, v of
x[n, c, ...] * w[k, c, u, v]. A sum written over whole arrays at once,
`np.sum(x[:, :, i:i+kh, j:j+kw] * w, axis=(1, 2, 3))`, multiplies image n by
kernel n instead: numpy pairs equal axes elementwise. With N = 1 it is right
by accident (the single image broadcasts against every kernel); with N = K > 1
it runs and gives wrong numbers; otherwise numpy refuses to broadcast.
"""

from __future__ import annotations

import numpy as np

from ..engine.fast import conv2d
from .cases import in_layout, pair
from .mistakes import Situation, model

PAIRED_FIX = (
    "Every image must meet every kernel: loop over k (out[:, k, i, j] = np.sum(patch * kernels[k], "
    "axis=(1, 2, 3))), or broadcast both: (patch[:, None] * kernels[None]).sum(axis=(2, 3, 4)), or "
    "np.einsum('nchw,kchw->nk', patch, kernels)."
)
PAIRED_TITLE = "images paired with kernels by index: image n met only kernel n; every image must meet every kernel"


def paired_sums(s: Situation) -> np.ndarray:
    """(N, H', W'): image n met with kernel n only, no bias."""
    case = s.case
    return np.stack([
        conv2d(case.images[n:n + 1], case.kernels[n:n + 1], stride=pair(case.stride), padding=case.pad,
               dilation=pair(case.dilation), flip=case.flip)[0, 0]
        for n in range(case.images.shape[0])
    ])


@model("paired_by_index", PAIRED_TITLE, order=50)
def _paired_by_index(s: Situation):
    n, k = s.case.images.shape[0], s.case.kernels.shape[0]
    if n != k or n < 2:
        return
    sums = paired_sums(s)
    bias = s.case.expected - s.case.output(bias=None)
    # the N sums land on the kernel axis (out[:, :, i, j] = sums broadcasts along the last axis) or on N
    for wrong in (np.broadcast_to(sums[None, :], (n, k) + sums.shape[1:]),
                  np.broadcast_to(sums[:, None], (n, k) + sums.shape[1:])):
        yield in_layout(wrong + bias, s.layout), (
            f"Image n was multiplied by kernel n only ({n} images, {k} kernels: numpy paired the two axes "
            f"elementwise, as x[:, :, i:i+kh, j:j+kw] * kernels does), so each position got {n} sums instead "
            f"of {n}x{k}. With one image this is right by accident. {PAIRED_FIX}"
        )


@model("batch_summed", "images summed together (the sum ran over the batch axis)", order=51)
def _batch_summed(s: Situation):
    n = s.case.images.shape[0]
    if n < 2:
        return
    plain = s.case.output(bias=None)
    bias = s.case.expected - plain
    total = plain.sum(axis=0, keepdims=True)
    text = (f"Each value is the sum over all {n} images of the right values: the sum ran over the batch "
            f"axis too (e.g. np.sum(x[:, :, i:i+kh, j:j+kw] * kernels[k]) without axis=). Sum over c, u, v "
            f"only, one image at a time: np.sum(x[n, :, i:i+kh, j:j+kw] * kernels[k]).")
    yield in_layout(np.broadcast_to(total, plain.shape) + bias, s.layout), text
    yield in_layout(total + bias[:1], s.layout), text
