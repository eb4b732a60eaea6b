"""The `convtrace ...` commands a lesson shows in its console and bash blocks, with the output shown under them.

`lesson verify` runs each one and compares its output with the lines shown; the
number checks (claims.py) skip these blocks.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..errors import DataError

COMMAND_FENCES = ("console", "bash", "sh", "shell")


@dataclass(frozen=True)
class Command:
    """A `$ convtrace ...` line of a console block, with the output lines shown under it."""

    line: str  # as written, without the leading '$ '
    args: tuple[str, ...]  # the arguments after 'convtrace'
    shown_output: tuple[str, ...]  # lines the lesson shows as this command's output


def extract_commands(markdown: str) -> list[Command]:
    """`$ convtrace ...` (or bare `convtrace ...`) lines of console/bash blocks, with their shown output."""
    import shlex

    commands: list[Command] = []
    fence, current = None, None
    for line in markdown.splitlines():
        if line.startswith("```"):
            if fence is None:
                fence = line[3:].strip().lower()
            else:
                fence, current = None, None
            continue
        if fence not in COMMAND_FENCES:
            continue
        stripped = line.strip()
        # console blocks: '$ ' starts a command, other lines are its output; bash blocks: commands only
        is_command = stripped.startswith("$ ") or (fence != "console" and bool(stripped))
        if is_command:
            words = stripped[2:] if stripped.startswith("$ ") else stripped
            current = None
            if words.split(" ", 1)[0] == "convtrace":
                try:
                    args = tuple(shlex.split(words)[1:])
                except ValueError as err:  # an unclosed quote: say which line, as for any lesson mistake
                    raise DataError(f"the command {words!r} in a console block cannot be read ({err}); "
                                    f"close its quotes") from None
                current = Command(words, args, ())
                commands.append(current)
        elif current is not None and stripped:
            commands[-1] = current = Command(current.line, current.args, current.shown_output + (stripped,))
    return commands
