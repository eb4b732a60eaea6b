"""The loops-to-NumPy lesson's functions, to grade with `convtrace check conv_numpy.py:NAME`.

Each takes images (N, C, H, W) and kernels (K, C, kh, kw) and returns the
valid cross-correlation (N, K, H', W') that a CNN layer computes. All are
right but conv2d_mixed, the learner's loop of the lesson (3x3 kernels only).
"""

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view


def conv2d_mixed(w, f):
    """The learner's loop, names as written: w holds the images, f the kernels."""
    N, K = w.shape[0], f.shape[0]
    H_out, W_out = w.shape[2] - 2, w.shape[3] - 2
    r = np.zeros((N, K, H_out, W_out))
    for i in range(H_out):
        for j in range(W_out):
            r[:, :, i, j] += np.sum(w[:, :, i:i+3, j:j+3] * f, axis=(1, 2, 3))
    return r


def conv2d_loop_k(x, w):
    """Fix 1: one kernel at a time meets every image."""
    N, C, H, W = x.shape
    K, _, kh, kw = w.shape
    out = np.zeros((N, K, H - kh + 1, W - kw + 1))
    for i in range(H - kh + 1):
        for j in range(W - kw + 1):
            patch = x[:, :, i:i+kh, j:j+kw]
            for k in range(K):
                out[:, k, i, j] = np.sum(patch * w[k], axis=(1, 2, 3))
    return out


def conv2d_broadcast(x, w):
    """Fix 2: new axes, so every image meets every kernel."""
    N, C, H, W = x.shape
    K, _, kh, kw = w.shape
    out = np.zeros((N, K, H - kh + 1, W - kw + 1))
    for i in range(H - kh + 1):
        for j in range(W - kw + 1):
            prod = x[:, None, :, i:i+kh, j:j+kw] * w[None]
            out[:, :, i, j] = prod.sum(axis=(2, 3, 4))
    return out


def conv2d_einsum(x, w):
    """Fix 3: einsum; the axes missing after -> are summed."""
    N, C, H, W = x.shape
    K, _, kh, kw = w.shape
    out = np.zeros((N, K, H - kh + 1, W - kw + 1))
    for i in range(H - kh + 1):
        for j in range(W - kw + 1):
            patch = x[:, :, i:i+kh, j:j+kw]
            out[:, :, i, j] = np.einsum('nchw,kchw->nk', patch, w)
    return out


def conv2d_windows(x, w):
    """The whole layer at once: every window, then one einsum."""
    kh, kw = w.shape[2:]
    win = sliding_window_view(x, (kh, kw), axis=(2, 3))
    return np.einsum('nchwuv,kcuv->nkhw', win, w)
