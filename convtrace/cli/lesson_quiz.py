"""`convtrace lesson run --quiz`: ask for (or take from the options) the predictions, then grade them."""

from __future__ import annotations

import click


def ask_quiz(console, item, problem, answer_shape, answer_value, interactive) -> None:
    """Ask (or take from the options) the shape and one value, then say right or wrong, and why."""
    from ..teach.quiz import default_cell, grade_shape, grade_value, output_axes, parse_cell, parse_shape, parse_value
    from ..render.views.lesson import VerdictView

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


def ask_quiz_grad(console, item, problem, answer_grad, interactive) -> None:
    """The backward-pass question the front matter names (quiz_grad), graded from the engine's gradients."""
    from ..teach.quiz import parse_value
    from ..teach.quiz_grad import grade_grad, parse_grad_cell
    from ..render.views.lesson import VerdictView

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
