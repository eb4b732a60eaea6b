"""Mistake: the channels-last twin of stride_not_applied.py. The output is sized
for the stride, but the slice starts at i instead of i*stride.

images (N, H, W, C), kernels (K, kh, kw, C) -> output (N, H', W', K): graded with --layout NHWC.
"""

import numpy as np


def conv2d(images, kernels, stride=1, padding=0):
    n_images, height, width, channels = images.shape
    n_kernels, kh, kw, _ = kernels.shape
    x = np.pad(images, ((0, 0), (padding, padding), (padding, padding), (0, 0)))
    out_h = (height + 2 * padding - kh) // stride + 1
    out_w = (width + 2 * padding - kw) // stride + 1
    out = np.zeros((n_images, out_h, out_w, n_kernels))
    for n in range(n_images):
        for i in range(out_h):
            for j in range(out_w):
                patch = x[n, i:i + kh, j:j + kw, :]
                for k in range(n_kernels):
                    out[n, i, j, k] = np.sum(patch * kernels[k])
    return out
