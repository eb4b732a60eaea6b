"""Mistake: the window's start is computed with / and is a float."""

import numpy as np


def conv2d(images, kernels, stride=1):
    kh, kw = kernels.shape[-2:]
    out_h = (images.shape[2] - kh) // stride + 1
    out_w = (images.shape[3] - kw) // stride + 1
    out = np.zeros((images.shape[0], kernels.shape[0], out_h, out_w))
    for i in range(out_h):
        for j in range(out_w):
            top = i * stride / 1
            left = j * stride
            patch = images[:, :, top:top + kh, left:left + kw]
            out[:, :, i, j] = np.einsum("nchw,kchw->nk", patch, kernels)
    return out
