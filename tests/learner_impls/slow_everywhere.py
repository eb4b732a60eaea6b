"""Right but slow: a quarter of a second per call, with every option."""

import time

from correct import conv2d as right


def conv2d(images, kernels, stride=1, padding=0, dilation=1, mode=None, bias=None, flip=False):
    time.sleep(0.25)
    return right(images, kernels, stride, padding, dilation, mode, bias, flip)
