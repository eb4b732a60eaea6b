"""Right, written PyTorch-style: stride, padding and dilation are (rows, columns) pairs."""

import numpy as np


def conv2d(images, kernels, bias=None, stride=(1, 1), padding=(0, 0), dilation=(1, 1)):
    """(N, C, H, W) x (K, C, kh, kw) -> (N, K, H', W')."""
    sh, sw = stride
    ph, pw = padding
    dh, dw = dilation
    n_images, _, height, width = images.shape
    n_kernels, _, kh, kw = kernels.shape
    x = np.pad(images, ((0, 0), (0, 0), (ph, ph), (pw, pw)))
    span_h, span_w = dh * (kh - 1) + 1, dw * (kw - 1) + 1
    out = np.zeros((n_images, n_kernels, (height + 2 * ph - span_h) // sh + 1, (width + 2 * pw - span_w) // sw + 1))
    for i in range(out.shape[2]):
        for j in range(out.shape[3]):
            patch = x[:, :, i * sh:i * sh + span_h:dh, j * sw:j * sw + span_w:dw]
            out[:, :, i, j] = np.einsum("nchw,kchw->nk", patch, kernels)
    if bias is not None:
        out += bias[None, :, None, None]
    return out
