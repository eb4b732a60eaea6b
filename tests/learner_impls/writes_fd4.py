"""Misbehaves: writes a fake reply into descriptor 4, where the grader's pipe used to be."""

import os

from _right import right


def conv2d(images, kernels):
    try:
        os.write(4, b'{"event": "result", "kind": "array", "shape": [1], "data": [0]}\n')
    except OSError:
        pass
    return right(images, kernels)
