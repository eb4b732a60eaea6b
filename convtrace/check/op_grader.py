"""Grade one case of another layer (depthwise, conv_transpose2d, max_pool2d, conv1d) the way `grader.py` grades conv2d.

The call follows `torch.nn.functional`: f(x, weight, bias=..., stride=..., ...)
or, for pooling, f(x, kernel_size, stride=..., ...). A setting is passed by
keyword when the case sets it, when the signature has no default for it, or
(groups, for depthwise) whenever the function names it; a case whose setting
the function cannot take is skipped. Time limits, the worker and the report
are those of the conv2d check.
"""

from __future__ import annotations

import numpy as np

from .calling import KEYWORD, POSITIONAL, Call, Signature, Skip
from .grader import TOLERANCE, Grader, _mismatch, _refuses_ints, _reply_message, _return_type_message
from .situation import fits
from .op_cases import DEFAULTS, SECOND, OpCase
from .op_models import diagnose_op
from .planes import MAX_PLANES, pick_planes
from .report import CaseResult, Plane, Problem


def op_problem(signature: Signature, op: str) -> str | None:
    """Why the function cannot be called as f(x, weight_or_kernel_size, ...) at all, or None."""
    if signature.params is None:
        return None
    params = signature.params
    positional = [p for p in params if p["kind"] in POSITIONAL]
    if len(positional) < 2 and not any(p["kind"] == "VAR_POSITIONAL" for p in params):
        return (f"{signature.text} takes {len(positional)} positional argument(s), but convtrace calls it "
                f"with two: f(x, {SECOND[op]}); add the missing parameter")
    names = DEFAULTS[op]
    stuck = [p["name"] for p in params if p not in positional[:2] and not p["has_default"]
             and p["kind"] in KEYWORD and p["name"] not in names]
    stuck += [p["name"] for p in positional[2:] if not p["has_default"] and p["kind"] == "POSITIONAL_ONLY"]
    if stuck:
        return (f"{signature.text} needs {', '.join(stuck)}, which convtrace cannot supply: it passes "
                f"f(x, {SECOND[op]}) and, by keyword, only {', '.join(names)}; give "
                f"{'it a default' if len(stuck) == 1 else 'them defaults'} or rename to those names")
    return None


def plan_op_call(case: OpCase, signature: Signature) -> Call | Skip:
    """The keyword arguments for this case (PyTorch's names), or why it must be skipped."""
    kwargs: dict = {}
    arrays: tuple[str, ...] = ()
    for name, default in DEFAULTS[case.op].items():
        given = name in case.settings
        value = case.setting(name)
        if name == "bias":
            if given:
                if not signature.accepts("bias"):
                    return Skip("no bias= parameter")
                kwargs["bias"], arrays = value.tolist(), ("bias",)
            elif signature.requires("bias"):
                kwargs["bias"], arrays = [0.0] * case.expected.shape[1], ("bias",)
            continue
        always = name == "groups" and case.op == "depthwise"  # a conv2d-style groups=1 default would be wrong
        if signature.accepts(name) and (given or always or signature.requires(name)):
            kwargs[name] = value
        elif given and value != (case.x.shape[1] if default == "C" else default):
            return Skip(f"no {name}= parameter")
    tuples = tuple(name for name, value in kwargs.items() if isinstance(value, tuple))
    return Call(kwargs, arrays, None, tuples)


PAIRED = ("stride", "padding", "dilation", "output_padding")  # settings PyTorch-style 2-D code unpacks as pairs


def _pair(value) -> tuple:
    return value if isinstance(value, tuple) else (value, value)


def paired(call: Call) -> Call:
    """The same call with every int window setting as a (rows, columns) pair."""
    kwargs = {name: _pair(value) if name in PAIRED and isinstance(value, int) else value
              for name, value in call.kwargs.items()}
    return Call(kwargs, call.arrays, call.note, tuple(n for n, v in kwargs.items() if isinstance(v, tuple)))


def _has_ints(case: OpCase, call: Call) -> bool:
    """True when a 2-D case passed some window setting as an int, which pair-unpacking code refuses."""
    if case.x.ndim != 4:
        return False
    return isinstance(case.second, int) or any(isinstance(call.kwargs.get(name), int) for name in PAIRED)


def call_text(case: OpCase, call: Call, function: str, pairs: bool = False) -> str:
    """e.g. 'pool(x, 3, stride=2, padding=1)' or 'conv1d(x, weight, bias=np.array([1.5, -2]))'."""
    second = "weight" if isinstance(case.second, np.ndarray) else repr(_pair(case.second) if pairs else case.second)
    parts = ["x", second] + [f"{key}={_show(value)}" for key, value in call.kwargs.items()]
    return f"{function}({', '.join(parts)})"


