"""`convtrace run --method scatter`: a transposed convolution as stamps, one input value at a time.

The events come from engine/naive_scatter.py, the frames from
render/frames/scatter_frames.py (fitted by render/play/scatter_fit.py), the records from
render/output/scatter_records.py.
"""

from __future__ import annotations

import json
from itertools import islice

from ..errors import UsageError
from .lines_out import write_lines


def check_scatter(problem, as_json: bool, export) -> None:
    """The combinations the scatter view cannot show: a usage error (exit 2) that says what to do instead."""
    if as_json:
        raise UsageError("--method scatter traces one stamp per input value; --json prints only the result, which "
                         "is the same whichever way it is computed: drop --method scatter, or use --format jsonl "
                         "for one record per stamp")
    if problem.layer != "conv_transpose":
        layer = "2-D convolution" if problem.is_plain_conv2d else f"{problem.layer} layer"
        raise UsageError(f"--method scatter shows a transposed convolution (\"transposed\": true in the document) "
                         f"as stamps; this is a {layer}: use --method loop")
    if export and export.lower().endswith(".png"):
        raise UsageError("--export FILE.png draws feature maps, which `convtrace run` without --method scatter "
                         "saves; export the scatter view to .html, .svg, .txt or a folder")


def run_scatter(source, fmt: str, limit, at, stepping, delay, export, as_json: bool) -> None:
    """`run --method scatter --format rich|plain|jsonl`: one event per input value, in C order of the input."""
    from ..engine.naive_scatter import ScatterLoop, gather_difference

    problem = source.load()
    check_scatter(problem, as_json, export)
    chosen = None
    if at:
        from ..render.play.layer_select import ScatterSelection

        chosen = ScatterSelection(list(at), problem, option="--at")
    loop = ScatterLoop(problem, chosen)
    steps = iter(loop) if limit is None else islice(loop, limit)
    if fmt == "rich":
        def finish():
            output = loop.finish()
            return output, gather_difference(problem, output)

        _frames(problem, steps, loop.total, limit, stepping, delay, export, finish)
        return
    from ..render.output.scatter_records import scatter_plain_line, scatter_record

    dumps = json.JSONEncoder(separators=(", ", ": ")).encode
    to_line = (lambda step: dumps(scatter_record(step))) if fmt == "jsonl" else scatter_plain_line
    write_lines(map(to_line, steps))


def _frames(problem, steps, total: int, limit, stepping, delay, export, finish) -> None:
    """The step view: the scatter rule, a frame per stamp (capped), the output; --export FILE.html plays the
    frames as text (render/output/page/textframes.py)."""
    from ..render.play.pages import interactive, show_pages
    from ..render.frames.scatter_frames import scatter_pages
    from .consoles import command_console

    console = command_console(export)  # with an export, a reader going away (| head) does not stop the file
    exporter = None
    if export:
        from ..render.output.export import Exporter

        exporter = Exporter(export, console.width, title=problem.title or "convtrace run --method scatter")
    cap = None if (stepping and interactive(console)) or limit is not None else 100
    pages = scatter_pages(problem, steps, total, cap, finish)
    show_pages(pages, console, stepping=stepping, delay=delay, exporter=exporter, crop=False)
