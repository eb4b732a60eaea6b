"""Mistake: the stride moves the window down the rows, but the columns step by 1."""

import numpy as np


def conv2d(images, kernels, stride=1):
    kh, kw = kernels.shape[-2:]
    out_h = (images.shape[2] - kh) // stride + 1
    out_w = images.shape[3] - kw + 1
    out = np.zeros((images.shape[0], kernels.shape[0], out_h, out_w))
    for i in range(out_h):
        for j in range(out_w):
            patch = images[:, :, i * stride:i * stride + kh, j:j + kw]
            out[:, :, i, j] = np.einsum("nchw,kchw->nk", patch, kernels)
    return out
