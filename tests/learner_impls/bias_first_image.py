"""Mistake: the bias is added to image 0 only."""

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
        for k in range(kernels.shape[0]):
            out[0, k] += bias[k]
    return out
