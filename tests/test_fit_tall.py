"""The compact frame of a big kernel when even two columns are too tall: the kernel slice and the products
keep their first and last rows, a ⋮ row and a note stand for the others, the sum is still that of all.

Drawn in-process at 80x23 (the player's screen less its footer), read as plain text. The values looked
for come from numpy slicing and scipy.signal.correlate2d on the document, not from convtrace.
"""

from __future__ import annotations

import re

import numpy as np
from rich.console import Console
from scipy.signal import correlate2d

import convtrace
from convtrace.render.play.fit import fitted_frame
from convtrace.render.play.fit_tall import kept
from convtrace.render.frames.steps import StepView

WIDTH, HEIGHT = 80, 23


def test_kept_rows_are_the_first_and_last_with_one_gap():
    assert kept(9, 9) == list(range(9))
    assert kept(9, 6) == [0, 1, 2, None, 6, 7, 8]
    assert kept(7, 3) == [0, 1, None, 6]


def screen_of(doc: dict, step_number: int) -> list[str]:
    problem = convtrace.load(doc)
    view = StepView(problem)
    step = next(s for s in convtrace.trace(problem) if s.step == step_number)
    console = Console(width=WIDTH, no_color=True, highlight=False)
    with console.capture() as captured:
        console.print(fitted_frame(view, step, WIDTH, HEIGHT, "auto", 0), crop=False)
    return captured.get().rstrip("\n").split("\n")


def matrix_rows(screen: list[str], title: str, count: int) -> list[list[str]]:
    """The `count` matrix lines under `title`, as lists of cell texts."""
    first = next(i for i, line in enumerate(screen) if title in line)
    column = screen[first].index(title)
    rows = []
    for line in screen[first + 1: first + 1 + count]:
        found = re.match(r"\[([^\]]*)\]", line[column:])
        assert found, line
        rows.append(found.group(1).split())
    return rows


def test_a_9x9_kernel_with_same_padding_keeps_its_first_and_last_rows():
    rng = np.random.default_rng(5)
    x = rng.integers(-3, 4, (12, 12))
    w = rng.integers(-2, 3, (9, 9))
    doc = {"images": x.tolist(), "kernels": w.tolist(), "mode": "same"}
    row, col = 5, 6
    screen = screen_of(doc, row * 12 + col)  # 'same' keeps 12x12: the window in the middle of the padded input
    text = "\n".join(screen)
    assert len(screen) <= HEIGHT and max(map(len, screen)) <= WIDTH, text

    note = re.search(r"⋮ rows (\d+)\.\.(\d+) not drawn", text)
    assert note, text
    first_hidden, last_hidden = int(note.group(1)), int(note.group(2))
    shown = [u for u in range(9) if not first_hidden <= u <= last_hidden]
    assert 0 in shown and 8 in shown

    window = np.pad(x, 4)[row: row + 9, col: col + 9]
    for title, matrix in (("w[0,0]", w), ("[ ] window * w[0,0]", window * w)):
        rows = matrix_rows(screen, title, len(shown) + 1)
        gap = shown.index(last_hidden + 1)
        assert rows[gap] == ["⋮"] * 9, text
        drawn = rows[:gap] + rows[gap + 1:]
        assert drawn == [[str(v) for v in matrix[u]] for u in shown], text
    value = int(correlate2d(np.pad(x, 4), w, "valid")[row, col])
    assert f"sum of the 81 products {value}" in text
    assert re.search(rf"\s= {value}(\s|$)", text), text  # the total's last line: = value
    assert re.search(rf"\[\s*{value}\]", text), text  # this step's cell in the output map
