"""`convtrace check`: grade a learner's own conv2d function and name the mistake.

The learner's function runs in a child Python process (`worker.py`) on a
battery of small cases that isolate one idea each (`cases.py`). Each answer is
compared with the vectorized engine; a wrong answer is matched against known
mistakes, each modelled as the computation it would make (`mistakes.py`).

    from convtrace.check import run_check
    report = run_check("student.py:conv2d", timeout=5)
    report.exit_code      # 0 when nothing failed or erred

This package module stays light: the worker process imports it too.
"""

from __future__ import annotations


def run_check(target: str, **options):
    """Grade FILE.py:FUNCTION -> Report (see convtrace.check.runner.run_check for options)."""
    from .runner import run_check as _run_check

    return _run_check(target, **options)
