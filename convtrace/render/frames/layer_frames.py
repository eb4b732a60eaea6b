"""The step view of every layer but plain 2-D convolution: a summary, a frame per output value, the output.

Each frame shows what the loop read and how the value was made: the group's
input channels (grouped convolution), the zeros a transposed stride inserted
and the border around them, the window maximum and where the gradient goes
(max pooling), the sum and its divisor (average pooling). 1-D windows are one
row of cells; 3-D windows are drawn one depth slice beside the next.

Marks are in the text, not only in colour: `·` is a zero the loop added
(padding, an inserted zero, max pooling's minus infinity), `[v]` the winning
cell of a max pool window. Every number comes from the events and results.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from functools import partial

import numpy as np
from rich.console import Console, ConsoleOptions, RenderResult
from rich.style import Style
from rich.text import Text

from ...engine.layer_step import LayerStep
from ...source.layers import image_axes, kernel_axes, output_axes
from ...source.problem import Problem
from ..play.pages import Page
from ...text import number

BOLD, DIM, MARK = Style(bold=True), Style(dim=True), Style(color="yellow", bold=True, reverse=True)
NAMES = {"conv": "convolution", "conv_transpose": "transposed convolution",
         "max_pool": "max pooling", "avg_pool": "average pooling"}
AXIS_WORDS = {"L": "length", "D": "depth", "H": "rows", "W": "columns"}


def _line(content: str, style: Style | None = None) -> Text:
    return Text(content, style=style or "", no_wrap=True, overflow="crop")


def layer_story(problem: Problem) -> list[str]:
    """What this layer does, in sentences, with the problem's own numbers."""
    g, story = problem.geometry, []
    if problem.layer == "conv" and problem.groups > 1:
        c, k = problem.images.shape[1], problem.out_channels
        story.append(f"groups {problem.groups}: the {c} input channels split into {problem.groups} groups of "
                     f"{c // problem.groups}; output channels k = 0..{k - 1} split into groups of {k // problem.groups}, "
                     f"and each reads only its own group's input channels"
                     + (" (depthwise: one channel each)" if problem.groups == c else "") + ".")
    if problem.causal:
        story.append(f"causal: {g.axes[0].before} zeros on the left only (d*(k-1)), so out[i] never reads "
                     f"an input after position i.")
    if problem.layer == "conv_transpose":
        for a in g.axes:
            border = f"{a.gather_border} zeros" if a.gather_border >= 0 else f"{-a.gather_border} cells cropped"
            story.append(f"{AXIS_WORDS.get(a.name, a.name)}: {a.stride - 1} zero(s) inserted between input cells "
                         f"(stride {a.stride}), then {border} on each side (d*(k-1) - p = {a.dilation}*({a.kernel}-1) "
                         f"- {a.before}) and {a.output_padding} more at the end (output_padding).")
        story.append("Read as a gather, each output value is an ordinary stride-1 window over that zero-filled input, "
                     "with the kernel rotated 180 degrees and its in/out axes swapped: exactly dL/dx of a forward "
                     "convolution. output_padding exists because a stride s maps s input sizes to the same "
                     "forward output size; it picks which one to rebuild.")
    if problem.layer == "max_pool":
        story.append("Padding counts as minus infinity, so it never wins; the first maximum in row-major order is "
                     "kept, and in the backward pass the whole gradient of the output goes to that cell.")
    if problem.layer == "avg_pool":
        rule = ("counting padding cells (count_include_pad true)" if problem.count_include_pad
                else "counting only real input cells (count_include_pad false)")
        story.append(f"Each value is the window's sum divided by its divisor, {rule}; the window is first clipped "
                     f"to the padded input, as PyTorch does. In the backward pass every cell of the window receives "
                     f"gradient / divisor.")
    if problem.ceil_mode:
        story.append("ceil_mode: the window count is rounded up, so a last window may run past the input; "
                     "what it reads there is nothing (· in the frames).")
    return story


class LayerSummary:
    """Shapes, the geometry per axis, the promotions and the layer's story (`story`: other sentences instead)."""

    def __init__(self, problem: Problem, story: list[str] | None = None):
        self.problem, self.story = problem, story

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        p, width = self.problem, options.max_width
        if p.title:
            yield _line(p.title, BOLD)
        yield _line(f"{NAMES[p.layer]}, {p.dims}-D", BOLD)
        yield _line(f"  images  {p.shape_in_layout(p.input_shape)} {image_axes(p.dims, p.layout)}")
        if p.kernels is not None:
            yield _line(f"  kernels {p.shape_in_layout(p.kernel_shape)} {kernel_axes(p.dims, p.layout, p.layer, p.groups)}")
        else:
            yield _line(f"  window  {list(p.pool_size)}")
        yield _line(f"  output  {p.shape_in_layout(p.output_shape)} {output_axes(p.dims, p.layout)}")
        for a in p.geometry.axes:
            yield Text(f"  {a.name}: padding {a.before}/{a.after}, stride {a.stride}, dilation {a.dilation}; "
                       f"{a.out_formula()}")
        for note in p.notes:
            yield Text("  note: " + note, style=DIM)
        for sentence in layer_story(p) if self.story is None else self.story:
            yield Text(sentence)
        if width:
            yield Text("")


def _cell(value: float, real: bool, marked: bool = False) -> str:
    if not real:
        return "·"
    return f"[{number(value)}]" if marked else number(value)


