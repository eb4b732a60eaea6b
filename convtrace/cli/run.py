"""`convtrace run`: trace a convolution window by window, or print its result."""

from __future__ import annotations

import json
import sys

import click

from .options import problem_options

FORMATS = ("rich", "plain", "jsonl")


@click.command(context_settings={"help_option_names": ["-h", "--help"]})
@problem_options
@click.option("--limit", type=click.IntRange(min=0), default=None, metavar="N",
              help="Stop after N window positions.")
@click.option("--json", "as_json", is_flag=True, help="Print the whole result as one JSON object.")
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="rich", show_default=True,
              help="rich: a frame per position; plain: a line per position; jsonl: a JSON object per position.")
def run(source, limit, as_json, fmt):
    """Trace every window position of FILE (a JSON document; - reads stdin; none: the built-in example).

    \b
    Examples:
      convtrace run                          the built-in example, frame by frame
      convtrace run input.json --json        the output and its shapes as JSON
      convtrace run input.json --format jsonl --limit 5
      convtrace run input.json --mode same --stride 2
      cat input.json | convtrace run - --format plain
    """
    problem = source.load()
    if as_json:
        from ..fast import problem_output
        from ..render.records import result_record

        click.echo(json.dumps(result_record(problem, problem_output(problem))))
        return
    from ..engine import trace

    steps = trace(problem)
    if limit is not None:
        from itertools import islice

        steps = islice(steps, limit)
    if fmt == "jsonl":
        _write_lines(steps, _jsonl_line())
    elif fmt == "plain":
        from ..render.plain import plain_line

        _write_lines(steps, plain_line)
    else:
        _print_frames(problem, steps)


def _jsonl_line():
    from ..render.records import step_record

    dumps = json.JSONEncoder(separators=(", ", ": ")).encode
    return lambda step: dumps(step_record(step))


def _write_lines(steps, to_line) -> None:
    """One line per step, written in batches (fast for long traces)."""
    out = sys.stdout
    batch = []
    for step in steps:
        batch.append(to_line(step))
        if len(batch) >= 256:
            out.write("\n".join(batch) + "\n")
            batch.clear()
    if batch:
        out.write("\n".join(batch) + "\n")
    out.flush()


def _print_frames(problem, steps) -> None:
    from rich.console import Console

    from ..render.steps import StepFrame

    console = Console()
    for step in steps:
        console.print(StepFrame(problem, step))
