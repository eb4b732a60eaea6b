"""The scatter view of a transposed convolution: a frame per input value, the stamp it adds, the output so far.

    summary (the scatter rule with the problem's numbers) -> one frame per input value -> the output

A frame shows the input map with the value marked `[v]`, the kernel slice of
each output channel of its group, the stamp (value * kernel; a tap the
padding crops is `(v)`), and the output map of that channel so far, drawn on
the canvas the loop stamps onto: `[v]` is a cell this stamp adds to (v its
running total), `(v)` a cell the padding crops (what fell there is dropped),
`{v}` a cropped cell this stamp lands on. Rows and columns are counted in
output coordinates, so the cropped ones are negative or past the end.
Every number is the event's (engine/naive_scatter.py).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from functools import partial

import numpy as np
from rich.console import Console, ConsoleOptions, RenderResult
from rich.style import Style
from rich.text import Text

from ...engine.naive_scatter import ScatterStep
from ...source.problem import Problem
from ...text import number
from ..toolkit.grids import CROPPED, CROPPED_TAP, CURRENT, PLAIN, grid, runs_line
from .layer_frames import AXIS_WORDS, LayerOutput, LayerSummary
from ..toolkit.lines import Block, flow, prose, text, vstack
from ..play.pages import Page

BOLD, DIM = Style(bold=True), Style(dim=True)
INDEX = {1: ("i",), 2: ("i", "j"), 3: ("h", "i", "j")}  # an input value's position, per axis
TAP = {1: ("u",), 2: ("u", "v"), 3: ("t", "u", "v")}  # a kernel tap, per axis


def _where(*indices) -> str:
    return ",".join(str(i) for i in indices)


def landing_rule(problem: Problem) -> str:
    """'rows i*2 - 0 + u*1, columns j*2 - 0 + v*1': where the tap u of input i lands, with the problem's numbers."""
    parts = []
    for i, u, a in zip(INDEX[problem.dims], TAP[problem.dims], problem.geometry.axes):
        parts.append(f"{AXIS_WORDS.get(a.name, a.name)} {i}*{a.stride} - {a.before} + {u}*{a.dilation}")
    return ", ".join(parts)


def scatter_story(problem: Problem) -> list[str]:
    """The scatter rule in sentences, with the problem's own numbers."""
    g = problem.geometry
    letters = ",".join(INDEX[problem.dims])
    start = "its channel's bias b[k]" if problem.bias is not None else "0 (there is no bias)"
    story = [f"Read as a scatter, each input value x[n,c,{letters}] stamps x * w[c] (one kernel slice per output "
             f"channel of its group) onto the output at {landing_rule(problem)}; where stamps overlap they add. "
             f"Every output cell starts at {start}."]
    if any(a.before for a in g.axes):
        story.append("padding p crops p cells from each side of what the stamps cover: a stamp's value that lands "
                     "before cell 0 or past the last cell is dropped, drawn (v) on the canvas around the output.")
    if any(problem.output_padding):
        story.append("output_padding adds cells at the end of an axis; the stamps that reach them add there, "
                     "the others keep only the bias.")
    story.append("The gather view (the same command without --method scatter) makes the same output one value "
                 "at a time; the last page says how far apart the two are.")
    return story


def _map(values: np.ndarray, kinds: np.ndarray, labels: list[list[int]], title: str) -> Block:
    """A 1-D, 2-D or 3-D map of values as labelled grids (3-D: one grid per depth slice, one under the other)."""
    texts = np.vectorize(number, otypes=[object])(values) if values.size else values
    width = max((len(t) for t in texts.reshape(-1)), default=1)
    if values.ndim == 1:
        texts, kinds, labels = texts[None], kinds[None], [[""], labels[0]]
    if texts.ndim == 2:
        rows = [runs_line(list(zip(texts[r], kinds[r])), width) for r in range(texts.shape[0])]
        return vstack([text(title, BOLD), grid(rows, [str(r) for r in labels[0]], [str(c) for c in labels[1]], width)])
    slices = [_map(values[d], kinds[d], labels[1:], f"{title}, depth {label}") for d, label in enumerate(labels[0])]
    return vstack(slices)


def _counted(size: int, start: int = 0) -> list[int]:
    return list(range(start, start + size))


