"""Wrong: ceil_mode is accepted but the size is always rounded down."""

import numpy as np

PAD_VALUE = -np.inf  # padding never wins a max
USE_CEIL = False
DROP_RULE = True


def pair(value):
    return (value, value) if isinstance(value, int) else tuple(value)


def out_size(length, k, s, p, d, ceil_mode):
    """How many windows fit along one axis."""
    reach = length + 2 * p - (d * (k - 1) + 1)
    count = (-(-reach // s) if ceil_mode and USE_CEIL else reach // s) + 1
    if ceil_mode and DROP_RULE and (count - 1) * s >= length + p:
        count -= 1  # the last window would start in the right padding: PyTorch drops it
    return count


def max_pool2d(x, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False):
    """(N, C, H, W) -> (N, C, H', W'): the largest value in each window."""
    (kh, kw), (ph, pw), (dh, dw) = pair(kernel_size), pair(padding), pair(dilation)
    sh, sw = pair(kernel_size if stride is None else stride)
    n_images, channels, height, width = x.shape
    oh = out_size(height, kh, sh, ph, dh, ceil_mode)
    ow = out_size(width, kw, sw, pw, dw, ceil_mode)
    span_h, span_w = dh * (kh - 1) + 1, dw * (kw - 1) + 1
    # padding on each side, and enough extra on the right and bottom for a last ceil_mode window
    xp = np.pad(x, ((0, 0), (0, 0), (ph, ph + span_h + sh), (pw, pw + span_w + sw)), constant_values=PAD_VALUE)
    if PAD_VALUE != -np.inf:  # the extra cells are never part of the image
        xp[:, :, 2 * ph + height:, :] = -np.inf
        xp[:, :, :, 2 * pw + width:] = -np.inf
    out = np.zeros((n_images, channels, oh, ow))
    for i in range(oh):
        for j in range(ow):
            window = xp[:, :, i * sh:i * sh + span_h:dh, j * sw:j * sw + span_w:dw]
            out[:, :, i, j] = window.max(axis=(2, 3))
    return out
