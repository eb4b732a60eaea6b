"""`--export page.html`: the page data against an independent reference, the file is self-contained, the cap.

The reference is the vectorized engine (engine/fast.py) and numpy slicing done
here, never the naive loop whose steps the page records.
"""

from __future__ import annotations

import json
import re

import numpy as np
import pytest

from convtrace.text import number
from pagedata import page_data, records

DOC = {
    "images": [[[[1, 2, 0, -1, 3], [0, 1, 4, 2, 2], [5, -2, 1, 0, 1], [2, 2, 3, 1, 0]],
                [[0, 1, 1, 2, -3], [4, 0, 2, 1, 1], [1, 1, 0, 6, 2], [0, 3, 1, 1, 2]]]],
    "kernels": [[[[1, -1, 2], [0, 1, 1]], [[2, 0, 1], [1, 1, -1]]],
                [[[0.5, 0, 1], [1, 2, 0]], [[1, 1, 1], [0, -2, 3]]]],
    "bias": [1, -0.5],
    "padding": [[1, 0], [2, 1]],
    "stride": [1, 2],
    "dilation": [2, 1],
}


def reference(doc):
    """(N, C, H, W) x (K, C, kh, kw) -> the padded input and the output, without the naive loop."""
    from convtrace import conv2d

    x = np.array(doc["images"], float)
    w = np.array(doc["kernels"], float)
    (t, b), (l, r) = doc["padding"]
    x_pad = np.pad(x, ((0, 0), (0, 0), (t, b), (l, r)))
    out = conv2d(x, w, bias=np.array(doc["bias"], float), stride=doc["stride"], padding=doc["padding"],
                 dilation=doc["dilation"])
    return x_pad, w, out


@pytest.fixture
def doc_file(tmp_path):
    path = tmp_path / "doc.json"
    path.write_text(json.dumps(DOC))
    return path


def test_every_step_of_the_page_matches_the_vectorized_engine(invoke, doc_file, tmp_path):
    page = tmp_path / "page.html"
    result = invoke(["run", str(doc_file), "--export", str(page)])
    assert result.exit_code == 0, result.output
    data = page_data(page)
    x_pad, w, out = reference(DOC)
    N, K, H2, W2 = out.shape
    steps = records(data)
    assert len(steps) == data["total"] == N * K * H2 * W2
    (sh, sw), (dh, dw) = DOC["stride"], DOC["dilation"]
    kh, kw = w.shape[2:]
    for i, s in enumerate(steps):
        n, k, row, col = np.unravel_index(i, out.shape)  # loop order n, k, row, col
        assert (s["step"], s["n"], s["k"], s["row"], s["col"]) == (i, n, k, row, col)
        assert (s["top"], s["left"]) == (row * sh, col * sw)
        assert s["value"] == number(out[n, k, row, col])
        patch = x_pad[n, :, row * sh: row * sh + dh * (kh - 1) + 1: dh, col * sw: col * sw + dw * (kw - 1) + 1: dw]
        products = patch * w[k]
        assert s["products"].split() == [number(v) for v in products.reshape(-1)]
        assert s["partials"].split() == [number(v) for v in products.sum(axis=(1, 2))]
        assert s["bias"] == number(DOC["bias"][k])
    # the inputs the page slices patches from are the document's, unpadded, as text
    assert data["images"]["0"] == [[[number(v) for v in row] for row in ch] for ch in np.array(DOC["images"][0], float)]
    assert data["padding"] == DOC["padding"] and data["stride"] == DOC["stride"] and data["dilation"] == DOC["dilation"]
    assert data["maps"]["0,1"] == [[number(v) for v in row] for row in out[0, 1]]


def test_the_page_is_self_contained(invoke, doc_file, tmp_path):
    page = tmp_path / "page.html"
    invoke(["run", str(doc_file), "--export", str(page)])
    html = page.read_text(encoding="utf-8")
    assert not re.search(r"https?:", html), "a page must not refer to the network"
    assert "@import" not in html and "<link rel=\"stylesheet\"" not in html
    assert re.search(r"<script src=", html) is None
    assert html.count("<script") == 2  # the data and the player, both inline
    # frames are built from the data, not stored as markup: one record per step, no frame copies
    assert html.count("<table") == 0


def test_the_default_cap_is_said_on_the_page_and_on_stderr(invoke, tmp_path, monkeypatch):
    import convtrace.render.output.page.data as page_module

    monkeypatch.setattr(page_module, "DEFAULT_PAGE_STEPS", 7)
    page = tmp_path / "page.html"
    result = invoke(["run", "--example", "question", "--export", str(page)])  # 32 positions
    assert result.exit_code == 0
    data = page_data(page)
    assert len(data["steps"]) == 7
    assert "first 7 of the 32 chosen window positions" in data["note"]
    assert "--limit" in data["note"] and "first 7 of the 32" in result.stderr


def test_limit_and_at_choose_the_embedded_steps(invoke, tmp_path):
    page = tmp_path / "page.html"
    result = invoke(["run", "--example", "question", "--at", "n=1,k=1", "--limit", "3", "--export", str(page)])
    assert result.exit_code == 0
    steps = records(page_data(page))
    assert [(s["n"], s["k"]) for s in steps] == [(1, 1)] * 3
    assert [s["value"] for s in steps] == ["54"] * 3  # the question's k=1 outputs


def test_lesson_run_exports_the_lessons_trace(invoke, tmp_path):
    page = tmp_path / "lesson.html"
    result = invoke(["lesson", "run", "1", "--no-pause", "--export", str(page)])
    assert result.exit_code == 0, result.output
    data = page_data(page)
    assert data["kind"] == "conv2d" and data["steps"]
    run = invoke(["run", str(_lesson_input(invoke)), "--json"])
    output = np.array(json.loads(run.output)["output"])
    for s in records(data):
        assert s["value"] == number(output[s["n"], s["k"], s["row"], s["col"]])


def _lesson_input(invoke):
    from convtrace.teach.lessons import get_lesson

    return get_lesson("1", None).input_path


def test_grad_exports_its_frames_as_text_in_the_player(invoke, doc_file, tmp_path):
    page = tmp_path / "grad.html"
    result = invoke(["grad", str(doc_file), "--only", "bias", "--export", str(page)], env={"COLUMNS": "100"})
    assert result.exit_code == 0, result.output
    data = page_data(page)
    assert data["kind"] == "text"
    texts = [frame["text"] for frame in data["frames"]]
    n, _, h, w = reference(DOC)[2].shape
    # with g all ones, dL/dbias[k] counts the outputs of kernel k: N * H' * W'
    for k in range(2):
        assert sum(f"dL/dbias[{k}] = {n * h * w}" in text for text in texts) == 1
    assert not re.search(r"https?:", page.read_text(encoding="utf-8"))


@pytest.mark.parametrize("args", [["run"], ["grad"]])
def test_a_page_in_a_missing_folder_is_one_clean_usage_error(invoke, tmp_path, args):
    result = invoke(args + ["--export", str(tmp_path / "nowhere" / "page.html")])
    assert result.exit_code == 2
    assert "cannot write it" in result.stderr and "Traceback" not in result.output
