"""`convtrace lesson`: list, show and run the numbered lessons (with a quiz), or a teacher's own folder.

    lesson_show.py    list, show, path: reading the lessons
    lesson_run.py     run: the parts and the trace, played in a terminal or printed
    lesson_quiz.py    run --quiz: the predictions asked for and graded
    lesson_verify.py  verify: the numbers a lesson states and the commands it shows
"""

from __future__ import annotations

import click

from .lesson_options import CONTEXT
from .lesson_run import run
from .lesson_show import list_lessons, path, show
from .lesson_verify import verify


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


for command in (list_lessons, show, path, run, verify):
    lesson.add_command(command)
