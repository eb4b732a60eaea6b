"""`convtrace compare`: valid, same, full and strided on the same data, side by side."""

from __future__ import annotations

import json

import click

from .exporting import save, view_export_option
from ..source.choices import MODES
from .options import problem_options


class CommaList(click.ParamType):
    """'valid,same' -> ('valid', 'same'); each item checked by `parse` (which fails with a message)."""

    name = "LIST"

    def __init__(self, parse):
        self.parse = parse

    def convert(self, value, param, ctx):
        if isinstance(value, tuple):
            return value
        items = [part.strip() for part in str(value).split(",") if part.strip()]
        if not items:
            self.fail("give at least one value, e.g. valid,same or 1,2", param, ctx)
        try:
            return tuple(self.parse(item) for item in items)
        except ValueError as err:
            self.fail(str(err), param, ctx)


def _mode(item: str) -> str:
    if item.lower() not in MODES:
        raise ValueError(f"{item!r} is not one of {', '.join(MODES)}")
    return item.lower()


def _stride(item: str) -> int:
    try:
        value = int(item)
    except ValueError:
        raise ValueError(f"{item!r} is not a whole number; write e.g. 1,2") from None
    if value < 1:
        raise ValueError(f"{value} must be >= 1 (1 means no skipping)")
    return value


@click.command(context_settings={"help_option_names": ["-h", "--help"]})
@problem_options
@click.option("--modes", default=None, type=CommaList(_mode), metavar="M,M,...",
              help="Padding modes to run, comma-separated.  [default: valid,same,full]")
@click.option("--strides", default=None, type=CommaList(_stride), metavar="S,S,...",
              help="Strides to run each mode with, comma-separated (each used for rows and columns).  [default: 1,2]")
@click.option("--image", "image", type=click.IntRange(min=0), default=0, show_default=True, metavar="N",
              help="Which image's output maps to show.")
@click.option("--kernel", "kernel", type=click.IntRange(min=0), default=0, show_default=True, metavar="K",
              help="Which kernel's output maps to show.")
@click.option("--json", "as_json", is_flag=True, help="Print every run (shapes, padding, outputs) as one JSON object.")
@view_export_option
def compare(source, modes, strides, image, kernel, as_json, export):
    """Run every mode x stride on the same input (FILE, - for stdin, the built-in example, or pictures).

    The document's own mode, padding and stride are replaced by each combination;
    its dilation, flip and layout are kept unless given here. --mode and --stride
    pick one mode or one stride (the same as --modes M or --strides S).

    \b
    Examples:
      convtrace compare                               valid, same, full at strides 1 and 2
      convtrace compare input.json --modes same --strides 1,2,3
      convtrace compare --stride 2                    every mode at stride 2
      convtrace compare --example edges --kernels laplace
      convtrace compare input.json --json
      convtrace compare --export modes.html           save the view
    """
    from ..errors import UsageError
    from ..teach import compare as model

    modes, strides = _runs(source.overrides, modes, strides)
    problem = source.load(own_padding=True)
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

    from ..render.views.compare import CompareView

    view = CompareView(comparison, image, kernel)
    save([view], export, problem.title or "convtrace compare")  # first: a reader going away cannot stop the file
    Console().print(view)


def _runs(overrides: dict, modes, strides) -> tuple[tuple[str, ...], tuple[int, ...]]:
    """The modes and strides to run: --modes/--strides, or the one --mode/--stride given, or the defaults."""
    from ..errors import UsageError
    from ..teach.compare import DEFAULT_MODES, DEFAULT_STRIDES

    if "padding" in overrides:
        raise UsageError("--padding: compare runs each padding mode itself; pick them with --modes (e.g. --modes same)")
    if "mode" in overrides:
        if modes is not None:
            raise UsageError("--mode and --modes both choose the modes; give one of them")
        modes = (overrides["mode"],)
    stride = overrides.get("stride")
    if stride is not None:
        if strides is not None:
            raise UsageError("--stride and --strides both choose the strides; give one of them")
        if isinstance(stride, list) and stride[0] != stride[1]:
            raise UsageError(f"--stride {stride[0]},{stride[1]}: compare uses one stride for rows and columns; "
                             f"give one number, e.g. --stride {stride[0]}")
        strides = (stride[0] if isinstance(stride, list) else stride,)
    return modes or DEFAULT_MODES, strides or DEFAULT_STRIDES
