"""`convtrace lesson list`, `show` and `path`: reading the lessons (nothing is traced here)."""

from __future__ import annotations

import sys

import click

from .exporting import save, view_export_option
from .lesson_options import CONTEXT, dir_option, lesson_argument


@click.command("list", context_settings=CONTEXT)
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


@click.command(context_settings=CONTEXT)
@lesson_argument
@dir_option
@view_export_option
@click.option("--answers", is_flag=True, help="Print the answer sections too (folded away by default).")
def show(lesson_key, folder, answers, export) -> None:
    """Read lesson N (rendered markdown); its answers stay folded unless --answers."""
    from rich.console import Console

    from ..teach.lessons import get_lesson
    from ..render.views.lesson import FoldedAnswer, LessonHeader, lesson_markdown

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


@click.command(context_settings=CONTEXT)
@lesson_argument
@dir_option
def path(lesson_key, folder) -> None:
    """Print lesson N's folder (its input documents are there): cd "$(convtrace lesson path 1)"."""
    from ..teach.lessons import get_lesson

    click.echo(str(get_lesson(lesson_key, folder).folder))
