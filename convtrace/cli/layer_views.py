"""`run` and `grad` for every layer but plain 2-D convolution: groups, 1-D, 3-D, transposed, pooling.

The commands hand such problems here; the events come from engine/dispatch.py,
the records from render/output/layer_records.py and the frames from
render/frames/layer_frames.py.
"""

from __future__ import annotations

import json
from itertools import islice

import click

from ..errors import UsageError
from .lines_out import write_lines


def run_json(problem) -> None:
    """`run --json`: the vectorized output with the geometry."""
    from ..engine.dispatch import layer_output
    from ..render.output.layer_records import layer_result_record

    click.echo(json.dumps(layer_result_record(problem, layer_output(problem))))


def grad_json(problem) -> None:
    """`grad --json`: the output and the gradients the layer has."""
    from ..engine.dispatch import layer_gradients
    from ..render.output.layer_records import layer_grad_record

    click.echo(json.dumps(layer_grad_record(problem, layer_gradients(problem))))


def selection(specs, problem):
    """--at n=0,k=1 / row=2 / depth=0..1 -> a predicate on steps (None when no --at)."""
    if not specs:
        return None
    from ..render.play.layer_select import LayerSelection

    return LayerSelection(list(specs), problem, option="--at")


def run_steps(problem, fmt: str, limit, at, stepping, delay, export) -> None:
    """`run --format rich|plain|jsonl` for a layer: one event per output value, in C order."""
    from ..engine.dispatch import trace_layer

    steps = trace_layer(problem)
    chosen = selection(at, problem)
    if fmt == "rich":
        _frames(problem, steps, chosen, limit, stepping, delay, export)
        return
    if chosen is not None:
        steps = filter(chosen, steps)
    if limit is not None:
        steps = islice(steps, limit)
    from ..render.output.layer_records import layer_plain_line, layer_step_record

    dumps = json.JSONEncoder(separators=(", ", ": ")).encode
    to_line = (lambda step: dumps(layer_step_record(step))) if fmt == "jsonl" else layer_plain_line
    write_lines(map(to_line, steps))


def _frames(problem, steps, chosen, limit, stepping, delay, export) -> None:
    """The step view: the layer's summary, a frame per output value (capped), the output."""
    from ..engine.dispatch import layer_output
    from ..render.frames.layer_frames import layer_pages
    from ..render.play.pages import interactive, show_pages
    from .consoles import command_console

    console = command_console(export)  # with an export, a reader going away (| head) does not stop the file
    exporter = page = None
    if export:
        from ..render.output.export import Exporter, is_page

        if is_page(export):  # the HTML player is built from the steps themselves, as they pass
            from .page import LayerPageExport

            page = LayerPageExport(export, problem, chosen, limit)
            steps = page.watch(steps)
        else:
            exporter = Exporter(export, console.width, title=problem.title or "convtrace run")
    cap = None if (stepping and interactive(console)) or limit is not None else 100
    if chosen is not None:
        steps = filter(chosen, steps)
    if limit is not None:
        steps = islice(steps, limit)
    pages = layer_pages(problem, steps, layer_output(problem), cap)
    show_pages(pages, console, stepping=stepping, delay=delay, exporter=exporter, crop=False)
    if page is not None:
        page.write()


def grad_steps(problem, fmt: str, only, limit, stepping, delay, export) -> None:
    """`grad --format rich|plain|jsonl` for a layer: where each output value's gradient goes, in C order."""
    from ..engine.naive_backward import trace_backward

    if only == "kernels" and problem.kernels is None:
        raise UsageError("--only kernels: pooling has no kernels, so there is no dL/dkernels; choose images")
    steps = trace_backward(problem)
    if fmt == "rich":
        from ..engine.dispatch import layer_gradients
        from ..render.frames.layer_back_frames import back_pages
        from ..render.play.pages import interactive, show_pages
        from .consoles import command_console

        console = command_console(export)  # with an export, a reader going away does not stop the file
        exporter = None
        if export:
            from ..render.output.export import Exporter

            exporter = Exporter(export, console.width, title=problem.title or "convtrace grad")
        cap = None if (stepping and interactive(console)) or limit is not None else 30
        if limit is not None:
            steps = islice(steps, limit)
        pages = back_pages(problem, steps, layer_gradients(problem), cap, only)
        show_pages(pages, console, stepping=stepping, delay=delay, exporter=exporter, crop=False)
        return
    from ..render.output.layer_records import back_plain_line, back_record

    if limit is not None:
        steps = islice(steps, limit)
    dumps = json.JSONEncoder(separators=(", ", ": ")).encode
    to_line = (lambda s: dumps(back_record(s, only))) if fmt == "jsonl" else (lambda s: back_plain_line(s, only))
    write_lines(map(to_line, steps))
