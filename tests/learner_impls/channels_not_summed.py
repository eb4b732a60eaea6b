"""Mistake: one output plane per channel: the sum over channels is missing (a 5-D output)."""

import numpy as np


def conv2d(images, kernels):
    n, c, h, w = images.shape
    k, _, kh, kw = kernels.shape
    out = np.zeros((n, k, c, h - kh + 1, w - kw + 1))
    for i in range(h - kh + 1):
        for j in range(w - kw + 1):
            patch = images[:, None, :, i:i + kh, j:j + kw] * kernels[None]
            out[:, :, :, i, j] = patch.sum(axis=(3, 4))
    return out
