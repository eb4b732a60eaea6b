"""Mistake: np.sum without axis= adds up the windows of every image."""

import numpy as np


def conv2d(images, kernels):
    kh, kw = kernels.shape[-2:]
    out_h = images.shape[2] - kh + 1
    out_w = images.shape[3] - kw + 1
    out = np.zeros((images.shape[0], kernels.shape[0], out_h, out_w))
    for n in range(images.shape[0]):
        for k in range(kernels.shape[0]):
            for i in range(out_h):
                for j in range(out_w):
                    out[n, k, i, j] = np.sum(images[:, :, i:i + kh, j:j + kw] * kernels[k])
    return out
