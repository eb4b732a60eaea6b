"""Rich view of a `convtrace check` report: a line per case, then each failure in detail.

Expected and returned planes sit side by side; a wrong value is written in
[brackets] (and coloured), so the marks survive NO_COLOR, pipes and projectors.
Every number shown comes from the report.

Text that came from the learner's code (messages, prints, the signature) is
never read as Rich markup, and its control characters are shown as escapes
(\x1b), so a print cannot restyle, retitle or clear the terminal.
"""

from __future__ import annotations

import unicodedata

import numpy as np
from rich.console import Console, ConsoleOptions, Group, RenderResult
from rich.padding import Padding
from rich.rule import Rule
from rich.style import Style
from rich.text import Text

from ...check.report import CaseResult, Plane, Report
from ...text import number
from ..toolkit import grids
from ..toolkit.lines import Block, flow, text, vstack
from ..toolkit.text_table import Column, text_table
from ..toolkit.value_grids import ValueGrid

LABELS = {"pass": ("PASS", "green"), "fail": ("FAIL", "bold red"), "error": ("ERROR", "bold red"),
          "skip": ("SKIP", "yellow")}
MAX_CELLS = 12  # rows and columns shown per plane; the cases are small, a runaway answer is not
MAX_PRINTED_LINES = 6
WIDE = 110  # narrower consoles leave the idea of each case to the details


def visible(text: str) -> str:
    """`text` with control and format characters (ESC, BEL, bidi overrides ...) written as escapes.

    Newlines and tabs stay: they are layout, not commands.
    """
    if text.isprintable():
        return text
    return "".join(ch if ch in "\n\t" or unicodedata.category(ch) not in ("Cc", "Cf", "Co", "Cs")
                   else (f"\\x{ord(ch):02x}" if ord(ch) < 0x100 else f"\\u{ord(ch):04x}") for ch in text)


def shown(text: str | None, style: str = "") -> Text:
    """Learner text as a Rich Text: no markup, control characters visible."""
    return Text(visible(text or ""), style=style)


def status_label(status: str) -> Text:
    word, style = LABELS[status]
    return Text(word, style=style)


class CheckReport:
    """The whole report: header, summary table, details of every failed or erring case, totals."""

    def __init__(self, report: Report):
        self.report = report

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        r = self.report
        yield Text.assemble(("convtrace check ", "bold"), (visible(r.target), "bold cyan"))
        operation = "true convolution (--flip)" if r.flip else "cross-correlation"
        if r.operation != "conv2d":
            operation = f"--op {r.operation}"
        yield Text(f"layout {r.layout}, {operation}, at most {r.timeout:g} s per call", style="dim")
        if r.error is not None:
            yield from _setup_error(r)
            return
        yield Text.assemble("signature ", visible(r.signature or ""))
        yield Text("")
        yield summary_table(r.cases, options.max_width)
        for case in r.cases:
            if case.status in ("fail", "error"):
                yield Text("")
                yield CaseDetail(case)
        passed_notes = [(case.name, remark) for case in r.cases if case.status == "pass" for remark in case.remarks]
        if passed_notes:
            yield Text("")
        for name, remark in passed_notes:  # e.g. a right answer that changed its input in place
            yield Text.assemble(("note  ", "dim"), (f"{name}: ", "bold"), visible(remark))
        yield Text("")
        yield totals(r)


def _setup_error(r: Report) -> RenderResult:
    yield Text("")
    yield Text.assemble(status_label("error"), "  ", (visible(r.error.message), "bold"))
    if r.error.traceback:
        yield shown(r.error.traceback)
    if r.stdout.strip():
        yield _printed(r.stdout, "printed while importing")
    yield Text("")
    yield Text("No case was run (exit 1).", style="bold")


def summary_table(cases: list[CaseResult], width: int) -> Block:
    """One row per case: result word, name, what happened (and the idea it isolates, when there is room)."""
    wide = width >= WIDE
    columns = [Column("result"), Column("case"), *([Column("what it isolates", wrap=True)] if wide else []),
               Column("outcome", wrap=True)]
    rows = []
    for case in cases:
        word, style = LABELS[case.status]
        idea = [(one_line(case.idea), None)] if wide else []
        rows.append([(word, Style.parse(style)), (one_line(case.name), None), *idea, (one_line(case.verdict), None)])
    return text_table(columns, rows, width)


def one_line(text: str | None) -> str:
    """Learner text for one table cell: control characters visible, line breaks and tabs as spaces."""
    return " ".join(visible(text or "").split())


