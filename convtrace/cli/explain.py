"""`convtrace explain`: what a padding mode does, with the formulas, the windows and other libraries' spelling."""

from __future__ import annotations

import click

from ..source.choices import EXPLAINED_MODES  # valid, same, full + strided, dilated
from .explain_layers import chosen_layer, layer_view, with_layer_options
from .exporting import save, view_export_option
from .options import problem_options

MAX_SIZE = 64  # explain draws every cell; larger sizes belong to `run`


def parse_size(option: str):
    """A callback for --input-size/--kernel-size: '5' -> (5, 5), '5x7' -> (5, 7)."""

    def callback(ctx, param, value):
        if value is None:
            return None
        parts = str(value).lower().replace(",", "x").split("x")
        try:
            numbers = [int(p) for p in parts]
        except ValueError:
            raise click.BadParameter(f"{value!r} is not a size; write H or HxW, e.g. 5 or 5x7", param_hint=option) from None
        if len(numbers) not in (1, 2):
            raise click.BadParameter(f"{value!r} has {len(numbers)} numbers; write H or HxW, e.g. 5 or 5x7", param_hint=option)
        if min(numbers) < 1:
            raise click.BadParameter(f"{value!r}: every size must be at least 1", param_hint=option)
        if max(numbers) > MAX_SIZE:
            raise click.BadParameter(f"{value!r}: explain draws every cell, so sizes stop at {MAX_SIZE}", param_hint=option)
        return (numbers[0], numbers[0]) if len(numbers) == 1 else (numbers[0], numbers[1])

    return callback


@click.command(context_settings={"help_option_names": ["-h", "--help"]})
@problem_options(skip=("mode", "padding"))
@click.option("--mode", type=click.Choice(EXPLAINED_MODES, case_sensitive=False), default=None,
              help="The mode to explain; without it, a table of all of them.")
@click.option("--input-size", callback=parse_size("--input-size"), metavar="H[xW]",
              help="Input size when there is no FILE (default 5x5).")
@click.option("--kernel-size", callback=parse_size("--kernel-size"), metavar="kh[xkw]",
              help="Kernel size when there is no FILE (default 3x3).")
@with_layer_options
@view_export_option
def explain(source, mode, input_size, kernel_size, groups, transposed, output_padding, pool, ceil_mode, padding,
            export):
    """Explain a padding mode: its purpose, formulas with your numbers, the windows, other libraries.

    Sizes come from FILE (a JSON document; - reads stdin), from pictures and
    kernels (--images, --kernels, --example, --random ...), or from --input-size
    and --kernel-size; with none of them, a 5x5 input and a 3x3 kernel. --flip
    explains convolution (the kernel rotated) and compares it with cross-correlation.

    \b
    Examples:
      convtrace explain                              every mode, side by side
      convtrace explain --mode full                  why full pads d*(k-1)
      convtrace explain --mode same --kernel-size 2  where libraries put the extra row
      convtrace explain --mode strided --input-size 6
      convtrace explain --mode valid --flip input.json
      convtrace explain --mode same --export same.svg   a slide
      convtrace explain --mode same --example edges --kernels laplace
      convtrace explain --groups 2                   which channels each kernel reads
      convtrace explain --transposed --padding 1 --output-padding 1
      convtrace explain --pool max --input-size 5 --ceil-mode
    """
    from rich.console import Console

    from ..teach import explain as model
    from ..render.views.explain import ExplainView, OverviewView

    if mode is not None:
        mode = mode.lower()
    stride, dilation = source.overrides.get("stride"), source.overrides.get("dilation")
    flip = source.overrides.get("flip")  # None: the document's flip, else off
    layer = chosen_layer(groups, transposed, pool, output_padding, ceil_mode, padding)
    console = Console()
    if layer is not None:
        kernel = kernel_size or ((2, 2) if layer == "--pool" else (3, 3))
        _check_span(kernel, dilation)
        view = layer_view(layer, file=source.file, mode=mode, flip=flip, input_size=input_size, kernel_size=kernel_size,
                          stride=stride, dilation=dilation, groups=groups, pool=pool,
                          output_padding=output_padding, ceil_mode=ceil_mode, padding=padding)
        save([view], export, f"convtrace explain {layer}")  # first: a reader going away cannot stop the file
        console.print(view)
        return
    example, stride, dilation, flip = _example(source, mode, input_size, kernel_size, stride, dilation, flip)
    if mode is None:
        view = OverviewView(model.overview(example, stride, dilation, flip))
    else:
        view = ExplainView(model.explain(model.settings_for(mode, stride, dilation), example, flip))
    save([view], export, f"convtrace explain {mode or 'every mode'}")  # first: see above
    console.print(view)


def _example(source, mode, input_size, kernel_size, stride, dilation, flip):
    """The data to explain on (the input's first channel, or a ramp) and the stride, dilation and flip to use."""
    from ..teach import explain as model
    from ..errors import UsageError

    if source.file is not None or source.images or source.random or source.example:
        if input_size or kernel_size:
            raise UsageError("--input-size and --kernel-size are for when there is no FILE; the file has its own shapes")
        problem = source.load(own_padding=True)
        # the document's own stride/dilation count unless the command line gives one;
        # a 1 there does not stop 'strided'/'dilated' from showing their default of 2
        if stride is None and problem.geometry.stride != (1, 1):
            stride = problem.geometry.stride
        if dilation is None and problem.geometry.dilation != (1, 1):
            dilation = problem.geometry.dilation
        example = model.problem_example(problem, source.name)
        _check_span(example.kernel_size, dilation, given=dilation is not None and dilation != problem.geometry.dilation)
        return example, stride, dilation, problem.flip if flip is None else flip
    kernel = kernel_size or model.DEFAULT_KERNEL
    _check_span(kernel, dilation)
    if input_size is None:
        dil = model.settings_for(mode or "valid", stride, dilation).dilation
        input_size = model.default_input_size(kernel, dil)
    return model.ramp_example(input_size, kernel), stride, dilation, bool(flip)


def _check_span(kernel: tuple[int, int], dilation, given: bool = True) -> None:
    """Refuse a --dilation whose kernel would span more than MAX_SIZE cells: explain draws every cell.

    Without this cap the default input grows with the span (span + 2 per axis), so
    --dilation 10000 would build a 20003 x 20003 example and run for minutes.
    """
    if dilation is None or not given:
        return
    dh, dw = (dilation, dilation) if isinstance(dilation, int) else dilation
    for k, d, what in ((kernel[0], dh, "rows"), (kernel[1], dw, "columns")):
        span = d * (k - 1) + 1
        if span > MAX_SIZE:
            most = (MAX_SIZE - 1) // (k - 1)
            raise click.BadParameter(
                f"dilation {d} spreads the kernel's {k} {what} over d*(k-1)+1 = {span:,} cells; explain draws "
                f"every cell, so spans stop at {MAX_SIZE}: use --dilation {most} or less for this kernel",
                param_hint="--dilation",
            )