class ScatterFrame:
    """One input value's stamp. Printed whole; the player fits it to the screen from its `sections`."""

    def __init__(self, problem: Problem, step: ScatterStep, total: int):
        self.problem, self.step, self.total = problem, step, total

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        head, groups, tail = self.sections(options.max_width)
        yield vstack([head, *groups, tail, text("")])  # a blank line before the next frame, in the frame itself

    def sections(self, width: int) -> tuple[Block, list[Block], Block]:
        """(head, one block per output channel stamped, the legend), laid out for `width` columns."""
        p, s = self.problem, self.step
        k0, k1 = s.outputs
        where = _where(s.n, s.c, *s.position)
        target = f"out[{s.n},{k0}]" if k1 - k0 == 1 else f"out[{s.n},{k0}..{k1 - 1}]"
        lines = [text(f"stamp {s.step} of 0..{self.total - 1}:  x[{where}] = {number(s.value)}, times w[{s.c}], "
                      f"added to {target}", BOLD)]
        first, last = s.cells[(0,) * p.dims], s.cells[(-1,) * p.dims]  # where the first and the last tap land
        lands = ", ".join(f"{AXIS_WORDS.get(a.name, a.name)} {i}*{a.stride} - {a.before} + {u}*{a.dilation} = {lo}..{hi}"
                          for a, i, u, lo, hi in zip(p.geometry.axes, s.position, TAP[p.dims], first, last))
        lines.append(prose(f"lands on {lands}", width, hanging=2))
        image = p.images[s.n, s.c]
        marks = np.full(image.shape, PLAIN)
        marks[s.position] = CURRENT
        head = vstack(lines + [_map(image, marks, [_counted(n) for n in image.shape],
                                    f"x[{s.n},{s.c}]: [ ] = this value")])
        canvas_labels = [_counted(n, -o) for n, o in zip(s.inside.shape, s.origin)]
        taps = [_counted(n) for n in s.kernel.shape[1:]]
        groups = []
        for i, k in enumerate(range(k0, k1)):
            kernel = _map(s.kernel[i], np.full(s.kernel[i].shape, PLAIN), taps, f"w[{s.c},{i}]")
            stamp = _map(s.stamp[i], np.where(s.kept, PLAIN, CROPPED), taps, f"stamp = {number(s.value)} * w[{s.c},{i}]")
            kinds = np.where(s.inside, np.where(s.hit, CURRENT, PLAIN), np.where(s.hit, CROPPED_TAP, CROPPED))
            running = _map(s.running[i], kinds, canvas_labels, f"out[{s.n},{k}] so far")
            groups.append(vstack([text("")] + [flow([kernel, stamp, running], width, gap=3)]))
        legend = "[ ] = the cells this stamp adds to, with their running totals"
        if not s.inside.all():
            legend += "; ( ) = cells the padding crops (what lands there is dropped); { } = a cropped cell this stamp lands on"
        return head, groups, vstack([text(""), prose(legend, width, DIM)])


class ScatterEnd:
    """The scatter loop's output, and how far it is from the gather view's (the vectorized engine's)."""

    def __init__(self, problem: Problem, output: np.ndarray, difference: float):
        self.problem, self.output, self.difference = problem, output, difference

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        yield Text("after every stamp:", style=BOLD)
        yield LayerOutput(self.problem, self.output)
        verdict = "the same as" if self.difference == 0 else "within rounding of"
        yield Text(f"{verdict} the gather view's output (vectorized): max |difference| = {number(self.difference)}")


def scatter_pages(problem: Problem, steps: Iterable[ScatterStep], total: int, cap: int | None,
                  finish: Callable[[], tuple[np.ndarray, float]]) -> Iterator[Page]:
    """Summary, one frame per stamp (at most `cap`), a note on the rest, the output.

    finish() -> (the loop's output (N, K, *O), max |difference| from the gather view's): called at the end.
    """
    from ..play.scatter_fit import fitted_scatter_frame

    yield Page((LayerSummary(problem, scatter_story(problem)),), "summary")
    drawn, last = 0, None
    for step in steps:
        if cap is not None and drawn >= cap:
            # the stamps after the last one drawn are made by finish(), without frames
            yield Page((Text(f"... the stamps after stamp {last} were made but not drawn; draw them all with "
                             f"--limit {total}, pick some with --at, or list them with --format plain.",
                             style=Style(italic=True)),), "not drawn")
            break
        yield Page((ScatterFrame(problem, step, total),), f"stamp {step.step} of 0..{total - 1}", frame=True,
                   fit=partial(fitted_scatter_frame, problem, step, total))
        drawn, last = drawn + 1, step.step
    output, difference = finish()
    yield Page((ScatterEnd(problem, output, difference),), "the end", last=True)
