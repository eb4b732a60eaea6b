"""Options shared by every command that reads a convolution: one decorator, gathered into one loader `Request`."""

from __future__ import annotations

import functools

import click

# plain Python modules: they keep numpy out of `--help`
from ..source.choices import LAYOUTS, MODES
from ..source.limits import DEFAULT_MAX_ELEMENTS, MAX_SETTABLE
from .params import Seconds


def _ints(text: str, param, ctx, kind) -> list[int]:
    try:
        return [int(p.strip()) for p in str(text).split(",")]
    except ValueError:
        kind.fail(f"{text!r} is not a whole number or a comma-separated list of them (e.g. 2 or 2,1)", param, ctx)


class StepPair(click.ParamType):
    """--stride / --dilation: '2' -> 2, '2,1' -> [2, 1] (rows, cols); each >= 1."""

    name = "S|SH,SW"

    def __init__(self, meaning: str):
        self.meaning = meaning

    def convert(self, value, param, ctx):
        if not isinstance(value, str):
            return value
        numbers = _ints(value, param, ctx, self)
        if len(numbers) not in (1, 2):
            self.fail(f"give one number or two (rows,cols), got {value!r}", param, ctx)
        if min(numbers) < 1:
            self.fail(f"must be >= 1, got {value!r} ({self.meaning})", param, ctx)
        return numbers[0] if len(numbers) == 1 else numbers


class Padding(click.ParamType):
    """--padding: '1' -> 1, '1,2' -> [1, 2] (rows, cols), '1,0,0,2' -> [[1, 0], [0, 2]] (top, bottom, left, right)."""

    name = "P|PH,PW|T,B,L,R"

    def convert(self, value, param, ctx):
        if not isinstance(value, str):
            return value
        numbers = _ints(value, param, ctx, self)
        if min(numbers) < 0:
            self.fail(f"must be >= 0 on every side, got {value!r} (it counts rows/columns of zeros; 0 means none)",
                      param, ctx)
        if len(numbers) in (1, 2):
            return numbers[0] if len(numbers) == 1 else numbers
        if len(numbers) == 4:
            top, bottom, left, right = numbers
            return [[top, bottom], [left, right]]
        self.fail(f"give 1 number, 2 (rows,cols) or 4 (top,bottom,left,right), got {len(numbers)}", param, ctx)


class Shape4(click.ParamType):
    """--random / --random-kernels: 'N,C,H,W' -> (N, C, H, W)."""

    name = "N,C,H,W"

    def convert(self, value, param, ctx):
        if not isinstance(value, str):
            return value
        from ..source.randoms import parse_shape

        try:
            return parse_shape(value)
        except ValueError as err:
            self.fail(str(err), param, ctx)


class ExampleName(click.ParamType):
    """--example NAME: one of the shipped examples (convtrace/source/examples), any case."""

    name = "example"

    def convert(self, value, param, ctx):
        from ..errors import UsageError
        from ..source.examples import example

        try:
            example(value)
        except UsageError as err:
            self.fail(f"{err} (`convtrace examples` says what each shows)", param, ctx)
        return value.strip().lower()


class PictureSize(click.ParamType):
    """--size: '64' -> 64 (the longer side), '48x64' -> (48, 64)."""

    name = "N|HxW"

    def convert(self, value, param, ctx):
        if not isinstance(value, str):
            return value
        from ..source.pictures import parse_size

        try:
            return parse_size(value)
        except ValueError as err:
            self.fail(str(err), param, ctx)


GEOMETRY = ("mode", "padding", "stride", "dilation", "flip", "layout")


