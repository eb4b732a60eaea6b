"""The backward-pass quiz: grade a predicted cell of dL/dimages or dL/dkernels, and say why.

A lesson names the cell in its front matter (`quiz_grad: grad_images[0,0,1,1]`,
document layout). The expected value is the engine's gradient (engine/grad.py)
for L = sum(out * g), g = the document's grad_output or all ones. The reason
lists every window that touched the cell, one product per window:

    dL/dimages[n,c,r,q]  = sum over k, i, j of g[n,k,i,j] * w[k,c,u,v]
                           where the window at (i, j) puts tap (u, v) on the cell:
                           i*s + u*d = r + top, j*s + v*d = q + left
    dL/dkernels[k,c,u,v] = sum over n, i, j of g[n,k,i,j] * x_pad[n,c,i*s + u*d, j*s + v*d]
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np

from ..errors import DataError
from ..text import number
from .quiz import Verdict, parse_value

NAMES = {"grad_images": "dL/dimages", "grad_kernels": "dL/dkernels"}
SHOWN_TERMS = 9  # products written out; the rest are counted
CELL = re.compile(r"^\s*(grad_images|grad_kernels)\s*\[([\d,\s]+)\]\s*$")


@dataclass(frozen=True)
class GradCell:
    """One cell of a gradient, indexed in the document's layout."""

    name: str  # "grad_images" or "grad_kernels"
    index: tuple[int, ...]

    @property
    def label(self) -> str:
        return f"{self.name}[{','.join(map(str, self.index))}]"

    @property
    def question(self) -> str:
        """A noun phrase for the verdict: 'dL/dimages[0,0,1,1]'."""
        return NAMES[self.name] + self.label[len(self.name):]

    @property
    def prompt(self) -> str:
        """What the learner is asked, with the meaning of the gradient spelled out."""
        array = "images" if self.name == "grad_images" else "kernels"
        return (f"{self.question} (how much L grows when {array}{self.label[len(self.name):]} "
                f"grows by 1)")


def parse_grad_cell(spec: str, problem) -> GradCell:
    """'grad_images[0,0,1,1]' -> GradCell, checked against the shape of the images or kernels (document layout)."""
    match = CELL.match(spec or "")
    if match is None:
        raise DataError(f"quiz_grad {spec!r} is not a gradient cell; write it like grad_images[0,0,1,1] "
                        f"or grad_kernels[0,0,0,0]")
    name = match.group(1)
    index = tuple(int(i) for i in match.group(2).split(","))
    nchw = problem.input_shape if name == "grad_images" else problem.kernel_shape
    shape = tuple(problem.shape_in_layout(nchw))
    if len(index) != len(shape) or any(i >= size for i, size in zip(index, shape)):
        raise DataError(f"quiz_grad {spec!r} is not a cell of {name} {shape}; write 4 indices within it")
    return GradCell(name, index)


def _nchw(problem, cell: GradCell) -> tuple[int, int, int, int]:
    """The cell's index in NCHW order (images) or (K, C, kh, kw) order (kernels)."""
    if problem.layout == "NHWC":
        a, h, w, c = cell.index
        return a, c, h, w
    return cell.index


def terms(problem, cell: GradCell) -> list[tuple[str, float, float]]:
    """Every window that touched the cell: (which output, g there, the weight or input it met)."""
    from ..engine.grad import grad_output_of

    g_out = grad_output_of(problem)
    geo = problem.geometry
    (sh, sw), (dh, dw) = geo.stride, geo.dilation
    (top, _), (left, _) = geo.padding
    n_images, kernels, h_out, w_out = problem.output_shape
    _, _, kh, kw = problem.kernel_shape
    found = []
    if cell.name == "grad_images":
        n, c, r, q = _nchw(problem, cell)
        weights = problem.applied_kernels  # rotated when flip is on: what the windows multiplied by
        for k in range(kernels):
            for i in range(h_out):
                for j in range(w_out):
                    u, v = r + top - i * sh, q + left - j * sw
                    if u % dh == 0 and v % dw == 0 and 0 <= u // dh < kh and 0 <= v // dw < kw:
                        found.append((f"out[{n},{k},{i},{j}]", g_out[n, k, i, j], weights[k, c, u // dh, v // dw]))
        return found
    k, c, u, v = _nchw(problem, cell)
    if problem.flip:  # the forward pass slid rot180(w): written tap (u, v) sat at (kh-1-u, kw-1-v)
        u, v = kh - 1 - u, kw - 1 - v
    padded = problem.padded_images()
    for n in range(n_images):
        for i in range(h_out):
            for j in range(w_out):
                found.append((f"out[{n},{k},{i},{j}]", g_out[n, k, i, j], padded[n, c, i * sh + u * dh, j * sw + v * dw]))
    return found


def expected_value(problem, cell: GradCell) -> float:
    """The engine's gradient at the cell (document layout)."""
    from ..engine.grad import gradients

    grads = gradients(problem)
    array = grads.images if cell.name == "grad_images" else grads.kernels
    return float(problem.to_layout(array)[cell.index])


def worked(cell: GradCell, found: list, value: float) -> str:
    """'grad_images[0,0,1,1] = 1*4 + 1*3 + 1*2 + 1*1 = 10 (windows out[0,0,0,0], ...)'."""
    if not found:
        return f"{cell.label} = 0: no window reads this cell (the floor dropped it)"
    products = [f"{number(g)}*{number(m)}" for _, g, m in found]
    shown = " + ".join(products[:SHOWN_TERMS]) + (f" + ... ({len(products)} products)" if len(products) > SHOWN_TERMS else "")
    what = "the kernel weight on it" if cell.name == "grad_images" else "the input cell under that tap"
    return (f"{cell.label} = {shown} = {number(value)}: one product per window that used it, "
            f"g at that output times {what}")


def grade_grad(problem, cell: GradCell, text: str) -> Verdict:
    """A predicted gradient value -> Verdict with the products written out and the likely slip named."""
    said = parse_value(text)
    value = expected_value(problem, cell)
    found = terms(problem, cell)
    reason = worked(cell, found, value)
    tolerance = 1e-6 * max(1.0, sum(abs(g * m) for _, g, m in found))
    if abs(said - value) <= tolerance:
        return Verdict(cell.question, number(said), number(value), True, reason + ".")
    slip = _slip(problem, cell, found, said, tolerance)
    return Verdict(cell.question, number(said), number(value), False, (f"{slip}. " if slip else "") + reason + ".")


def _slip(problem, cell: GradCell, found: list, said: float, tolerance: float) -> str | None:
    """The usual mistake that gives `said`, if one does."""
    close = lambda a: abs(a - said) <= tolerance  # noqa: E731
    if found and close(len(found)):
        return (f"that is how many windows used it ({len(found)}); each adds g times "
                f"{'the kernel weight on it' if cell.name == 'grad_images' else 'the input under that tap'}")
    if cell.name == "grad_images":
        c = _nchw(problem, cell)[1]
        whole = float(np.sum(problem.applied_kernels[:, c]))
        if len(found) and close(whole):
            return "that is the sum of all the kernel's weights; only the taps that landed on this cell count"
    from ..engine.fast import problem_output

    out = problem.to_layout(problem_output(problem))
    inside = out.ndim == len(cell.index) and all(i < s for i, s in zip(cell.index, out.shape))
    if inside and close(float(out[cell.index])):
        return "that is the forward output at the same index; the gradient sums g times what each window met"
    return None
