"""Wrong: the gather form with the kernel used as written (not rotated 180 degrees)."""

import numpy as np

ROTATE = False


def conv_transpose2d(x, weight, bias=None, stride=1, padding=0, output_padding=0, groups=1, dilation=1):
    """(N, C, H, W) x (C, K, kh, kw) -> (N, K, H', W')."""
    n_images, channels, height, width = x.shape
    _, n_out, kh, kw = weight.shape
    s, d = stride, dilation
    z = np.zeros((n_images, channels, (height - 1) * s + 1, (width - 1) * s + 1))
    z[:, :, ::s, ::s] = x  # stride: s-1 zeros between neighbouring inputs
    eh, ew = d * (kh - 1) - padding, d * (kw - 1) - padding
    z = np.pad(z, ((0, 0), (0, 0), (eh, eh + output_padding), (ew, ew + output_padding)))
    w = weight.transpose(1, 0, 2, 3)  # (K, C, kh, kw)
    if ROTATE:
        w = w[:, :, ::-1, ::-1]
    span_h, span_w = d * (kh - 1) + 1, d * (kw - 1) + 1
    out = np.zeros((n_images, n_out, z.shape[2] - span_h + 1, z.shape[3] - span_w + 1))
    for k in range(n_out):
        for i in range(out.shape[2]):
            for j in range(out.shape[3]):
                out[:, k, i, j] = np.sum(z[:, :, i:i + span_h:d, j:j + span_w:d] * w[k], axis=(1, 2, 3))
    if bias is not None:
        out += bias[None, :, None, None]
    return out
