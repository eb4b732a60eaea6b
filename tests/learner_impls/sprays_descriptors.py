"""Misbehaves: writes junk into every file descriptor it can, the grader's own among them."""

import os

from _right import right


def conv2d(images, kernels):
    for fd in range(3, 1024):
        try:
            os.write(fd, b'{"event": "result", "kind": "array", "shape": [1], "data": [0]}\n')
        except OSError:
            pass
    return right(images, kernels)
