"""Options shared by every command that takes a convolution: one decorator, one loader."""

from __future__ import annotations

import functools
import os
import sys

import click

from ..source.limits import DEFAULT_MAX_ELEMENTS  # plain Python: keeps numpy out of `--help`

MODE_CHOICES = ("valid", "same", "full")
LAYOUT_CHOICES = ("NCHW", "NHWC")


def _ints(text: str, option: str) -> list[int]:
    parts = [p.strip() for p in str(text).split(",")]
    try:
        return [int(p) for p in parts]
    except ValueError:
        raise click.BadParameter(
            f"{text!r} is not a whole number or a comma-separated list of them (e.g. 2 or 2,1)",
            param_hint=option,
        ) from None


def parse_step_pair(option: str):
    """A callback for --stride/--dilation: '2' -> 2, '2,1' -> [2, 1]; each >= 1."""

    def callback(ctx, param, value):
        if value is None:
            return None
        numbers = _ints(value, option)
        if len(numbers) not in (1, 2):
            raise click.BadParameter(f"give one number or two (rows,cols), got {value!r}", param_hint=option)
        if min(numbers) < 1:
            raise click.BadParameter(f"must be >= 1, got {value!r} (1 means no {'skipping' if option == '--stride' else 'gaps'})", param_hint=option)
        return numbers[0] if len(numbers) == 1 else numbers

    return callback


def parse_padding_option(ctx, param, value):
    """--padding: '1' -> 1, '1,2' -> [1, 2] (rows, cols), '1,0,0,2' -> [[1, 0], [0, 2]] (top, bottom, left, right)."""
    if value is None:
        return None
    numbers = _ints(value, "--padding")
    if min(numbers) < 0:
        raise click.BadParameter(
            f"must be >= 0 on every side, got {value!r} (it counts rows/columns of zeros; 0 means none)",
            param_hint="--padding",
        )
    if len(numbers) == 1:
        return numbers[0]
    if len(numbers) == 2:
        return numbers
    if len(numbers) == 4:
        top, bottom, left, right = numbers
        return [[top, bottom], [left, right]]
    raise click.BadParameter(
        f"give 1 number, 2 (rows,cols) or 4 (top,bottom,left,right), got {len(numbers)}", param_hint="--padding"
    )


def parse_layout(ctx, param, value):
    """--layout: nchw or NCHW -> 'NCHW'."""
    if value is None:
        return None
    if value.upper() not in LAYOUT_CHOICES:
        raise click.BadParameter(
            f"{value!r} is not one of NCHW (channels first, PyTorch) or NHWC (channels last, TensorFlow)",
            param_hint="--layout",
        )
    return value.upper()


class ProblemSource:
    """What a command was told to convolve: a FILE (or stdin, or the built-in example), .npy/.npz arrays, overrides."""

    def __init__(self, file: str | None, overrides: dict, arrays: dict | None = None,
                 max_elements: int | None = DEFAULT_MAX_ELEMENTS):
        self.file = file
        self.overrides = overrides
        self.arrays = {key: spec for key, spec in (arrays or {}).items() if spec}  # key -> "FILE[:NAME]"
        self.max_elements = max_elements

    def load(self):
        """Read, validate and return the Problem."""
        return load_problem(self.file, self.overrides, arrays=self.arrays, max_elements=self.max_elements)


OPTION_NAMES = ("mode", "padding", "stride", "dilation", "flip", "layout")
ARRAY_OPTIONS = ("images", "kernels", "bias")


def problem_options(command):
    """Add [FILE|-], the geometry options, --images/--kernels/--bias (.npy/.npz) and --max-elements to a command.

    The command receives them gathered into one `source` argument (a ProblemSource).
    """
    options = [
        click.argument("file", required=False, metavar="[FILE|-]"),
        click.option("--mode", type=click.Choice(MODE_CHOICES), default=None,
                     help="Padding by name: valid (none), same (keep the size), full (every overlap)."),
        click.option("--padding", default=None, callback=parse_padding_option, metavar="P|PH,PW|T,B,L,R",
                     help="Explicit zero padding: 1, 1,2 (rows,cols) or 1,0,0,2 (top,bottom,left,right)."),
        click.option("--stride", default=None, callback=parse_step_pair("--stride"), metavar="S|SH,SW",
                     help="Step between windows, e.g. 2 or 2,1."),
        click.option("--dilation", default=None, callback=parse_step_pair("--dilation"), metavar="D|DH,DW",
                     help="Spacing of kernel taps (1 = no gaps), e.g. 2 or 2,1."),
        click.option("--flip/--no-flip", default=None,
                     help="Rotate the kernel 180 degrees (true convolution) or not (cross-correlation)."),
        click.option("--layout", default=None, callback=parse_layout, metavar="NCHW|NHWC",
                     help="How the arrays are ordered: channels first (NCHW) or last (NHWC)."),
        click.option("--images", default=None, metavar="FILE[:NAME]",
                     help="Images from a .npy file, or an .npz (its array NAME; without :NAME it supplies "
                          "its arrays named images, kernels, bias, grad_output). Replaces the document's."),
        click.option("--kernels", default=None, metavar="FILE[:NAME]",
                     help="Kernels from a .npy file, or an .npz (the array named kernels, or NAME)."),
        click.option("--bias", default=None, metavar="FILE[:NAME]",
                     help="Bias, one number per kernel, from a .npy or .npz file."),
        click.option("--max-elements", type=click.IntRange(1, 10**12), default=DEFAULT_MAX_ELEMENTS,
                     show_default=True, envvar="CONVTRACE_MAX_ELEMENTS", metavar="N",
                     help="Refuse inputs, padded inputs or outputs of more than N numbers (protects memory; "
                          "also read from CONVTRACE_MAX_ELEMENTS)."),
    ]

    @functools.wraps(command)
    def gather(*args, **kwargs):
        given = {name: kwargs.pop(name) for name in OPTION_NAMES}
        arrays = {name: kwargs.pop(name) for name in ARRAY_OPTIONS}
        kwargs["source"] = ProblemSource(kwargs.pop("file"), overrides_from(**given), arrays,
                                         kwargs.pop("max_elements"))
        return command(*args, **kwargs)

    for option in reversed(options):
        gather = option(gather)
    return gather


