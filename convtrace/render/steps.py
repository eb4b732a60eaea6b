"""Rich frames for the step view: one frame per engine `Step`. Every number comes from the event."""

from __future__ import annotations

import numpy as np
from rich import box
from rich.console import Console, ConsoleOptions, Group, RenderResult
from rich.table import Table
from rich.text import Text

from ..engine import Step
from ..problem import Problem
from .plain import number


def grid(values: np.ndarray, title: str) -> Table:
    """A 2-D array as a small boxed grid of numbers."""
    table = Table(title=title, show_header=False, box=box.SQUARE, padding=(0, 1), title_style="bold")
    for _ in range(values.shape[1]):
        table.add_column(justify="right")
    for row in values:
        table.add_row(*(number(v) for v in row))
    return table


class StepFrame:
    """One window position: patch, kernel slice and products per channel, then the sum."""

    def __init__(self, problem: Problem, step: Step):
        self.problem = problem
        self.step = step

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        s = self.step
        yield Text.assemble(
            (f"step {s.step + 1} of {self.problem.steps}", "bold"),
            f"   out[{s.n},{s.k},{s.row},{s.col}]   window corner (top={s.top}, left={s.left}) in the padded input",
        )
        channels = Table.grid(padding=(0, 2))
        row = []
        for c in range(s.patch.shape[0]):
            channels.add_column()
            parts = Group(
                grid(s.patch[c], f"patch c{c}"),
                grid(s.kernel[c], f"kernel[{s.k}] c{c}"),
                grid(s.products[c], f"products c{c}"),
                Text(f"partial c{c} = {number(s.partials[c])}"),
            )
            row.append(parts)
        channels.add_row(*row)
        yield channels
        terms = " + ".join(f"{number(p)}" for p in s.partials)
        yield Text(f"out[{s.n},{s.k},{s.row},{s.col}] = {terms} + bias {number(s.bias)} = {number(s.value)}", style="bold")
        yield Text("")
