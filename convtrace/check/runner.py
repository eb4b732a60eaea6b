"""Run the battery on the learner's function and grade every answer.

For each case: call the function in the worker, compare with the vectorized
engine, and on a wrong answer look for the known mistake that explains it
exactly. When none does, the function is tried once more with the arrays in
the other layout (NCHW <-> NHWC): a right answer there names the mix-up.
"""

from __future__ import annotations

import time

import numpy as np

from ..errors import UsageError
from .calling import Call, Signature, Skip, plan_call
from .cases import CASE_NAMES, LAYOUTS, Case, battery, in_layout, other_layout
from .mistakes import SENTINEL, Diagnosis, Situation, diagnose, fits, from_exception, layout_diagnosis
from .process import StopSignals, Worker
from .planes import pick_planes
from .report import CaseResult, Problem, Report
from .target import Target, parse_target

TOLERANCE = 1e-5  # relative to the largest sum of |x|*|w| in the case: float32 rounding passes
MAX_TIMEOUTS = 2  # after this many time-outs the remaining cases are not run
RUN_CALLS = 10  # the whole run ends after this many --timeout's: cases left then are not run
MEMORY_MB = 2048  # address space the worker may add to what Python and numpy took at start-up


def run_check(
    target: str,
    *,
    layout: str = "NCHW",
    flip: bool = False,
    timeout: float = 5.0,
    cases: tuple[str, ...] | list[str] | None = None,
    strict: bool = False,
) -> Report:
    """Grade the function named by 'FILE.py:FUNCTION' -> Report. Raises UsageError for a wrong command line.

    layout: how the learner stores arrays (NCHW or NHWC); flip: grade a true
    convolution; timeout: seconds per call (and for importing the file);
    cases: run only these case names; strict: a skipped case counts as a failure.
    """
    layout = layout.upper()
    if layout not in LAYOUTS:
        raise UsageError(f"layout {layout!r} is not one of {', '.join(LAYOUTS)}")
    if not timeout > 0:
        raise UsageError(f"the time-out must be more than 0 seconds, got {timeout}")
    unknown = [name for name in cases or () if name not in CASE_NAMES]
    if unknown:
        raise UsageError(f"no case named {', '.join(unknown)}; the cases are {', '.join(CASE_NAMES)}")
    where = parse_target(target)
    report = Report(str(where), layout, flip, timeout, strict)
    deadline = time.monotonic() + RUN_CALLS * timeout
    with StopSignals(), Worker(where, timeout, deadline, MEMORY_MB) as worker:
        loaded = worker.start()
        report.stdout = loaded.get("stdout", "")
        if loaded.get("event") != "ready":
            report.error = _load_problem(loaded, where, timeout)
            return report
        signature = Signature.from_message(loaded["signature"])
        report.signature = signature.text
        problem = signature.problem()
        if problem:
            report.error = Problem("signature", problem)
            return report
        grader = Grader(worker, where, signature, layout)
        for case in battery(flip, with_flip_case=signature.accepts("flip")):
            if not cases or case.name in cases:
                report.cases.append(grader.grade(case))
    return report


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


