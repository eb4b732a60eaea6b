"""`run --method scatter --step` in the classroom player, in tmux at 80x24, on lesson 17's input.

Each stamp's frame fits the screen (no `↓ more`), names the input value it
stamps, and shows the running output with the stamped cells bracketed. The
expected numbers are worked out here with NumPy from the lesson's document
(x * w added at rows and columns i*s + u) and checked against the vectorized
engine; none are copied from the frame code.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from test_player_screen import CONVTRACE, Pane

from convtrace.engine.dispatch import layer_output
from convtrace.source.problem import problem_from_document

LESSON = Path(__file__).resolve().parents[1] / "lessons" / "17-transposed"


@pytest.fixture
def pane():
    pane = Pane(80, 24)
    yield pane
    pane.close()


def running_maps() -> list[np.ndarray]:
    """The 5x5 output after each of the four stamps, by NumPy: stride 2, no padding."""
    doc = json.loads((LESSON / "input.json").read_text())
    x, w = np.array(doc["images"], float), np.array(doc["kernels"], float)
    out, maps = np.zeros((5, 5)), []
    for i in range(2):
        for j in range(2):
            out[2 * i:2 * i + 3, 2 * j:2 * j + 3] += x[i, j] * w
            maps.append(out.copy())
    np.testing.assert_array_equal(maps[-1], layer_output(problem_from_document(doc))[0, 0])
    return maps


def test_each_stamp_fits_80x24_with_its_numbers(pane):
    maps = running_maps()
    pane.type(f"cd {LESSON} && clear && {CONVTRACE} run input.json --method scatter --step; echo EXIT=$?")
    pane.wait_for("[summary]")
    for step, (i, j) in enumerate([(0, 0), (0, 1), (1, 0), (1, 1)]):
        pane.keys("Right")
        text = pane.wait_for(f"[stamp {step} of 0..3]")
        screen = text.split("\n")
        assert len(screen) == 24 and max(len(line) for line in screen) <= 80
        assert "↓ more" not in text and "not drawn" not in text
        value = (1, 2, 3, 4)[step]  # x[0,0,i,j] of [[1, 2], [3, 4]]
        assert screen[0].startswith(f"stamp {step} of 0..3:  x[0,0,{i},{j}] = {value}")
        assert f"rows {i}*2 - 0 + u*1 = {2 * i}..{2 * i + 2}" in text
        # the input map: the stamped value bracketed in its row
        row = [str(i)] + [f"[{v}]" if c == j else str(v) for c, v in enumerate((2 * i + 1, 2 * i + 2))]
        assert row in [line.split() for line in screen], (row, text)
        # every row of the running map, the nine stamped cells bracketed
        out = maps[step]
        for r in range(5):
            cells = "".join(f"[{out[r, c]:g}]" if 2 * i <= r <= 2 * i + 2 and 2 * j <= c <= 2 * j + 2
                            else f"{out[r, c]:g}" for c in range(5))
            assert any(line.replace(" ", "").endswith(f"{r}{cells}") for line in screen), (r, cells, text)
    pane.keys("Right")
    assert "the same as the gather view's output" in pane.wait_for("[the end]")
    pane.keys("q")
    pane.wait_for("EXIT=0")
