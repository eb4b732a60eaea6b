"""Mistake: the window is always 3x3, whatever the kernel's size."""

import numpy as np


def conv2d(images, kernels, stride=1, padding=0):
    n_images, channels, height, width = images.shape
    n_kernels = kernels.shape[0]
    x = np.pad(images, ((0, 0), (0, 0), (padding, padding), (padding, padding)))
    out_h = (height + 2 * padding - 3) // stride + 1
    out_w = (width + 2 * padding - 3) // stride + 1
    out = np.zeros((n_images, n_kernels, out_h, out_w))
    for n in range(n_images):
        for k in range(n_kernels):
            for i in range(out_h):
                for j in range(out_w):
                    patch = x[n, :, i * stride:i * stride + 3, j * stride:j * stride + 3]
                    out[n, k, i, j] = np.sum(patch * kernels[k])
    return out
