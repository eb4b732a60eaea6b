"""`convtrace run`: trace a convolution window by window, or print its result."""

from __future__ import annotations

import json
import sys

import click

from .lines_out import write_lines
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
              help="Only these positions, e.g. step=5, n=0,k=1, row=2,col=1 or row=0..2 (repeat for more).")
@view_options
@click.option("--view", "frame_view", type=click.Choice(("auto", "full", "compact")), default="auto", show_default=True,
              help="Frame layout: full (every channel, the formula, the shapes), compact (one channel, fits "
                   "80x24), or auto (the richest that fits the terminal; printed: full).")
@click.option("--precision", type=click.IntRange(0, 12), default=None, metavar="N",
              help="Decimals drawn in the step view's grids (default: as few as show the values, at most 3; "
                   "plain, jsonl and --json keep every digit).")
@click.option("--method", type=click.Choice(("loop", "im2col", "winograd", "fft", "scatter")), default="loop",
              show_default=True,
              help="loop: window by window; scatter (transposed convolution): input value by input value, "
                   "each stamping value * kernel onto the output; im2col: the same convolution as one matrix product "
                   "(column matrix, kernel matrix, product, reshape; --limit sets the rows shown); "
                   "winograd: one 2x2 output tile by F(2x2, 3x3) (--at n=0,k=0,row=0,col=0 picks it); "
                   "fft: one channel pair through the frequency domain (--at n=0,k=0,c=0).")
def run(source, limit, as_json, fmt, at, stepping, delay, export, pager, frame_view, precision, method):
    """Trace every window position of FILE (a JSON document; - reads stdin; none: the built-in example).

    \b
    Examples:
      convtrace run                          the built-in example, frame by frame
      convtrace run input.json --json        the output and its shapes as JSON
      convtrace run input.json --format jsonl --limit 5
      convtrace run input.json --mode same --stride 2
      convtrace run input.json --at n=0,k=1 --export frames.html
      convtrace run up.json --method scatter --step   a transposed convolution, stamp by stamp
      convtrace run --step                   one frame per screen, keys move (? help, q quits)
      convtrace run --example edges --delay 0.5   the output map filling in
      cat input.json | convtrace run - --format plain
    """
    _check_view_options(fmt, as_json, stepping, delay, export)
    if method == "scatter":  # the other view of a transposed convolution: cli/scatter_view.py
        from .scatter_view import run_scatter

        run_scatter(source, fmt, limit, at, stepping, delay, export, as_json)
        if fmt == "rich":
            _emit_hint(source)
        return
    if method == "im2col" and not as_json:  # --json: the same numbers either way
        _show_im2col(source, fmt, limit, at, stepping, delay, export)
        return
    if method in ("winograd", "fft") and not as_json:  # the better ways: cli/methods.py
        from .methods import show_better_way

        return show_better_way(method, source, fmt, limit, at, stepping, delay, export)
    problem = source.load()
    if not problem.is_plain_conv2d:  # groups, 1-D, 3-D, transposed, pooling
        from .layer_views import run_json, run_steps

        run_json(problem) if as_json else run_steps(problem, fmt, limit, at, stepping, delay, export)
        if fmt == "rich" and not as_json:
            _emit_hint(source)
        return
    if as_json:
        from ..engine.fast import problem_output
        from ..render.output.records import result_record

        click.echo(json.dumps(result_record(problem, problem_output(problem))))
        return
    from ..engine.naive import trace

    steps = trace(problem)
    chosen = None
    if at:
        from ..render.play.select import Selection

        chosen = Selection(at, problem)
    if fmt == "rich":
        _show_frames(problem, steps, chosen, limit, stepping, delay, export, frame_view, precision, pager)
        _emit_hint(source)
        return
    if chosen is not None:
        steps = filter(chosen, steps)
    if limit is not None:
        from itertools import islice

        steps = islice(steps, limit)
    if fmt == "jsonl":
        write_lines(map(_jsonl_line(), steps))
    elif fmt == "plain":
        from ..render.output.plain import plain_line

        write_lines(map(plain_line, steps))


def _emit_hint(source) -> None:
    """End the step view with the command that shows this layer as code (in a terminal only:
    pipes, files and exports keep the trace alone)."""
    if sys.stdout.isatty():
        from .emit import emit_hint

        click.echo(emit_hint(source))


def _jsonl_line():
    from ..render.output.records import step_lines

    return step_lines()  # the text json.dumps(step_record(step)) would give, built faster


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
    from ..render.frames.im2col import Im2colView

    problem = source.load()
    if not problem.is_plain_conv2d:
        raise UsageError(f"--method im2col shows 2-D convolution without groups; this is a {problem.layer} layer "
                         f"with dims {problem.dims}: use --method loop")
    Console(highlight=False).print(Im2colView(problem, im2col(problem), rows_shown=limit))


def _check_view_options(fmt, as_json, stepping, delay, export) -> None:
    """--step, --delay and --export belong to the step view (--format rich)."""
    from ..errors import UsageError

    if as_json and fmt != "rich":
        raise UsageError(f"--json and --format {fmt} cannot be used together: --json prints the whole result once, "
                         f"--format {fmt} one record per position; choose one")
    given = [name for name, value in (("--step", stepping), ("--delay", delay is not None), ("--export", export)) if value]
    if given and (as_json or fmt != "rich"):
        raise UsageError(f"{' and '.join(given)} work with the step view only (--format rich), not with {'--json' if as_json else '--format ' + fmt}")
    if stepping and delay is not None:
        raise UsageError("--step and --delay cannot be used together: choose key presses (--step) or a timer (--delay)")
    if export:
        from ..render.output.export import check_export_path

        check_export_path(export)


