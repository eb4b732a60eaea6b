"""Right max pooling written PyTorch-style: every window setting unpacked as a (rows, columns) pair."""

import numpy as np


def max_pool2d(x, kernel_size, stride=None, padding=(0, 0), dilation=(1, 1), ceil_mode=False):
    """(N, C, H, W) -> (N, C, H', W'); kernel_size, stride, padding, dilation are (rows, columns)."""
    kh, kw = kernel_size
    sh, sw = kernel_size if stride is None else stride
    ph, pw = padding
    dh, dw = dilation
    sizes = []
    for length, k, s, p, d in ((x.shape[2], kh, sh, ph, dh), (x.shape[3], kw, sw, pw, dw)):
        reach = length + 2 * p - d * (k - 1) - 1
        count = (-(-reach // s) if ceil_mode else reach // s) + 1
        if ceil_mode and (count - 1) * s >= length + p:
            count -= 1  # a last window may not start in the right padding
        sizes.append(count)
    span_h, span_w = dh * (kh - 1) + 1, dw * (kw - 1) + 1
    xp = np.pad(x, ((0, 0), (0, 0), (ph, ph + span_h + sh), (pw, pw + span_w + sw)), constant_values=-np.inf)
    out = np.zeros(x.shape[:2] + tuple(sizes))
    for i in range(sizes[0]):
        for j in range(sizes[1]):
            out[:, :, i, j] = xp[:, :, i * sh:i * sh + span_h:dh, j * sw:j * sw + span_w:dw].max(axis=(2, 3))
    return out
