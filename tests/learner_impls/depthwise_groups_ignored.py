"""Wrong: every output channel reads every input channel (a plain conv2d with the one kernel broadcast)."""

import numpy as np


def depthwise(x, weight, bias=None, stride=1, padding=0, dilation=1):
    n_images, channels, height, width = x.shape
    n_out, _, kh, kw = weight.shape
    xp = np.pad(x, ((0, 0), (0, 0), (padding, padding), (padding, padding)))
    span_h, span_w = dilation * (kh - 1) + 1, dilation * (kw - 1) + 1
    out = np.zeros((n_images, n_out, (height + 2 * padding - span_h) // stride + 1,
                    (width + 2 * padding - span_w) // stride + 1))
    for k in range(n_out):
        for i in range(out.shape[2]):
            for j in range(out.shape[3]):
                patch = xp[:, :, i * stride:i * stride + span_h:dilation, j * stride:j * stride + span_w:dilation]
                out[:, k, i, j] = np.sum(patch * weight[k], axis=(1, 2, 3))  # weight[k] (1, kh, kw) on all C
    if bias is not None:
        out += bias[None, :, None, None]
    return out
