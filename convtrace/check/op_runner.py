"""Run another layer's battery (--op depthwise, conv_transpose2d, max_pool2d, conv1d) in a started worker."""

from __future__ import annotations

from .calling import Signature
from .op_cases import OP_BATTERIES
from .op_grader import OpGrader, op_problem
from .process import Worker
from .report import Problem, Report
from .target import Target


def grade_op(report: Report, worker: Worker, where: Target, signature: Signature, cases) -> None:
    """Fill `report` with every case of report.operation (or only `cases`), or the reason none could run."""
    problem = op_problem(signature, report.operation)
    if problem:
        report.error = Problem("signature", problem)
        return
    grader = OpGrader(worker, where, signature, "NCHW")
    for case in OP_BATTERIES[report.operation]():
        if not cases or case.name in cases:
            report.cases.append(grader.grade(case))
