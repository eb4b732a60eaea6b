"""Mistake: the kernel is assumed square: k = kernels.shape[-1] for both axes."""

import numpy as np


def conv2d(images, kernels):
    n, c, h, w = images.shape
    k = kernels.shape[-1]
    out = np.zeros((n, kernels.shape[0], h - k + 1, w - k + 1))
    for b in range(n):
        for o in range(kernels.shape[0]):
            for i in range(h - k + 1):
                for j in range(w - k + 1):
                    out[b, o, i, j] = np.sum(images[b, :, i:i + k, j:j + k] * kernels[o])
    return out
