"""Misbehaves: asks for a 3.2 GB array."""

import numpy as np


def conv2d(images, kernels):
    return np.ones(400_000_000)
