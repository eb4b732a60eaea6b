"""Mistake: np.pad with (p, 0): zeros before the image only."""

import numpy as np


def conv2d(images, kernels, padding=0):
    x = np.pad(images, ((0, 0), (0, 0), (padding, 0), (padding, 0)))
    kh, kw = kernels.shape[-2:]
    out_h = x.shape[2] - kh + 1
    out_w = x.shape[3] - kw + 1
    out = np.zeros((images.shape[0], kernels.shape[0], out_h, out_w))
    for i in range(out_h):
        for j in range(out_w):
            out[:, :, i, j] = np.einsum("nchw,kchw->nk", x[:, :, i:i + kh, j:j + kw], kernels)
    return out
