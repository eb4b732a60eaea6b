"""The `convtrace` command: a thin Click group whose commands load lazily.

Each command lives in its own module and is imported only when it runs, so
`convtrace --help` starts fast (numpy and Rich are imported by the commands
that need them). Library errors become one-line messages with exit codes:
1 for bad data, 2 for bad usage, 130 for Ctrl-C; a closed pipe (`| head`)
ends quietly. Anything unexpected is reported in one line as an internal
error (exit 70); CONVTRACE_DEBUG=1 lets its traceback through.
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
    "emit": "convtrace.cli.emit:emit",
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

        stdout_before = _stdout_identity()
        try:
            return super().invoke(ctx)
        except SystemExit as stop:
            # Rich handles a closed pipe itself: it points stdout at /dev/null and exits 1.
            # That is the same quiet `| head` ending as below, so give it the same code.
            if stop.code == 1 and stdout_before != _stdout_identity() == _devnull_identity():
                raise click.exceptions.Exit(0) from None
            raise
        except ConvtraceError as err:
            raise _failure(str(err), err.exit_code) from None
        except KeyboardInterrupt:
            # Rich's Live has already stopped (its context manager ran on the way out);
            # still show the cursor in case anything hid it, then say why we stopped.
            _show_cursor()
            click.echo("Interrupted.", err=True)
            raise click.exceptions.Exit(130) from None
        except BrokenPipeError:
            # the reader (e.g. `head`) went away: stop quietly
            _silence_stdout()
            raise click.exceptions.Exit(0) from None
        except (click.exceptions.ClickException, click.exceptions.Exit, click.exceptions.Abort):
            raise
        except MemoryError:
            raise _failure(
                "ran out of memory; use smaller inputs, or a lower --max-elements to be stopped earlier", 1
            ) from None
        except Exception as err:
            if os.environ.get("CONVTRACE_DEBUG"):
                raise
            raise _failure(
                f"internal error ({type(err).__name__}: {_first_line(err)}). This is a bug in convtrace, "
                f"not in your input: please report it with the command and input file "
                f"(CONVTRACE_DEBUG=1 shows the traceback)",
                INTERNAL_ERROR,
            ) from None


INTERNAL_ERROR = 70  # EX_SOFTWARE: distinct from 1 (bad data) and 2 (bad usage)


def _failure(message: str, exit_code: int) -> click.ClickException:
    """A ClickException that prints 'Error: message' on stderr and exits with `exit_code`."""
    failure = click.ClickException(message)
    failure.exit_code = exit_code
    return failure


def _first_line(err: Exception) -> str:
    text = str(err).strip().splitlines()
    return text[0][:120] if text else "no message"


def _show_cursor() -> None:
    """Make the terminal cursor visible again (only when stdout is a terminal: no escape codes in pipes)."""
    try:
        if sys.stdout.isatty():
            sys.stdout.write("\x1b[?25h")
            sys.stdout.flush()
    except (OSError, ValueError):
        pass


def _stdout_identity():
    """Which file stdout's descriptor points at, or None when it has no descriptor."""
    try:
        info = os.fstat(sys.stdout.fileno())
    except (OSError, ValueError, AttributeError):
        return None
    return info.st_dev, info.st_ino, info.st_rdev


def _devnull_identity():
    info = os.stat(os.devnull)
    return info.st_dev, info.st_ino, info.st_rdev


def _silence_stdout() -> None:
    """Point stdout at /dev/null so Python's final flush does not complain about the closed pipe."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):  # no real file descriptor (e.g. an in-process test runner)
        pass


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
    try:
        cli(prog_name="convtrace")
    finally:
        # output still buffered when the command ended can meet a closed pipe here
        try:
            sys.stdout.flush()
        except BrokenPipeError:
            _silence_stdout()
