"""Mistake: the loop from the question. w holds the images, f the kernels; the sum over
whole arrays pairs image n with kernel n instead of crossing every image with every kernel
(and the window is written as 3)."""

import numpy as np


def conv2d(w, f):
    n = w.shape[0]
    k = f.shape[0]
    h = w.shape[2] - 3 + 1
    v = w.shape[3] - 3 + 1
    r = np.zeros((n, k, h, v))
    for i in range(h):
        for j in range(v):
            r[:, :, i, j] += np.sum(w[:, :, i:i+3, j:j+3] * f, axis=(1, 2, 3))
    return r