def _grid_lines(values: np.ndarray, real: np.ndarray, marked: tuple | None = None) -> list[str]:
    """A 1-D or 2-D array as aligned text rows ('·' for added zeros, '[v]' for the marked cell)."""
    values = np.atleast_2d(values)
    real = np.atleast_2d(real)
    if marked is not None and len(marked) == 1:
        marked = (0, *marked)
    texts = [[_cell(values[i, j], real[i, j], marked == (i, j)) for j in range(values.shape[1])]
             for i in range(values.shape[0])]
    width = max(len(t) for row in texts for t in row)
    return [" ".join(t.rjust(width) for t in row) for row in texts]


def _block(values: np.ndarray, real: np.ndarray, marked: tuple | None = None) -> list[str]:
    """Any dims: 3-D windows as depth slices side by side, labelled d=0, d=1, ..."""
    if values.ndim < 3:
        return _grid_lines(values, real, marked)
    slices = []
    for depth in range(values.shape[0]):
        mark = marked[1:] if marked is not None and marked[0] == depth else None
        lines = _grid_lines(values[depth], real[depth], mark)
        slices.append([f"d={depth}".ljust(len(lines[0]))] + lines)
    height = max(len(s) for s in slices)
    return ["   ".join(s[i] if i < len(s) else " " * len(s[0]) for s in slices) for i in range(height)]


class LayerFrame:
    """One output value: its window, kernel and arithmetic.

    Printed whole; the player fits it to the screen from its `sections` (render/play/layer_fit.py).
    """

    def __init__(self, problem: Problem, step: LayerStep):
        self.problem, self.step = problem, step

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        head, groups, tail = self.sections()
        yield from head
        for group in groups:
            yield from group
        yield from tail

    def sections(self) -> tuple[list[Text], list[list[Text]], list[Text]]:
        """(head, groups, tail), one Text a line: the value and the window; one group per input channel
        read (a pool's window rows are one group); the sum that makes the value."""
        p, s = self.problem, self.step
        where = ",".join(str(i) for i in (s.n, s.k, *s.position))
        head = [_line(f"step {s.step} of 0..{p.steps - 1}:  out[{where}] = {number(s.value)}", BOLD)]
        real = s.real if s.real is not None else np.ones(s.patch.shape[1:], dtype=bool)
        corner = ",".join(str(i) for i in s.corner)
        if s.layer in ("max_pool", "avg_pool"):
            head.append(_line(f"window at ({corner}) of the padded input, channel {s.k}"))
            return (head, *self._pool(s, real))
        read = "the zero-inserted, padded input" if s.layer == "conv_transpose" else "the padded input"
        head.append(_line(f"window at ({corner}) of {read}; input channels {s.channels[0]}..{s.channels[1] - 1}"
                          + (f" (group {s.group})" if p.groups > 1 else "")))
        groups = []
        for i, channel in enumerate(range(*s.channels)):
            patch = _block(s.patch[i], real)
            kernel = _block(s.kernel[i], np.ones(s.kernel[i].shape, dtype=bool))
            group = [_line(f"  channel {channel}: patch" + " " * max(len(patch[0]) - 5, 1) + "   kernel"
                           + ("" if s.layer == "conv" and not p.flip else " (rotated)"))]
            group += [_line(f"    {left}   {right}") for left, right in zip(patch, kernel)]
            group.append(_line(f"    partial sum = {number(s.partials[i])}"))
            groups.append(group)
        partials = " + ".join(number(v) for v in s.partials)
        return head, groups, [_line(f"  {partials} + bias {number(s.bias)} = {number(s.value)}")]

    def _pool(self, s: LayerStep, real) -> tuple[list[list[Text]], list[Text]]:
        if s.layer == "max_pool":
            rows = [_line("    " + line) for line in _block(s.patch[0], real, s.max_tap)]
            at = ",".join(str(i) for i in s.window_max_at)
            return [rows], [_line(f"  max = {number(s.value)}, first met at input ({at}) [marked]; "
                                  f"its gradient goes there")]
        rows = [_line("    " + line) for line in _block(s.patch[0], real)]
        return [rows], [_line(f"  sum {number(s.total)} / divisor {s.divisor} = {number(s.value)}")]


class LayerOutput:
    """Every output map (n, k) of the result; 3-D maps slice by slice."""

    MAX_MAPS = 16

    def __init__(self, problem: Problem, output: np.ndarray):
        self.problem, self.output = problem, output

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        out = self.output
        yield _line(f"output {list(out.shape)} (channels first)", BOLD)
        shown = 0
        for n in range(out.shape[0]):
            for k in range(out.shape[1]):
                if shown >= self.MAX_MAPS:
                    yield _line(f"  ... {out.shape[0] * out.shape[1] - shown} more maps not drawn", DIM)
                    return
                yield _line(f"  out[{n},{k}]")
                for line in _block(out[n, k], np.ones(out[n, k].shape, dtype=bool)):
                    yield _line("    " + line)
                shown += 1


def layer_pages(problem: Problem, steps: Iterable[LayerStep], output: np.ndarray, cap: int | None) -> Iterator[Page]:
    """Summary, one frame per step (at most `cap`), a note on the rest, the output.

    Each frame page carries its fitted form for the player (render/play/layer_fit.py).
    """
    from ..play.layer_fit import fitted_layer_frame

    yield Page((LayerSummary(problem),), "summary")
    drawn = skipped = 0
    for step in steps:
        if cap is not None and drawn >= cap:
            skipped += 1
            continue
        yield Page((LayerFrame(problem, step), Text("")), f"step {step.step} of 0..{problem.steps - 1}", frame=True,
                   fit=partial(fitted_layer_frame, problem, step))
        drawn += 1
    if skipped:
        yield Page((Text(f"... {skipped} more output values traced but not drawn; draw them with --limit "
                         f"{drawn + skipped}, pick some with --at, or list them with --format plain.",
                         style=Style(italic=True)),), "not drawn")
    yield Page((LayerOutput(problem, output),), "the end", last=True)
