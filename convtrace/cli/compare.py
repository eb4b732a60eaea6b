"""`convtrace compare`: valid, same, full and strided on the same data, side by side."""

from __future__ import annotations

import json

import click

from ..source.geometry import MODES
from ..source.problem import LAYOUTS
from .exporting import save, view_export_option
from .options import parse_step_pair


def _list(option: str, parse):
    """A callback for comma-separated lists: 'valid,same' -> ('valid', 'same')."""

    def callback(ctx, param, value):
        items = [part.strip() for part in str(value).split(",") if part.strip()]
        if not items:
            raise click.BadParameter("give at least one value, e.g. valid,same", param_hint=option)
        return tuple(parse(item, option) for item in items)

    return callback


def _mode(item: str, option: str) -> str:
    if item not in MODES:
        raise click.BadParameter(f"{item!r} is not one of {', '.join(MODES)}", param_hint=option)
    return item


def _stride(item: str, option: str) -> int:
    try:
        value = int(item)
    except ValueError:
        raise click.BadParameter(f"{item!r} is not a whole number; write e.g. 1,2", param_hint=option) from None
    if value < 1:
        raise click.BadParameter(f"{value} must be >= 1 (1 means no skipping)", param_hint=option)
    return value


@click.command(context_settings={"help_option_names": ["-h", "--help"]})
@click.argument("file", required=False, metavar="[FILE|-]")
@click.option("--modes", default="valid,same,full", show_default=True, callback=_list("--modes", _mode),
              help="Padding modes to run, comma-separated.")
@click.option("--strides", default="1,2", show_default=True, callback=_list("--strides", _stride),
              help="Strides to run each mode with, comma-separated (each used for rows and columns).")
@click.option("--dilation", default=None, callback=parse_step_pair("--dilation"), metavar="D|DH,DW",
              help="Spacing of kernel taps (1 = no gaps) for every run.")
@click.option("--flip/--no-flip", default=None,
              help="Rotate the kernel 180 degrees (true convolution) or not (cross-correlation).")
@click.option("--layout", type=click.Choice(LAYOUTS, case_sensitive=False), default=None,
              help="How the document's arrays are ordered.")
@click.option("--image", "image", type=click.IntRange(min=0), default=0, show_default=True, metavar="N",
              help="Which image's output maps to show.")
@click.option("--kernel", "kernel", type=click.IntRange(min=0), default=0, show_default=True, metavar="K",
              help="Which kernel's output maps to show.")
@click.option("--json", "as_json", is_flag=True, help="Print every run (shapes, padding, outputs) as one JSON object.")
@view_export_option
def compare(file, modes, strides, dilation, flip, layout, image, kernel, as_json, export):
    """Run every mode x stride on the same input (FILE, - for stdin, or the built-in example).

    The document's own mode, padding and stride are replaced by each combination;
    its dilation, flip and layout are kept unless given here.

    \b
    Examples:
      convtrace compare                               valid, same, full at strides 1 and 2
      convtrace compare input.json --modes same --strides 1,2,3
      convtrace compare input.json --json
      convtrace compare --export modes.html           save the view
    """
    from ..teach import compare as model
    from ..errors import UsageError
    from .options import overrides_from, read_source

    overrides = overrides_from(None, None, None, dilation, flip, layout)
    problem = model.comparable_problem(*read_source(file), overrides)
    n_images, n_kernels = problem.input_shape[0], problem.kernel_shape[0]
    if image >= n_images:
        raise UsageError(f"--image {image}: there are {n_images} images, numbered 0 to {n_images - 1}")
    if kernel >= n_kernels:
        raise UsageError(f"--kernel {kernel}: there are {n_kernels} kernels, numbered 0 to {n_kernels - 1}")
    comparison = model.compare(problem, modes, strides)
    if as_json:
        click.echo(json.dumps(model.record(comparison)))
        return
    from rich.console import Console

    from ..render.compare import CompareView

    view = CompareView(comparison, image, kernel)
    Console().print(view)
    save([view], export, problem.title or "convtrace compare")
