"""Misbehaves: a while loop whose counter never moves, so the call never returns."""

import numpy as np


def conv2d(images, kernels):
    n_images, channels, height, width = images.shape
    n_kernels, _, kh, kw = kernels.shape
    out = np.zeros((n_images, n_kernels, height - kh + 1, width - kw + 1))
    i = 0
    while i < height - kh + 1:
        for j in range(width - kw + 1):
            out[:, :, i, j] = np.einsum("nchw,kchw->nk", images[:, :, i:i + kh, j:j + kw], kernels)
    return out
