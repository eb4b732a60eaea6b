"""What `convtrace check` found: plain data for the Rich view and the `--json` record."""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from .mistakes import Diagnosis

STATUSES = ("pass", "fail", "error", "skip")


@dataclass(frozen=True)
class Problem:
    """Something that went wrong running the learner's code (not a wrong number).

    kind: exception, timeout, crash, tampered (the code wrote into or closed
    the grader's channel), return_type, not_run (a case), or syntax, import,
    missing_function, signature (the whole file).
    """

    kind: str
    message: str
    traceback: str | None = None


@dataclass(frozen=True)
class Plane:
    """A 2-D slice of the expected output beside the matching slice of the returned one.

    Labels are like "out[0, 1]" (NCHW) or "out[0, :, :, 1]" (NHWC); `wrong` marks
    the cells that differ, when the shapes agree.
    """

    expected_label: str
    expected: np.ndarray | None
    returned_label: str
    returned: np.ndarray | None
    wrong: np.ndarray | None = None


@dataclass
class CaseResult:
    """One case of the battery, graded. Arrays are in the learner's layout."""

    name: str
    idea: str
    status: str  # one of STATUSES
    verdict: str  # one line for the summary table
    call: str | None = None
    note: str | None = None  # how the call expressed the case, when not obvious
    input_shape: tuple = ()
    kernel_shape: tuple = ()
    expected: np.ndarray | None = None
    returned: np.ndarray | None = None
    wrong: np.ndarray | None = None  # bool mask when the shapes agree
    diagnosis: Diagnosis | None = None
    error: Problem | None = None
    remarks: list[str] = field(default_factory=list)
    stdout: str = ""
    seconds: float | None = None
    planes: list[Plane] = field(default_factory=list)


@dataclass
class Report:
    """The whole check of one FILE.py:FUNCTION."""

    target: str
    layout: str
    flip: bool
    timeout: float
    strict: bool = False
    signature: str | None = None
    cases: list[CaseResult] = field(default_factory=list)
    error: Problem | None = None  # the file could not be graded at all
    stdout: str = ""  # what importing the file printed
    operation: str = "conv2d"  # --op: which layer the function computes

    @property
    def counts(self) -> dict[str, int]:
        counts = {status: sum(c.status == status for c in self.cases) for status in STATUSES}
        counts["total"] = len(self.cases)
        return counts

    @property
    def status(self) -> str:
        """pass, fail (some case failed or erred, or was skipped under --strict) or error (not gradable)."""
        if self.error is not None:
            return "error"
        counts = self.counts
        bad = counts["fail"] + counts["error"] + (counts["skip"] if self.strict else 0)
        return "fail" if bad else "pass"

    @property
    def exit_code(self) -> int:
        return 0 if self.status == "pass" else 1


def report_record(report: Report) -> dict:
    """The `--json` object."""
    return {
        "target": report.target,
        "operation": report.operation,
        "layout": report.layout,
        "flip": report.flip,
        "timeout": report.timeout,
        "strict": report.strict,
        "signature": report.signature,
        "status": report.status,
        "exit_code": report.exit_code,
        "counts": report.counts,
        "error": _problem(report.error),
        "stdout": report.stdout,
        "cases": [case_record(case) for case in report.cases],
    }


def case_record(case: CaseResult) -> dict:
    return {
        "name": case.name,
        "idea": case.idea,
        "status": case.status,
        "verdict": case.verdict,
        "call": case.call,
        "note": case.note,
        "input_shape": list(case.input_shape),
        "kernel_shape": list(case.kernel_shape),
        "expected_shape": None if case.expected is None else list(case.expected.shape),
        "returned_shape": None if case.returned is None else list(case.returned.shape),
        "expected": None if case.expected is None else case.expected.tolist(),
        "returned": None if case.returned is None else _listed(case.returned),
        "wrong_cells": None if case.wrong is None else [list(map(int, i)) for i in np.argwhere(case.wrong)],
        "diagnosis": None if case.diagnosis is None else {
            "mistake": case.diagnosis.mistake, "title": case.diagnosis.title,
            "explanation": case.diagnosis.explanation,
        },
        "error": _problem(case.error),
        "remarks": list(case.remarks),
        "stdout": case.stdout,
        "seconds": case.seconds,
    }


def _problem(problem: Problem | None) -> dict | None:
    if problem is None:
        return None
    return {"kind": problem.kind, "message": problem.message, "traceback": problem.traceback}


def _listed(array: np.ndarray):
    """Nested lists, with NaN and infinities as null (strict JSON has no NaN)."""
    return array.tolist() if np.isfinite(array).all() else _nulls(array.tolist())


def _nulls(value):
    if isinstance(value, list):
        return [_nulls(v) for v in value]
    return value if math.isfinite(value) else None
