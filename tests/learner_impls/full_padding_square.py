"""Mistake: 'full' padding uses kh-1 for the columns too."""

import numpy as np


def conv2d(images, kernels, mode="valid"):
    kh, kw = kernels.shape[-2:]
    p = kh - 1 if mode == "full" else 0
    x = np.pad(images, ((0, 0), (0, 0), (p, p), (p, p)))
    out_h = x.shape[2] - kh + 1
    out_w = x.shape[3] - kw + 1
    out = np.zeros((images.shape[0], kernels.shape[0], out_h, out_w))
    for i in range(out_h):
        for j in range(out_w):
            out[:, :, i, j] = np.einsum("nchw,kchw->nk", x[:, :, i:i + kh, j:j + kw], kernels)
    return out
