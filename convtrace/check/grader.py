"""Grade one case: call the learner's function in the worker, compare, and name what happened.

A right answer passes. A wrong one is matched against the known mistakes
(`mistakes.py`); when none explains it exactly, the function is called again
with the arrays arranged another way (`probes.py`: the other layout,
TensorFlow's kernel order) and a right answer there names the mix-up.
"""

from __future__ import annotations

import re

import numpy as np

from .calling import Call, Signature, Skip, plan_call
from .cases import Case, in_layout
from .exceptions import from_exception
from .mistakes import diagnose
from .situation import SENTINEL, Diagnosis, Situation, fits
from .exceptions import FROM_SHAPES, swapped_height_width  # noqa: I001 - after mistakes, which registers them
from .planes import pick_planes
from .probes import SHAPES_FIT, probes
from .process import Worker
from .report import CaseResult, Problem
from .target import Target

TOLERANCE = 1e-5  # relative to the largest sum of |x|*|w| in the case: float32 rounding passes
MAX_TIMEOUTS = 2  # after this many time-outs the remaining cases are not run
RUN_CALLS = 10  # the whole run ends after this many --timeout's: cases left then are not run
MEMORY_MB = 2048  # address space the worker may add to what Python and numpy took at start-up
# what an int stride or padding gives code written for (rows, columns) pairs
WANTS_PAIRS = re.compile(r"cannot unpack non-iterable int|'int' object is not (subscriptable|iterable)")


