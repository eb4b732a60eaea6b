"""Notebooks for every layer but plain 2-D convolution, through IPython's display formatter.

Expected values come from PyTorch (tests/golden/layers.json) and from cells worked out by hand.
"""

from __future__ import annotations

import base64
import html
import io
import json
import re

import numpy as np
import pytest

from conftest import golden_cases
from convtrace.text import number

MAX = {"images": [[[1, 5, 2, 0], [3, 4, 8, 1], [0, 2, 6, 7], [9, 1, 3, 2]]], "pool": "max", "pool_size": 3,
       "stride": 2, "padding": 1}
MAX_OUT = [[5, 8], [9, 8]]  # by hand: the maxima of the four 3x3 windows (padding never wins)
GOLDEN = {c["name"]: c for c in golden_cases("layers")}


@pytest.fixture(scope="module")
def shell():
    from IPython.core.interactiveshell import InteractiveShell

    return InteractiveShell.instance()


def shown(shell, obj) -> str:
    data, _ = shell.display_formatter.format(obj)
    assert "text/html" in data, f"{type(obj).__name__} has no HTML display"
    return data["text/html"]


def player_data(text: str) -> dict:
    srcdoc = html.unescape(re.search(r'<iframe class="convtrace-player" srcdoc="([^"]*)"', text).group(1))
    assert not re.search(r"https?:", srcdoc)
    return json.loads(re.search(r'<script id="trace-data" type="application/json">(.*?)</script>', srcdoc, re.S).group(1))


def test_show_plays_a_max_pool_and_draws_its_map(shell):
    from PIL import Image

    import convtrace

    text = shown(shell, convtrace.show(MAX))
    data = player_data(text)
    assert data["kind"] == "max_pool"
    assert [r["value"] for r in data["steps"]] == [number(v) for row in MAX_OUT for v in row]
    png = base64.b64decode(re.search(r'src="data:image/png;base64,([^"]+)"', text).group(1))
    picture = np.array(Image.open(io.BytesIO(png)))
    cells = picture[::picture.shape[0] // 2, ::picture.shape[1] // 2]
    assert cells[1, 0] == 255 and cells[0, 0] == 0  # 9 is the largest value, 5 the smallest


@pytest.mark.parametrize("name", ["d1_causal", "d3_groups_2_bias", "tr_s2", "avgpool_padding_exclude"])
def test_show_matches_torch_for_1d_3d_transposed_and_avg(shell, name):
    import convtrace

    case = GOLDEN[name]
    text = shown(shell, convtrace.show(case["doc"]))
    data = player_data(text)
    want = np.asarray(case["expected"]["output"], float).reshape(-1)
    assert len(data["steps"]) == want.size
    assert all(np.isclose(float(r["value"]), w, rtol=1e-5) for r, w in zip(data["steps"], want))
    assert ("<img" in text) == (len(case["expected"]["output_shape"]) == 4)  # pictures only for 2-D maps


def test_show_at_picks_layer_positions(shell):
    import convtrace

    player = convtrace.show(MAX, at="row=1")
    assert [r["at"] for r in player.data["steps"]] == [[1, 0], [1, 1]]
    assert len(convtrace.show(MAX, at=3).data["steps"]) == 1
    with pytest.raises(Exception, match="row must be within 0..1"):
        convtrace.show(MAX, at="row=2")


def test_a_layer_problem_and_its_steps_display_as_html(shell):
    import convtrace
    from convtrace.engine.dispatch import trace_layer
    from convtrace.notebook import register

    assert register(shell)
    problem = convtrace.load(MAX)
    assert "max pooling" in shown(shell, problem)
    step = list(trace_layer(problem))[1]
    text = html.unescape(re.sub(r"<[^>]+>", " ", shown(shell, step)))
    assert "out[0,0,0,1] = 8" in text and "[8]" in text and "first met at input (1,2)" in text
