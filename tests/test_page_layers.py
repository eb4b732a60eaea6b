"""`--export page.html` for every layer but plain 2-D convolution: the page data against independent references.

Expected values come from PyTorch (tests/golden/layers.json) and from the
vectorized engine; the window marks (added zeros, the maximum, the group's
channels) are worked out here with NumPy, not read from the code under test.
"""

from __future__ import annotations

import json
import re

import numpy as np
import pytest

from conftest import golden_cases
from convtrace.engine.dispatch import layer_output, trace_layer
from convtrace.render.output.page.layer_data import LayerRecorder
from convtrace.source.problem import problem_from_document
from pagedata import page_data

# plain 2-D convolution keeps the conv2d page (tests/test_page_export.py); every other golden layer here
CASES = [c for c in golden_cases("layers") if not problem_from_document(c["doc"]).is_plain_conv2d]

DOCS = {
    "grouped": {"images": [[[[1, 2, 0], [0, 1, 3], [2, 2, 1]], [[0, 1, 1], [4, 0, 2], [1, 0, 1]],
                            [[2, 0, 1], [1, 1, 0], [0, 3, 1]], [[1, 1, 1], [0, 2, 0], [3, 0, 2]]]],
                "kernels": [[[[1, 0], [0, -1]], [[2, 1], [0, 1]]], [[[0, 1], [1, 0]], [[1, -1], [1, 1]]],
                            [[[1, 1], [1, 1]], [[0, 0], [1, 2]]], [[[-1, 0], [2, 0]], [[1, 0], [0, 1]]]],
                "bias": [0, 1, 0, -1], "groups": 2},
    "depthwise": {"images": [[[1, 2, 0], [0, 1, 3], [2, 2, 1]], [[0, 1, 1], [4, 0, 2], [1, 0, 1]]],
                  "kernels": [[[[1, 0], [0, -1]]], [[[2, 1], [0, 1]]]], "groups": 2, "padding": 1},
    "transposed": {"images": [[[1, 2], [3, 4]]], "kernels": [[[[1, -1], [2, 0.5]]]], "transposed": True, "stride": 2},
    "max": {"images": [[[1, 5, 2, 0], [3, 4, 8, 1], [0, 2, 6, 7], [9, 1, 3, 2]]], "pool": "max", "pool_size": 3,
            "stride": 2, "padding": 1},
    "avg": {"images": [[[1, 5, 2, 0, 1], [3, 4, 8, 1, 2], [0, 2, 6, 7, 0], [9, 1, 3, 2, 4], [1, 1, 1, 1, 1]]],
            "pool": "avg", "pool_size": 2, "padding": 1, "count_include_pad": False},
    "1d": {"dims": 1, "images": [[1, 2, 3, 4, 5, 6], [0, 1, 0, -1, 0, 2]], "kernels": [[1, -1, 2], [0.5, 0, 1]],
           "causal": True},
    "3d": {"dims": 3, "images": [[[1, 2, 0], [0, 1, 3], [2, 2, 1]], [[0, 1, 1], [4, 0, 2], [1, 0, 1]]],
           "kernels": [[[1, 0], [0, -1]], [[2, 1], [0, 1]]], "padding": [0, 1, 0]},
}
KINDS = {"grouped": "conv", "depthwise": "conv", "transposed": "conv_transpose", "max": "max_pool",
         "avg": "avg_pool", "1d": "conv", "3d": "conv"}


def channels_first(problem, array) -> np.ndarray:
    array = np.asarray(array, dtype=float)
    return np.moveaxis(array, -1, 1) if problem.layout == "NHWC" else array


def close(text: str, want: float) -> bool:
    """A page's 6-significant-digit text against a reference value."""
    return bool(np.isclose(float(text), want, rtol=1e-5, atol=1e-9))


def flat_cells(cells) -> list[str]:
    return list(np.asarray(cells, dtype=object).reshape(-1))


@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_page_records_match_torch(case):
    """Every golden layer: one record per output value, in C order, each value torch's."""
    problem = problem_from_document(case["doc"])
    want = channels_first(problem, case["expected"]["output"])
    recorder = LayerRecorder(problem)
    recorder.record_from(trace_layer(problem))
    data = json.loads(json.dumps(recorder.data()))  # what the page embeds
    assert data["kind"] == problem.layer and data["dims"] == len(want.shape) - 2
    assert data["total"] == want.size == len(data["steps"]) and data["note"] is None
    for index, record in enumerate(data["steps"]):
        n, k, *at = np.unravel_index(index, want.shape)
        assert (record["step"], record["n"], record["k"], record["at"]) == (index, n, k, at)
        assert close(record["value"], want[(n, k, *at)]), (index, record["value"], want[(n, k, *at)])


def export(tmp_path, invoke, name, *options) -> dict:
    (tmp_path / "doc.json").write_text(json.dumps(DOCS[name]))
    page = tmp_path / "page.html"
    result = invoke(["run", str(tmp_path / "doc.json"), "--export", str(page), *options])
    assert result.exit_code == 0, result.output
    html = page.read_text(encoding="utf-8")
    assert not re.search(r"https?:|<script\s+src|<link[^>]+href=\"(?!data:)", html)  # nothing from a network
    return page_data(page)


@pytest.mark.parametrize("name", list(DOCS))
def test_cli_page_for_each_layer_matches_the_vectorized_engine(tmp_path, invoke, name):
    data = export(tmp_path, invoke, name)
    problem = problem_from_document(DOCS[name])
    want = layer_output(problem)  # the vectorized engine, not the naive loop the page records
    assert data["kind"] == KINDS[name] and len(data["steps"]) == want.size == data["total"]
    for index, record in enumerate(data["steps"]):
        assert close(record["value"], want.reshape(-1)[index])
    assert data["summary"].splitlines()[0].startswith(("convolution", "transposed", "max", "average"))


