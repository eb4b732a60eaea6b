"""`convtrace lesson`: list, show and run the numbered lessons (with a quiz), or a teacher's own folder."""

from __future__ import annotations

import os
import sys

import click

from .exporting import ExportPath, save, view_export_option

CONTEXT = {"help_option_names": ["-h", "--help"]}

dir_option = click.option(
    "--dir", "folder", envvar="CONVTRACE_LESSONS", default=None, metavar="FOLDER",
    help="Read lessons from FOLDER (same format as the shipped ones) instead; also $CONVTRACE_LESSONS.",
)
lesson_argument = click.argument("lesson_key", metavar="N")


@click.group(context_settings=CONTEXT)
def lesson() -> None:
    """Numbered lessons, from one channel to backprop: read them, run them, take the quiz.

    \b
    Examples:
      convtrace lesson list                      number, title, one line each
      convtrace lesson show 1                    read lesson 1
      convtrace lesson run 1                     narration and trace, pausing between parts
      convtrace lesson run 8 --quiz              predict the shape and a value first
      convtrace lesson run 8 --answer-shape 1,1,3,5 --answer-value 45
      convtrace lesson run 1 --dir my-lessons    a teacher's own lessons
      convtrace lesson verify --dir my-lessons   check their stated numbers and commands
    """


@lesson.command("list", context_settings=CONTEXT)
@dir_option
def list_lessons(folder) -> None:
    """One lesson a line: number, title, what it is about."""
    from ..teach.lessons import find_lessons

    import shutil
    import textwrap

    # one lesson a line for scripts; on a terminal, long lines wrap between words, indented
    width = shutil.get_terminal_size().columns if sys.stdout.isatty() else None
    for item in find_lessons(folder):
        line = f"{item.number:<2}  {item.title}: {item.summary}"
        if width and len(line) > width:
            line = "\n".join(textwrap.wrap(line, width - 1, subsequent_indent=" " * 4, break_on_hyphens=False))
        click.echo(line)


@lesson.command(context_settings=CONTEXT)
@lesson_argument
@dir_option
@view_export_option
@click.option("--answers", is_flag=True, help="Print the answer sections too (folded away by default).")
def show(lesson_key, folder, answers, export) -> None:
    """Read lesson N (rendered markdown); its answers stay folded unless --answers."""
    from rich.console import Console

    from ..teach.lessons import get_lesson
    from ..render.lesson import FoldedAnswer, LessonHeader, lesson_markdown

    item = get_lesson(lesson_key, folder)
    console = Console()
    parts = [LessonHeader(item)]
    if answers or not any(section.kind == "answer" for section in item.sections):
        parts.append(lesson_markdown(item.markdown))
    else:
        for section in item.sections:  # the answer is not printed right under the question
            parts.append(FoldedAnswer(item.number, section.heading) if section.kind == "answer"
                         else lesson_markdown(section.markdown))
    save(parts, export, f"Lesson {item.number}: {item.title}")  # first: a reader going away cannot stop the file
    for part in parts:
        console.print(part)


@lesson.command(context_settings=CONTEXT)
@lesson_argument
@dir_option
def path(lesson_key, folder) -> None:
    """Print lesson N's folder (its input documents are there): cd "$(convtrace lesson path 1)"."""
    from ..teach.lessons import get_lesson

    click.echo(str(get_lesson(lesson_key, folder).folder))


