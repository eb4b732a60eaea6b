"""`convtrace run` and `grad` on the new layers, read as a person reads them: at 80 columns, without colour."""

from __future__ import annotations

import io
import json
import os
import re
import sys
from pathlib import Path

import pytest

CONTRACT = Path(__file__).resolve().parents[2] / "shared" / "contract" / "layers"
LAYERS = Path(__file__).parent / "golden_text" / "layers"
ENV = {"NO_COLOR": "1", "COLUMNS": "80", "TERM": "dumb"}


def doc(name: str) -> str:
    return str(LAYERS / f"{name}.json")


def view(invoke, *args) -> str:
    result = invoke(["run", *args], env=ENV)
    assert result.exit_code == 0, result.output
    return result.output


def test_every_line_fits_80_columns(invoke):
    for name in ("depthwise", "transposed", "maxpool", "avgpool", "causal1d", "same3d"):
        for line in view(invoke, doc(name), "--limit", "3").splitlines():
            assert len(line) <= 80, (name, line)


def test_grouped_frame_names_the_channels_it_reads(invoke):
    text = view(invoke, doc("depthwise"), "--at", "k=1,row=0,col=0")
    assert "groups 2: the 2 input channels split into 2 groups of 1" in text and "(depthwise" in text
    assert "step 25 (26 of 50):  out[0,1,0,0] = 2" in text
    assert "input channels 1..1 (group 1)" in text
    assert "     ·  ·  ·   -3  2  1" in text  # the padding row above the window, marked in the text


def test_transposed_frame_shows_the_inserted_zeros_and_output_padding(invoke):
    text = view(invoke, doc("transposed"), "--limit", "2")
    assert "1 zero(s) inserted between input cells (stride 2)" in text
    assert "and 1 more at the end (output_padding)" in text and "output_padding exists because" in text
    assert "window at (0,1) of the zero-inserted, padded input" in text
    assert "    1 · 3" in text  # input values 1 and 3 with the inserted zero between them
    assert "kernel (rotated)" in text


def test_max_pool_frame_marks_the_winner_and_where_the_gradient_goes(invoke):
    text = view(invoke, doc("maxpool"), "--limit", "1")
    assert "[0.908]" in text and "first met at input (0,1) [marked]; its gradient goes there" in text


def test_avg_pool_frame_shows_sum_and_divisor(invoke):
    text = view(invoke, doc("avgpool"), "--at", "row=0,col=2")
    assert "sum 0.95 / divisor 2 = 0.475" in text  # ceil_mode: the last column's window holds 2 real cells
    assert "ceil_mode: the window count is rounded up" in text


def test_1d_is_a_row_of_cells_and_3d_is_depth_slices(invoke):
    one = view(invoke, doc("causal1d"), "--limit", "1")
    assert "causal: 2 zeros on the left only" in one and "     ·  · -1    3 -2 -1" in one
    three = view(invoke, doc("same3d"), "--limit", "1")
    assert "d=0" in three and "d=1" in three and "D: padding 0/1" in three


def test_jsonl_names_the_axes_per_dims(invoke):
    one = json.loads(view(invoke, doc("causal1d"), "--format", "jsonl", "--limit", "1"))
    assert list(one)[:6] == ["step", "n", "k", "col", "left", "layer"] and one["value"] == 1.0
    three = json.loads(view(invoke, doc("same3d"), "--format", "jsonl", "--limit", "1"))
    assert [three[key] for key in ("depth", "row", "col", "front", "top", "left")] == [0] * 6
    pool = json.loads(view(invoke, doc("maxpool"), "--format", "jsonl", "--limit", "1"))
    assert pool["patch"][0][0] == [None, None, None] and pool["window_max_at"] == [0, 1]
    avg = json.loads(view(invoke, doc("avgpool"), "--format", "jsonl", "--at", "row=0,col=2"))
    assert avg["divisor"] == 2 and avg["step"] == 2


def test_plain_lines_use_the_jsonl_step_numbers(invoke):
    lines = view(invoke, doc("depthwise"), "--format", "plain", "--at", "k=1", "--limit", "2").splitlines()
    assert lines[0].startswith("step 25  out[0,1,0,0]") and lines[1].startswith("step 26  out[0,1,0,1]")


def test_usage_errors_exit_2(invoke):
    result = invoke(["run", doc("maxpool"), "--at", "depth=0"], env=ENV)
    assert result.exit_code == 2 and "NAME one of n, k, row, col, step" in result.stderr
    result = invoke(["grad", doc("maxpool"), "--only", "kernels"], env=ENV)
    assert result.exit_code == 2 and "pooling has no kernels" in result.stderr
    result = invoke(["run", doc("transposed"), "--method", "im2col"], env=ENV)
    assert result.exit_code == 2 and "--method loop" in result.stderr


def test_grad_json_has_only_the_gradients_the_layer_has(invoke):
    pool = json.loads(invoke(["grad", doc("maxpool"), "--json"]).output)
    assert "grad_images" in pool and "grad_kernels" not in pool and "grad_bias" not in pool
    conv = json.loads(invoke(["grad", doc("depthwise"), "--json"]).output)
    assert {"grad_images", "grad_kernels", "grad_bias"} <= set(conv)


