"""`convtrace run`: trace a convolution window by window, or print its result."""

from __future__ import annotations

import json
import sys

import click

from .options import problem_options, view_options

FORMATS = ("rich", "plain", "jsonl")


@click.command(context_settings={"help_option_names": ["-h", "--help"]})
@problem_options
@click.option("--limit", type=click.IntRange(min=0), default=None, metavar="N",
              help="Stop after N window positions (the step view otherwise draws at most 100 frames).")
@click.option("--json", "as_json", is_flag=True, help="Print the whole result as one JSON object.")
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="rich", show_default=True,
              help="rich: a frame per position; plain: a line per position; jsonl: a JSON object per position.")
@click.option("--at", "at", multiple=True, metavar="NAME=V,...",
              help="Only these positions, e.g. n=0,k=1 or row=2,col=1 or row=0..2 (repeat for more).")
@view_options
@click.option("--method", type=click.Choice(("loop", "im2col")), default="loop", show_default=True,
              help="loop: window by window; im2col: the same convolution as one matrix product "
                   "(column matrix, kernel matrix, product, reshape; --limit sets the rows shown).")
def run(source, limit, as_json, fmt, at, stepping, delay, export, method):
    """Trace every window position of FILE (a JSON document; - reads stdin; none: the built-in example).

    \b
    Examples:
      convtrace run                          the built-in example, frame by frame
      convtrace run input.json --json        the output and its shapes as JSON
      convtrace run input.json --format jsonl --limit 5
      convtrace run input.json --mode same --stride 2
      convtrace run input.json --at n=0,k=1 --export frames.html
      convtrace run --step                   one frame per key press (q quits)
      cat input.json | convtrace run - --format plain
    """
    _check_view_options(fmt, as_json, stepping, delay, export)
    if method == "im2col" and not as_json:  # --json: the same numbers either way
        _show_im2col(source, fmt, limit, at, stepping, delay, export)
        return
    problem = source.load()
    if not problem.is_plain_conv2d:  # groups, 1-D, 3-D, transposed, pooling
        from .layer_views import run_json, run_steps

        run_json(problem) if as_json else run_steps(problem, fmt, limit, at, stepping, delay, export)
        return
    if as_json:
        from ..engine.fast import problem_output
        from ..render.records import result_record

        click.echo(json.dumps(result_record(problem, problem_output(problem))))
        return
    from ..engine.naive import trace

    steps = trace(problem)
    chosen = None
    if at:
        from ..render.select import Selection

        chosen = Selection(at, problem)
    if fmt == "rich":
        _show_frames(problem, steps, chosen, limit, stepping, delay, export)
        return
    if chosen is not None:
        steps = filter(chosen, steps)
    if limit is not None:
        from itertools import islice

        steps = islice(steps, limit)
    if fmt == "jsonl":
        _write_lines(steps, _jsonl_line())
    elif fmt == "plain":
        from ..render.plain import plain_line

        _write_lines(steps, plain_line)


def _jsonl_line():
    from ..render.records import step_lines

    return step_lines()  # the text json.dumps(step_record(step)) would give, built faster


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


def _show_im2col(source, fmt, limit, at, stepping, delay, export) -> None:
    """`--method im2col`: the column matrix, kernel matrix, product and reshape, for small inputs."""
    from ..errors import UsageError

    given = [name for name, value in (("--format " + fmt, fmt != "rich"), ("--at", at), ("--step", stepping),
                                      ("--delay", delay is not None), ("--export", export)) if value]
    if given:
        raise UsageError(f"--method im2col shows matrices, not window steps, so {', '.join(given)} "
                         f"cannot be used with it; drop {'it' if len(given) == 1 else 'them'} or use --method loop")
    from rich.console import Console

    from ..engine.im2col import im2col
    from ..render.im2col import Im2colView

    problem = source.load()
    if not problem.is_plain_conv2d:
        raise UsageError(f"--method im2col shows 2-D convolution without groups; this is a {problem.layer} layer "
                         f"with dims {problem.dims}: use --method loop")
    Console(highlight=False).print(Im2colView(problem, im2col(problem), rows_shown=limit))


def _check_view_options(fmt, as_json, stepping, delay, export) -> None:
    """--step, --delay and --export belong to the step view (--format rich)."""
    from ..errors import UsageError

    given = [name for name, value in (("--step", stepping), ("--delay", delay is not None), ("--export", export)) if value]
    if given and (as_json or fmt != "rich"):
        raise UsageError(f"{' and '.join(given)} work with the step view only (--format rich), not with {'--json' if as_json else '--format ' + fmt}")
    if stepping and delay is not None:
        raise UsageError("--step and --delay cannot be used together: choose key presses (--step) or a timer (--delay)")
    if export:
        from ..render.export import check_export_path

        check_export_path(export)


def _show_frames(problem, steps, chosen, limit, stepping, delay, export) -> None:
    """The step view: summary, frames (capped by default), feature maps; stepping/animation only in a terminal."""
    from rich.console import Console

    from ..render.player import play

    console = Console(highlight=False)
    exporter = page = None
    if export:
        from ..render.export import Exporter, is_page

        if is_page(export):  # the HTML player is built from the steps themselves, as they pass
            from .page import TracePageExport

            page = TracePageExport(export, problem, chosen, limit)
            steps = page.watch(steps)
        else:
            exporter = Exporter(export, console.width, title=problem.title or "convtrace run")
    play(problem, steps, console, chosen=chosen or (lambda step: True), limit=limit,
         stepping=stepping, delay=delay, exporter=exporter)
    if page is not None:
        page.write()
