"""Mistake: images * kernels over whole arrays: image n meets kernel n only."""

import numpy as np


def conv2d(images, kernels, stride=1, padding=0):
    x = np.pad(images, ((0, 0), (0, 0), (padding, padding), (padding, padding)))
    kh, kw = kernels.shape[-2:]
    out_h = (x.shape[2] - kh) // stride + 1
    out_w = (x.shape[3] - kw) // stride + 1
    out = np.zeros((images.shape[0], kernels.shape[0], out_h, out_w))
    for i in range(out_h):
        for j in range(out_w):
            patch = x[:, :, i * stride:i * stride + kh, j * stride:j * stride + kw]
            out[:, :, i, j] = np.sum(patch * kernels, axis=(1, 2, 3))
    return out
