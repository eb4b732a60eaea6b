"""`convtrace kernels`: the named kernels --kernels accepts, their values and what they detect."""

from __future__ import annotations

import json

import click


@click.command(context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--json", "as_json", is_flag=True, help="Print the kernels as one JSON object: name -> values.")
def kernels(as_json):
    """List the named kernels (identity, box3, gauss3, sobel-x, sobel-y, laplace, sharpen, emboss).

    \b
    Examples:
      convtrace kernels
      convtrace run --example edges --kernels sobel-x,laplace
    """
    from ..source.presets import PRESETS

    if as_json:
        click.echo(json.dumps({name: {"values": [list(row) for row in p.values], "detects": p.detects}
                               for name, p in PRESETS.items()}))
        return
    from rich.console import Console

    from ..render.views.kernels import KernelList

    Console(highlight=False).print(KernelList(list(PRESETS.values())))
