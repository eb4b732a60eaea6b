"""The `convtrace` command: a thin Click group whose commands load lazily.

Each command lives in its own module and is imported only when it runs, so
`convtrace --help` starts fast (numpy and Rich are imported by the commands
that need them). Library errors become one-line messages with exit codes:
1 for bad data, 2 for bad usage, 130 for Ctrl-C; a closed pipe (`| head`)
ends quietly. Anything unexpected is reported in one line as an internal
error (exit 70); CONVTRACE_DEBUG=1 lets its traceback through.
"""

from __future__ import annotations

import errno
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
    "kernels": "convtrace.cli.kernels:kernels",
    "examples": "convtrace.cli.examples:examples",
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
            # still show the cursor and end any style in case anything was cut short, then say why we stopped.
            _restore_terminal()
            click.echo("Interrupted.", err=True)
            raise click.exceptions.Exit(130) from None
        except Terminated as stop:
            _restore_terminal()
            click.echo(f"Stopped by {stop.name}.", err=True)
            raise click.exceptions.Exit(128 + stop.signum) from None
        except BrokenPipeError:
            # the reader (e.g. `head`) went away: stop quietly
            _silence_stdout()
            raise click.exceptions.Exit(0) from None
        except (click.exceptions.ClickException, click.exceptions.Exit, click.exceptions.Abort):
            raise
        except OSError as err:
            if err.errno in _DISK_FULL:
                _silence_stdout()
                raise _failure(_disk_full_message(err), 1) from None
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


class Terminated(Exception):
    """SIGTERM or SIGHUP arrived: unwind like Ctrl-C, so every `with` block restores what it changed."""

    def __init__(self, signum: int):
        import signal

        self.signum, self.name = signum, signal.Signals(signum).name


def _raise_terminated(signum, frame):
    raise Terminated(signum)


def _catch_termination() -> None:
    """Turn SIGTERM and SIGHUP into an exception (the default would end at once, cursor hidden)."""
    import signal

    for name in ("SIGTERM", "SIGHUP"):
        if hasattr(signal, name):
            signal.signal(getattr(signal, name), _raise_terminated)


def _restore_terminal() -> None:
    """Cursor shown, styles reset (only when stdout is a terminal: no escape codes in pipes)."""
    try:
        if sys.stdout.isatty():
            sys.stdout.write("\x1b[0m\x1b[?25h")
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


_DISK_FULL = (errno.ENOSPC, errno.EDQUOT, errno.EFBIG)


def _disk_full_message(err: OSError) -> str:
    where = f" writing {err.filename}" if getattr(err, "filename", None) else " writing the output"
    return f"no space left on the device{where}; free some space or write somewhere else"


def _ascii_fallback(error: UnicodeEncodeError):
    """Drawing characters -> ASCII look-alikes where the output's encoding lacks them (LC_ALL=C, latin-1)."""
    text = error.object[error.start:error.end]
    return "".join(ASCII_FALLBACK.get(ch, "?") for ch in text), error.end


# Box drawing, marks and shading used by the views, and what each becomes in plain ASCII.
ASCII_FALLBACK = {
    **dict.fromkeys("─━═┄┈╌", "-"), **dict.fromkeys("│┃║┆┊╎", "|"),
    **dict.fromkeys("┌┐└┘├┤┬┴┼╭╮╯╰┏┓┗┛╔╗╚╝╠╣╦╩╬", "+"),
    "·": ".", "•": "*", "×": "x", "÷": "/", "−": "-", "→": "->", "←": "<-", "↑": "^", "↓": "v",
    "▶": ">", "◀": "<", "▸": ">", "◂": "<", "▲": "^", "▼": "v", "…": "...", "≈": "~", "≤": "<=", "≥": ">=",
    "█": "#", "▓": "#", "▒": "+", "░": ".", "▀": "^", "▄": "_", "▌": "|", "▐": "|", "✓": "ok", "✗": "X",
    "’": "'", "‘": "'", "“": '"', "”": '"', "—": "--", "–": "-", "°": "deg", "²": "^2", "³": "^3",
}


def _prepare_streams() -> bool:
    """Make stdout and stderr safe to write to; False when stdout is closed (`>&-`)."""
    import codecs

    codecs.register_error("convtrace-ascii", _ascii_fallback)
    for stream in (sys.stdout, sys.stderr):
        encoding = (getattr(stream, "encoding", None) or "").lower().replace("-", "")
        if stream is not None and encoding not in ("utf8", "utf16", "utf32") and hasattr(stream, "reconfigure"):
            stream.reconfigure(errors="convtrace-ascii")
    return sys.stdout is not None


def main() -> None:
    """Console-script entry point."""
    import warnings

    # numeric warnings (overflow in a learner's huge values) would print library paths; the
    # views already show inf and nan, and the input checks say what is wrong in words
    warnings.simplefilter("ignore")
    if sys.stdin is None:  # started with stdin closed (`<&-`): reading it finds nothing, as from /dev/null
        sys.stdin = open(os.devnull)
    if not _prepare_streams():
        sys.stdout = open(os.devnull, "w")  # so nothing below fails on a missing stream
        click.echo("Error: standard output is closed (>&-), so there is nowhere to print; "
                   "run convtrace with its output open, or redirect it to a file", err=True)
        sys.exit(1)
    _catch_termination()
    try:
        cli(prog_name="convtrace")
    except SystemExit as stop:
        # Click ends with 1 when its own output (help, version) met a closed pipe (`--help | true`):
        # that is the quiet `| head` ending, exit 0
        if stop.code == 1 and isinstance(sys.stdout, click.utils.PacifyFlushWrapper):
            raise SystemExit(0) from None
        raise
    finally:
        # output still buffered when the command ended can meet a closed pipe or a full disk here
        try:
            sys.stdout.flush()
        except BrokenPipeError:
            _silence_stdout()
        except OSError as err:
            if err.errno not in _DISK_FULL:
                raise
            _silence_stdout()
            click.echo(f"Error: {_disk_full_message(err)}", err=True)
            sys.exit(1)
