"""The step frame's arithmetic: per channel window * kernel slice = products, then c0 + c1 + ... + bias = value.

Every number is the Step's own: patch, kernel, products, partials, bias and
value; decided here is only how the matrices and the sum are laid out and wrapped.
"""

from __future__ import annotations

from rich.style import Style

from ...engine.naive import Step
from ...source.problem import Problem
from ..toolkit import grids
from ..toolkit.lines import Block, flow, hstack, prose, text, vstack
from ...text import Numbers, signed
from ..toolkit.styles import BOLD, NOTE



class StepProducts:
    """The products and the sum of StepView (render/frames/steps.py), which sets the attributes below."""

    problem: Problem
    fmt: Numbers  # how drawn values are written (--precision)
    max_channels: int

    def channel_products(self, s: Step, c: int) -> tuple[Block, Block, Block, str]:
        """Channel c's window, kernel slice and products as matrices, and 'sum v', its partial sum."""
        kernel_title = f"w[{s.k},{c}]" + (" rot180" if self.problem.flip else "")
        fmt, out = self.fmt, self.fmt.out
        window = grids.matrix([[fmt(x) for x in row] for row in s.patch[c].tolist()], f"c{c} window")
        kernel = grids.matrix([[fmt(x) for x in row] for row in s.kernel[c].tolist()], kernel_title)
        products = grids.matrix([[out(x) for x in row] for row in s.products[c].tolist()], "products")
        return window, kernel, products, f"sum {out(s.partials[c])}"

    def products_row(self, s: Step, c: int) -> list[Block]:
        """window * kernel = products  sum v, side by side (the sum beside the middle row)."""
        kh = self.problem.geometry.kernel_size[0]
        window, kernel, products, total = self.channel_products(s, c)
        partial = Block([[] for _ in range(1 + (kh - 1) // 2)] + [[(total, BOLD)]])
        return [window, grids.operator("*", kh), kernel, grids.operator("=", kh), products, partial]

    def products(self, s: Step, width: int) -> Block:
        """Per channel: window * kernel slice = products, and the channel's partial sum."""
        p = self.problem
        n_channels = p.images.shape[1]
        shown = min(n_channels, self.max_channels)
        blocks = []
        for c in range(shown):
            pieces = self.products_row(s, c)
            block = hstack(pieces, gap=1)
            # big kernels: let the matrices wrap under each other rather than be cut off
            blocks.append(block if block.width <= width else flow(pieces, width, gap=1))
        title = "window * kernel slice = products, summed per channel"
        parts = [text(title, BOLD)]
        if p.flip:
            parts.append(prose(f"flip is on: w[{s.k}] is shown rotated 180°, as the window uses it", width, NOTE))
        parts.append(flow(blocks, width, gap=4))
        if n_channels > shown:
            parts.append(prose(f"... and {n_channels - shown} more channel{'s' * (n_channels - shown > 1)}; all partial sums are listed below", width, NOTE))
        return vstack(parts)

    def total(self, s: Step, width: int) -> Block:
        """out = c0 + c1 + ... + bias, then the numbers, then the value; wrapped into chunks that fit."""
        labels = [f"c{c}" for c in range(len(s.partials))] + ["bias"]
        # negative terms in parentheses: '14 + (-2)' reads better than '14 + -2'
        values = [signed(self.fmt.out(x)) for x in s.partials.tolist()] + [signed(self.fmt(s.bias))]
        head = f"out[{s.n},{s.k},{s.row},{s.col}]"
        lead = len(head) + 3
        lines = []
        chunk_l, chunk_v, used = [], [], lead
        chunks = []
        for label, value in zip(labels, values):
            w = max(len(label), len(value))
            if chunk_l and used + w + 3 > width:
                chunks.append((chunk_l, chunk_v))
                chunk_l, chunk_v, used = [], [], lead
            chunk_l.append(label.rjust(w))
            chunk_v.append(value.rjust(w))
            used += w + 3
        chunks.append((chunk_l, chunk_v))
        for i, (chunk_l, chunk_v) in enumerate(chunks):
            first, last = i == 0, i == len(chunks) - 1
            start_l = f"{head} = " if first else " " * lead
            start_v = " " * (lead - 2) + "= " if first else " " * lead
            tail = "" if last else " +"
            lines.append([(start_l + " + ".join(chunk_l) + tail, None)])
            lines.append([(start_v + " + ".join(chunk_v) + tail, None)])
        lines.append([(" " * (lead - 2) + "= ", None), (self.fmt.out(s.value), Style(bold=True, reverse=True, color="green"))])
        return Block(lines)
