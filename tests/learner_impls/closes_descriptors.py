"""Misbehaves: closes every descriptor above stderr, the grader's pipes among them."""

import os

from _right import right


def conv2d(images, kernels):
    os.closerange(3, 4096)
    return right(images, kernels)
