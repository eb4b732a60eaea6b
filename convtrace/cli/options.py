"""Options shared by every command that takes a convolution: one decorator, one loader."""

from __future__ import annotations

import functools
import sys

import click

MODE_CHOICES = ("valid", "same", "full")


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
        raise click.BadParameter(f"must be >= 0 on every side, got {value!r}", param_hint="--padding")
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


class ProblemSource:
    """What a command was told to convolve: a FILE (or stdin, or the built-in example) plus overrides."""

    def __init__(self, file: str | None, overrides: dict):
        self.file = file
        self.overrides = overrides

    def load(self):
        """Read, validate and return the Problem."""
        return load_problem(self.file, self.overrides)


OPTION_NAMES = ("mode", "padding", "stride", "dilation", "flip", "layout")


def problem_options(command):
    """Add [FILE|-] and --mode, --padding, --stride, --dilation, --flip/--no-flip, --layout to a command.

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
        click.option("--layout", type=click.Choice(("NCHW", "NHWC"), case_sensitive=False), default=None,
                     help="How the document's arrays are ordered."),
    ]

    @functools.wraps(command)
    def gather(*args, **kwargs):
        given = {name: kwargs.pop(name) for name in OPTION_NAMES}
        kwargs["source"] = ProblemSource(kwargs.pop("file"), overrides_from(**given))
        return command(*args, **kwargs)

    for option in reversed(options):
        gather = option(gather)
    return gather


def overrides_from(mode, padding, stride, dilation, flip, layout) -> dict:
    """The command-line options that were given, as document keys."""
    if mode is not None and padding is not None:
        raise click.UsageError("--mode and --padding cannot be used together; choose one")
    given = {"mode": mode, "padding": padding, "stride": stride, "dilation": dilation, "flip": flip,
             "layout": layout.upper() if layout else None}
    return {key: value for key, value in given.items() if value is not None}


def read_source(file: str | None) -> tuple[str, str]:
    """FILE, '-' (stdin) or None (the built-in example) -> (JSON text, name for messages)."""
    from ..errors import DataError, UsageError

    if file is None:
        from importlib.resources import files

        return files("convtrace.examples").joinpath("builtin.json").read_text(encoding="utf-8"), "the built-in example"
    if file == "-":
        data = sys.stdin.buffer.read()  # bytes, so encoding problems are ours to report
        name = "standard input"
    else:
        try:
            with open(file, "rb") as handle:
                data = handle.read()
        except FileNotFoundError:
            raise UsageError(f"file {file!r} does not exist; check the path (or use - to read standard input)") from None
        except IsADirectoryError:
            raise UsageError(f"{file!r} is a directory; give a JSON file") from None
        except OSError as err:
            raise UsageError(f"cannot read {file!r}: {err.strerror}") from None
        name = file
    try:
        return data.decode("utf-8"), name
    except UnicodeDecodeError as err:
        raise DataError(f"{name} is not UTF-8 text (bad byte at offset {err.start}); save it as UTF-8 JSON") from None


def load_problem(file: str | None, overrides: dict):
    """Read and validate the document, applying command-line overrides -> Problem."""
    from ..problem import parse_json, problem_from_document

    text, name = read_source(file)
    return problem_from_document(parse_json(text, name), overrides)
