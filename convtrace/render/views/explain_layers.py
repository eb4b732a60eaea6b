"""Rich views of `explain --groups`, `--transposed` and `--pool`. Nothing here computes.

Every formula and number comes from convtrace.teach.explain.groups,
.transposed and .pooling (the values from the engine).
"""

from __future__ import annotations

from rich.console import Console, ConsoleOptions, RenderResult
from rich.text import Text

from ...teach.explain.example import MAP_LIMIT
from ...teach.explain.groups import GroupsNote
from ...teach.explain.pooling import PoolNote
from ...teach.explain.transposed import TransposedNote
from .explain_parts import heading, indent_text, labelled, map_table, side_by_side
from ...text import number


def _sizes(values) -> str:
    return "x".join(map(str, values))


def _maps(items, console: Console, options: ConsoleOptions) -> RenderResult:
    """The example's arrays side by side, or a line saying they are too large to print."""
    if all(max(values.shape) <= MAP_LIMIT for _, values in items):
        yield from side_by_side([map_table(values, title) for title, values in items], console, options)
    else:
        yield indent_text(f"(maps larger than {MAP_LIMIT} per side are not printed; `convtrace run` shows them)")


class GroupsView:
    """`convtrace explain --groups G`."""

    def __init__(self, note: GroupsNote):
        self.n = note

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        n, g = self.n, self.n.geometry
        yield Text.assemble((f"convtrace explain --groups {n.groups}", "bold"),
                            f": C = {n.channels} input channels, K = {n.kernels} kernels {_sizes(g.kernel_size)}, "
                            f"input {_sizes(g.input_size)}")
        yield heading("What it is for")
        yield indent_text(f"Cut the channels into G = {n.groups} groups: each kernel reads only its group's "
                          f"C/G = {n.channels // n.groups} input channels, so it needs fewer weights and the "
                          "groups compute independently (AlexNet's two GPUs; depthwise layers at G = C).")
        yield indent_text(n.weight_shape)
        yield indent_text(n.weights)
        yield heading("Which input channels each output channel reads")
        yield indent_text("Output channel k reads input channels g*C/G .. (g+1)*C/G - 1, g = k // (K/G):")
        yield labelled([(f"k = {row.k}", row.rule) for row in n.rows], indent=4)
        yield heading("On the example (from the engine)")
        for note in n.notes[-1:]:
            yield indent_text(note)
        for row in n.rows:
            sums = " + ".join(f"{number(p)} (channel {c})" for c, p in row.partials)
            yield indent_text(f"out[0,{row.k},0,0] = {sums} = {number(row.value)}", indent=4)
        for note in n.notes[:-1]:
            yield indent_text(note)
        yield indent_text("; ".join(a.out_formula() for a in g.axes) + " (groups do not change the size)")


class TransposedView:
    """`convtrace explain --transposed`."""

    def __init__(self, note: TransposedNote):
        self.n = note

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        n, g = self.n, self.n.geometry
        (ph, _), (pw, _) = g.padding
        yield Text.assemble(("convtrace explain --transposed", "bold"),
                            f": input {_sizes(g.input_size)}, kernel {_sizes(g.kernel_size)}, stride "
                            f"{_sizes(g.stride)}, padding {ph},{pw}, output_padding {_sizes(g.output_padding)}, "
                            f"dilation {_sizes(g.dilation)}")
        yield heading("What it is for")
        yield indent_text("Grow a map: each input value stamps the kernel, scaled by it, into the output, "
                          "s cells apart; overlapping stamps add up (decoders, U-Nets, GAN generators). It is "
                          "what the backward pass of a convolution with the same k, s, p, d computes for "
                          "that convolution's input, used as a layer of its own.")
        yield heading("Output size (Dumoulin and Visin, section 4)")
        yield indent_text("H' = (H-1)*s - 2p + d*(k-1) + output_padding + 1", style="dim")
        for axis in n.axes:
            yield indent_text(axis.formula)
        yield heading("Why output_padding")
        for axis in n.axes:
            yield indent_text(f"{axis.what}: the forward convolution with the same k, s, p, d maps X "
                              f"{axis.what} to the input's size:")
            for line in axis.forward:
                yield indent_text(line, indent=4)
            yield indent_text(axis.chosen, indent=4)
        yield heading("The same as a convolution")
        for axis in n.axes:
            yield indent_text(axis.gather)
        yield indent_text("with the kernel rotated 180 degrees: the stamps, read as windows.")
        yield heading("On the example (from the engine)")
        yield from _maps([("x", n.x), ("w", n.w), (f"output {_sizes(n.output.shape)}", n.output)], console, options)


class PoolView:
    """`convtrace explain --pool max|avg`."""

    def __init__(self, note: PoolNote):
        self.n = note

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        n, g = self.n, self.n.geometry
        (ph, _), (pw, _) = g.padding
        yield Text.assemble((f"convtrace explain --pool {n.kind}", "bold"),
                            f": input {_sizes(g.input_size)}, window {_sizes(g.kernel_size)}, stride "
                            f"{_sizes(g.stride)}, padding {ph},{pw}, dilation {_sizes(g.dilation)}, "
                            f"ceil_mode {'on' if n.ceil_mode else 'off'}")
        yield heading("What it is for")
        what = "its largest value" if n.kind == "max" else "the average of its values"
        yield indent_text(f"Shrink a map without weights: each window gives {what}. The stride defaults to "
                          "the window size, so windows tile the input without overlapping.")
        yield heading("Output size (Dumoulin and Visin, section 3)")
        for axis in n.axes:
            yield labelled([("floor", axis.floor), ("ceil", axis.ceil)])
        yield heading("ceil_mode and the last window")
        for axis in n.axes:
            yield indent_text(f"{axis.what}: {axis.last}")
            yield indent_text(f"window starts (input coordinates): {axis.starts}", indent=4)
        yield heading("On the example (from the engine)")
        items = [("x", n.x), (f"{n.kind} pool {_sizes(n.output.shape)}", n.output)]
        if n.divisors is not None:
            items.append(("divided by", n.divisors))
        yield from _maps(items, console, options)
        if n.divisors is not None:
            yield indent_text("Each divisor is the window's size clipped to the padded input (PyTorch's "
                              "count_include_pad): a window past the edge averages fewer cells.")