@lesson.command(context_settings=CONTEXT)
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

    from ..teach.lessons import get_lesson, parse_trace_setting
    from ..render.lesson import LessonHeader, TraceIntro, lesson_markdown, play_trace

    from ..teach.quiz import parse_shape, parse_value

    # check scripted answers before anything is printed, so a typo is one clean error
    for given, parse in ((answer_shape, parse_shape), (answer_value, parse_value), (answer_grad, parse_value)):
        if given is not None:
            parse(given)
    item = get_lesson(lesson_key, folder)
    from .options import parse_request

    problem = item.load_problem(parse_request) if item.has_input else None
    if export:
        _export_trace(item, problem, limit, export)
    quiz = quiz or answer_shape is not None or answer_value is not None or answer_grad is not None
    interactive = sys.stdin.isatty() and sys.stdout.isatty()
    console = Console()
    plain = problem is None or problem.is_plain_conv2d  # the player draws plain 2-D convolution's frames
    if interactive and not no_pause and not quiz and plain:  # the classroom player: one part per screen
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
                _quiz(console, item, problem, answer_shape, answer_value, interactive)
                if item.settings.get("quiz_grad"):
                    _quiz_grad(console, item, problem, answer_grad, interactive)
            else:
                chosen = parse_trace_setting(item.settings.get("trace"), problem.steps)
                chosen = set(chosen[:limit] if limit is not None else chosen)
                console.print(TraceIntro(problem, len(chosen)))
                from ..engine.naive import trace
                from ..engine.tracecheck import agreement

                if not plain:
                    _play_layer_trace(problem, chosen, console)
                    continue
                play_trace(problem, trace(problem), chosen, console,
                           lambda collected, problem=problem: agreement(problem, collected))


def _on_screen(item, problem, limit, console) -> None:
    """`lesson run` in a terminal: the parts and the trace as pages on the alternate screen (single keys)."""
    from ..engine.naive import trace
    from ..engine.tracecheck import agreement
    from ..render.lesson import lesson_pages
    from ..render.pages import step_pages
    from ..teach.lessons import parse_trace_setting

    chosen, steps, finish = None, None, None
    if problem is not None:
        picked = parse_trace_setting(item.settings.get("trace"), problem.steps)
        chosen = set(picked[:limit] if limit is not None else picked)
        steps = trace(problem)
        finish = lambda collected: agreement(problem, collected)  # noqa: E731
    parts = plan_parts(item, False, problem is not None)
    step_pages(lesson_pages(item, problem, parts, chosen, steps, finish, console), console)


def _export_trace(item, problem, limit, export) -> None:
    """`lesson run N --export FILE.html`: the steps the lesson traces, as the page player."""
    from ..engine.naive import trace
    from ..errors import UsageError
    from ..teach.lessons import parse_trace_setting
    from .page import TracePageExport

    if problem is None:
        raise UsageError(f"--export: lesson {item.number} has no input document, so there is no trace to save")
    if not problem.is_plain_conv2d:
        raise UsageError(f"--export: lesson {item.number} traces a layer the page player does not draw; save its "
                         f"frames with `convtrace run FILE --export frames.html` in `convtrace lesson path {item.number}`")
    chosen = parse_trace_setting(item.settings.get("trace"), problem.steps)
    chosen = set(chosen[:limit] if limit is not None else chosen)
    page = TracePageExport(export, problem, lambda step: step.step in chosen, len(chosen))
    page.recorder.record_from(trace(problem))
    page.write()


def _play_layer_trace(problem, chosen: set[int], console) -> None:
    """Groups, transposed convolution, pooling: the layer's step view, drawing only the chosen steps."""
    from ..engine.dispatch import layer_output, trace_layer
    from ..render.layer_frames import layer_pages
    from ..render.pages import print_pages

    steps = (step for step in trace_layer(problem) if step.step in chosen)
    print_pages(layer_pages(problem, steps, layer_output(problem), None), console, crop=False)


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
    from ..render.terminal import single_key

    console.print("[dim]Space/Enter: next part, q: quit[/dim]", end="")
    key = single_key()
    console.print()  # the next part starts on a line of its own
    return key not in ("q", "Q", "eof")


