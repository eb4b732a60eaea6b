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
from rich import box
from rich.console import Console, ConsoleOptions, Group, RenderResult
from rich.padding import Padding
from rich.rule import Rule
from rich.table import Table
from rich.text import Text

from ..check.report import CaseResult, Plane, Report
from ..text import number

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


def summary_table(cases: list[CaseResult], width: int) -> Table:
    """One row per case: result word, name, what happened (and the idea it isolates, when there is room)."""
    wide = width >= WIDE
    table = Table(box=box.SIMPLE_HEAD, padding=(0, 1), show_edge=False)
    table.add_column("result", no_wrap=True)
    table.add_column("case", no_wrap=True)
    if wide:
        table.add_column("what it isolates")
    table.add_column("outcome")
    for case in cases:
        idea = [case.idea] if wide else []
        table.add_row(status_label(case.status), case.name, *idea, shown(case.verdict))
    return table


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


def side_by_side(planes: list[Plane], width: int) -> Group:
    """Expected and returned planes, pair by pair, with wrong cells bracketed; stacked if too wide."""
    rows = []
    for plane in planes:
        left, left_width = grid(plane.expected, f"expected {plane.expected_label}", plane.wrong, "bold green")
        right, right_width = grid(plane.returned, f"returned {plane.returned_label}", plane.wrong, "bold red")
        if left_width + right_width + 3 <= width:
            pair = Table.grid(padding=(0, 3))
            pair.add_row(left, right)
            rows.append(pair)
        else:
            rows.extend([left, right])
    return Group(*rows)


def grid(values: np.ndarray | None, title: str, wrong: np.ndarray | None, style: str):
    """A 2-D array as a titled, boxed grid -> (renderable, width in characters).

    Cells where `wrong` is True are shown as [value], the others as ' value '.
    """
    if values is None:
        text = Text(f"{title}: nothing to show", style="dim")
        return text, len(text)
    rows, cols = values.shape
    shown_rows, shown_cols = min(rows, MAX_CELLS), min(cols, MAX_CELLS)
    cells = [[_cell(float(values[i, j]), wrong is not None and bool(wrong[i, j])) for j in range(shown_cols)]
             for i in range(shown_rows)]
    if cols > MAX_CELLS:
        cells = [row + [" ..."] for row in cells]
    if rows > MAX_CELLS:
        cells.append([" ..."] * len(cells[0]))
    # pre-padded and left-justified, because Rich trims the trailing space that aligns the digits
    widths = [max(len(row[j]) for row in cells) for j in range(len(cells[0]))]
    table = Table(show_header=False, box=box.SQUARE, padding=(0, 0))
    for w in widths:
        table.add_column(no_wrap=True, width=w)
    for row in cells:
        table.add_row(*[Text(text.rjust(w), style=style if text.startswith("[") else "")
                        for text, w in zip(row, widths)])
    return Group(Text(title, style="bold"), table), max(len(title), sum(widths) + len(widths) + 1)


def _cell(value: float, wrong: bool) -> str:
    text = number(value)
    return f"[{text}]" if wrong else f" {text} "


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
