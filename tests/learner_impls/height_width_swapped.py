"""Mistake: the shape unpacked as (N, C, W, H)."""

import numpy as np


def conv2d(images, kernels):
    n, c, w, h = images.shape
    k, _, kh, kw = kernels.shape
    out = np.zeros((n, k, h - kh + 1, w - kw + 1))
    for b in range(n):
        for o in range(k):
            for i in range(h - kh + 1):
                for j in range(w - kw + 1):
                    out[b, o, i, j] = np.sum(images[b, :, i:i + kh, j:j + kw] * kernels[o])
    return out
