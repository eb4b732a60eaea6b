"""`convtrace emit`: print a standalone NumPy or PyTorch script that computes the same result."""

from __future__ import annotations

import shlex

import click

from .options import problem_options

TARGETS = ("numpy", "torch")


@click.command(context_settings={"help_option_names": ["-h", "--help"]})
@problem_options
@click.option("--to", "to", type=click.Choice(TARGETS), default="numpy", show_default=True,
              help="numpy: the plain loop and the vectorized one-liner; torch: the torch.nn.functional call.")
def emit(source, to):
    """Print FILE's layer as a Python script (- reads stdin; none: the built-in example).

    Run the script with python: it prints the output as one line of JSON, in the
    document's layout, the same numbers as `convtrace run FILE --json`.

    \b
    Examples:
      convtrace emit input.json --to numpy > conv.py && python conv.py
      convtrace emit input.json --to torch --stride 2   (needs: pip install torch)
      convtrace check conv.py:conv2d                     grade the emitted loop
    """
    from ..teach.emit import emit_script

    problem = source.load()
    click.echo(emit_script(problem, to, command_line(source, to)), nl=False)


def command_line(source, to: str) -> str:
    """The `convtrace emit ...` command that reproduces `source` (its file, arrays and overrides)."""
    words = ["convtrace", "emit"]
    if source.file is not None:
        words.append(source.file)
    words += option_words(source)
    words += ["--to", to]
    return shlex.join(words)


def option_words(source) -> list[str]:
    """The command-line options that were given, as words again: ['--stride', '2,1', '--flip', ...]."""
    words = ["--example", source.example] if source.example else []
    for image in source.images:
        words += ["--images", image]
    for key in ("kernels", "bias"):
        if getattr(source, key):
            words += [f"--{key}", getattr(source, key)]
    if source.gray:
        words.append("--gray")
    if source.size:
        words += ["--size", source.size if isinstance(source.size, int) else "x".join(map(str, source.size))]
    for key in ("random", "random_kernels"):
        if getattr(source, key):
            words += [f"--{key.replace('_', '-')}", _as_text(list(getattr(source, key)))]
    if source.seed is not None:
        words += ["--seed", source.seed]
    for key, value in source.overrides.items():
        if key == "flip":
            words.append("--flip" if value else "--no-flip")
        else:
            words += [f"--{key}", _as_text(value)]
    return [str(word) for word in words]


def _as_text(value) -> str:
    """2 -> '2'; [2, 1] -> '2,1'; [[1, 0], [0, 2]] -> '1,0,0,2'; 'same' -> 'same'."""
    if isinstance(value, list):
        return ",".join(_as_text(part) for part in value)
    return str(value)


def emit_hint(source) -> str:
    """The line `run` ends its step view with: how to see this convolution as code."""
    words = ["convtrace", "emit"] + ([source.file] if source.file is not None else []) + option_words(source)
    return f"see this as code: {shlex.join(words + ['--to', 'torch'])}"
