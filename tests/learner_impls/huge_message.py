"""Misbehaves: an exception whose message is ten million characters long."""


def conv2d(images, kernels):
    raise ValueError("x" * 10_000_000)
