"""Mistake: np.rot90 turns the kernel a quarter turn, not the half turn a flip needs."""

import numpy as np


def conv2d(images, kernels, flip=False):
    kh, kw = kernels.shape[-2:]
    out_h = images.shape[2] - kh + 1
    out_w = images.shape[3] - kw + 1
    out = np.zeros((images.shape[0], kernels.shape[0], out_h, out_w))
    for k in range(kernels.shape[0]):
        kernel = kernels[k]
        if flip:
            kernel = np.rot90(kernel, axes=(1, 2))
        for i in range(out_h):
            for j in range(out_w):
                out[:, k, i, j] = np.sum(images[:, :, i:i + kh, j:j + kw] * kernel, axis=(1, 2, 3))
    return out
