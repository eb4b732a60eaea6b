"""The backward view of every layer but plain 2-D convolution: each output value hands its gradient back.

    what the backward pass does for this layer -> one frame per output value -> the gradients

A frame lists the cells that receive something from one output value's
gradient g, and how much: g times a kernel tap (convolutions), all of g to the
window's first maximum (max pooling), g / divisor to every input cell of the
window (average pooling). The last page draws dL/dimages (and dL/dkernels,
dL/dbias where the layer has them) from the vectorized engine.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

import numpy as np
from rich.console import Console, ConsoleOptions, RenderResult
from rich.style import Style
from rich.text import Text

from ...engine.grad import Gradients
from ...engine.naive_backward import BackStep
from ...source.problem import Problem
from .layer_frames import NAMES, _block, _line
from ..play.pages import Page
from ...text import number

BOLD, DIM = Style(bold=True), Style(dim=True)
RULES = {
    "conv": "each output value's gradient g goes back along every product it was made of: "
            "x[cell] += g * w[tap] and w[tap] += g * x[cell], and bias[k] += g; padding cells receive nothing.",
    "conv_transpose": "each output value's gradient g goes back to every input cell j and tap u with "
                      "j*s + u*d - p = its position: x[j] += g * w[tap], w[tap] += g * x[j], bias[k] += g.",
    "max_pool": "each output value's gradient g goes, whole, to the first maximum of its window; "
                "every other cell of the window receives nothing.",
    "avg_pool": "each output value's gradient g is shared: every input cell of its window receives "
                "g / divisor (the divisor of the forward pass).",
}
SHOWN = 12  # receiving cells listed per frame; the rest are counted


class BackHeader:
    def __init__(self, problem: Problem):
        self.problem = problem

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        p = self.problem
        given = "the document's grad_output" if p.grad_output is not None else "all ones (no grad_output given)"
        yield Text(f"backward pass of {NAMES[p.layer]}, {p.dims}-D: L = sum(out * g), g = {given}", style=BOLD)
        yield Text("In this layer " + RULES[p.layer])
        yield Text("")


class BackFrame:
    def __init__(self, problem: Problem, step: BackStep, only: str | None):
        self.problem, self.step, self.only = problem, step, only

    def _list(self, name: str, base: tuple, sends) -> Iterator[Text]:
        for cell, amount in sends[:SHOWN]:
            yield _line(f"    {name}[{','.join(map(str, (*base, *cell)))}] += {number(amount)}")
        if len(sends) > SHOWN:
            yield _line(f"    ... and {len(sends) - SHOWN} more", DIM)
        if not sends:
            yield _line("    nothing (the window read only padding)", DIM)

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        s, p = self.step, self.problem
        where = ",".join(str(i) for i in (s.n, s.k, *s.position))
        yield _line(f"step {s.step} of 0..{p.steps - 1}:  g[{where}] = {number(s.grad)}", BOLD)
        if self.only in (None, "images"):
            yield _line("  to dL/dimages:")
            yield from self._list("x", (s.n,), s.to_images)
        if self.only in (None, "kernels") and p.kernels is not None:
            yield _line("  to dL/dkernels:")
            yield from self._list("w", (), s.to_kernels)
        if self.only in (None, "bias") and s.to_bias is not None:
            yield _line(f"  to dL/dbias:  b[{s.k}] += {number(s.to_bias)}")
        yield Text("")


class GradientArrays:
    """dL/dimages (and dL/dkernels, dL/dbias) drawn map by map, channels first."""

    MAX_MAPS = 12

    def __init__(self, grads: Gradients, only: str | None):
        self.grads, self.only = grads, only

    def _maps(self, name: str, array: np.ndarray) -> Iterator[Text]:
        yield _line(f"{name} {list(array.shape)} (channels first)", BOLD)
        maps = [(a, b) for a in range(array.shape[0]) for b in range(array.shape[1])]
        for a, b in maps[: self.MAX_MAPS]:
            yield _line(f"  [{a},{b}]")
            for line in _block(array[a, b], np.ones(array[a, b].shape, dtype=bool)):
                yield _line("    " + line)
        if len(maps) > self.MAX_MAPS:
            yield _line(f"  ... {len(maps) - self.MAX_MAPS} more maps not drawn", DIM)

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        g = self.grads
        if self.only in (None, "images"):
            yield from self._maps("dL/dimages", g.images)
        if self.only in (None, "kernels") and g.kernels is not None:
            yield from self._maps("dL/dkernels", g.kernels)
        if self.only in (None, "bias") and g.bias is not None:
            yield _line("dL/dbias " + "  ".join(number(v) for v in g.bias), BOLD)


def back_pages(problem: Problem, steps: Iterable[BackStep], grads: Gradients, cap: int | None,
               only: str | None) -> Iterator[Page]:
    """Header, one frame per output value (at most `cap`), a note on the rest, the gradients."""
    yield Page((BackHeader(problem),), "backward pass")
    drawn = skipped = 0
    for step in steps:
        if cap is not None and drawn >= cap:
            skipped += 1
            continue
        yield Page((BackFrame(problem, step, only),), f"step {step.step} of 0..{problem.steps - 1}", frame=True)
        drawn += 1
    if skipped:
        yield Page((Text(f"... {skipped} more output values traced but not drawn; draw them with --limit "
                         f"{drawn + skipped}, or list them with --format plain.", style=Style(italic=True)),),
                   "not drawn")
    yield Page((GradientArrays(grads, only),), "the end", last=True)
