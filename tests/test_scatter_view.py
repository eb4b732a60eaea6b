"""The scatter view of a transposed convolution (`run --method scatter`): each input value stamps value * kernel.

Expected values come from PyTorch (tests/golden/layers.json), from the
vectorized engine, and from NumPy here (x * w, the landing rule
i*s - p + u*d, running sums of the stamps); none are copied from the loop or
the renderers.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from rich.console import Console

from convtrace.engine.dispatch import layer_output
from convtrace.engine.naive_scatter import ScatterLoop, scatter_output
from convtrace.render.play.scatter_fit import fitted_scatter_frame
from convtrace.source.problem import problem_from_document

from conftest import golden_cases

CASES = [case for case in golden_cases("layers") if case["doc"].get("transposed")]
IDS = [case["name"] for case in CASES]
LESSON = Path(__file__).resolve().parents[1] / "lessons" / "17-transposed"
ENV = {"NO_COLOR": "1", "COLUMNS": "80", "TERM": "dumb"}
# stride 2, padding 1: the stamps of the first row and column land partly outside and are cropped
CROPPED_DOC = {"images": [[1, 3], [-1, 2]], "kernels": [[1, 0, -1], [2, 1, 0], [0, 1, 1]],
               "transposed": True, "stride": 2, "padding": 1, "output_padding": 1, "bias": [0.5]}


def tol(problem) -> float:
    return 1e-12 * (1.0 + np.abs(problem.images).sum() * np.abs(problem.kernels).sum())


def channels_first(problem, array) -> np.ndarray:
    array = np.asarray(array, dtype=float)
    return np.moveaxis(array, -1, 1) if problem.layout == "NHWC" else array


def test_every_transposed_golden_case_is_here():
    assert len(CASES) >= 20  # 1-D, 2-D and 3-D, groups, padding, output_padding, dilation, NHWC


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_scatter_output_matches_torch_and_the_vectorized_engine(case):
    problem = problem_from_document(case["doc"])
    got = scatter_output(problem)
    want = channels_first(problem, case["expected"]["output"])
    assert got.shape == want.shape
    np.testing.assert_allclose(got, want, rtol=0, atol=tol(problem))
    np.testing.assert_allclose(got, layer_output(problem), rtol=0, atol=tol(problem))


def expected_cells(problem, position) -> np.ndarray:
    """(*k, dims): i*s - p + u*d on every axis, by NumPy broadcasting."""
    axes = problem.geometry.axes
    grids = np.meshgrid(*[np.arange(a.kernel) for a in axes], indexing="ij")
    return np.stack([i * a.stride - a.before + u * a.dilation for i, u, a in zip(position, grids, axes)], axis=-1)


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_each_event_stamps_value_times_kernel_where_the_rule_says(case):
    problem = problem_from_document(case["doc"])
    x, w = problem.images, problem.kernels
    cg, kg = x.shape[1] // problem.groups, w.shape[1]
    out_size = np.array(problem.geometry.out_size)
    running = np.zeros(problem.output_shape) + problem.bias_or_zeros.reshape(-1, *(1,) * problem.dims)
    steps = list(ScatterLoop(problem))
    order = list(np.ndindex(*x.shape))
    assert [(s.n, s.c, *s.position) for s in steps] == order  # C order of the input, one event per value
    assert [s.step for s in steps] == list(range(len(order)))
    for s in steps:
        value = x[(s.n, s.c, *s.position)]
        assert s.value == value
        np.testing.assert_array_equal(s.stamp, value * w[s.c])
        assert s.outputs == ((s.c // cg) * kg, (s.c // cg + 1) * kg)
        cells = expected_cells(problem, s.position)
        np.testing.assert_array_equal(s.cells, cells)
        inside = np.all((cells >= 0) & (cells < out_size), axis=-1)
        np.testing.assert_array_equal(s.kept, inside)
        for tap in zip(*np.nonzero(inside)):
            running[(s.n, slice(*s.outputs), *cells[tap])] += value * w[(s.c, slice(None), *tap)]
        np.testing.assert_allclose(s.output_so_far(), running[s.n, slice(*s.outputs)], rtol=0, atol=tol(problem))


def test_at_picks_stamps_but_every_stamp_is_made():
    problem = problem_from_document(CROPPED_DOC)
    loop = ScatterLoop(problem, chosen=lambda at: at.step == 2)
    steps = list(loop)
    assert [s.step for s in steps] == [2]
    assert (steps[0].n, steps[0].c, steps[0].position) == (0, 0, (1, 0))
    np.testing.assert_allclose(loop.finish(), layer_output(problem), rtol=0, atol=1e-12)


def jsonl(invoke, args) -> list[dict]:
    result = invoke(["run", *args, "--method", "scatter", "--format", "jsonl"])
    assert result.exit_code == 0, result.output
    return [json.loads(line) for line in result.output.splitlines()]


def test_jsonl_records_positions_stamps_and_running_output(invoke, tmp_path):
    path = tmp_path / "up.json"
    path.write_text(json.dumps(CROPPED_DOC))
    records = jsonl(invoke, [str(path)])
    x, w = np.array(CROPPED_DOC["images"], float), np.array(CROPPED_DOC["kernels"], float)
    assert [(r["n"], r["c"], r["row"], r["col"]) for r in records] == [(0, 0, i, j) for i in range(2) for j in range(2)]
    out_h = (2 - 1) * 2 - 2 * 1 + 1 * (3 - 1) + 1 + 1  # H' = (H-1)*s - 2p + d*(k-1) + output_padding + 1 = 4
    running = np.full((out_h, out_h), 0.5)  # every output cell starts at the bias
    for r in records:
        i, j = r["row"], r["col"]
        assert r["value"] == x[i, j] and r["layer"] == "conv_transpose" and r["view"] == "scatter"
        np.testing.assert_array_equal(r["stamp"], [x[i, j] * w])
        np.testing.assert_array_equal(r["kernel"], [w])
        sent = {}
        for u in range(3):
            for v in range(3):
                row, col = i * 2 - 1 + u, j * 2 - 1 + v
                sent[(row, col)] = x[i, j] * w[u, v]
                if 0 <= row < out_h and 0 <= col < out_h:
                    running[row, col] += x[i, j] * w[u, v]
        kept = {(row, col): amount for (k, row, col), amount, _ in r["to_output"]}
        cropped = {(row, col): amount for (k, row, col), amount in r["cropped"]}
        assert kept == {cell: a for cell, a in sent.items() if 0 <= min(cell) and max(cell) < out_h}
        assert cropped == {cell: a for cell, a in sent.items() if not (0 <= min(cell) and max(cell) < out_h)}
        for (k, row, col), _, total in r["to_output"]:
            assert total == running[row, col]
        np.testing.assert_array_equal(r["running"], [running])
    problem = problem_from_document(CROPPED_DOC)
    np.testing.assert_allclose(records[-1]["running"], layer_output(problem)[0], rtol=0, atol=1e-12)


def test_plain_lines_name_every_stamped_cell(invoke):
    result = invoke(["run", str(LESSON / "input.json"), "--method", "scatter", "--format", "plain"])
    assert result.exit_code == 0
    lines = result.output.splitlines()
    assert len(lines) == 4  # one per input value of the 2x2 image
    # x[0,0,1,1] = 4 lands on rows and columns 2..4; 4 * w[0,0] = 4 at (2,2), where 1*9 + 2*7 + 3*3 came before
    assert lines[3].startswith("stamp 3  x[0,0,1,1] = 4  -> out[0,0,2,2] += 4 = 36")


def printed(invoke, args) -> str:
    result = invoke(["run", *args, "--method", "scatter"], env=ENV)
    assert result.exit_code == 0, result.output
    return result.output


def test_rich_frame_marks_the_value_and_the_stamped_cells_in_text():
    from convtrace.render.frames.scatter_frames import ScatterFrame

    problem = problem_from_document(json.loads((LESSON / "input.json").read_text()))
    last = list(ScatterLoop(problem))[-1]
    console = Console(width=80, color_system=None, record=True)
    with console.capture() as captured:
        console.print(ScatterFrame(problem, last, 4))
    lines = captured.get().splitlines()
    assert max(len(line) for line in lines) <= 80
    assert lines[0].startswith("stamp 3 of 0..3:  x[0,0,1,1] = 4")
    assert any(line.split() == ["1", "3", "[4]"] for line in lines)  # input row 1: the current value bracketed
    out = layer_output(problem)[0, 0]  # after the last stamp the running map is the output
    for row in (2, 3, 4):
        marked = "".join(f"[{int(v)}]" for v in out[row, 2:])
        assert any(marked in line.replace(" ", "") for line in lines), (row, marked, "\n".join(lines))
    assert not any("[" in line.split("so far")[-1] for line in lines if line.rstrip().endswith(" 1   2   5   4   6"))


def test_printed_view_shows_cropped_cells_and_ends_with_the_gather_output(invoke, tmp_path):
    path = tmp_path / "up.json"
    path.write_text(json.dumps(CROPPED_DOC))
    text = printed(invoke, [str(path)])
    assert "stamp 0 of 0..3:  x[0,0,0,0] = 1" in text
    # the first stamp lands on rows and columns -1..1: row -1 is cropped, drawn ( ) or { }
    assert "lands on rows 0*2 - 1 + u*1 = -1..1, columns 0*2 - 1 + v*1 = -1..1" in text
    x, w = np.array(CROPPED_DOC["images"], float), np.array(CROPPED_DOC["kernels"], float)
    top_row = x[0, 0] * w[0]  # the stamp's first row, all of it on the cropped row -1
    assert "(" + ")(".join(f"{v:g}" for v in top_row) + ")" in text.replace(" ", "")  # in the stamp: ( )
    assert "{" + "}{".join(f"{v:g}" for v in top_row) + "}" in text.replace(" ", "")  # on the canvas: { }
    assert "cells the padding crops" in " ".join(text.split())
    assert "the same as the gather view's output (vectorized): max |difference| = 0" in text
    want = layer_output(problem_from_document(CROPPED_DOC))[0, 0]
    end = text.split("after every stamp:")[1]
    for row in want:
        assert " ".join(f"{v:g}" for v in row) in " ".join(end.split()), (row, end)


def test_fitted_frame_never_exceeds_the_screen():
    problem = problem_from_document({"images": np.arange(1, 19).reshape(1, 2, 3, 3).tolist(),
                                     "kernels": np.ones((2, 3, 3, 3)).tolist(), "transposed": True, "stride": 2})
    step = next(iter(ScatterLoop(problem)))
    block = fitted_scatter_frame(problem, step, 18, 80, 24)
    assert block.height <= 24 and block.width <= 80
    text = "\n".join("".join(piece for piece, _ in line) for line in block.lines)
    assert "not drawn (no room)" in text  # three output channels do not fit one screen


def test_html_export_holds_the_frames(invoke, tmp_path):
    page = tmp_path / "scatter.html"
    result = invoke(["run", str(LESSON / "input.json"), "--method", "scatter", "--export", str(page)], env=ENV)
    assert result.exit_code == 0, result.output
    html = page.read_text()
    assert "stamp 3 of 0..3:  x[0,0,1,1] = 4" in html and "http" not in html.lower().replace("http-equiv", "")


@pytest.mark.parametrize("args, words", [
    (["--example", "default"], "this is a 2-D convolution: use --method loop"),
    (["--json"], "--json prints only the result"),
    (["--export", "maps.png"], "--export FILE.png"),
])
def test_bad_combinations_exit_2_with_a_message(invoke, args, words):
    extra = [] if "--example" in args else [str(LESSON / "input.json")]
    result = invoke(["run", *extra, *args, "--method", "scatter"])
    assert result.exit_code == 2
    assert words in result.output
    assert "Traceback" not in result.output


def test_a_pooling_document_is_refused_too(invoke, tmp_path):
    path = tmp_path / "pool.json"
    path.write_text(json.dumps({"images": [[1, 2], [3, 4]], "pool": "max", "pool_size": 2}))
    result = invoke(["run", str(path), "--method", "scatter"])
    assert result.exit_code == 2 and "max_pool layer: use --method loop" in result.output


def test_readme_scatter_example_is_what_run_prints(invoke):
    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text()
    command = "$ convtrace run lessons/17-transposed/input.json --method scatter --format plain\n"
    shown = readme.split(command, 1)[1].splitlines()[0]
    assert shown.endswith(", ...")
    result = invoke(["run", str(LESSON / "input.json"), "--method", "scatter", "--format", "plain"])
    assert result.output.splitlines()[0].startswith(shown[: -len(", ...")])


def test_long_traces_draw_100_stamps_and_say_how_to_see_the_rest(invoke, tmp_path):
    path = tmp_path / "big.json"
    images = (np.arange(121).reshape(11, 11) % 5).tolist()  # 121 input values: 121 stamps
    path.write_text(json.dumps({"images": images, "kernels": [[1, 2], [3, 4]], "transposed": True, "stride": 2}))
    text = " ".join(printed(invoke, [str(path)]).split())
    assert "stamp 99 of 0..120:" in text and "stamp 100 of" not in text
    assert "the stamps after stamp 99 were made but not drawn; draw them all with --limit 121" in text
    assert "the same as the gather view's output (vectorized): max |difference| = 0" in text


def test_at_names_input_values_on_the_command_line(invoke):
    records = jsonl(invoke, [str(LESSON / "input.json"), "--at", "row=1", "--at", "step=0"])
    assert [(r["step"], r["row"], r["col"]) for r in records] == [(0, 0, 0), (2, 1, 0), (3, 1, 1)]
    result = invoke(["run", str(LESSON / "input.json"), "--method", "scatter", "--at", "k=0"])
    assert result.exit_code == 2 and "NAME one of n, c, row, col, step" in result.output