class Grader:
    """Grades case after case with one worker, counting time-outs and remembering how to pass settings."""

    def __init__(self, worker: Worker, target: Target, signature: Signature, layout: str):
        self.worker = worker
        self.target = target
        self.signature = signature
        self.layout = layout
        self.timeouts = 0
        self.tuples: bool | None = None  # None: as the signature says; True: ints were refused; False: pairs too
        self.times: list[float] = []  # seconds per answered call, for the time-out message
        self.square_passed = False  # a case with a square image passed: its loops work there

    def grade(self, case: Case) -> CaseResult:
        shapes = dict(input_shape=in_layout(case.images, self.layout).shape,
                      kernel_shape=in_layout(case.kernels, self.layout).shape)
        plan = plan_call(case, self.signature, self.tuples)
        if isinstance(plan, Skip):
            return CaseResult(case.name, case.idea, "skip", plan.reason, **shapes)
        situation = Situation(case, self.layout)
        result = CaseResult(case.name, case.idea, "pass", "right", call=plan.text(self.target.function),
                            note=plan.note, expected=situation.expected, **shapes)
        if self.timeouts >= MAX_TIMEOUTS:
            return self._fail(result, error=Problem(
                "not_run", f"not run: {self.timeouts} cases already timed out (--timeout {self.worker.timeout:g} s)"))
        if self.worker.seconds_left() <= 0:
            return self._fail(result, error=Problem("not_run", self._run_used_up("not run")))
        reply = self._call(case, plan, self.layout, fresh=True)
        if self._wants_pairs(reply, plan):
            paired = plan_call(case, self.signature, tuples=True)
            retry = self._call(case, paired, self.layout, fresh=True)
            if _refuses_ints(retry):
                self.tuples = False  # pairs fail the same way: the TypeError has another cause; stop retrying
            else:
                refused = _reply_message(reply)
                self.tuples, plan, reply = True, paired, retry
                result.call = plan.text(self.target.function)
                result.remarks.append(f"Given ints, the function raised {refused}; so stride, padding and "
                                      f"dilation are passed as (rows, columns) pairs, as in PyTorch.")
        self._judge(result, situation, plan, reply)
        if case.calls == 2 and result.status == "pass":
            situation.previous = result.returned
            reply = self._call(case, plan, self.layout, fresh=False)
            self._judge(result, situation, plan, reply)
            if result.status != "pass" and result.diagnosis is None:
                result.remarks.insert(0, "The first call returned the right answer; what is shown is the second, "
                                         "identical call.")
        return result

    def _wants_pairs(self, reply: dict, plan: Call) -> bool:
        """True when an int setting was refused the way code written for (rows, columns) refuses it."""
        ints = any(name in plan.kwargs and not isinstance(plan.kwargs[name], (tuple, str))
                   for name in ("stride", "padding", "dilation"))
        return ints and self.tuples is None and _refuses_ints(reply)

    def _call(self, case: Case, plan: Call, layout: str, fresh: bool, kernels: np.ndarray | None = None) -> dict:
        reply = self.worker.call({
            "images": in_layout(case.images, layout).tolist(),
            "kernels": (in_layout(case.kernels, layout) if kernels is None else kernels).tolist(),
            "kwargs": plan.kwargs,
            "arrays": list(plan.arrays),
            "tuples": list(plan.tuples),
            "fresh": fresh,
            "dirty": int(case.expected.size),
            "sentinel": SENTINEL,
        })
        if reply.get("event") == "timeout" and not reply.get("whole_run"):
            self.timeouts += 1
        elif isinstance(reply.get("seconds"), (int, float)):
            self.times.append(float(reply["seconds"]))
        return reply

    def _worker_event(self, result: CaseResult, reply: dict) -> bool:
        """Record what every reply carries; True when the worker itself ended the call (time-out, crash, tampering)."""
        result.stdout = str(reply.get("stdout", ""))
        result.seconds = reply.get("seconds")
        self._remarks(result, reply)
        event = reply.get("event")
        if event == "timeout" and reply.get("whole_run"):
            self._fail(result, error=Problem("not_run", self._run_used_up("stopped during this call")))
        elif event == "timeout":
            self._fail(result, error=Problem("timeout", self._timeout_message()))
        elif event in ("crash", "tampered"):
            self._fail(result, error=Problem(event, reply["message"], reply.get("stderr") or None))
        else:
            return False
        return True

    def _judge(self, result: CaseResult, situation: Situation, plan: Call, reply: dict) -> None:
        """Fill `result` from one reply: pass, fail (with a diagnosis when one fits) or error."""
        case = situation.case
        if self._worker_event(result, reply):
            return
        kind = reply.get("kind")
        if kind == "exception":
            error_type, message = str(reply.get("error_type")), str(reply.get("message", ""))
            text = f"{error_type}: {message}" if message else error_type
            diagnosis = from_exception(case, error_type, message, bool(reply.get("read_stdin")),
                                       self.worker.memory_mb)
            if diagnosis is not None and diagnosis.mistake == "window_off_edge" and self.square_passed:
                diagnosis = swapped_height_width(case, message) or diagnosis
            if diagnosis is None or diagnosis.mistake in FROM_SHAPES:  # a layout mix-up explains more
                probed = self._probe(situation, plan, shape_was_right=False)
                if probed is not None and (diagnosis is None or probed.mistake != SHAPES_FIT):
                    diagnosis = probed  # a fitting shape alone does not outweigh what the exception said
            self._fail(result, error=Problem("exception", text, reply.get("traceback")), diagnosis=diagnosis)
        elif kind == "return_type":
            self._fail(result, error=Problem("return_type", _return_type_message(reply, result.expected)))
        else:
            try:
                returned = np.array(reply["data"], dtype=np.float64).reshape(reply["shape"])
            except (KeyError, TypeError, ValueError):
                self._fail(result, error=Problem("tampered", "the function tampered with the grader: its reply "
                                                             "did not hold an array"))
                return
            result.returned = returned
            tol = TOLERANCE * case.scale
            if fits(returned, result.expected, tol):
                result.status, result.verdict = "pass", "right"
                self.square_passed |= case.images.shape[2] == case.images.shape[3]
                return
            if returned.shape == result.expected.shape:
                result.wrong = ~(np.abs(returned - result.expected) <= tol)
            diagnosis = (diagnose(situation, returned, tol)
                         or self._probe(situation, plan, shape_was_right=returned.shape == result.expected.shape))
            result.status = "fail"
            result.diagnosis = diagnosis
            result.verdict = diagnosis.title if diagnosis else _mismatch(result)
            result.planes = pick_planes(result, self.layout)

    def _remarks(self, result: CaseResult, reply: dict) -> None:
        changed = reply.get("changed_inputs") or []
        notes = []
        if changed:
            notes.append(f"The function changed its input {' and '.join(map(str, changed))} in place; "
                         f"work on a copy so the caller's arrays stay as they were.")
        if reply.get("read_stdin") and reply.get("kind") != "exception":
            notes.append("The function read standard input (input() or sys.stdin); check gives it no input, "
                         "so it read nothing. Take everything from the arguments.")
        for note in notes:
            if note not in result.remarks:  # the repeated call may say it again
                result.remarks.append(note)

    def _run_used_up(self, what: str) -> str:
        return (f"{what}: the whole check may take {RUN_CALLS} x --timeout = {RUN_CALLS * self.worker.timeout:g} s, "
                f"and that time is used up")

    def _timeout_message(self) -> str:
        limit = self.worker.timeout
        if self.times:
            each = sum(self.times) / len(self.times)
            pace = (f"earlier calls took {each:.2g} s each; it may simply be slow (raise --timeout), "
                    f"or a loop may never end")
        else:
            pace = "no call has finished yet: a loop may never end, or the function may be too slow (raise --timeout)"
        return f"stopped after {limit:g} s (--timeout): {pace}"

    def _fail(self, result: CaseResult, error: Problem, diagnosis: Diagnosis | None = None) -> CaseResult:
        result.status, result.error, result.diagnosis = "error", error, diagnosis
        result.verdict = diagnosis.title if diagnosis else (error.message.splitlines() or [""])[0]
        return result

    def _probe(self, situation: Situation, plan: Call, shape_was_right: bool) -> Diagnosis | None:
        """Call again with the arrays arranged another way; a right answer there names the mix-up.

        shape_was_right: the graded call returned the expected shape. If not, and a probe's
        answer has that probe's output shape though wrong values, the shapes name the layout.
        """
        case = situation.case
        tol = TOLERANCE * case.scale
        by_shape = None
        for probe in probes(self.layout):
            if self.timeouts >= MAX_TIMEOUTS or self.worker.seconds_left() <= 0:
                return by_shape
            reply = self._call(case, plan, probe.layout, fresh=True, kernels=probe.kernels(case))
            if reply.get("kind") != "array":
                continue
            try:
                returned = np.array(reply["data"], dtype=np.float64).reshape(reply["shape"])
            except (KeyError, TypeError, ValueError):
                return None
            answers = probe.answers(case)
            if any(fits(returned, right, tol) for right in answers):
                return probe.diagnosis
            if probe.shaped and not shape_was_right and returned.shape == answers[0].shape:
                by_shape = by_shape or probe.shaped(case)
        return by_shape


def _refuses_ints(reply: dict) -> bool:
    """True for the TypeError code written for (rows, columns) pairs raises when given an int."""
    return (reply.get("kind") == "exception" and reply.get("error_type") == "TypeError"
            and bool(WANTS_PAIRS.search(str(reply.get("message", "")))))


def _reply_message(reply: dict) -> str:
    return f"{reply.get('error_type')}: {reply.get('message')}"


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
