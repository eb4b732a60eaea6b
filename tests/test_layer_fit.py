"""A layer frame fitted to the player's screen: never taller or wider than asked, the value and its sum kept.

The numbers are checked against the vectorized engine and NumPy, not against
the frame code; the printed frame (no height limit) is the reference layout.
"""

from __future__ import annotations

import re

import numpy as np
import pytest
from rich.console import Console

import convtrace
from convtrace.engine.dispatch import layer_output, trace_layer
from convtrace.render.play.layer_fit import fitted_layer_frame
from convtrace.render.frames.layer_frames import LayerFrame

RNG = np.random.default_rng(7)


def ints(*shape):
    return RNG.integers(-3, 4, shape).tolist()


PROBLEMS = {
    "grouped, five channels a group": {"images": ints(1, 10, 5, 5), "kernels": ints(2, 5, 3, 3), "groups": 2, "padding": 1},
    "3-D": {"dims": 3, "images": ints(1, 2, 4, 5, 5), "kernels": ints(1, 2, 3, 3, 3)},
    "1-D, long kernel": {"dims": 1, "images": ints(1, 1, 60), "kernels": ints(1, 1, 30)},
    "transposed, four channels": {"images": ints(1, 4, 2, 2), "kernels": ints(4, 1, 3, 3), "transposed": True, "stride": 2},
    "max pool, a tall window": {"images": ints(1, 1, 30, 6), "pool": "max", "pool_size": [30, 3]},
    "avg pool": {"images": ints(1, 1, 4, 4), "pool": "avg", "pool_size": 2, "padding": 1},
}


def lines_of(renderable, width: int) -> list[str]:
    console = Console(width=width, color_system=None, record=True)
    with console.capture() as captured:
        console.print(renderable, crop=True)
    return [line.rstrip() for line in captured.get().rstrip("\n").split("\n")]


def first_steps(problem, count: int = 2):
    steps = trace_layer(problem)
    return [next(steps) for _ in range(count)]


@pytest.mark.parametrize("name", PROBLEMS)
def test_the_fitted_frame_is_never_larger_than_the_screen_and_keeps_the_value(name):
    problem = convtrace.load(PROBLEMS[name])
    output = layer_output(problem)
    for step in first_steps(problem):
        expected = output[np.unravel_index(step.step, output.shape)]
        for width in (24, 40, 80, 120):
            for height in range(1, 45, 3):
                block = fitted_layer_frame(problem, step, width, height)
                shown = lines_of(block, width)
                assert block.height <= height and len(shown) <= height, (width, height)
                assert max(len(line) for line in shown) <= width
                value = re.match(r"step (\d+) of 0\.\.\d+:  out\[[\d,]+\] = (\S+)", shown[0])
                if width >= 40:  # the value line is whole
                    assert int(value.group(1)) == step.step
                    assert np.isclose(float(value.group(2)), expected)
                if height >= 6 and width >= 80:  # the line that makes the value stays: its sum
                    assert any(f"= {value.group(2)}" in line for line in shown[1:]), shown


@pytest.mark.parametrize("name", PROBLEMS)
def test_with_room_enough_the_fitted_frame_is_the_printed_frame(name):
    problem = convtrace.load(PROBLEMS[name])
    step = first_steps(problem, 1)[0]
    printed = lines_of(LayerFrame(problem, step), 300)
    assert lines_of(fitted_layer_frame(problem, step, 300, 200), 300) == printed
    assert lines_of(fitted_layer_frame(problem, step, 300, None), 300) == printed


def test_left_out_channels_are_named_and_their_partial_sums_stay():
    doc = PROBLEMS["grouped, five channels a group"]
    problem = convtrace.load(doc)
    step = first_steps(problem, 1)[0]  # out[0,0,0,0]: kernel 0 reads channels 0..4
    shown = lines_of(fitted_layer_frame(problem, step, 80, 23), 80)
    drawn = [int(m.group(1)) for m in (re.match(r"  channel (\d+): patch", line) for line in shown) if m]
    assert drawn == [0, 1, 2] and "channels 3..4 not drawn (no room)" in " ".join(shown)
    images, kernels = np.array(doc["images"], dtype=float), np.array(doc["kernels"], dtype=float)
    padded = np.pad(images[0, :5], ((0, 0), (1, 1), (1, 1)))
    partials = (padded[:, 0:3, 0:3] * kernels[0]).sum(axis=(1, 2))
    total = next(line for line in shown if "+ bias 0 =" in line)
    assert [float(v) for v in total.split("+ bias")[0].split(" + ")] == partials.tolist()


def test_a_window_taller_than_the_screen_keeps_its_top_rows_and_says_how_many_were_cut():
    problem = convtrace.load(PROBLEMS["max pool, a tall window"])
    step = first_steps(problem, 1)[0]
    shown = lines_of(fitted_layer_frame(problem, step, 80, 23), 80)
    window = np.array(PROBLEMS["max pool, a tall window"]["images"], dtype=float)[0, 0, :30, :3]
    rows = [[float(c.strip("[]")) for c in line.split()] for line in shown[2:]
            if re.fullmatch(r"\s+[\[\]\d\s.-]+", line)]
    assert rows == window[:len(rows)].tolist() and len(rows) >= 10
    assert f"{30 - len(rows)} lines of this window not drawn (no room)" in " ".join(shown)
    assert f"max = {window.max():g}" in " ".join(shown)


def test_a_window_wider_than_the_screen_is_cut_with_a_note():
    problem = convtrace.load(PROBLEMS["1-D, long kernel"])
    step = first_steps(problem, 1)[0]
    shown = " ".join(lines_of(fitted_layer_frame(problem, step, 80, 23), 80))
    assert re.search(r"cut at 80 columns: the frame is \d+ wide", shown)
