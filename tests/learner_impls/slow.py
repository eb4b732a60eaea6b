"""Right but slow: 0.3 s per call, and far longer for three kernels."""

import time

from _right import right


def conv2d(images, kernels):
    time.sleep(30 if kernels.shape[0] == 3 else 0.3)
    return right(images, kernels)
