"""Rich view of `convtrace bench`: a table of times per method and a bar chart. Nothing here computes."""

from __future__ import annotations

import math

from rich import box
from rich.console import Console, ConsoleOptions, RenderResult
from rich.table import Table
from rich.text import Text

from ...teach.bench import DESCRIPTIONS, LABELS, CaseResult, Timing
from ...teach.verdict import Verdict

BAR_WIDTH = 40


def seconds_text(seconds: float | None) -> str:
    """0.000123 -> '123 us', 0.0456 -> '45.6 ms', 3.2 -> '3.20 s'."""
    if seconds is None:
        return "-"
    if seconds < 1e-3:
        return f"{seconds * 1e6:.0f} us"
    if seconds < 1:
        return f"{seconds * 1e3:.3g} ms"
    return f"{seconds:.3g} s"


def _times(value: float | None) -> str:
    if value is None:
        return "-"
    return f"{value:,.0f}x" if value >= 100 else f"{value:.3g}x"


class BenchView:
    """One case: the methods' times, speed-ups over the naive loop, GFLOP/s, agreement; then bars."""

    def __init__(self, result: CaseResult, verdict: Verdict | None = None):
        self.result = result
        self.verdict = verdict

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        r = self.result
        p = r.case.problem
        if p.is_plain_conv2d:
            n, c, h, w = p.input_shape
            k, _, kh, kw = p.kernel_shape
            out = "x".join(map(str, p.output_shape))
            yield Text.assemble(
                (r.case.name, "bold"),
                f"\n  images {n}x{c}x{h}x{w} * kernels {k}x{c}x{kh}x{kw} -> output {out} (NCHW), "
                f"{r.case.dtype}, {p.steps:,} window positions, {r.case.flops / 1e9:.3g} GFLOP",
            )
        else:
            yield _layer_header(r)
        table = Table(box=box.SIMPLE_HEAD, show_edge=False, padding=(0, 1), header_style="bold")
        for name, justify in (("method", "left"), ("time", "right"), ("runs", "right"),
                              ("vs naive", "right"), ("GFLOP/s", "right"), ("agrees (max diff)", "left")):
            table.add_column(name, justify=justify, no_wrap=True)
        for t in r.timings:
            table.add_row(t.label, self._time(t), str(t.runs) if t.seconds is not None else "-",
                          _times(r.speedup(t)), _gflops(r.gflops(t)), _agreement(t))
        yield table
        for t in r.timings:
            if t.note:
                yield Text(f"  {t.label}: {'not run, ' if t.seconds is None else ''}{t.note}.", style="dim")
        yield from self._bars(r)
        for t in r.timings:
            if t.estimated:
                yield Text(f"  ~ {t.label}: stopped after {t.done:.1%} of the positions; "
                           f"its time is that part scaled to the whole.", style="dim")
        if self.verdict is not None:
            yield from _verdict(self.verdict)
        yield Text("")

    @staticmethod
    def _time(t: Timing) -> str:
        if t.seconds is None:
            return "not run"
        return ("~" if t.estimated else "") + seconds_text(t.seconds)

    @staticmethod
    def _bars(r: CaseResult) -> RenderResult:
        """Time per method on a log scale: each bar step of BAR_WIDTH/decades is 10x slower."""
        timed = [t for t in r.timings if t.seconds]
        if not timed:
            return
        fastest = min(t.seconds for t in timed)
        slowest = max(t.seconds for t in timed)
        decades = max(1.0, math.log10(slowest / fastest))
        yield Text(f"time, log scale (each {BAR_WIDTH / decades:.0f} characters = 10x slower; shorter is faster):")
        width = max(len(t.label) for t in timed)
        for t in timed:
            length = 1 + round((BAR_WIDTH - 1) * math.log10(t.seconds / fastest) / decades)
            yield Text.assemble(
                f"  {t.label:<{width}} ",
                ("█" * length, "cyan"),
                f" {'~' if t.estimated else ''}{seconds_text(t.seconds)}",
            )


def _layer_header(r: CaseResult) -> Text:
    """'2-D depthwise convolution: images 1x3x5x5 * kernels 3x1x3x3 -> output 1x3x3x3 (channels first), ...'."""
    case, p = r.case, r.case.problem
    shape = "x".join
    if case.is_pool:
        operand = f"window {shape(map(str, p.geometry.kernel_size))}"
        work = f"{case.operations:,} {case.operation} (no multiplications: no GFLOP/s)"
    else:
        operand = f"kernels {shape(map(str, p.kernel_shape))}"
        work = f"{case.operations:,} {case.operation}, {case.flops / 1e9:.3g} GFLOP"
    return Text.assemble(
        (case.name, "bold"),
        f"\n  {case.kind}: images {shape(map(str, p.input_shape))} {'with' if case.is_pool else '*'} {operand} -> output "
        f"{shape(map(str, p.output_shape))} (channels first), {case.dtype}, {p.steps:,} output values, {work}",
    )


def _verdict(v: Verdict) -> RenderResult:
    """'Fastest: Winograd (21.3 ms), 1.6x faster than PyTorch.' and the reasons, one a line."""
    ahead = ""
    if v.runner_up:
        ahead = (f", about as fast as {LABELS[v.runner_up]}" if v.factor < 1.05
                 else f", {v.factor:.2g}x faster than {LABELS[v.runner_up]}")
    yield Text.assemble(("Fastest: ", "bold"), (v.label, "bold"), f" ({seconds_text(v.seconds)}){ahead}.")
    for reason in v.reasons:
        yield Text(f"  - {reason}")


def _gflops(value: float | None) -> str:
    if value is None:
        return "-"
    return f"{value:.3g}"


def _agreement(t: Timing) -> str:
    if t.agrees is None:
        return "-"
    return f"{'yes' if t.agrees else 'NO'} ({t.max_error:.1e})"


class MethodsLegend:
    """What each method is, once under the tables."""

    def __init__(self, methods, machine: dict, descriptions: dict | None = None, about: str | None = None):
        self.methods = methods
        self.machine = machine
        self.descriptions = descriptions or DESCRIPTIONS
        self.about = about or ("GFLOP/s are effective: every method is credited with the direct method's "
                               "2*N*K*H'*W'*C*kh*kw operations. ")

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        yield Text("Methods:", style="bold")
        width = max(len(LABELS[m]) for m in self.methods)
        for m in self.methods:
            yield Text(f"  {LABELS[m]:<{width}}  {self.descriptions[m]}")
        facts = ", ".join(f"{key} {value}" for key, value in self.machine.items())
        yield Text(f"Machine: {facts}", style="dim")
        yield Text("Agrees: compared with the float64 vectorized engine on every computed position. "
                   f"{self.about}"
                   "Times are medians; other programs running at the same time make them vary.", style="dim")