def _quiz(console, item, problem, answer_shape, answer_value, interactive) -> None:
    """Ask (or take from the options) the shape and one value, then say right or wrong, and why."""
    from ..teach.quiz import default_cell, grade_shape, grade_value, output_axes, parse_cell, parse_shape, parse_value
    from ..render.lesson import VerdictView

    cell_spec = item.settings.get("quiz")
    cell = parse_cell(cell_spec, problem) if cell_spec else default_cell(problem)
    label = f"out[{','.join(map(str, cell))}]"
    names = ", ".join(output_axes(problem))
    console.print("[bold]Quiz[/bold]: predict before you look.")
    shape = answer_shape if answer_shape is not None else _ask(f"The output shape ({names})", parse_shape, interactive)
    value = answer_value if answer_value is not None else _ask(f"The value of {label}", parse_value, interactive)
    for given, grade in ((shape, lambda text: grade_shape(problem, text)), (value, lambda text: grade_value(problem, cell, text))):
        if given is None:
            console.print("No answer given; the answer follows.")
            continue
        console.print(VerdictView(grade(given)))
    console.print()


def _quiz_grad(console, item, problem, answer_grad, interactive) -> None:
    """The backward-pass question the front matter names (quiz_grad), graded from the engine's gradients."""
    from ..teach.quiz import parse_value
    from ..teach.quiz_grad import grade_grad, parse_grad_cell
    from ..render.lesson import VerdictView

    cell = parse_grad_cell(item.settings["quiz_grad"], problem)
    given = answer_grad if answer_grad is not None else _ask(f"The value of {cell.prompt}", parse_value, interactive)
    if given is None:
        console.print("No answer given; the answer follows.")
    else:
        console.print(VerdictView(grade_grad(problem, cell, given)))
    console.print()


def _ask(question: str, parse, interactive: bool) -> str | None:
    """click.prompt that re-asks until `parse` accepts the text; None when piped input ends."""
    from ..errors import UsageError

    def check(text: str) -> str:
        try:
            parse(text)
        except UsageError as err:
            raise click.BadParameter(str(err)) from None
        return text

    try:
        return click.prompt(question, value_proc=check)
    except click.Abort:
        if interactive:  # Ctrl-C (or Ctrl-D) at the keyboard: stop, as everywhere else (exit 130)
            raise KeyboardInterrupt from None
        click.echo()
        return None


@lesson.command(context_settings=CONTEXT)
@click.argument("lesson_key", metavar="[N]", required=False)
@dir_option
@click.option("--no-commands", is_flag=True, help="Check the numbers only; do not run the lessons' commands.")
def verify(lesson_key, folder, no_commands) -> None:
    """Check that every number a lesson states equals the engine's, and that its commands run.

    Exits 1 when anything disagrees. Teachers: run it on your own --dir.
    """
    from ..teach.facts import check_lesson
    from ..teach.lessons import find_lessons, get_lesson
    from .options import parse_request

    items = [get_lesson(lesson_key, folder)] if lesson_key else find_lessons(folder)
    failed = 0
    for item in items:
        problems = [str(f) for f in check_lesson(item, parse_request)]
        if not no_commands:
            problems += run_shown_commands(item)
        failed += bool(problems)
        status = "ok" if not problems else f"{len(problems)} problem{'s' * (len(problems) != 1)}"
        click.echo(f"lesson {item.number}: {status}")
        for problem in problems:
            click.echo(f"  {problem}")
    if failed:
        raise click.exceptions.Exit(1)


def run_shown_commands(item) -> list[str]:
    """Run each `convtrace ...` command the lesson shows, from its folder; the output it shows must appear."""
    import re

    from click.testing import CliRunner

    from . import cli

    problems = []
    here = os.getcwd()
    try:
        os.chdir(item.folder)
        for command in item.commands():
            result = CliRunner().invoke(cli, list(command.args), env={"COLUMNS": "100", "NO_COLOR": "1"})
            output = " ".join(result.output.split())
            expects_error = any(line.startswith("Error:") for line in command.shown_output)
            if (result.exit_code != 0) != expects_error:
                last = (result.output.strip().splitlines() or [""])[-1]
                problems.append(f"`{command.line}` exited {result.exit_code}: {last}")
                continue
            for line in command.shown_output:
                if line != "..." and " ".join(line.split()) not in output:
                    problems.append(f"`{command.line}` did not print {line!r}")
                    break
            if re.search(r"Traceback", result.output):
                problems.append(f"`{command.line}` printed a traceback")
    finally:
        os.chdir(here)
    return problems
