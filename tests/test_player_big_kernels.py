"""The player on a projector's 80x24 with 7x7 and 9x9 kernels: every frame fits, nothing is cut mid-grid.

The same tmux panes as test_player_screen.py. The numbers looked for on the
screen come from scipy.signal.correlate2d on the document written here, not
from convtrace.
"""

from __future__ import annotations

import json
import re

import numpy as np
import pytest
from scipy.signal import correlate2d

from test_player_screen import Pane, start

# (images (N, C, H, W), kernels (K, C, kh, kw), bias): two channels, so the sum has terms to add
CASES = {
    "7x7": ((1, 2, 10, 10), (2, 2, 7, 7), [1, -2]),
    "9x9": ((1, 2, 12, 12), (1, 2, 9, 9), [3]),
}


def document(case: str) -> dict:
    images, kernels, bias = CASES[case]
    rng = np.random.default_rng(11)
    return {"images": rng.integers(-3, 4, images).tolist(), "kernels": rng.integers(-2, 3, kernels).tolist(),
            "bias": bias}


def reference(doc: dict):
    """(N, C, H, W) x (K, C, kh, kw) -> per-channel partial sums (N, K, C, H', W') and the output (N, K, H', W')."""
    x, w, b = np.array(doc["images"]), np.array(doc["kernels"]), np.array(doc["bias"])
    partials = np.array([[[correlate2d(x[n, c], w[k, c], "valid") for c in range(x.shape[1])]
                          for k in range(w.shape[0])] for n in range(x.shape[0])])
    return partials, partials.sum(axis=2) + b[None, :, None, None]


@pytest.fixture
def pane80():
    pane = Pane(80, 24)
    yield pane
    pane.close()


def check_frame(screen: list[str], doc: dict, step: int) -> None:
    """What a learner must see for `step` on one 80x24 screen: the whole window, the kernel slice, the products
    and their sum, the total with its value, and the output row holding this step's cell, with no grid cut off."""
    partials, out = reference(doc)
    _, K, H2, W2 = out.shape
    kh, kw = np.array(doc["kernels"]).shape[2:]
    n, k, row, col = np.unravel_index(step, out.shape)
    value = int(out[n, k, row, col])
    frame = "\n".join(screen)
    total_steps = out.size
    assert len(screen) == 24 and f"[step {step} of 0..{total_steps - 1}]" in screen[-1], frame
    assert "more" not in screen[-1], frame  # the page is not taller than the screen
    assert max(len(line) for line in screen) <= 80, frame
    assert screen[0].startswith(f"── step {step} of 0..{total_steps - 1}  out[{n},{k},{row},{col}]"), frame

    # the window: kh rows of the grid, each with kw bracketed taps
    window_rows = [line for line in screen if len(re.findall(r"\[\s*-?\d+\]", line)) == kw]
    assert len(window_rows) == kh, frame

    # the kernel slice and the products, all of their rows, then the channel's sum (scipy's partial sum)
    for title in (f"w[{k},0]", f"[ ] window * w[{k},0]"):
        first = next(i for i, line in enumerate(screen) if title in line)
        column = screen[first].index(title)
        rows = [line[column:] for line in screen[first + 1: first + 1 + kh]]
        assert all(re.match(r"\[(\s+-?\d+){%d} \]" % kw, part) for part in rows), frame
    assert f"sum of the {kh * kw} products {int(partials[n, k, 0, row, col])}" in frame

    # the total: out[...] = c0 + c1 + bias, the terms, then = value
    assert re.search(rf"out\[{n},{k},{row},{col}\] = +c0 \+ +c1 \+ +bias", frame), frame
    assert re.search(rf"^\s+= {value}(\s|$)", frame, re.M), frame

    # the output map: under its caption, consecutive rows down to the last one or to a ⋮ mark,
    # the current row with this step's value in [ ]
    caption = next(i for i, line in enumerate(screen) if line.startswith(f"out[{n},{k}] {H2}x{W2}"))
    lines = screen[caption + 2: -1]  # under the caption and the column numbers
    skipped = 1 if lines and lines[0].strip().startswith("⋮") else 0  # rows above cut off, and said so
    labels = []
    for line in lines[skipped:]:
        found = re.match(r"^\s*(\d+) ", line)
        if not found:
            break
        labels.append(int(found.group(1)))
    assert labels and labels == list(range(labels[0], labels[0] + len(labels))), frame
    after = lines[skipped + len(labels)] if skipped + len(labels) < len(lines) else ""
    assert labels[-1] == H2 - 1 or after.strip().startswith("⋮"), frame
    current = lines[skipped + labels.index(row)]
    assert re.search(rf"\[\s*{value}\]", current), frame


@pytest.mark.parametrize("case", sorted(CASES))
def test_big_kernel_frames_fit_80x24(pane80, tmp_path, case):
    doc = document(case)
    path = tmp_path / f"kernel-{case}.json"
    path.write_text(json.dumps(doc))
    _, out = reference(doc)
    last = out.size - 1
    middle = (out.shape[2] // 2) * out.shape[3] + out.shape[3] // 2  # the window away from every edge
    start(pane80, f"{path} --step")
    pane80.wait_for("[summary]")
    pane80.keys("Space")
    check_frame(pane80.wait_for(f"[step 0 of 0..{last}]").split("\n"), doc, 0)
    pane80.keys("g", *str(middle), "Enter")
    check_frame(pane80.wait_for(f"[step {middle} of 0..{last}]").split("\n"), doc, middle)
    pane80.keys("End")
    check_frame(pane80.wait_for(f"[step {last} of 0..{last}]").split("\n"), doc, last)
    pane80.keys("q")
    pane80.wait_for("EXIT=0")
