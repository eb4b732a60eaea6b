"""Right, but it unpacks stride and padding as pairs although nothing in its signature says so."""

import numpy as np


def conv2d(images, kernels, stride=None, padding=None):
    """(N, C, H, W) x (K, C, kh, kw) -> (N, K, H', W'); stride and padding are (rows, columns)."""
    sh, sw = stride if stride is not None else (1, 1)
    ph, pw = padding if padding is not None else (0, 0)
    x = np.pad(images, ((0, 0), (0, 0), (ph, ph), (pw, pw)))
    kh, kw = kernels.shape[-2:]
    out_h = (x.shape[2] - kh) // sh + 1
    out_w = (x.shape[3] - kw) // sw + 1
    out = np.zeros((images.shape[0], kernels.shape[0], out_h, out_w))
    for i in range(out_h):
        for j in range(out_w):
            patch = x[:, :, i * sh:i * sh + kh, j * sw:j * sw + kw]
            out[:, :, i, j] = np.einsum("nchw,kchw->nk", patch, kernels)
    return out
