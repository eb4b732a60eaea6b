"""`--format plain`: one compact line per window position, for long traces and grep."""

from __future__ import annotations

from ...engine.naive import Step
from ...text import number


def plain_line(step: Step) -> str:
    """e.g. 'step 3  out[0,1,0,1]  at (0,1)  partials 9 + 0 + 18  + bias 0 = 27'."""
    partials = " + ".join(number(p) for p in step.partials)
    return (
        f"step {step.step}  out[{step.n},{step.k},{step.row},{step.col}]  "
        f"window at ({step.top},{step.left})  partials {partials}  + bias {number(step.bias)} = {number(step.value)}"
    )
