"""`convtrace lesson run`: the lesson's parts with the trace of its input, played or printed.

    a terminal (no --quiz, no --no-pause)  the classroom player: one part per screen, the trace's
                                           frames as screens of their own (2-D and every other layer),
                                           each fitted to the screen as `run --step` fits it (a 2-D
                                           frame: `c` the next channel, `i` the next image)
    otherwise                              the parts printed in order, pausing for a key between
                                           them in a terminal, never when piped
"""

from __future__ import annotations

import sys

import click

from .exporting import ExportPath
from .lesson_options import CONTEXT, dir_option, lesson_argument


@click.command(context_settings=CONTEXT)
@lesson_argument
@dir_option
@click.option("--quiz", is_flag=True, help="Predict the output shape and one value (and a gradient, where the lesson asks one) "
                   "before the answer is shown.")
@click.option("--answer-shape", default=None, metavar="SHAPE",
              help="The shape prediction for scripted use, e.g. 1,1,3,3 (implies --quiz).")
@click.option("--answer-value", default=None, metavar="VALUE",
              help="The value prediction for scripted use, e.g. 12 (implies --quiz).")
@click.option("--answer-grad", default=None, metavar="VALUE",
              help="The gradient prediction for scripted use, for lessons whose quiz asks one (implies --quiz).")
@click.option("--limit", type=click.IntRange(min=0), default=None, metavar="N",
              help="Show at most N window positions of the trace.")
@click.option("--no-pause", is_flag=True, help="Print every part at once (never waits when piped).")
@click.option("--export", "export", type=ExportPath((".html", ".htm")), default=None, metavar="FILE.html",
              help="Also save the lesson's trace as an interactive page (FILE.html) to step through in a browser.")
def run(lesson_key, folder, quiz, answer_shape, answer_value, answer_grad, limit, no_pause, export) -> None:
    """Run lesson N: its narration, interleaved with the trace of its input.

    In a terminal it shows one part per screen on the alternate screen (single keys:
    Space next, b back, q quits; with --quiz it prints and waits for a key between
    parts); piped, it never waits.
    """
    from rich.console import Console

    from ..engine.naive import trace
    from ..engine.tracecheck import agreement
    from ..render.views.lesson import LessonHeader, TraceIntro, lesson_markdown, play_trace
    from ..render.play.pages import print_pages
    from ..teach.lessons import get_lesson
    from ..teach.quiz import parse_shape, parse_value
    from .lesson_quiz import ask_quiz, ask_quiz_grad
    from .options import parse_request

    # check scripted answers before anything is printed, so a typo is one clean error
    for given, parse in ((answer_shape, parse_shape), (answer_value, parse_value), (answer_grad, parse_value)):
        if given is not None:
            parse(given)
    item = get_lesson(lesson_key, folder)
    problem = item.load_problem(parse_request) if item.has_input else None
    if export:
        _export_trace(item, problem, limit, export)
    quiz = quiz or answer_shape is not None or answer_value is not None or answer_grad is not None
    interactive = sys.stdin.isatty() and sys.stdout.isatty()
    console = Console()
    if interactive and not no_pause and not quiz:  # the classroom player: one part per screen, any layer
        _on_screen(item, problem, limit, console)
        return
    console.print(LessonHeader(item))
    for number, part in enumerate(plan_parts(item, quiz and problem is not None, problem is not None)):
        if number and interactive and not no_pause and not _pause(console):
            break
        for kind, section in part:
            if kind == "text":
                console.print(lesson_markdown(section.markdown))
                console.print()
            elif kind == "quiz":
                ask_quiz(console, item, problem, answer_shape, answer_value, interactive)
                if item.settings.get("quiz_grad"):
                    ask_quiz_grad(console, item, problem, answer_grad, interactive)
            else:
                chosen = chosen_steps(item, problem, limit)
                console.print(TraceIntro(problem, len(chosen)))
                if problem.is_plain_conv2d:
                    play_trace(problem, trace(problem), chosen, console,
                               lambda collected, problem=problem: agreement(problem, collected))
                else:  # groups, transposed convolution, pooling, 1-D, 3-D: the layer's own frames
                    print_pages(layer_trace_pages(problem, chosen), console, crop=False)


def chosen_steps(item, problem, limit: int | None) -> set[int]:
    """The step numbers the lesson's trace draws: its `trace` setting, the first `limit` of them."""
    from ..teach.lessons import parse_trace_setting

    picked = parse_trace_setting(item.settings.get("trace"), problem.steps)
    return set(picked[:limit] if limit is not None else picked)


