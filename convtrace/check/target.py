"""The command-line target `FILE.py:FUNCTION`, checked before any learner code runs."""

from __future__ import annotations

import os
from dataclasses import dataclass

from ..errors import UsageError


@dataclass(frozen=True)
class Target:
    """Where the learner's function lives."""

    path: str  # absolute path of the .py file
    function: str  # name of the function inside it
    display: str  # the path as the user typed it, for messages and tracebacks

    def __str__(self) -> str:
        return f"{self.display}:{self.function}"


def parse_target(text: str) -> Target:
    """'student.py:conv2d' -> Target. Raises UsageError (exit 2) for a wrong command line.

    The split is at the last colon, so Windows paths such as C:\\work\\a.py:f work.
    """
    file, sep, function = text.rpartition(":")
    if not sep or not file or os.sep in function or "/" in function:
        raise UsageError(
            f"{text!r} does not name a function; write FILE.py:FUNCTION, e.g. student.py:conv2d"
        )
    if not function.isidentifier():
        raise UsageError(
            f"{function!r} is not a Python function name; write FILE.py:FUNCTION, e.g. student.py:conv2d"
        )
    if not os.path.exists(file):
        raise UsageError(f"file {file!r} does not exist; check the path in {text!r}")
    if os.path.isdir(file):
        raise UsageError(f"{file!r} is a directory; give the .py file that defines {function}")
    if not file.endswith(".py"):
        raise UsageError(f"{file!r} is not a Python file; give a .py file, e.g. student.py:{function}")
    return Target(os.path.abspath(file), function, file)
