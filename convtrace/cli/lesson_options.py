"""The options every `convtrace lesson` subcommand shares: which lesson (N) and from which folder (--dir)."""

from __future__ import annotations

import click

CONTEXT = {"help_option_names": ["-h", "--help"]}

dir_option = click.option(
    "--dir", "folder", envvar="CONVTRACE_LESSONS", default=None, metavar="FOLDER",
    help="Read lessons from FOLDER (same format as the shipped ones) instead; also $CONVTRACE_LESSONS.",
)
lesson_argument = click.argument("lesson_key", metavar="N")
