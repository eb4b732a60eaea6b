"""Misbehaves: prints terminal control sequences (set the title, clear the screen) and raises one."""


def conv2d(images, kernels):
    print("\x1b]0;PWNED\x07\x1b[2J")
    raise ValueError("bad \x1b[31mred\x1b[0m value\x07")
