"""A right conv2d with every option convtrace can pass: stride, padding, dilation, mode, bias, flip."""

import numpy as np


def conv2d(images, kernels, stride=1, padding=0, dilation=1, mode=None, bias=None, flip=False):
    """(N, C, H, W) x (K, C, kh, kw) -> (N, K, H', W'), a cross-correlation unless flip."""
    n_images, channels, height, width = images.shape
    n_kernels, _, kh, kw = kernels.shape
    if mode == "full":
        pad_h, pad_w = dilation * (kh - 1), dilation * (kw - 1)
    elif mode == "valid":
        pad_h = pad_w = 0
    else:
        pad_h = pad_w = padding
    if flip:
        kernels = kernels[:, :, ::-1, ::-1]
    x = np.pad(images, ((0, 0), (0, 0), (pad_h, pad_h), (pad_w, pad_w)))
    span_h, span_w = dilation * (kh - 1) + 1, dilation * (kw - 1) + 1
    out_h = (height + 2 * pad_h - span_h) // stride + 1
    out_w = (width + 2 * pad_w - span_w) // stride + 1
    out = np.zeros((n_images, n_kernels, out_h, out_w))
    for n in range(n_images):
        for k in range(n_kernels):
            for i in range(out_h):
                for j in range(out_w):
                    top, left = i * stride, j * stride
                    patch = x[n, :, top:top + span_h:dilation, left:left + span_w:dilation]
                    out[n, k, i, j] = np.sum(patch * kernels[k])
            if bias is not None:
                out[n, k] += bias[k]
    return out