def view_options(command):
    """Add --step, --delay and --export, the ways to show a rich trace, to a command."""
    options = [
        click.option("--step", "stepping", is_flag=True,
                     help="Step through frames in a terminal: Enter/space next, b back, q quit."),
        click.option("--delay", type=click.FloatRange(min=0), default=None, metavar="SECONDS",
                     help="Animate the frames in place, SECONDS apart (in a terminal)."),
        click.option("--export", "export", default=None, metavar="FILE",
                     help="Also save the frames: FILE.html (a page that plays them), FILE.svg or FOLDER/ (one SVG per frame), FILE.txt."),
    ]
    for option in reversed(options):
        command = option(command)
    return command


def overrides_from(mode, padding, stride, dilation, flip, layout) -> dict:
    """The command-line options that were given, as document keys."""
    if mode is not None and padding is not None:
        raise click.UsageError("--mode and --padding cannot be used together; choose one")
    given = {"mode": mode, "padding": padding, "stride": stride, "dilation": dilation, "flip": flip,
             "layout": layout.upper() if layout else None}
    return {key: value for key, value in given.items() if value is not None}


def read_source(file: str | None, max_elements: int | None = DEFAULT_MAX_ELEMENTS) -> tuple[str, str]:
    """FILE, '-' (stdin) or None (the built-in example) -> (JSON text, name for messages).

    At most the size cap's worth of bytes is read, so a huge file or stream cannot fill memory.
    """
    from ..errors import UsageError
    from ..source.jsontext import decode_text
    from ..source.limits import check_bytes, max_bytes

    if file is None:
        from importlib.resources import files

        return files("convtrace.source.examples").joinpath("builtin.json").read_text(encoding="utf-8"), "the built-in example"
    limit = max_bytes(max_elements)
    if file == "-":
        name = "standard input"
        if sys.stdin is not None and sys.stdin.isatty():  # a learner typed `-` by hand: say why nothing happens
            click.echo("Reading the JSON document from the keyboard; end it with Ctrl-D (Windows: Ctrl-Z, Enter).",
                       err=True)
        stdin = getattr(sys.stdin, "buffer", sys.stdin)  # bytes: decoded below with a clear message
        data = stdin.read(-1 if limit is None else limit + 1)
    else:
        name = file
        try:
            with open(file, "rb") as handle:
                data = handle.read(-1 if limit is None else limit + 1)
        except FileNotFoundError:
            raise UsageError(f"file {file!r} does not exist; check the path (or use - to read standard input)") from None
        except IsADirectoryError:
            raise UsageError(f"{file!r} is a directory; give a JSON file") from None
        except OSError as err:
            raise UsageError(f"cannot read {file!r}: {err.strerror}") from None
    if limit is not None and len(data) > limit:
        size = len(data) if file == "-" else os.path.getsize(file)
        check_bytes(size, name, max_elements, stream=file == "-")
    return decode_text(data, name), name


def load_problem(file: str | None, overrides: dict, *, arrays: dict | None = None,
                 max_elements: int | None = DEFAULT_MAX_ELEMENTS):
    """Read and validate the document and any .npy/.npz arrays, applying command-line overrides -> Problem."""
    from ..errors import UsageError
    from ..source.jsontext import parse_json
    from ..source.problem import problem_from_document

    loaded = {}
    if arrays:
        from ..source.arrays_io import load_arrays

        loaded = load_arrays(arrays, max_elements)
    if loaded and file is None:
        doc = {}  # arrays alone, without a JSON document
    else:
        text, name = read_source(file, max_elements)
        doc = parse_json(text, name)
    if loaded:
        for key in ("images", "kernels"):
            if key == "kernels" and "pool" in doc:
                continue  # pooling has a window size, not kernels
            if key not in loaded and key not in doc:
                raise UsageError(
                    f"no {key}: give --{key} FILE.npy (or an .npz holding an array named {key!r}, "
                    f"or a JSON document with {key!r})"
                )
    return problem_from_document(doc, {**overrides, **loaded}, max_elements=max_elements)
