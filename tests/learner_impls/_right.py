"""A right conv2d for the misbehaving files to import: they misbehave around it, not in it."""

import numpy as np


def right(images, kernels):
    """(N, C, H, W) x (K, C, kh, kw) -> (N, K, H', W'), valid, stride 1."""
    kh, kw = kernels.shape[-2:]
    out = np.zeros((images.shape[0], kernels.shape[0], images.shape[2] - kh + 1, images.shape[3] - kw + 1))
    for i in range(out.shape[2]):
        for j in range(out.shape[3]):
            out[:, :, i, j] = np.einsum("nchw,kchw->nk", images[:, :, i:i + kh, j:j + kw], kernels)
    return out
