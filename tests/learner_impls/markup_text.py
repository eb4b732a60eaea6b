"""Misbehaves: prints and raises text that looks like Rich markup."""


def conv2d(images, kernels):
    print("[bold red]x[/bold red]")
    raise FileNotFoundError("[/tmp/data] missing")