def _on_screen(item, problem, limit, console) -> None:
    """`lesson run` in a terminal: the parts and the trace as pages on the alternate screen (single keys)."""
    from ..render.views.lesson import TraceIntro, lesson_pages
    from ..render.play.pages import step_pages

    intro = trace_pages = None
    if problem is not None:
        chosen = chosen_steps(item, problem, limit)
        intro = TraceIntro(problem, len(chosen))
        if problem.is_plain_conv2d:
            trace_pages = lambda: conv2d_trace_pages(problem, chosen, console)  # noqa: E731
        else:
            trace_pages = lambda: layer_trace_pages(problem, chosen)  # noqa: E731
    parts = plan_parts(item, False, problem is not None)
    step_pages(lesson_pages(item, parts, intro, trace_pages), console)


def conv2d_trace_pages(problem, chosen: set[int], console):
    """Plain 2-D convolution: `run`'s pages (summary, the chosen frames, the feature maps and agreement line).

    Each frame page carries its fitted form (render/play/fit.py, as `run --step` draws it) and its
    place, so the player's `c` and `i` keys reach every channel and image of the frames drawn.
    """
    from ..engine.naive import trace
    from ..engine.tracecheck import agreement
    from ..render.play.player import Player

    return Player(problem, trace(problem), console, chosen=lambda step: step.step in chosen, limit=len(chosen),
                  finish=lambda collected: agreement(problem, collected)).pages()


def layer_trace_pages(problem, chosen: set[int]):
    """Groups, transposed convolution, pooling, 1-D, 3-D: the layer's summary, chosen frames and output."""
    from ..engine.dispatch import layer_output, trace_layer
    from ..render.frames.layer_frames import layer_pages

    steps = (step for step in trace_layer(problem) if step.step in chosen)
    return layer_pages(problem, steps, layer_output(problem), None)


def _export_trace(item, problem, limit, export) -> None:
    """`lesson run N --export FILE.html`: the steps the lesson traces, as the page player."""
    from ..errors import UsageError
    from .page import LayerPageExport, TracePageExport

    if problem is None:
        raise UsageError(f"--export: lesson {item.number} has no input document, so there is no trace to save")
    chosen = chosen_steps(item, problem, limit)
    if problem.is_plain_conv2d:
        from ..engine.naive import trace

        page = TracePageExport(export, problem, lambda step: step.step in chosen, len(chosen))
        page.recorder.record_from(trace(problem))
    else:  # groups, transposed convolution, pooling, 1-D, 3-D: the same player, from the layer's own loop
        from ..engine.dispatch import trace_layer

        page = LayerPageExport(export, problem, lambda step: step.step in chosen, len(chosen))
        page.recorder.record_from(trace_layer(problem))
    page.write()


def plan_parts(item, with_quiz: bool, with_trace: bool) -> list[list[tuple[str, object]]]:
    """The lesson cut into parts: each section, the quiz after 'Predict', the trace after 'What to look at'.

    Without a 'What to look at' section the trace comes just before the 'Answer'
    (or at the end); without a 'Predict' section the quiz comes before the trace.
    """
    parts: list[list[tuple[str, object]]] = [[("text", s)] for s in item.sections]
    kinds = [s.kind for s in item.sections]
    if len(parts) > 1 and kinds[0] == "intro":  # the title goes with the first part, not alone
        parts[1:2] = [parts[0] + parts[1]]
        del parts[0]
        kinds = kinds[1:]
    if with_trace:
        if "trace" in kinds:
            parts[kinds.index("trace")].append(("trace", None))
        else:
            at = kinds.index("answer") if "answer" in kinds else len(parts)
            parts.insert(at, [("trace", None)])
            kinds.insert(at, "the trace alone")
    if with_quiz:
        if "predict" in kinds:
            parts[kinds.index("predict")].append(("quiz", None))
        else:
            at = next(i for i, part in enumerate(parts) if any(kind == "trace" for kind, _ in part))
            parts[at].insert(0, ("quiz", None))
    return parts


def _pause(console) -> bool:
    """Wait for one key (no Enter needed); False when it is q (or input ends)."""
    from ..render.play.terminal import single_key

    console.print("[dim]Space/Enter: next part, q: quit[/dim]", end="")
    key = single_key()
    console.print()  # the next part starts on a line of its own
    return key not in ("q", "Q", "eof")