def totals(r: Report) -> Text:
    c = r.counts
    parts = [f"{c['pass']} passed", f"{c['fail']} failed", f"{c['error']} erred", f"{c['skip']} skipped"]
    cases = "case" if c["total"] == 1 else "cases"
    line = Text(", ".join(parts) + f" of {c['total']} {cases}; exit {r.exit_code}", style="bold")
    if c["skip"]:
        line.append("  (skipped cases " + ("count as failures under --strict)" if r.strict else
                                           "do not count; --strict makes them fail)"), style="dim")
    return line


class CaseDetail:
    """A failed or erring case: the call, the diagnosis, the traceback or the planes side by side."""

    def __init__(self, case: CaseResult):
        self.case = case

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        c = self.case
        word, style = LABELS[c.status]
        yield Rule(Text(f"{word} {c.name}", style=style), align="left")
        yield Text(c.idea, style="italic")
        yield Text.assemble(("call  ", "dim"), visible(c.call or ""))
        if c.note:
            yield Text.assemble(("note  ", "dim"), visible(c.note))
        shapes = f"images {_shape(c.input_shape)}, kernels {_shape(c.kernel_shape)}"
        if not c.kernel_shape:  # pooling: the window is in the call, there is no kernel array
            shapes = f"images {_shape(c.input_shape)}"
        if c.expected is not None:
            shapes += f" -> expected {_shape(c.expected.shape)}"
        if c.returned is not None:
            shapes += f", returned {_shape(c.returned.shape)}"
        yield Text.assemble(("shape ", "dim"), shapes)
        if c.error is not None and c.error.traceback:
            yield Padding(shown(c.error.traceback), (0, 0, 0, 2))  # it ends with the message
        elif c.error is not None:
            yield Text.assemble(status_label("error"), "  ", visible(c.error.message))
        if c.diagnosis is not None:
            yield Text.assemble(("Diagnosis: ", "bold"), (visible(c.diagnosis.title), "bold magenta"))
            yield Padding(shown(c.diagnosis.explanation), (0, 0, 0, 2))
        elif c.status == "fail":
            yield Text("No known mistake explains these numbers exactly; compare the marked cells.", style="dim")
        for remark in c.remarks:
            yield Text.assemble(("note  ", "dim"), visible(remark))
        if c.planes:
            yield side_by_side(c.planes, options.max_width)
            if c.wrong is not None:
                yield Text(f"[ ] marks a wrong value: {int(c.wrong.sum())} of {c.wrong.size} are wrong.",
                           style="dim")
        if c.stdout.strip():
            yield _printed(c.stdout, "printed by your function")


def side_by_side(planes: list[Plane], width: int) -> Block:
    """Expected and returned planes, pair by pair, with wrong cells bracketed; stacked if too wide."""
    pairs = []
    for plane in planes:
        left = plane_grid(plane.expected, f"expected {plane.expected_label}", plane.wrong, grids.WANTED, width)
        right = plane_grid(plane.returned, f"returned {plane.returned_label}", plane.wrong, grids.WRONG, width)
        pairs.append(flow([left, right], width, gap=4, row_gap=1))
    return vstack(pairs, gap=1)


def plane_grid(values: np.ndarray | None, title: str, wrong: np.ndarray | None, mark: int, width: int) -> Block:
    """A 2-D array (rows, cols) as a titled grid, cut to MAX_CELLS each way; cells where `wrong` is True in [brackets].

    Folded into bands of columns when wider than `width`.
    """
    if values is None:
        return text(f"{title}: nothing to show", Style(dim=True))
    rows, cols = values.shape
    shown_rows, shown_cols = min(rows, MAX_CELLS), min(cols, MAX_CELLS)
    texts = [[number(float(values[i, j])) for j in range(shown_cols)] for i in range(shown_rows)]
    kinds = [[mark if wrong is not None and bool(wrong[i, j]) else grids.PLAIN for j in range(shown_cols)]
             for i in range(shown_rows)]
    return ValueGrid(title, texts, kinds, more_rows=rows > MAX_CELLS, more_cols=cols > MAX_CELLS).block(width)


def _printed(text: str, heading: str) -> Group:
    lines = text.rstrip("\n").splitlines()
    kept = lines[:MAX_PRINTED_LINES]
    body = [Text(f"{heading}:", style="dim")] + [Text("  | " + visible(line)) for line in kept]
    if len(lines) > len(kept):
        body.append(Text(f"  | ... {len(lines) - len(kept)} more lines", style="dim"))
    return Group(*body)


def _shape(shape) -> str:
    """(1, 2) -> '(1, 2)'; (5,) -> '(5,)', as Python writes it."""
    return str(tuple(int(n) for n in shape))
