"""The engine's side of a lesson's facts: a document (+ options) worked out, one quantity at a time.

Shapes and geometry come from the resolved Problem, values from the vectorized
engine, gradients by finite differences of the forward pass (no backward code),
and a stack of documents joined by `|` gives receptive fields and parameter counts.
"""

from __future__ import annotations

import numpy as np

from ..errors import ConvtraceError, DataError
from .better_facts import NAMES as BETTER_NAMES
from .facts_format import STACK_NAMES


def source_request(source: str, lesson, parse_request):
    """'input.json --stride 2,1' -> a loader Request for the lesson folder's input.json with stride [2, 1].

    `parse_request` reads the words as `convtrace run` would (the command line's parser, passed in);
    words that start with an option go on top of the lesson's input (convtrace.teach.lesson_input).
    """
    from .lesson_input import request_for

    return request_for(source, lesson, parse_request)


# ----------------------------------------------------------------------------- the engine's side


class Worked:
    """One document (+ options) worked out by the engine, each quantity computed when first asked for."""

    def __init__(self, request):
        self.error: str | None = None
        self.problem = None
        try:
            self.problem = request.load()
        except ConvtraceError as err:
            self.error = str(err)
        self._cache: dict[str, np.ndarray] = {}

    def value(self, name: str):
        """The engine's value for a fact name (whole array for indexed names)."""
        if name == "error":
            return self.error
        p = self.problem
        if p is None:
            raise DataError(f"the document does not load: {self.error}")
        if not p.is_plain_conv2d:  # groups, transposed, pooling, 1-D, 3-D: convtrace.teach.layer_facts
            from .layer_facts import layer_value

            if name not in self._cache:
                self._cache[name] = layer_value(p, name)
            return self._cache[name]
        g = p.geometry
        n, c, _, _ = p.input_shape
        k, _, kh, kw = p.kernel_shape
        simple = {
            "input_shape": lambda: p.shape_in_layout(p.input_shape),
            "kernel_shape": lambda: p.shape_in_layout(p.kernel_shape),
            "output_shape": lambda: p.shape_in_layout(p.output_shape),
            "padding": lambda: [list(side) for side in g.padding],
            "stride": lambda: list(g.stride),
            "dilation": lambda: list(g.dilation),
            "flip": lambda: p.flip,
            "layout": lambda: p.layout,
            "mode": lambda: g.mode,
            "steps": lambda: p.steps,
            "padded_size": lambda: list(g.padded_size),
            "span": lambda: [g.rows.span, g.cols.span],
            "dropped_rows": lambda: g.rows.dropped,
            "dropped_cols": lambda: g.cols.dropped,
            "rows_formula": lambda: g.rows.out_formula(),
            "cols_formula": lambda: g.cols.out_formula(),
            "same_rows": lambda: _same_formula(g.rows),
            "same_cols": lambda: _same_formula(g.cols),
            "im2col_shape": lambda: [n * g.positions, c * kh * kw],
            "kernel_matrix_shape": lambda: [k, c * kh * kw],
            "product_shape": lambda: [n * g.positions, k],
            "weights": lambda: int(np.prod(p.kernel_shape)),
            "parameters": lambda: int(np.prod(p.kernel_shape)) + (0 if p.bias is None else int(p.bias.size)),
            "receptive_field": lambda: receptive_field([p]),
        }
        if name in simple:
            return simple[name]()
        if name in BETTER_NAMES:
            from .better_facts import better_value

            return better_value(name, p)
        if name not in self._cache:
            self._cache[name] = self._array(name)
        return self._cache[name]

    def _array(self, name: str) -> np.ndarray:
        from ..engine.fast import problem_output, windows

        p = self.problem
        if name == "out":
            return p.to_layout(problem_output(p))
        if name == "step_of":
            from ..engine.naive import trace

            order = np.empty(p.output_shape)
            for step in trace(p):
                order[step.n, step.k, step.row, step.col] = step.step
            return p.to_layout(order)
        if name in ("images", "kernels"):
            return p.to_layout(getattr(p, name))
        if name == "bias":
            if p.bias is None:
                raise DataError("the document has no bias")
            return p.bias
        if name == "im2col":
            win = windows(p.padded_images(), p.geometry)  # (N, C, H', W', kh, kw)
            n, c, h_out, w_out, kh, kw = win.shape
            return win.transpose(0, 2, 3, 1, 4, 5).reshape(n * h_out * w_out, c * kh * kw)
        if name == "kernel_matrix":
            return p.applied_kernels.reshape(p.kernel_shape[0], -1)
        grads = finite_difference_gradients(p)
        if name == "grad_bias" and p.bias is None:
            raise DataError("the document has no bias, so there is no grad_bias")
        return {"grad_images": p.to_layout(grads[0]), "grad_kernels": p.to_layout(grads[1]), "grad_bias": grads[2]}[name]


