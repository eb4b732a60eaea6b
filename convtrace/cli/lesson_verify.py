"""`convtrace lesson verify`: every number a lesson states against the engine, every command it shows run."""

from __future__ import annotations

import os

import click

from .lesson_options import CONTEXT, dir_option


@click.command(context_settings=CONTEXT)
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
