"""A lesson's stated numbers, checked against the engine.

Every lesson ends with a ```facts block: one `name = value` line per number the
lesson states, grouped under `[FILE OPTIONS]` headers that name the document
(relative to the lesson folder) and any command-line options, exactly as
`convtrace run` takes them. Lines before the first header are about the
lesson's own input.

    ```facts
    output_shape = (1, 1, 2, 2)
    out[0,0,1,0] = 20

    [input.json --stride 2,1]
    output_shape = (1, 1, 2, 4)

    [layer1.json | layer2.json --dilation 2]
    receptive_field = [7, 7]
    ```

A header that joins documents with `|` is a stack of layers, each one reading
the previous one's output: its facts are the whole stack's receptive field
and parameter counts.

`check_lesson` recomputes each fact (shapes and geometry from the resolved
Problem, values from the vectorized engine, gradients by finite differences of
the forward pass), then has convtrace.teach.claims read the prose: every shape
tuple, list of numbers, `HxW` size, `out[...] = v` statement and arithmetic
chain in inline code (`1*4 + 2*8 = 20`) must agree with the checked facts.
"""

from __future__ import annotations

import ast
import json
import re
from dataclasses import dataclass

import numpy as np

from ..errors import ConvtraceError, DataError

# name -> what it means; the README lists the same table for teachers
NAMES = {
    "input_shape": "images shape, document layout, rank 4",
    "kernel_shape": "kernels shape, document layout, rank 4",
    "output_shape": "output shape, document layout",
    "padding": "[[top, bottom], [left, right]] as resolved",
    "stride": "[sh, sw]",
    "dilation": "[dh, dw]",
    "flip": "true or false",
    "layout": "NCHW or NHWC",
    "mode": "valid, same, full or explicit",
    "steps": "window positions N*K*H'*W'",
    "padded_size": "[H + top + bottom, W + left + right]",
    "span": "[dh*(kh-1)+1, dw*(kw-1)+1]",
    "dropped_rows": "rows the floor leaves unread",
    "dropped_cols": "columns the floor leaves unread",
    "rows_formula": "H' formula with numbers, as the engine writes it",
    "cols_formula": "W' formula with numbers",
    "same_rows": "the 'same' padding rule for rows, with numbers",
    "same_cols": "the 'same' padding rule for columns, with numbers",
    "out": "output values, document layout; index optional",
    "grad_images": "dL/dimages for L = sum(out * grad_output), document layout",
    "grad_kernels": "dL/dkernels, document layout",
    "grad_bias": "dL/dbias",
    "im2col_shape": "[N*H'*W', C*kh*kw]: the column matrix, one row per window",
    "kernel_matrix_shape": "[K, C*kh*kw]",
    "product_shape": "[N*H'*W', K]: column matrix @ kernel matrix transposed",
    "im2col": "the column matrix (N*H'*W', C*kh*kw); row j is window j in loop order, flattened (c, u, v)",
    "kernel_matrix": "kernels as rows (K, C*kh*kw), flipped when flip is on",
    "step_of": "step_of[cell] = the 0-based step (loop order n, k, row, col) that computes out[cell]",
    "images": "the images as the document gives them, after promotion to rank 4",
    "kernels": "the kernels as the document gives them, after promotion to rank 4",
    "bias": "the bias, one number per kernel",
    "error": "text the document's error message must contain",
    "weights": "K*C*kh*kw: the numbers in the kernels (summed over the layers of a stack)",
    "parameters": "weights plus one bias per kernel when the document has a bias (summed over a stack)",
    "receptive_field": "[rows, cols] of input cells one output value depends on (through every layer of a stack)",
}
from .layer_facts import LAYER_NAMES  # noqa: E402  (groups, transposed, pooling: their own settings)

NAMES.update(LAYER_NAMES)
from .better_facts import INDEXED as _BETTER_INDEXED, NAMES as _BETTER_NAMES  # noqa: E402

