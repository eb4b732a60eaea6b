"""Mistake: dilation taken as the number of zeros between taps, so taps are dilation+1 apart."""

import numpy as np


def conv2d(images, kernels, stride=1, padding=0, dilation=1):
    x = np.pad(images, ((0, 0), (0, 0), (padding, padding), (padding, padding)))
    kh, kw = kernels.shape[-2:]
    step = dilation + 1 if dilation > 1 else 1
    span_h, span_w = step * (kh - 1) + 1, step * (kw - 1) + 1
    out_h = (x.shape[2] - span_h) // stride + 1
    out_w = (x.shape[3] - span_w) // stride + 1
    out = np.zeros((images.shape[0], kernels.shape[0], out_h, out_w))
    for i in range(out_h):
        for j in range(out_w):
            patch = x[:, :, i * stride:i * stride + span_h:step, j * stride:j * stride + span_w:step]
            out[:, :, i, j] = np.einsum("nchw,kchw->nk", patch, kernels)
    return out
