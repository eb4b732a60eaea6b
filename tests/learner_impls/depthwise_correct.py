"""Right depthwise (and grouped) convolution, as torch.nn.functional.conv2d(..., groups=groups)."""

import numpy as np


def depthwise(x, weight, bias=None, stride=1, padding=0, dilation=1, groups=None):
    """(N, C, H, W) x (K, C/groups, kh, kw) -> (N, K, H', W'); groups=None means one group per channel."""
    n_images, channels, height, width = x.shape
    n_out, per_group, kh, kw = weight.shape
    groups = channels if groups is None else groups
    out_per_group = n_out // groups
    xp = np.pad(x, ((0, 0), (0, 0), (padding, padding), (padding, padding)))
    span_h, span_w = dilation * (kh - 1) + 1, dilation * (kw - 1) + 1
    out = np.zeros((n_images, n_out, (height + 2 * padding - span_h) // stride + 1,
                    (width + 2 * padding - span_w) // stride + 1))
    for k in range(n_out):
        first = (k // out_per_group) * per_group  # output channel k belongs to group k // (K/groups)
        for i in range(out.shape[2]):
            for j in range(out.shape[3]):
                patch = xp[:, first:first + per_group, i * stride:i * stride + span_h:dilation,
                           j * stride:j * stride + span_w:dilation]
                out[:, k, i, j] = np.sum(patch * weight[k], axis=(1, 2, 3))
    if bias is not None:
        out += bias[None, :, None, None]
    return out