def _all_options() -> dict[str, click.decorators.FC]:
    """Every shared option, by the keyword it gives the command."""
    return {
        "file": click.argument("file", required=False, metavar="[FILE|-]"),
        "mode": click.option("--mode", type=click.Choice(MODES, case_sensitive=False), default=None,
                             help="Padding by name: valid (none), same (keep the size), full (every overlap)."),
        "padding": click.option("--padding", type=Padding(), default=None,
                                help="Explicit zero padding: 1, 1,2 (rows,cols) or 1,0,0,2 (top,bottom,left,right)."),
        "stride": click.option("--stride", type=StepPair("1 means no skipping"), default=None,
                               help="Step between windows, e.g. 2 or 2,1."),
        "dilation": click.option("--dilation", type=StepPair("1 means no gaps"), default=None, metavar="D|DH,DW",
                                 help="Spacing of kernel taps (1 = no gaps), e.g. 2 or 2,1."),
        "flip": click.option("--flip/--no-flip", default=None,
                             help="Rotate the kernel 180 degrees (true convolution) or not (cross-correlation)."),
        "layout": click.option("--layout", type=click.Choice(LAYOUTS, case_sensitive=False), default=None,
                               metavar="NCHW|NHWC",
                               help="How the arrays are ordered: channels first (NCHW) or last (NHWC)."),
        "images": click.option("--images", multiple=True, metavar="FILE",
                               help="Images from pictures (.png, .jpg, ...; repeat --images for a batch of one "
                                    "size), a .npy file, or an .npz (FILE:NAME picks an array; without :NAME it "
                                    "supplies its arrays images, kernels, bias, grad_output). Replaces the document's."),
        "kernels": click.option("--kernels", default=None, metavar="NAMES|FILE",
                                help="Named kernels, comma-separated (sobel-x,sobel-y; `convtrace kernels` lists "
                                     "them), or a .npy/.npz file (FILE[:NAME])."),
        "bias": click.option("--bias", default=None, metavar="FILE[:NAME]",
                             help="Bias, one number per kernel, from a .npy or .npz file."),
        "gray": click.option("--gray", is_flag=True, help="Pictures: convert to grayscale first (one channel)."),
        "size": click.option("--size", type=PictureSize(), default=None, metavar="N|HxW",
                             help="Pictures: resize first, N on the longer side (aspect kept) or exactly HxW."),
        "random": click.option("--random", type=Shape4(), default=None,
                               help="Random whole-number images (-3..3) of this shape, e.g. 1,3,5,5."),
        "random_kernels": click.option("--random-kernels", type=Shape4(), default=None, metavar="K,C,kh,kw",
                                       help="Random whole-number kernels (-2..2) of this shape, e.g. 2,3,3,3."),
        "seed": click.option("--seed", type=click.IntRange(min=0), default=None, metavar="S",
                             help="Seed for --random and --random-kernels (default 0: the same every run)."),
        "example": click.option("--example", default=None, type=ExampleName(), metavar="NAME",
                                help="Read a named example instead of FILE: a document (default, question, "
                                     "cs231n, ...) or a picture with its kernels (edges, face); "
                                     "`convtrace examples` lists them."),
        "max_elements": click.option("--max-elements", type=click.IntRange(1, MAX_SETTABLE),
                                     default=DEFAULT_MAX_ELEMENTS, show_default=True,
                                     envvar="CONVTRACE_MAX_ELEMENTS", metavar="N",
                                     help="Refuse inputs, padded inputs or outputs of more than N numbers "
                                          "(protects memory; also read from CONVTRACE_MAX_ELEMENTS)."),
    }


def problem_options(command=None, *, skip: tuple[str, ...] = ()):
    """Add [FILE|-], the geometry options, the array options and --max-elements to a command.

    The command receives them gathered into one `source` argument (a loader Request).
    `skip` leaves out options the command defines its own way (explain has its own --mode).
    """
    if command is None:
        return functools.partial(problem_options, skip=skip)
    options = {name: option for name, option in _all_options().items() if name not in skip}

    @functools.wraps(command)
    def gather(*args, **kwargs):
        from ..source.loader import Request

        given = {name: kwargs.pop(name, None) for name in GEOMETRY if name in options}
        fields = {name: kwargs.pop(name) for name in list(options) if name not in GEOMETRY}
        fields["images"] = tuple(fields.get("images") or ())
        kwargs["source"] = Request(overrides=overrides_from(**given), **fields)
        return command(*args, **kwargs)

    for option in reversed(list(options.values())):
        gather = option(gather)
    return gather


def view_options(command):
    """Add --step, --delay, --export and --pager, the ways to show a rich trace, to a command."""
    options = [
        click.option("--step", "stepping", is_flag=True,
                     help="Step through frames in a terminal, one per screen: single keys (? lists them, q quits)."),
        click.option("--delay", type=Seconds(0, 3600), default=None, metavar="SECONDS",
                     help="Animate the frames in place, SECONDS apart (in a terminal)."),
        click.option("--export", "export", default=None, metavar="FILE",
                     help="Also save the frames: FILE.html (a page that plays them), FILE.svg (one SVG per frame), "
                          "FILE.txt, FILE.png (the picture and its feature maps), or FOLDER/ (an SVG per part "
                          "and a PNG per map)."),
        click.option("--pager", is_flag=True,
                     help="On a terminal, page the printed view through $PAGER (less) instead of scrolling past."),
    ]
    for option in reversed(options):
        command = option(command)
    return command


def overrides_from(mode=None, padding=None, stride=None, dilation=None, flip=None, layout=None) -> dict:
    """The command-line options that were given, as document keys."""
    if mode is not None and padding is not None:
        raise click.UsageError("--mode and --padding cannot be used together; choose one")
    given = {"mode": mode, "padding": padding, "stride": stride, "dilation": dilation, "flip": flip,
             "layout": layout.upper() if layout else None}
    return {key: value for key, value in given.items() if value is not None}


def parse_request(words: list[str]):
    """['input.json', '--stride', '2,1'] -> a loader Request, parsed exactly as `convtrace run` parses it.

    Lesson facts name their inputs this way; a wrong option is a UsageError with Click's message.
    """
    from ..errors import UsageError

    captured = {}

    @click.command()
    @problem_options
    def parse(source):
        captured["source"] = source

    try:
        parse.main(list(words), prog_name="convtrace", standalone_mode=False)
    except click.ClickException as err:
        raise UsageError(err.format_message()) from None
    return captured["source"]
