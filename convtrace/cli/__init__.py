"""The `convtrace` command: a thin Click group whose commands load lazily.

Each command lives in its own module and is imported only when it runs, so
`convtrace --help` starts fast (numpy and Rich are imported by the commands
that need them). Library errors become one-line messages with exit codes:
1 for bad data, 2 for bad usage, 130 for Ctrl-C.
"""

from __future__ import annotations

import importlib
import importlib.util
import os
import sys

import click

from .. import __version__

# command name -> "module:function", imported on first use
COMMANDS = {
    "run": "convtrace.cli.run:run",
    "grad": "convtrace.cli.grad:grad",
    "explain": "convtrace.cli.explain:explain",
    "compare": "convtrace.cli.compare:compare",
    "check": "convtrace.cli.check:check",
    "lesson": "convtrace.cli.lesson:lesson",
    "bench": "convtrace.cli.bench:bench",
}


class ConvtraceGroup(click.Group):
    """A Click group that imports commands on demand and turns errors into clean exits."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return [name for name in COMMANDS if importlib.util.find_spec(COMMANDS[name].split(":")[0])]

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        if name not in COMMANDS:
            return None
        module, attr = COMMANDS[name].split(":")
        if importlib.util.find_spec(module) is None:
            return None
        return getattr(importlib.import_module(module), attr)

    def invoke(self, ctx: click.Context):
        from ..errors import ConvtraceError

        try:
            return super().invoke(ctx)
        except ConvtraceError as err:
            failure = click.ClickException(str(err))
            failure.exit_code = err.exit_code
            raise failure from None
        except KeyboardInterrupt:
            click.echo("Interrupted.", err=True)
            raise click.exceptions.Exit(130) from None
        except BrokenPipeError:
            # the reader (e.g. `head`) went away: stop quietly, and keep Python's
            # final flush from complaining about the closed pipe
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, sys.stdout.fileno())
            raise click.exceptions.Exit(0) from None


CONTEXT = {"help_option_names": ["-h", "--help"], "max_content_width": 100}


@click.group(cls=ConvtraceGroup, context_settings=CONTEXT)
@click.version_option(__version__, "--version", prog_name="convtrace")
def cli() -> None:
    """Trace 2-D convolution one window at a time: every patch, kernel slice and partial sum.

    \b
    Examples:
      convtrace run                    the built-in example, step by step
      convtrace run input.json --json  the whole output as JSON
    """


def main() -> None:
    """Console-script entry point."""
    cli(prog_name="convtrace")
