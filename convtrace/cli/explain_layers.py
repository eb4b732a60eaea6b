"""`convtrace explain --groups G | --transposed | --pool max|avg`: the options, their checks and the view.

The layers are explained on the built-in ramps (sizes from --input-size and
--kernel-size); each builds a document like any other, which the engine runs.
"""

from __future__ import annotations

import click

LAYER_OPTIONS = ("--groups", "--transposed", "--pool")
MAX_GROUPS = 32  # C = K = 2G channels: 64 at most, like explain's sizes
MAX_OUTPUT = 256  # cells per axis of a transposed output: a stride multiplies the input's size


def parse_counts(option: str):
    """A callback for --padding/--output-padding: '1' -> (1, 1), '1,0' -> (1, 0); each >= 0."""

    def callback(ctx, param, value):
        if value is None:
            return None
        try:
            numbers = [int(part) for part in str(value).split(",")]
        except ValueError:
            raise click.BadParameter(f"{value!r} is not a whole number or two (rows,cols), e.g. 1 or 1,0",
                                     param_hint=option) from None
        if len(numbers) not in (1, 2) or min(numbers) < 0:
            raise click.BadParameter(f"give one or two numbers >= 0 (rows,cols), got {value!r}", param_hint=option)
        return (numbers[0], numbers[0]) if len(numbers) == 1 else tuple(numbers)

    return callback


layer_options = [
    click.option("--groups", type=click.IntRange(min=1, max=MAX_GROUPS), default=None, metavar="G",
                 help="Explain grouped convolution: which input channels each output channel reads (C = K = 2G)."),
    click.option("--transposed", is_flag=True, default=False,
                 help="Explain transposed convolution: its output size and output_padding (stride 2 unless given)."),
    click.option("--output-padding", callback=parse_counts("--output-padding"), metavar="A|AH,AW",
                 help="With --transposed: extra cells at the output's end, less than the stride or the dilation."),
    click.option("--pool", type=click.Choice(("max", "avg")), default=None,
                 help="Explain max or average pooling (window = --kernel-size, default 2; stride = the window)."),
    click.option("--ceil-mode", is_flag=True, default=False,
                 help="With --pool: round the window count up, keeping a last window past the edge."),
    click.option("--padding", callback=parse_counts("--padding"), metavar="P|PH,PW",
                 help="With --transposed (cropped from the output) or --pool (at most half the window)."),
]


def with_layer_options(command):
    for option in reversed(layer_options):
        command = option(command)
    return command


def chosen_layer(groups, transposed, pool, output_padding, ceil_mode, padding) -> str | None:
    """Which layer the options ask for, or None; a UsageError for options that do not go together."""
    from ..errors import UsageError

    given = [name for name, on in zip(LAYER_OPTIONS, (groups is not None, transposed, pool is not None)) if on]
    if len(given) > 1:
        raise UsageError(f"{' and '.join(given)} are different layers; explain one at a time")
    layer = given[0] if given else None
    if output_padding is not None and layer != "--transposed":
        raise UsageError("--output-padding goes with --transposed")
    if ceil_mode and layer != "--pool":
        raise UsageError("--ceil-mode goes with --pool")
    if padding is not None and layer not in ("--transposed", "--pool"):
        raise UsageError("--padding goes with --transposed or --pool; otherwise --mode chooses the padding")
    return layer


def layer_view(layer, *, file, mode, flip, input_size, kernel_size, stride, dilation, groups, pool,
               output_padding, ceil_mode, padding):
    """The options -> the computed explanation's view.

    Options that do not go together are usage errors (exit 2); sizes that make no
    valid layer are bad data (exit 1), as for `explain --mode`.
    """
    from ..errors import DataError, UsageError
    from ..render.views.explain_layers import GroupsView, PoolView, TransposedView
    from ..teach.explain import default_input_size, settings_for
    from ..teach.explain import groups as grouped
    from ..teach.explain import pooling, transposed
    from ..source.geometry import pair

    if file is not None:
        raise UsageError(f"{layer} explains on built-in ramps; leave out FILE and give --input-size/--kernel-size")
    if flip and layer != "--groups":
        raise UsageError(f"--flip goes with convolutions; {layer} has no flip")
    if mode is not None and layer != "--groups":
        raise UsageError(f"--mode goes with convolutions; {layer} takes --padding instead")
    if layer == "--pool" and pool == "avg" and dilation is not None:
        raise UsageError("--dilation goes with --pool max; average pooling has no dilation (as in PyTorch)")
    kernel = kernel_size or ((2, 2) if layer == "--pool" else (3, 3))
    try:
        if layer == "--groups":
            settings = settings_for(mode or "valid", stride, dilation)
            size = input_size or default_input_size(kernel, settings.dilation)
            doc = grouped.example_document(groups, size, kernel, settings.stride, settings.dilation,
                                           settings.padding_mode)
            doc["flip"] = bool(flip)
            return GroupsView(grouped.groups_note(doc))
        dil = pair(dilation) if dilation is not None else (1, 1)
        if layer == "--transposed":
            size = input_size or (3, 3)
            _check_transposed_size(size, kernel, pair(stride) if stride else (2, 2), dil)
            doc = transposed.example_document(size, kernel, pair(stride) if stride else (2, 2), dil,
                                              padding or (0, 0), output_padding or (0, 0))
            return TransposedView(transposed.transposed_note(doc))
        size = input_size or (5, 5)
        doc = pooling.example_document(pool, size, kernel, pair(stride) if stride else None, dil,
                                       padding or (0, 0), ceil_mode)
        return PoolView(pooling.pool_note(doc))
    except DataError as err:  # as for --mode: options that make no valid layer are bad data (exit 1), named
        raise DataError(f"{layer}: {err}") from None


def _check_transposed_size(size, kernel, stride, dilation) -> None:
    """Refuse a transposed example too large to show: its output grows with (H-1)*s + d*(k-1) + 1."""
    for h, k, s, d, what in zip(size, kernel, stride, dilation, ("rows", "columns")):
        out = (h - 1) * s + d * (k - 1) + 1
        if out > MAX_OUTPUT:
            raise click.BadParameter(
                f"the transposed output would have (H-1)*s + d*(k-1) + 1 = ({h}-1)*{s} + {d}*({k}-1) + 1 = {out:,} "
                f"{what} before padding; explain shows at most {MAX_OUTPUT}: use a smaller --stride or --input-size",
                param_hint="--stride",
            )