class Stack:
    """Documents joined by `|` in a header: layers applied in order, each to the previous one's output."""

    problem = None  # no single document: the shape and prose checks look at each layer's own section

    def __init__(self, layers: list[Worked]):
        self.layers = layers
        self.error = next((w.error for w in layers if w.error is not None), None)

    def value(self, name: str):
        if name == "error":
            return self.error
        if name not in STACK_NAMES:
            raise DataError(f"{name} is not a fact about a stack of layers; use one of {', '.join(STACK_NAMES)}")
        if self.error is not None:
            raise DataError(f"a layer of the stack does not load: {self.error}")
        problems = [w.problem for w in self.layers]
        for number, (before, after) in enumerate(zip(problems, problems[1:]), start=2):
            c, k = after.input_shape[1], before.kernel_shape[0]
            if c != k:
                raise DataError(f"layer {number} reads C = {c} channel{'s' * (c != 1)}, but layer {number - 1} makes K = {k}")
        if name == "receptive_field":
            return receptive_field(problems)
        return sum(w.value(name) for w in self.layers)


def receptive_field(problems) -> list[int]:
    """[rows, cols] of the first layer's (padded) input that one output value of the last layer reads.

    Going back one layer, n neighbouring cells of its output read (n-1)*s + d*(k-1) + 1
    cells of its input: the windows start s apart, and the last one spans d*(k-1) + 1.
    """
    size = [1, 1]
    for p in reversed(problems):
        size = [(n - 1) * axis.stride + axis.span for n, axis in zip(size, (p.geometry.rows, p.geometry.cols))]
    return size


def work(source: str, lesson, parse_request) -> Worked | Stack:
    """A header's document (+ options) worked out; 'a.json | b.json' is a stack of layers."""
    parts = [part.strip() for part in source.split("|")]
    layers = [Worked(source_request(part, lesson, parse_request)) for part in parts]
    return layers[0] if len(layers) == 1 else Stack(layers)


def _same_formula(axis) -> str:
    from ..source.padding import same_padding_formula

    return same_padding_formula(axis.size, axis.kernel, axis.stride, axis.dilation)


def finite_difference_gradients(problem) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """dL/dimages (N, C, H, W), dL/dkernels (K, C, kh, kw), dL/dbias (K,) for L = sum(out * grad_output).

    Central differences of the forward engine, one element at a time. L is linear
    in each argument, so a step of 1 is exact up to rounding: small integer
    inputs give exact gradients, computed without any backward-pass code.
    """
    from ..engine.fast import conv2d_nchw

    p = problem
    g_out = p.grad_output if p.grad_output is not None else np.ones(p.output_shape)
    bias = p.bias_or_zeros

    def loss(images, kernels, b) -> float:
        return float((conv2d_nchw(images, kernels, b, p.geometry, p.flip) * g_out).sum())

    def gradient(array: np.ndarray, place) -> np.ndarray:
        grad = np.zeros(array.shape)
        for index in np.ndindex(array.shape):
            bumped = [array.copy(), array.copy()]
            bumped[0][index] += 1.0
            bumped[1][index] -= 1.0
            grad[index] = (loss(*place(bumped[0])) - loss(*place(bumped[1]))) / 2.0
        return grad

    return (
        gradient(np.asarray(p.images), lambda x: (x, p.kernels, bias)),
        gradient(np.asarray(p.kernels), lambda w: (p.images, w, bias)),
        gradient(np.asarray(bias), lambda b: (p.images, p.kernels, b)),
    )
