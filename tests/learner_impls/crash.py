"""Misbehaves: the kernel loop runs one tap too far and raises IndexError."""

import numpy as np


def window_sum(patch, kernel):
    total = 0.0
    for u in range(kernel.shape[0] + 1):
        for v in range(kernel.shape[1]):
            total += patch[u, v] * kernel[u, v]
    return total


def conv2d(images, kernels):
    n_images, channels, height, width = images.shape
    n_kernels, _, kh, kw = kernels.shape
    out = np.zeros((n_images, n_kernels, height - kh + 1, width - kw + 1))
    for n in range(n_images):
        for k in range(n_kernels):
            for i in range(height - kh + 1):
                for j in range(width - kw + 1):
                    for c in range(channels):
                        out[n, k, i, j] += window_sum(images[n, c, i:i + kh, j:j + kw], kernels[k, c])
    return out