NAMES.update(_BETTER_NAMES)  # loop_multiplications, winograd_*, fft_*: teach/better_facts.py
STACK_NAMES = ("weights", "parameters", "receptive_field", "error")
TEXT_NAMES = ("rows_formula", "cols_formula", "same_rows", "same_cols", "error", "layout", "mode")
INDEXED = ("out", "step_of", "grad_images", "grad_kernels", "grad_bias", "im2col", "kernel_matrix",
           "images", "kernels", "bias") + _BETTER_INDEXED
# an index is numbers or ':' (a whole axis): out[0,:,1,0] is one pixel's value in every output channel
LINE = re.compile(r"^([a-z_][a-z0-9_]*)(?:\[([\d,\s:]+)\])?\s*=\s*(.+?)\s*$")
REFERENCE = re.compile(r"^\s*(" + "|".join(INDEXED) + r")\[([\d,\s:]+)\]\s*$")


@dataclass(frozen=True)
class Fact:
    """One `name[index] = value` line of a facts block."""

    source: str  # the section header ('' = the lesson's input, no options)
    name: str
    index: tuple | None  # ints, and slice(None) for ':'
    value: object  # number, bool, str or nested lists
    line: int  # line number inside the facts block (1-based)

    @property
    def key(self) -> str:
        if self.index is None:
            return self.name
        return self.name + "[" + ",".join(":" if isinstance(i, slice) else str(i) for i in self.index) + "]"


@dataclass(frozen=True)
class Finding:
    """Something a lesson states that the engine (or its own facts) does not back up."""

    where: str
    message: str

    def __str__(self) -> str:
        return f"{self.where}: {self.message}"


# ----------------------------------------------------------------------------- parsing


def parse_value(name: str, text: str):
    """The right-hand side of a fact: JSON or a Python literal (tuples allowed); text facts stay text."""
    if name in TEXT_NAMES:
        return text.strip().strip('"')
    try:
        return json.loads(text)
    except ValueError:
        pass
    try:
        value = ast.literal_eval(text)
    except (ValueError, SyntaxError):
        raise DataError(f"{text!r} is not a number, a list or a tuple") from None
    return _listify(value)


def _listify(value):
    if isinstance(value, (tuple, list)):
        return [_listify(v) for v in value]
    return value


def parse_facts(text: str | None) -> list[Fact]:
    """The body of a ```facts block -> Facts. DataError names the line of any mistake."""
    facts: list[Fact] = []
    source = ""
    for number, raw in enumerate((text or "").splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith("[") and line.endswith("]"):
            source = line[1:-1].strip()
            continue
        match = LINE.match(line)
        if match is None or match.group(1) not in NAMES:
            name = line.split("=")[0].split("[")[0].strip()
            hint = f"unknown name {name!r}; known: {', '.join(NAMES)}" if match else "write 'name = value' or 'name[i,j] = value'"
            raise DataError(f"facts line {number}: {line!r}: {hint}")
        name, index, value = match.groups()
        if index is not None and name not in INDEXED:
            raise DataError(f"facts line {number}: {name} takes no index; only {', '.join(INDEXED)} do")
        try:
            parsed = parse_value(name, value)
        except DataError as err:
            raise DataError(f"facts line {number}: {err}") from None
        idx = tuple(slice(None) if i.strip() == ":" else int(i) for i in index.split(",")) if index else None
        facts.append(Fact(source, name, idx, parsed, number))
    return facts


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
        if name in _BETTER_NAMES:
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
    from ..source.geometry import same_padding_formula

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


# ----------------------------------------------------------------------------- comparing


def same(stated, actual) -> bool:
    """Numbers within rounding, lists element by element, text exactly."""
    if isinstance(stated, str) or isinstance(actual, str):
        return stated == actual
    if isinstance(stated, bool) or isinstance(actual, (bool, np.bool_)):
        return stated is bool(actual) if isinstance(stated, bool) else False
    try:
        a, b = np.asarray(stated, dtype=float), np.asarray(actual, dtype=float)
    except (TypeError, ValueError):
        return False
    return a.shape == b.shape and bool(np.allclose(a, b, rtol=1e-9, atol=1e-9))


def shown(value) -> str:
    """A value as a lesson would write it: 20 not 20.0."""
    if isinstance(value, np.ndarray):
        value = value.tolist()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, list):
        return "[" + ", ".join(shown(v) for v in value) + "]"
    return json.dumps(value) if isinstance(value, bool) else str(value)