def _show(value) -> str:
    if isinstance(value, list):
        return "np.array([" + ", ".join(f"{v:g}" for v in value) + "])"
    return repr(value)


class OpGrader(Grader):
    """Grades the cases of one operation with one worker; time-outs and remarks as for conv2d."""

    def grade(self, case: OpCase) -> CaseResult:  # type: ignore[override]
        shapes = dict(input_shape=case.x.shape, kernel_shape=case.weight_shape)
        plan = plan_op_call(case, self.signature)
        if isinstance(plan, Skip):
            return CaseResult(case.name, case.idea, "skip", plan.reason, **shapes)
        result = CaseResult(case.name, case.idea, "pass", "right", call=call_text(case, plan, self.target.function),
                            expected=case.expected, **shapes)
        if self.timeouts >= 2:
            return self._fail(result, error=Problem(
                "not_run", f"not run: {self.timeouts} cases already timed out (--timeout {self.worker.timeout:g} s)"))
        if self.worker.seconds_left() <= 0:
            return self._fail(result, error=Problem("not_run", self._run_used_up("not run")))
        if self.tuples:
            plan = paired(plan)
            result.call = call_text(case, plan, self.target.function, pairs=True)
        reply = self._call_op(case, plan, pairs=bool(self.tuples))
        if self.tuples is None and _refuses_ints(reply) and _has_ints(case, plan):
            retry = self._call_op(case, paired(plan), pairs=True)
            if _refuses_ints(retry):
                self.tuples = False  # pairs fail the same way: the TypeError has another cause
            else:
                self.tuples, plan, refused, reply = True, paired(plan), _reply_message(reply), retry
                result.call = call_text(case, plan, self.target.function, pairs=True)
                result.remarks.append(f"Given ints, the function raised {refused}; so the window, stride, "
                                      f"padding and dilation are passed as (rows, columns) pairs, as in PyTorch.")
        self._judge_op(result, case, reply)
        return result

    def _call_op(self, case: OpCase, plan: Call, pairs: bool = False) -> dict:
        weight = isinstance(case.second, np.ndarray)
        request = {"images": case.x.tolist(), "kwargs": plan.kwargs, "arrays": list(plan.arrays),
                   "tuples": list(plan.tuples), "fresh": True, "dirty": int(case.expected.size), "sentinel": 1000.0}
        if weight:
            request["kernels"] = case.second.tolist()
        else:  # pooling: the second argument is kernel_size, an int or a (rows, columns) tuple
            request["second"] = list(_pair(case.second)) if pairs or isinstance(case.second, tuple) else case.second
        reply = self.worker.call(request)
        if reply.get("event") == "timeout" and not reply.get("whole_run"):
            self.timeouts += 1
        elif isinstance(reply.get("seconds"), (int, float)):
            self.times.append(float(reply["seconds"]))
        return reply

    def _judge_op(self, result: CaseResult, case: OpCase, reply: dict) -> None:
        """Fill `result` from the reply: pass, fail (with a diagnosis when a model fits) or error."""
        if self._worker_event(result, reply):
            return
        kind = reply.get("kind")
        if kind == "exception":
            error_type, message = str(reply.get("error_type")), str(reply.get("message", ""))
            self._fail(result, error=Problem("exception", f"{error_type}: {message}" if message else error_type,
                                             reply.get("traceback")))
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
                return
            if returned.shape == result.expected.shape:
                result.wrong = ~(np.abs(returned - result.expected) <= tol)
            result.status = "fail"
            result.diagnosis = diagnose_op(case, returned, tol)
            result.verdict = result.diagnosis.title if result.diagnosis else _mismatch(result)
            result.planes = pick_planes(result, "NCHW") if returned.ndim == 4 == result.expected.ndim else \
                rows_planes(result)


def rows_planes(result: CaseResult) -> list[Plane]:
    """1-D outputs (N, K, L'): one (K, L') plane per image (the wrong ones when shapes agree), expected beside returned."""
    expected, returned, wrong = result.expected, result.returned, result.wrong
    if expected.ndim != 3:
        return []
    shown = [n for n in range(expected.shape[0]) if wrong is None or wrong[n].any()][:MAX_PLANES]
    if returned.ndim != 3:
        shown = shown[:1]  # nothing per image to set beside the others
    planes = []
    for n in shown:
        if returned.ndim == 3 and n < returned.shape[0]:
            theirs = returned[n]
        elif returned.ndim != 3 and n == 0:  # another rank: shown once, as rows of its last axis
            theirs = returned.reshape(-1, returned.shape[-1]) if returned.ndim else returned.reshape(1, 1)
        else:
            theirs = None
        planes.append(Plane(f"out[{n}]", expected[n], "" if theirs is None else f"out[{n}]", theirs,
                            None if wrong is None else wrong[n]))
    return planes
