"""Wrong: the stride steps over output positions of the gather, as a normal convolution's stride does."""

import numpy as np


def conv_transpose2d(x, weight, bias=None, stride=1, padding=0, output_padding=0, groups=1, dilation=1):
    n_images, channels, height, width = x.shape
    _, n_out, kh, kw = weight.shape
    d = dilation
    eh, ew = d * (kh - 1) - padding, d * (kw - 1) - padding
    z = np.pad(x, ((0, 0), (0, 0), (eh, eh), (ew, ew)))  # no zeros inserted between the inputs
    w = weight.transpose(1, 0, 2, 3)[:, :, ::-1, ::-1]
    span_h, span_w = d * (kh - 1) + 1, d * (kw - 1) + 1
    out = np.zeros((n_images, n_out, (z.shape[2] - span_h) // stride + 1, (z.shape[3] - span_w) // stride + 1))
    for k in range(n_out):
        for i in range(out.shape[2]):
            for j in range(out.shape[3]):
                window = z[:, :, i * stride:i * stride + span_h:d, j * stride:j * stride + span_w:d]
                out[:, k, i, j] = np.sum(window * w[k], axis=(1, 2, 3))
    if bias is not None:
        out += bias[None, :, None, None]
    return out
