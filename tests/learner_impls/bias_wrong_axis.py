"""Mistake: out + bias lines the bias up with the last axis (W'), not the kernel axis."""

import numpy as np


def conv2d(images, kernels, bias=None):
    kh, kw = kernels.shape[-2:]
    out_h = images.shape[2] - kh + 1
    out_w = images.shape[3] - kw + 1
    out = np.zeros((images.shape[0], kernels.shape[0], out_h, out_w))
    for i in range(out_h):
        for j in range(out_w):
            out[:, :, i, j] = np.einsum("nchw,kchw->nk", images[:, :, i:i + kh, j:j + kw], kernels)
    if bias is not None:
        out = out + bias
    return out
