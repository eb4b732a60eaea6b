"""Misbehaves: forks a child that sleeps two minutes (holding every pipe it inherited)."""

import os
import time

from _right import right


def conv2d(images, kernels):
    if os.fork() == 0:
        time.sleep(120)
        os._exit(0)
    return right(images, kernels)