def check_fact(fact: Fact, worked: Worked) -> str | None:
    """None when the engine agrees with the fact; otherwise what the engine says."""
    try:
        actual = worked.value(fact.name)
        if fact.index is not None:
            actual = np.asarray(actual)[fact.index]
    except IndexError:
        return f"{fact.key}: index out of range for shape {np.shape(worked.value(fact.name))}"
    except DataError as err:
        return f"{fact.key}: {err}"
    if fact.name == "error":
        if actual is None:
            return "the document loads without error, but the lesson says it fails"
        return None if str(fact.value) in actual else f"error message is {actual!r}"
    if not same(fact.value, actual):
        return f"{fact.key} = {shown(fact.value)} but the engine gives {shown(actual)}"
    return None


def check_lesson(lesson, parse_request) -> list[Finding]:
    """Every fact against the engine, then the prose against the facts. An empty list means all agree.

    `parse_request` turns a facts section's words ('input.json --stride 2') into a loader Request.
    """
    from .claims import check_prose, quotable
    from .lessons import parse_trace_setting

    findings: list[Finding] = []
    try:
        facts = parse_facts(lesson.facts_text)
    except DataError as err:
        return [Finding("facts", str(err))]
    if lesson.has_input and not facts:
        findings.append(Finding("facts", "the lesson has no ```facts block; state its output_shape at least"))

    known: set = set()
    worked_by_source: dict[str, Worked] = {}
    for source in dict.fromkeys([""] + [f.source for f in facts]):
        if source == "" and not lesson.has_input:
            continue
        try:
            worked = worked_by_source[source] = work(source, lesson, parse_request)
        except DataError as err:
            findings.append(Finding(f"facts [{source}]", str(err)))
            continue
        if worked.problem is not None:
            for name in ("input_shape", "kernel_shape", "output_shape", "padding", "stride", "dilation",
                         "padded_size", "span"):
                try:
                    known |= quotable(worked.value(name))
                except DataError:  # pooling has no kernel_shape
                    pass

    for fact in facts:
        worked = worked_by_source.get(fact.source)
        if worked is None:
            continue
        problem = check_fact(fact, worked)
        where = f"facts line {fact.line}" + (f" [{fact.source}]" if fact.source else "")
        if problem:
            findings.append(Finding(where, problem))
        known |= quotable(fact.value)

    findings += _check_settings(lesson, worked_by_source.get(""), parse_trace_setting)
    findings += check_prose(lesson.markdown, facts, known)
    # the documents' titles and descriptions are shown above the trace: they are prose too
    for source, worked in worked_by_source.items():
        if worked.problem is not None:
            shown_text = f"{worked.problem.title or ''}\n{worked.problem.description or ''}"
            label = f"title/description of [{source or lesson.settings.get('input', 'input.json')}]"
            findings += [Finding(label, f.message) for f in check_prose(shown_text, facts, known)]
    return findings


def _check_settings(lesson, worked: Worked | None, parse_trace_setting) -> list[Finding]:
    """The front matter's quiz cell and trace steps must fit the lesson's own output."""
    found = []
    if worked is None or worked.problem is None:
        if worked is not None:
            found.append(Finding("input", f"the lesson's input does not load: {worked.error}"))
        return found
    cell = lesson.settings.get("quiz")
    if cell:
        from .quiz import parse_cell

        try:
            parse_cell(cell, worked.problem)
        except ConvtraceError as err:
            found.append(Finding("front matter quiz", str(err)))
    try:
        parse_trace_setting(lesson.settings.get("trace"), worked.problem.steps)
    except DataError as err:
        found.append(Finding("front matter trace", str(err)))
    return found
