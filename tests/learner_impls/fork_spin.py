"""Misbehaves: forks a child that spins forever, then answers correctly."""

import os

from _right import right


def conv2d(images, kernels):
    pid = os.fork()
    if pid == 0:
        while True:
            pass
    with open(os.environ["CONVTRACE_TEST_PIDS"], "a") as pids:
        pids.write(f"{pid}\n")
    return right(images, kernels)
