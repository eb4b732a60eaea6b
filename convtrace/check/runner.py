"""Run the battery on the learner's function: check the command line, start the worker, grade each case.

Grading one case is `grader.py`; the time limits are: --timeout per call (and
for importing the file), and RUN_CALLS x --timeout for the whole run.
"""

from __future__ import annotations

import os
import time

from ..errors import UsageError
from .calling import Signature
from .cases import CASE_NAMES, LAYOUTS, battery
from .grader import MEMORY_MB, RUN_CALLS, Grader
from .process import StopSignals, Worker
from .report import Problem, Report
from .target import Target, parse_target


def run_check(
    target: str,
    *,
    layout: str = "NCHW",
    flip: bool = False,
    timeout: float = 5.0,
    cases: tuple[str, ...] | list[str] | None = None,
    strict: bool = False,
    operation: str = "conv2d",
) -> Report:
    """Grade the function named by 'FILE.py:FUNCTION' -> Report. Raises UsageError for a wrong command line.

    layout: how the learner stores arrays (NCHW or NHWC); flip: grade a true
    convolution; timeout: seconds per call (and for importing the file);
    cases: run only these case names; strict: a skipped case counts as a failure;
    operation: conv2d, or one of `op_cases.OP_BATTERIES` (graded by `op_grader.py`).
    """
    if os.name != "posix":  # process groups, pass_fds and select() on pipes
        raise UsageError("convtrace check runs the graded code in a process group, which needs Linux or macOS")
    layout = layout.upper()
    if layout not in LAYOUTS:
        raise UsageError(f"layout {layout!r} is not one of {', '.join(LAYOUTS)}")
    if not 0 < timeout <= 3600:  # also refuses nan and inf
        raise UsageError(f"the time-out must be more than 0 and at most 3600 seconds, got {timeout}")
    names = CASE_NAMES if operation == "conv2d" else _op_names(operation, layout, flip)
    unknown = [name for name in cases or () if name not in names]
    if unknown:
        raise UsageError(f"no case named {', '.join(unknown)}; the cases are {', '.join(names)}")
    where = parse_target(target)
    report = Report(str(where), layout, flip, timeout, strict, operation=operation)
    deadline = time.monotonic() + RUN_CALLS * timeout
    # SIGTERM/SIGHUP end the worker's process group first; leaving the block ends it in every other case
    with StopSignals(), Worker(where, timeout, deadline, MEMORY_MB) as worker:
        loaded = worker.start()
        report.stdout = loaded.get("stdout", "")
        if loaded.get("event") != "ready":
            report.error = _load_problem(loaded, where, timeout)
            return report
        signature = Signature.from_message(loaded["signature"])
        report.signature = signature.text
        if operation != "conv2d":
            from .op_runner import grade_op

            grade_op(report, worker, where, signature, cases)
            return report
        problem = signature.problem()
        if problem:
            report.error = Problem("signature", problem)
            return report
        grader = Grader(worker, where, signature, layout)
        for case in battery(flip, with_flip_case=signature.accepts("flip")):
            if not cases or case.name in cases:
                report.cases.append(grader.grade(case))
    return report


def _op_names(operation: str, layout: str, flip: bool) -> tuple[str, ...]:
    """The case names of another layer's battery, after checking the options that only conv2d takes."""
    from .op_cases import OP_CASE_NAMES

    if operation not in OP_CASE_NAMES:
        raise UsageError(f"--op {operation!r} is not one of conv2d, {', '.join(OP_CASE_NAMES)}")
    if layout != "NCHW" or flip:
        raise UsageError(f"--layout NHWC and --flip apply to --op conv2d only; --op {operation} is channels "
                         f"first, as torch.nn.functional")
    return OP_CASE_NAMES[operation]


def _load_problem(message: dict, where: Target, timeout: float) -> Problem:
    event = message.get("event")
    if event == "timeout":
        return Problem("timeout", f"importing {where.display} did not finish within {timeout:g} s (--timeout); "
                                  f"put slow demo code under `if __name__ == \"__main__\":`")
    if event in ("crash", "tampered"):
        return Problem(event, message["message"], message.get("stderr") or None)
    kind = message.get("kind", "import")
    if kind == "import":
        return Problem("import", f"{where.display} raised an error while being imported", message["message"])
    if kind == "syntax":
        return Problem("syntax", f"{where.display} is not valid Python", message["message"])
    return Problem(kind, message["message"])
