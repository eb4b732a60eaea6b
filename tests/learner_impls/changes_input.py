"""Right, but zeroes the caller's images once it has its answer."""

from _right import right


def conv2d(images, kernels):
    out = right(images, kernels)
    images[:] = 0
    return out
