"""Mistake: padding is accepted but never used."""

import numpy as np


def conv2d(images, kernels, stride=1, padding=0):
    n_images, channels, height, width = images.shape
    n_kernels, _, kh, kw = kernels.shape
    out_h = (height - kh) // stride + 1
    out_w = (width - kw) // stride + 1
    out = np.zeros((n_images, n_kernels, out_h, out_w))
    for n in range(n_images):
        for k in range(n_kernels):
            for i in range(out_h):
                for j in range(out_w):
                    patch = images[n, :, i * stride:i * stride + kh, j * stride:j * stride + kw]
                    out[n, k, i, j] = np.sum(patch * kernels[k])
    return out