@pytest.mark.parametrize("name", ["grouped", "depthwise"])
def test_a_group_reads_only_its_input_channels(tmp_path, invoke, name):
    data = export(tmp_path, invoke, name)
    doc = DOCS[name]
    images = np.array(doc["images"], float)
    c = images.shape[-3]
    k_total, groups = len(doc["kernels"]), doc["groups"]
    for record in data["steps"]:
        g = record["k"] // (k_total // groups)
        assert record["channels"] == [g * c // groups, (g + 1) * c // groups] and record["group"] == g
        assert len(record["patch"]) == len(record["kernel"]) == len(record["partials"]) == c // groups
        # the partial sums and the bias add up to the value (the page shows this sum)
        assert close(record["value"], sum(float(p) for p in record["partials"]) + float(record["bias"]))


def test_transposed_windows_show_the_inserted_zeros(tmp_path, invoke):
    data = export(tmp_path, invoke, "transposed")
    x = np.array(DOCS["transposed"]["images"], float)[0]
    s, k = DOCS["transposed"]["stride"], 2
    # the gather view, built here: stride-1 zeros between cells, then k-1 zeros of border on each side
    spread = np.zeros(((x.shape[0] - 1) * s + 1,) * 2)
    real = np.zeros_like(spread, dtype=bool)
    spread[::s, ::s], real[::s, ::s] = x, True
    spread, real = np.pad(spread, k - 1), np.pad(real, k - 1)
    for record in data["steps"]:
        top, left = record["corner"]
        want = [[f"{spread[top + a, left + b]:g}" if real[top + a, left + b] else "·" for b in range(k)]
                for a in range(k)]
        assert record["patch"][0] == want


def test_max_pool_marks_the_window_maximum(tmp_path, invoke):
    data = export(tmp_path, invoke, "max")
    x = np.array(DOCS["max"]["images"], float)[0]
    for record in data["steps"]:
        marked = [t for t in flat_cells(record["patch"][0]) if t.startswith("[")]
        assert marked == [f"[{record['value']}]"]
        assert x[tuple(record["max_at"])] == float(record["value"])


def test_avg_pool_shows_the_sum_and_its_divisor(tmp_path, invoke):
    data = export(tmp_path, invoke, "avg")
    x = np.array(DOCS["avg"]["images"], float)[0]
    padded = np.pad(x, 1)
    real = np.pad(np.ones_like(x, dtype=bool), 1)
    for record in data["steps"]:
        top, left = record["corner"]
        window, inside = padded[top:top + 2, left:left + 2], real[top:top + 2, left:left + 2]
        # count_include_pad false: divide by the real cells only
        assert record["divisor"] == inside.sum() and close(record["total"], window.sum())
        assert close(record["value"], window.sum() / inside.sum())
        assert flat_cells(record["patch"][0]).count("·") == (~inside).sum()


def test_1d_is_a_row_and_3d_is_depth_slices(tmp_path, invoke):
    one = export(tmp_path, invoke, "1d")
    assert all(isinstance(cell, str) for cell in one["steps"][0]["patch"][0])  # (C, k): a row of cells per channel
    assert one["steps"][0]["patch"][0][:2] == ["·", "·"]  # causal: 2 zeros on the left only
    three = export(tmp_path, invoke, "3d")
    assert np.asarray(three["steps"][0]["patch"], dtype=object).shape == (1, 2, 2, 2)  # (C, kd, kh, kw)


def test_limit_and_at_keep_the_cap_rules(tmp_path, invoke):
    data = export(tmp_path, invoke, "avg", "--limit", "3")
    assert [r["step"] for r in data["steps"]] == [0, 1, 2]
    data = export(tmp_path, invoke, "grouped", "--at", "k=3")
    assert {r["k"] for r in data["steps"]} == {3} and len(data["steps"]) == 4


def test_default_cap_says_how_to_see_the_rest(tmp_path, invoke):
    long = {"dims": 1, "images": list(range(2105)), "kernels": [1, 2]}
    (tmp_path / "doc.json").write_text(json.dumps(long))
    result = invoke(["run", str(tmp_path / "doc.json"), "--export", str(tmp_path / "page.html")])
    assert result.exit_code == 0
    data = page_data(tmp_path / "page.html")
    assert len(data["steps"]) == 2000 and data["total"] == 2104
    assert "--limit" in data["note"] and "--limit" in result.stderr
    assert "--at col=0..3" in data["note"] and "row=" not in data["note"]  # 1-D names its own axis


def test_grad_page_for_a_layer_holds_its_drawn_frames(tmp_path, invoke):
    (tmp_path / "doc.json").write_text(json.dumps(DOCS["max"]))
    result = invoke(["grad", str(tmp_path / "doc.json"), "--export", str(tmp_path / "grad.html")])
    assert result.exit_code == 0, result.output
    data = page_data(tmp_path / "grad.html")
    assert data["kind"] == "text" and data["frames"]
    text = "\n".join(f["text"] for f in data["frames"])
    from convtrace.engine.dispatch import layer_gradients

    # dL/dimages from the vectorized engine: every row of it appears in the page's last frame
    gx = layer_gradients(problem_from_document(DOCS["max"])).images[0, 0]
    assert gx.sum() == 4 and gx.max() == 2  # four windows; (1,2) wins two of them, by hand
    for row in gx:
        assert " ".join(f"{v:g}" for v in row) in data["frames"][-1]["text"]
    assert "x[0,0,1,2] += 1" in text
