"""Mistake: the output array holds integers, so fractions are cut off on assignment."""

import numpy as np


def conv2d(images, kernels, stride=1, padding=0):
    n_images, channels, height, width = images.shape
    n_kernels, _, kh, kw = kernels.shape
    x = np.pad(images, ((0, 0), (0, 0), (padding, padding), (padding, padding)))
    out_h = (height + 2 * padding - kh) // stride + 1
    out_w = (width + 2 * padding - kw) // stride + 1
    out = np.zeros((n_images, n_kernels, out_h, out_w), dtype=int)
    for n in range(n_images):
        for k in range(n_kernels):
            for i in range(out_h):
                for j in range(out_w):
                    patch = x[n, :, i * stride:i * stride + kh, j * stride:j * stride + kw]
                    out[n, k, i, j] = np.sum(patch * kernels[k])
    return out
