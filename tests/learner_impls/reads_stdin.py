"""Mistake: asks for the stride on the keyboard."""

import numpy as np


def conv2d(images, kernels):
    stride = int(input("stride? "))
    kh, kw = kernels.shape[-2:]
    out_h = (images.shape[2] - kh) // stride + 1
    out_w = (images.shape[3] - kw) // stride + 1
    out = np.zeros((images.shape[0], kernels.shape[0], out_h, out_w))
    for i in range(out_h):
        for j in range(out_w):
            patch = images[:, :, i * stride:i * stride + kh, j * stride:j * stride + kw]
            out[:, :, i, j] = np.einsum("nchw,kchw->nk", patch, kernels)
    return out
