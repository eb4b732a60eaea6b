"""Wrong: output_padding is accepted but never added to the output size."""

import numpy as np


def conv_transpose2d(x, weight, bias=None, stride=1, padding=0, output_padding=0, groups=1, dilation=1):
    """(N, C, H, W) x (C, K, kh, kw) -> (N, K, H', W'), H' = (H-1)*s - 2p + d*(kh-1) + output_padding + 1."""
    n_images, channels, height, width = x.shape
    _, n_out, kh, kw = weight.shape
    s, d = stride, dilation
    full = np.zeros((n_images, n_out, (height - 1) * s + d * (kh - 1) + 1,
                     (width - 1) * s + d * (kw - 1) + 1))
    for n in range(n_images):
        for c in range(channels):
            for i in range(height):
                for j in range(width):
                    for u in range(kh):
                        for v in range(kw):
                            full[n, :, i * s + u * d, j * s + v * d] += x[n, c, i, j] * weight[c, :, u, v]
    out = full[:, :, padding:full.shape[2] - padding, padding:full.shape[3] - padding]  # padding crops
    if bias is not None:
        out = out + bias[None, :, None, None]
    return out
