"""The data a trace page plays: the inputs once, then one compact record per embedded step.

    Steps (engine events) --watch--> records [step, n, k, row, col, top, left, value, bias, partials, products]
    Problem                 -------> images (N, C, H, W) and kernels (K, C, kh, kw) as text, geometry
    Collector               -------> the output maps (N, K, H', W') the frames fill in, as text

Every number is formatted here, by the same `number()` the terminal uses, so
the page computes nothing: it slices the patch out of the embedded image at
the window corner the step names, and shows the step's own products, partial
sums and value. Records are lists under a `fields` header (like the jsonl
lines, without repeating the keys), so other layers can name other fields.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from ....engine.naive import Step
from ....engine.tracecheck import Collector
from ....source.problem import Problem
from ....text import number

PAGE_FORMAT = "convtrace-page/1"
DEFAULT_PAGE_STEPS = 2000  # steps a page embeds unless --limit asks for another number
FIELDS = ("step", "n", "k", "row", "col", "top", "left", "value", "bias", "partials", "products")


def text_array(values) -> list:
    """Nested lists of numbers -> the same nesting of their display text ('27', '0.125')."""
    if isinstance(values, list):
        return [text_array(v) for v in values]
    return number(values)


def step_record(s: Step) -> list:
    """One step as a list in FIELDS order; partials (C,) and products (C*kh*kw,) as space-separated text."""
    return [
        s.step, s.n, s.k, s.row, s.col, s.top, s.left, number(s.value), number(s.bias),
        " ".join(number(x) for x in s.partials.tolist()),
        " ".join(number(x) for x in s.products.reshape(-1).tolist()),
    ]


class TraceRecorder:
    """Watches a stream of Steps and keeps what a page needs: the chosen ones (up to a cap) and every value.

    (N, C, H, W) x (K, C, kh, kw): records hold C partials and C*kh*kw products each.
    """

    def __init__(self, problem: Problem, chosen=lambda step: True, limit: int | None = None):
        self.problem = problem
        self.chosen = chosen
        self.cap = DEFAULT_PAGE_STEPS if limit is None else limit
        self.capped_by_default = limit is None
        self.collector = Collector(problem)
        self.records: list[list] = []
        self.left_out = 0  # chosen steps beyond the cap
        self.more = False  # stopped at the cap without counting the rest
        self._source: Iterator[Step] | None = None

    def watch(self, steps: Iterable[Step]) -> Iterator[Step]:
        """Pass `steps` through unchanged, recording each one on the way."""
        self._source = iter(steps)
        for step in self._source:
            self.add(step)
            yield step

    def add(self, step: Step) -> None:
        self.collector.add(step)
        if self.chosen(step):
            if len(self.records) < self.cap:
                self.records.append(step_record(step))
            else:
                self.left_out += 1

    def finish(self) -> None:
        """Record what the consumer of `watch` did not pull (a learner who quit the stepper early), up to the cap."""
        if self._source is not None:
            self.record_from(self._source)
            self._source = None

    def record_from(self, steps: Iterable[Step]) -> None:
        """Record steps until the cap is full; the rest are not traced (the page would not hold them)."""
        for step in steps:
            if len(self.records) >= self.cap and self.chosen(step):
                self.more = True
                return
            self.add(step)

    def cap_note(self) -> str | None:
        """Why some chosen steps are missing from the page, and how to get them, or None."""
        if not (self.left_out or self.more):
            return None
        shown = len(self.records)
        why = "by default" if self.capped_by_default else "by --limit"
        of = f"of the {shown + self.left_out} " if self.left_out and not self.more else ""
        return (f"This page holds the first {shown} {of}chosen window positions "
                f"({why}; each position adds its products to the page). Pick others with --at "
                f"(e.g. --at n=0,k=1 or --at row=0..3) or raise the number with --limit N.")

    def data(self) -> dict:
        """Everything the page plays, as one JSON-ready dict (see the module docstring)."""
        p = self.problem
        g = p.geometry
        used_images = sorted({r[1] for r in self.records})
        used_maps = sorted({(r[1], r[2]) for r in self.records})
        values = self.collector.values
        bias = p.bias_or_zeros.tolist()
        return add_summary({
            "format": PAGE_FORMAT,
            "kind": "conv2d",
            "title": p.title or "convtrace run",
            "description": p.description or "",
            "layout": p.layout,
            "flip": bool(p.flip),
            "has_bias": p.bias is not None,
            "input_shape": list(p.input_shape),
            "kernel_shape": list(p.kernel_shape),
            "output_shape": list(p.output_shape),
            "output_shape_in_layout": list(p.shape_in_layout(p.output_shape)),
            "padding": [list(side) for side in g.padding],
            "padded_size": list(g.padded_size),
            "stride": list(g.stride),
            "dilation": list(g.dilation),
            "total": p.steps,
            "images": {str(n): text_array(p.images[n].tolist()) for n in used_images},
            "kernels": text_array(p.applied_kernels.tolist()),
            "bias": text_array(bias),
            "maps": {f"{n},{k}": text_array(values[n, k].tolist()) for n, k in used_maps},
            "fields": list(FIELDS),
            "steps": self.records,
            "note": self.cap_note(),
        }, p)


def add_summary(data: dict, problem: Problem) -> dict:
    """The summary printed before the first frame (shapes, padding, formulas), as text above the player."""
    from ...frames.summary import ProblemSummary
    from .textframes import as_text

    data["summary"] = as_text(ProblemSummary(problem))
    return data
