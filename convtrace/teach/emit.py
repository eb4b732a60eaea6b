"""A Problem -> a standalone Python script that computes the same result (`convtrace emit`).

The script rebuilds the document's tensors from literals (floats written with
repr, so they round-trip exactly), computes the output with NumPy (a plain loop
beside a vectorized one-liner) or with torch.nn.functional, and prints the
output as one line of JSON: nested lists in the document's layout, promoted to
full rank, e.g. (N, K, H', W') or (N, H', W', K).

This module picks the script: emit_numpy.py (plain 2-D convolution), emit_layers.py
and emit_pool.py (every other layer) or emit_torch.py; what they share is in
emit_text.py and emit_loops.py.
"""

from __future__ import annotations

from ..source.problem import Problem

TARGETS = ("numpy", "torch")


def emit_script(problem: Problem, to: str, command: str = "convtrace emit") -> str:
    """The script for `problem` in the target library ("numpy" or "torch"), as text ending in a newline.

    `command` is how the script was asked for; it is written into the header.
    """
    if to == "numpy" and problem.is_plain_conv2d:
        from .emit_numpy import numpy_script

        return numpy_script(problem, command)
    if to == "numpy":
        from .emit_layers import layer_script

        return layer_script(problem, command)
    if to == "torch":
        from .emit_torch import torch_script

        return torch_script(problem, command)
    raise ValueError(f"unknown target {to!r}; expected one of {', '.join(TARGETS)}")
