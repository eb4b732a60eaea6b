"""`convtrace grad`: the backward pass, each gradient traced as a sliding-window operation."""

from __future__ import annotations

import json

import click

from .lines_out import write_lines
from .options import problem_options, view_options

FORMATS = ("rich", "plain", "jsonl")
GRADIENTS = ("images", "kernels", "bias")
from ..render.play.caps import GRAD_FRAME_CAP as FRAME_CAP  # cells of each gradient drawn unless --limit


@click.command(context_settings={"help_option_names": ["-h", "--help"]})
@problem_options
@click.option("--limit", type=click.IntRange(min=0), default=None, metavar="N",
              help=f"Show at most N cells of each gradient (the preparation and result are always shown; "
                   f"the rich view draws {FRAME_CAP} by default).")
@click.option("--only", type=click.Choice(GRADIENTS), default=None,
              help="Trace one gradient only.")
@click.option("--json", "as_json", is_flag=True,
              help="Print the output and the gradients as one JSON object.")
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="rich", show_default=True,
              help="rich: a frame per step; plain: a line per step; jsonl: a JSON object per step.")
@view_options
def grad(source, limit, only, as_json, fmt, stepping, delay, export, pager):
    """Trace the gradients of FILE's convolution: dL/dimages, dL/dkernels, dL/dbias.

    The gradient arriving at the output is the document's grad_output (shaped
    like the output), or all ones. dL/dimages is shown as a 'full'
    cross-correlation of the stride-spread gradient with the dilation-spread
    kernel rotated 180 degrees; dL/dkernels as a valid cross-correlation of the
    padded input with the gradient; dL/dbias as a sum.

    \b
    Examples:
      convtrace grad                              the built-in example
      convtrace grad input.json --json            output and gradients as JSON
      convtrace grad input.json --stride 2 --only images --limit 3
      convtrace grad input.json --format jsonl | head
      convtrace grad input.json --step            one frame per key press (q quits)
    """
    from .run import _check_view_options

    _check_view_options(fmt, as_json, stepping, delay, export)  # the same rules as `convtrace run`
    if export and export.lower().endswith(".png"):
        from ..errors import UsageError

        raise UsageError("--export FILE.png draws feature maps, which `convtrace run` shows; "
                               "export gradients to .svg, .html or .txt")
    problem = source.load()
    if only == "bias" and problem.bias is None:
        from ..errors import UsageError

        raise UsageError("--only bias: the document has no 'bias', so there is no dL/dbias; add a bias or choose images or kernels")
    if not problem.is_plain_conv2d:  # groups, 1-D, 3-D, transposed, pooling
        from .layer_views import grad_json, grad_steps

        grad_json(problem) if as_json else grad_steps(problem, fmt, only, limit, stepping, delay, export)
        return
    if as_json:
        from ..engine.grad import gradients
        from ..render.output.grad_records import grad_result_record

        click.echo(json.dumps(grad_result_record(problem, gradients(problem))))
        return
    from ..engine.grad_trace import trace_gradients
    from ..teach.grad_words import explain

    which = (only,) if only else GRADIENTS
    capped = fmt == "rich" and limit is None and not (stepping and _interactive())  # stepping draws lazily: no cap
    from ..render.play.player import Skipped, limited_events

    # the walk stops after the cells shown; its results are still whole (completed by the vectorized engine)
    shown = FRAME_CAP if capped else limit
    events = limited_events(trace_gradients(problem, which, limit=shown), bias_cells=problem.kernel_shape[0])
    parts = [part for part in explain(problem) if part.grad in which]
    if fmt == "jsonl":
        from ..render.output.grad_records import event_record

        dumps = json.JSONEncoder(separators=(", ", ": ")).encode
        write_lines((dumps(event_record(e)) for e in events if not isinstance(e, Skipped)))
    elif fmt == "plain":
        from ..render.output.grad_records import plain_explanation, plain_line

        lines = (e.text if isinstance(e, Skipped) else plain_line(e) for e in events)
        write_lines(lines)
        write_lines(plain_explanation(part) for part in parts)
    else:
        _show_frames(problem, events, parts, capped, stepping, delay, export, pager)


def _interactive() -> bool:
    from rich.console import Console

    from ..render.play.pages import interactive

    return interactive(Console())


def _show_frames(problem, events, parts, capped: bool, stepping, delay, export, pager=False) -> None:
    """The rich view, printed, stepped through (--step) or animated (--delay), and saved (--export)."""
    from ..render.play.pages import show_pages
    from .consoles import command_console

    console = command_console(export)  # with an export, a reader going away (| head) does not stop the file
    exporter = None
    if export:
        from ..render.output.export import Exporter

        exporter = Exporter(export, console.width, title=problem.title or "convtrace grad", narrow="--only or --limit")
    from ..render.play.player import grad_pages
    from .run import paged

    with paged(console, pager and not stepping and delay is None):
        show_pages(grad_pages(problem, events, parts, capped), console, stepping=stepping, delay=delay,
                   exporter=exporter)
