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

import numpy as np

from ..errors import ConvtraceError, DataError
from .claims import check_prose, quotable
from .facts_engine import Stack, Worked, finite_difference_gradients, receptive_field, source_request, work
from .facts_format import INDEXED, NAMES, REFERENCE, Fact, Finding, parse_facts, same, shown

# the names other modules and the tests import from here
__all__ = [
    "INDEXED", "NAMES", "REFERENCE", "Fact", "Finding", "Stack", "Worked", "check_fact", "check_lesson",
    "finite_difference_gradients", "parse_facts", "receptive_field", "same", "shown", "source_request", "work",
]

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
    grad_cell = lesson.settings.get("quiz_grad")
    if grad_cell:
        from .quiz_grad import parse_grad_cell

        try:
            parse_grad_cell(grad_cell, worked.problem)
        except ConvtraceError as err:
            found.append(Finding("front matter quiz_grad", str(err)))
    try:
        parse_trace_setting(lesson.settings.get("trace"), worked.problem.steps)
    except DataError as err:
        found.append(Finding("front matter trace", str(err)))
    return found
