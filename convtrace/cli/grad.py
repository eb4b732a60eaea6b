"""`convtrace grad`: the backward pass, each gradient traced as a sliding-window operation."""

from __future__ import annotations

import json
import sys

import click

from .options import problem_options, view_options

FORMATS = ("rich", "plain", "jsonl")
GRADIENTS = ("images", "kernels", "bias")
FRAME_CAP = 30  # cells of each gradient the rich view draws unless --limit says otherwise


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
def grad(source, limit, only, as_json, fmt, stepping, delay, export):
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
        from ..render.grad import grad_result_record

        click.echo(json.dumps(grad_result_record(problem, gradients(problem))))
        return
    from ..engine.grad_trace import explain, trace_gradients

    which = (only,) if only else GRADIENTS
    capped = fmt == "rich" and limit is None and not (stepping and _interactive())  # stepping draws lazily: no cap
    shown = FRAME_CAP if capped else limit
    events = _limited(trace_gradients(problem, which, limit=shown), bias_cells=problem.kernel_shape[0])
    parts = [part for part in explain(problem) if part.grad in which]
    if fmt == "jsonl":
        from ..render.grad import event_record

        dumps = json.JSONEncoder(separators=(", ", ": ")).encode
        _write_lines((dumps(event_record(e)) for e in events if not isinstance(e, Skipped)))
    elif fmt == "plain":
        from ..render.grad import plain_explanation, plain_line

        lines = (e.text if isinstance(e, Skipped) else plain_line(e) for e in events)
        _write_lines(lines)
        _write_lines(plain_explanation(part) for part in parts)
    else:
        _show_frames(problem, events, parts, capped, stepping, delay, export)


class Skipped:
    """Stands for the cells --limit left out of one gradient."""

    def __init__(self, grad: str, count: int):
        self.grad, self.count = grad, count
        self.text = f"... {count} more {grad} cell(s) not shown (--limit)"


def _limited(events, bias_cells: int):
    """Pass every event, and before a result a note of the cells the walk left out (--limit).

    dL/dimages and dL/dkernels say their cell count in their preparation; dL/dbias has one cell per kernel.
    """
    cells, shown = bias_cells, 0
    for event in events:
        if event.event == "prepare":
            cells, shown = event.cells, 0
        elif event.event == "cell":
            shown += 1
        else:
            if cells > shown:
                yield Skipped(event.grad, cells - shown)
            cells, shown = bias_cells, 0
        yield event


def _write_lines(lines) -> None:
    """One line per item, written in batches (fast for long traces)."""
    out = sys.stdout
    batch = []
    for line in lines:
        batch.append(line)
        if len(batch) >= 256:
            out.write("\n".join(batch) + "\n")
            batch.clear()
    if batch:
        out.write("\n".join(batch) + "\n")
    out.flush()


def _interactive() -> bool:
    from rich.console import Console

    from ..render.pages import interactive

    return interactive(Console())


def _show_frames(problem, events, parts, capped: bool, stepping, delay, export) -> None:
    """The rich view, printed, stepped through (--step) or animated (--delay), and saved (--export)."""
    from rich.console import Console

    from ..render.pages import show_pages

    console = Console(highlight=False)
    exporter = None
    if export:
        from ..render.export import Exporter

        exporter = Exporter(export, console.width, title=problem.title or "convtrace grad", narrow="--only or --limit")
    show_pages(_pages(problem, events, parts, capped), console, stepping=stepping, delay=delay, exporter=exporter)


def _pages(problem, events, parts, capped: bool):
    """Header, then per gradient its preparation, cells (the frames) and result, then what each gradient is."""
    from rich.rule import Rule

    from ..render.grad import NAMES, ExplanationFrame, GradHeader, GradView, SkippedNote
    from ..render.pages import Page

    yield Page((GradHeader(problem, problem.grad_output is not None),), "backward pass")
    view = GradView(problem)
    cells = {"bias": problem.kernel_shape[0]}  # one dL/dbias cell per kernel; the others say in their preparation
    for event in events:
        if isinstance(event, Skipped):
            yield Page((SkippedNote(event.grad, event.count, FRAME_CAP if capped else None),),
                       f"{NAMES[event.grad]}: cells not drawn")
            continue
        name = NAMES[event.grad]
        if event.event == "prepare":
            cells[event.grad] = event.cells
            yield Page((view.frame(event),), f"{name}: preparation")
        elif event.event == "cell":
            yield Page((view.frame(event),), f"{name} step {event.step + 1} of {cells[event.grad]}", frame=True)
        else:
            yield Page((view.frame(event),), f"{name}: result")
    rule = Rule("What each gradient is")
    if not parts:
        yield Page((rule,), "the end", last=True)
    for i, part in enumerate(parts):
        first, last = i == 0, i == len(parts) - 1
        yield Page(((rule,) if first else ()) + (ExplanationFrame(part),),
                   f"what {NAMES[part.grad]} is" + (", the end" if last else ""), last=last)
