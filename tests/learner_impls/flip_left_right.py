"""Mistake: 'flip' reverses the columns only."""

import numpy as np


def conv2d(images, kernels, flip=False):
    if flip:
        kernels = kernels[:, :, :, ::-1]
    kh, kw = kernels.shape[-2:]
    out_h = images.shape[2] - kh + 1
    out_w = images.shape[3] - kw + 1
    out = np.zeros((images.shape[0], kernels.shape[0], out_h, out_w))
    for i in range(out_h):
        for j in range(out_w):
            out[:, :, i, j] = np.einsum("nchw,kchw->nk", images[:, :, i:i + kh, j:j + kw], kernels)
    return out