def test_run_json_geometry_per_axis(invoke):
    one = json.loads(invoke(["run", doc("causal1d"), "--json"]).output)
    assert one["padding"] == [[2, 0]] and one["stride"] == [1] and one["causal"] is True
    tr = json.loads(invoke(["run", doc("transposed"), "--json"]).output)
    assert tr["output_padding"] == [1, 1] and tr["padding"] == [[1, 1], [1, 1]] and tr["output_shape"] == [1, 2, 6, 6]


@pytest.mark.skipif(sys.platform == "win32", reason="pseudo-terminals need a POSIX system")
def test_stepping_a_layer_in_a_terminal():
    pexpect = pytest.importorskip("pexpect")
    env = {key: value for key, value in os.environ.items() if key not in ("NO_COLOR", "COLUMNS", "LINES")}
    child = pexpect.spawn(sys.executable, ["-m", "convtrace", "run", doc("maxpool"), "--step"],
                          env={**env, "TERM": "xterm-256color"}, encoding="utf-8", timeout=20, dimensions=(24, 80))
    child.logfile_read = io.StringIO()
    child.expect_exact("[summary]")
    child.send("\r")
    child.expect_exact("[step 1 of 9]")
    page = re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", child.before)
    assert "out[0,0,0,0] = 0.908" in page
    child.send("q")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0


def test_readme_layer_examples_run(invoke):
    readme = (Path(__file__).parent.parent / "README.md").read_text()
    section = readme[readme.index("### More layers"):readme.index("## Commands")]
    block = section[section.index("```json\n") + 8 : section.index("```", section.index("```json\n") + 8)]
    docs = [json.loads(line) for line in re.split(r"\n(?=\{)", block.strip())]
    assert len(docs) == 6
    for doc_ in docs:
        result = invoke(["run", "-", "--json"], input=json.dumps(doc_))
        assert result.exit_code == 0, (doc_, result.output)
    pool = json.loads(invoke(["run", "-", "--json"], input=json.dumps(docs[2])).output)
    assert pool["output"] == [[[[5.0, 8.0], [2.0, 9.0]]]]  # the maximum of each 2x2 block, by hand


@pytest.mark.parametrize("command", ["explain", "compare"])
def test_explain_and_compare_refuse_other_layers_clearly(command, invoke):
    for name in ("depthwise", "transposed", "maxpool", "causal1d", "same3d"):
        result = invoke([command, doc(name)], env=ENV)
        assert result.exit_code == 1 and "trace it with `convtrace run`" in result.stderr, (name, result.stderr)


def test_at_step_picks_the_same_value_in_every_view(invoke):
    record = json.loads(view(invoke, doc("transposed"), "--format", "jsonl", "--at", "step=40"))
    plain = view(invoke, doc("transposed"), "--format", "plain", "--at", "step=40")
    rich = view(invoke, doc("transposed"), "--at", "step=40")
    assert record["step"] == 40 and (record["n"], record["k"], record["row"], record["col"]) == (0, 1, 0, 4)
    assert plain.startswith("step 40  out[0,1,0,4]") and "step 40 (41 of 72):  out[0,1,0,4]" in rich


@pytest.mark.parametrize("name", ["depthwise", "transposed", "maxpool", "avgpool", "causal1d", "same3d"])
def test_grad_jsonl_amounts_sum_to_grad_json(name, invoke):
    import numpy as np

    want = json.loads(invoke(["grad", doc(name), "--json"]).output)
    images = np.zeros(np.shape(want["grad_images"]))
    kernels = np.zeros(np.shape(want["grad_kernels"])) if "grad_kernels" in want else None
    lines = invoke(["grad", doc(name), "--format", "jsonl"]).output.splitlines()
    assert [json.loads(line)["step"] for line in lines] == list(range(len(lines)))
    for line in lines:
        record = json.loads(line)
        for cell, amount in record["to_images"]:
            images[(record["n"], *cell)] += amount
        for cell, amount in record.get("to_kernels", []):
            kernels[tuple(cell)] += amount
    np.testing.assert_allclose(images, want["grad_images"], atol=1e-9)
    if kernels is not None:
        np.testing.assert_allclose(kernels, want["grad_kernels"], atol=1e-9)


def test_grad_views_read_well_at_80_columns(invoke):
    text = invoke(["grad", doc("maxpool"), "--limit", "1"], env=ENV).output
    assert "goes, whole, to the first maximum" in text and "x[0,0,0,1] += -0.015" in text
    assert "dL/dimages [1, 1, 5, 5]" in text and all(len(line) <= 80 for line in text.splitlines())
    plain = invoke(["grad", doc("avgpool"), "--format", "plain", "--limit", "1"], env=ENV).output
    assert plain.startswith("step 0  out[0,0,0,0]  g 1  -> images x[0,0,0,0] += 0.25, x[0,0,0,1] += 0.25")
    only = json.loads(invoke(["grad", doc("transposed"), "--format", "jsonl", "--only", "kernels", "--limit", "1"]).output)
    assert "to_kernels" in only and "to_images" not in only and "to_bias" not in only
