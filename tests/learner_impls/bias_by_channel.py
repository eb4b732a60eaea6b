"""Mistake: bias[c] added inside the loop over channels."""

import numpy as np


def conv2d(images, kernels, bias=None):
    n, c, h, w = images.shape
    k, _, kh, kw = kernels.shape
    out = np.zeros((n, k, h - kh + 1, w - kw + 1))
    for b in range(n):
        for o in range(k):
            for ch in range(c):
                for i in range(h - kh + 1):
                    for j in range(w - kw + 1):
                        out[b, o, i, j] += np.sum(images[b, ch, i:i + kh, j:j + kw] * kernels[o, ch])
                        if bias is not None:
                            out[b, o, i, j] += bias[ch]
    return out