class Grader:
    """Grades case after case with one worker, counting time-outs."""

    def __init__(self, worker: Worker, target: Target, signature: Signature, layout: str):
        self.worker = worker
        self.target = target
        self.signature = signature
        self.layout = layout
        self.timeouts = 0

    def grade(self, case: Case) -> CaseResult:
        shapes = dict(input_shape=in_layout(case.images, self.layout).shape,
                      kernel_shape=in_layout(case.kernels, self.layout).shape)
        plan = plan_call(case, self.signature)
        if isinstance(plan, Skip):
            return CaseResult(case.name, case.idea, "skip", plan.reason, **shapes)
        situation = Situation(case, self.layout)
        result = CaseResult(case.name, case.idea, "pass", "right", call=plan.text(self.target.function),
                            note=plan.note, expected=situation.expected, **shapes)
        if self.timeouts >= MAX_TIMEOUTS:
            return self._fail(result, error=Problem(
                "not_run", f"not run: {self.timeouts} cases already timed out (--timeout {self.worker.timeout:g} s)"))
        if self.worker.seconds_left() <= 0:
            return self._fail(result, error=Problem(
                "not_run", f"not run: the whole check may take {RUN_CALLS} x --timeout = "
                           f"{RUN_CALLS * self.worker.timeout:g} s, and that time is used up"))
        reply = self._call(case, plan, self.layout, fresh=True)
        self._judge(result, situation, plan, reply)
        if case.calls == 2 and result.status == "pass":
            situation.previous = result.returned
            reply = self._call(case, plan, self.layout, fresh=False)
            self._judge(result, situation, plan, reply)
            if result.status != "pass" and result.diagnosis is None:
                result.remarks.insert(0, "The first call returned the right answer; what is shown is the second, "
                                         "identical call.")
        return result

    def _call(self, case: Case, plan: Call, layout: str, fresh: bool) -> dict:
        reply = self.worker.call({
            "images": in_layout(case.images, layout).tolist(),
            "kernels": in_layout(case.kernels, layout).tolist(),
            "kwargs": plan.kwargs,
            "arrays": list(plan.arrays),
            "fresh": fresh,
            "dirty": int(case.expected.size),
            "sentinel": SENTINEL,
        })
        if reply.get("event") == "timeout":
            self.timeouts += 1
        return reply

    def _judge(self, result: CaseResult, situation: Situation, plan: Call, reply: dict) -> None:
        """Fill `result` from one reply: pass, fail (with a diagnosis when one fits) or error."""
        case = situation.case
        result.stdout = reply.get("stdout", "")
        result.seconds = reply.get("seconds")
        changed = reply.get("changed_inputs") or []
        remark = (f"The function changed its input {' and '.join(changed)} in place; "
                  f"work on a copy so the caller's arrays stay as they were.")
        if changed and remark not in result.remarks:  # the repeated call may say it again
            result.remarks.append(remark)
        event, kind = reply.get("event"), reply.get("kind")
        if event == "timeout":
            self._fail(result, error=Problem("timeout", f"stopped after {self.worker.timeout:g} s (--timeout): "
                                                        f"is there a loop that never ends?"))
        elif event == "crash":
            self._fail(result, error=Problem("crash", reply["message"], reply.get("stderr") or None))
        elif kind == "exception":
            message = f"{reply['error_type']}: {reply['message']}" if reply["message"] else reply["error_type"]
            diagnosis = from_exception(case, reply["error_type"], reply["message"])
            self._fail(result, error=Problem("exception", message, reply.get("traceback")),
                       diagnosis=diagnosis or self._probe_layout(situation, plan))
        elif kind == "return_type":
            self._fail(result, error=Problem("return_type", _return_type_message(reply, result.expected)))
        else:
            returned = np.array(reply["data"], dtype=np.float64).reshape(reply["shape"])
            result.returned = returned
            tol = TOLERANCE * case.scale
            if fits(returned, result.expected, tol):
                result.status, result.verdict = "pass", "right"
                return
            if returned.shape == result.expected.shape:
                result.wrong = ~(np.abs(returned - result.expected) <= tol)
            diagnosis = diagnose(situation, returned, tol) or self._probe_layout(situation, plan)
            result.status = "fail"
            result.diagnosis = diagnosis
            result.verdict = diagnosis.title if diagnosis else _mismatch(result)
            result.planes = pick_planes(result, self.layout)

    def _fail(self, result: CaseResult, error: Problem, diagnosis: Diagnosis | None = None) -> CaseResult:
        result.status, result.error, result.diagnosis = "error", error, diagnosis
        result.verdict = diagnosis.title if diagnosis else error.message.splitlines()[0]
        return result

    def _probe_layout(self, situation: Situation, plan: Call) -> Diagnosis | None:
        """Call again with the arrays in the other layout; a right answer there means NCHW/NHWC mixed up."""
        case = situation.case
        if self.timeouts >= MAX_TIMEOUTS:
            return None
        other = other_layout(self.layout)
        reply = self._call(case, plan, other, fresh=True)
        if reply.get("kind") != "array":
            return None
        returned = np.array(reply["data"], dtype=np.float64).reshape(reply["shape"])
        tol = TOLERANCE * case.scale
        right = (in_layout(case.expected, other), in_layout(case.expected, self.layout))
        return layout_diagnosis(self.layout) if any(fits(returned, r, tol) for r in right) else None


def _mismatch(result: CaseResult) -> str:
    expected, returned = result.expected, result.returned
    if result.wrong is not None:
        return f"{int(result.wrong.sum())} of {result.wrong.size} values wrong"
    return f"shape {_shape(returned.shape)} returned, {_shape(expected.shape)} expected"


def _shape(shape) -> str:
    """(1, 2) -> '(1, 2)'; (5,) -> '(5,)', as Python writes it."""
    return str(tuple(int(n) for n in shape))


def _return_type_message(reply: dict, expected: np.ndarray) -> str:
    want = f"a numpy array of shape {_shape(expected.shape)}"
    kind = reply.get("type")
    if kind == "NoneType":
        return f"returned None, not {want}: is `return out` missing?"
    if kind == "ndarray" and reply.get("too_large"):
        return f"returned an array of shape {_shape(reply['shape'])}, far larger than {want}"
    if kind == "ndarray":
        return f"returned an array of dtype {reply.get('dtype')}; expected {want} of real numbers"
    if kind in ("list", "tuple"):
        length = reply.get("length")
        return (f"returned a {kind} of {length} item{'' if length == 1 else 's'}, not {want}"
                + ("; wrap it with np.array(...)" if kind == "list" else "; return only the output array"))
    return f"returned {reply.get('repr')} (a {kind}), not {want}"