def _show_frames(problem, steps, chosen, limit, stepping, delay, export, layout, precision, pager=False) -> None:
    """The step view: summary, frames, feature maps; stepped (--step) or played (--delay) in a terminal."""
    from ..engine.tracecheck import agreement
    from ..render.play.pages import interactive
    from ..render.play.player import Player
    from ..teach.walk import teaching_steps
    from .consoles import command_console

    exporter = page = None
    if export and _export_map_images(problem, export):
        export = None  # the pictures are written; the frames go to the screen only
    console = command_console(export)  # with an export, a reader going away (| head) does not stop the file
    if export:
        from ..render.output.export import Exporter, is_page

        if is_page(export):  # the HTML player is built from the steps themselves, as they pass
            from .page import TracePageExport

            page = TracePageExport(export, problem, chosen, limit)
            steps = page.watch(steps)
        else:
            exporter = Exporter(export, console.width, title=problem.title or "convtrace run")
    numbers = _numbers(problem, precision)
    live = interactive(console)
    if live and (stepping or delay is not None):
        _play_live(problem, chosen, limit, stepping, delay, layout, console, exporter, numbers)
        if page is not None:  # the page records the steps as they pass: let them pass
            for _ in steps:
                pass
            page.write()
        return
    picked = teaching_steps(problem) if chosen is None and limit is None and page is None else None
    player = Player(problem, steps, console, chosen=chosen or (lambda step: True), limit=limit, exporter=exporter,
                    picked=picked, finish=lambda collected: agreement(problem, collected),
                    view="compact" if layout == "compact" else "full", numbers=numbers)
    try:
        with paged(console, pager):
            player.print_all()
    finally:
        if exporter is not None:
            exporter.close()
    if page is not None:
        page.write()


def _export_map_images(problem, export: str) -> bool:
    """--export FILE.png or FOLDER: the input picture and every output map, computed by the vectorized engine.

    True when that was all (FILE.png); a folder (which holds PNGs only when the images are pictures)
    also gets one SVG per part of the trace.
    """
    from ..render.output.export import FOLDER, check_export_path

    kind = check_export_path(export)
    if kind != ".png" and not (kind == FOLDER and problem.pictures):  # a folder gets map PNGs for pictures only
        return False
    from ..engine.fast import problem_output
    from ..render.output.map_images import save_map_images
    from ..teach.feature_maps import input_picture, map_pictures

    save_map_images(export, map_pictures(problem, problem_output(problem)), input_picture(problem))
    return kind == ".png"


def paged(console, pager: bool):
    """--pager on a terminal: everything printed inside goes through $PAGER (less -R keeps the colours)."""
    import contextlib
    import os

    if not (pager and console.is_terminal):
        return contextlib.nullcontext()
    os.environ.setdefault("LESS", "-R")
    return console.pager(styles=True)


def _numbers(problem, precision):
    """How the grids write numbers: --precision N, or as few decimals as show the document's values."""
    import numpy as np

    from ..text import Numbers

    parts = [problem.images.reshape(-1), problem.kernels.reshape(-1)]
    if problem.bias is not None:
        parts.append(np.asarray(problem.bias).reshape(-1))
    return Numbers.for_values(np.concatenate(parts), precision)


def _play_live(problem, chosen, limit, stepping, delay, layout, console, exporter, numbers) -> None:
    """--step or --delay on a terminal: the alternate-screen player; an --export records the printed view."""
    from ..render.play.playback import animate, step_through
    from ..teach.walk import Walk, selected_positions

    if exporter is not None:  # the file gets what printing would show; the screen gets the player
        _export_only(problem, chosen, limit, exporter)
    positions = selected_positions(problem, chosen) if chosen is not None else range(problem.steps)
    if limit is not None:
        positions = positions[:limit]
    if not positions:
        console.print("No window position to show (--at or --limit picked none).")
        return
    walk = Walk(problem, positions)
    if stepping:
        step_through(walk, console, layout, numbers)
        return
    from ..render.play.fit import fitted_frame
    from ..render.frames.maps import FeatureMaps
    from ..render.frames.steps import StepView
    from ..render.frames.summary import ProblemSummary

    console.print(ProblemSummary(problem))
    if animate(walk, console, delay, layout, numbers) == "end":  # played to the end: the last frame and the maps stay
        last = walk.step(len(walk) - 1)
        console.print(fitted_frame(StepView(problem, walk.collector(), numbers=numbers), last, console.width,
                                   None, "full"))
        collector, agreed = walk.finished()
        console.print(FeatureMaps(problem, collector, agreed, numbers.out))


def _export_only(problem, chosen, limit, exporter) -> None:
    import io

    from rich.console import Console

    from ..engine.naive import trace
    from ..engine.tracecheck import agreement
    from ..render.play.player import Player
    from ..teach.walk import teaching_steps

    quiet = Console(file=io.StringIO(), width=100)
    picked = teaching_steps(problem) if chosen is None and limit is None else None
    try:
        Player(problem, trace(problem), quiet, chosen=chosen or (lambda step: True), limit=limit, exporter=exporter,
               picked=picked, finish=lambda collected: agreement(problem, collected)).print_all()
    finally:
        exporter.close()
