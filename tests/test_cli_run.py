"""`convtrace run` through Click's CliRunner: the built-in example, --json, jsonl, --limit, stdin, overrides."""

from __future__ import annotations

import json

import numpy as np
import pytest

from convtrace.engine.fast import conv2d

SMALL = {
    "images": [[1, 2, 0, -1], [3, -2, 1, 4], [0, 1, -3, 2], [2, 2, 1, 0]],
    "kernels": [[1, 0], [-1, 2]],
}


def test_builtin_example_json_is_27_and_54(invoke):
    # by hand: each channel of image i is a constant; the channel constants of every image sum to 3,
    # so a 3x3 all-ones window over 3 channels gives 9 * 3 = 27, and all-twos gives 54
    result = invoke(["run", "--example", "question", "--json"])
    assert result.exit_code == 0
    doc = json.loads(result.stdout)
    assert doc["input_shape"] == [4, 3, 4, 4]
    assert doc["kernel_shape"] == [2, 3, 3, 3]
    assert doc["output_shape"] == [4, 2, 2, 2]
    out = np.asarray(doc["output"])
    assert (out[:, 0] == 27).all() and (out[:, 1] == 54).all()
    assert doc["padding"] == [[0, 0], [0, 0]] and doc["stride"] == [1, 1] and doc["dilation"] == [1, 1]
    assert doc["layout"] == "NCHW" and doc["flip"] is False


def test_builtin_example_jsonl_has_32_steps_in_loop_order(invoke):
    result = invoke(["run", "--example", "question", "--format", "jsonl"])
    assert result.exit_code == 0
    steps = [json.loads(line) for line in result.stdout.splitlines()]
    assert len(steps) == 4 * 2 * 2 * 2
    assert [(s["n"], s["k"], s["row"], s["col"]) for s in steps] == list(np.ndindex(4, 2, 2, 2))
    fills = [(1, 0, 2), (0, 1, 2), (2, 0, 1), (2, 1, 0)]
    for s in steps:
        assert set(s) == {"step", "n", "k", "row", "col", "top", "left", "patch", "kernel", "partials", "bias", "value"}
        # per-channel partial sum = 9 cells * channel constant * kernel value (1 or 2)
        assert s["partials"] == [9.0 * v * (s["k"] + 1) for v in fills[s["n"]]]
        assert s["value"] == 27.0 * (s["k"] + 1)
        assert np.asarray(s["patch"]).shape == (3, 3, 3)


def test_limit_stops_early(invoke):
    result = invoke(["run", "--format", "jsonl", "--limit", "5"])
    assert [json.loads(line)["step"] for line in result.stdout.splitlines()] == [0, 1, 2, 3, 4]
    result = invoke(["run", "--format", "plain", "--limit", "3"])
    assert len(result.stdout.splitlines()) == 3


def test_stdin_document(invoke):
    result = invoke(["run", "-", "--json"], input=json.dumps(SMALL))
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    want = conv2d(np.array(SMALL["images"], float)[None, None], np.array(SMALL["kernels"], float)[None, None])
    np.testing.assert_allclose(doc["output"], want)
    assert doc["output_shape"] == [1, 1, 3, 3]


def test_options_override_the_document(invoke, tmp_path):
    path = tmp_path / "doc.json"
    path.write_text(json.dumps({**SMALL, "padding": 1, "stride": 1}))
    result = invoke(["run", str(path), "--json", "--mode", "full", "--stride", "2,1", "--flip"])
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    # --mode replaces the document's padding; full = d*(k-1) = 1 per side for a 2x2 kernel
    assert doc["padding"] == [[1, 1], [1, 1]] and doc["stride"] == [2, 1] and doc["flip"] is True
    want = conv2d(np.array(SMALL["images"], float)[None, None], np.array(SMALL["kernels"], float)[None, None],
                  padding="full", stride=(2, 1), flip=True)
    np.testing.assert_allclose(doc["output"], want)


@pytest.mark.parametrize("padding, sides", [("1", [[1, 1], [1, 1]]), ("1,2", [[1, 1], [2, 2]]),
                                            ("1,0,0,2", [[1, 0], [0, 2]])])
def test_padding_option_spellings(invoke, tmp_path, padding, sides):
    path = tmp_path / "doc.json"
    path.write_text(json.dumps({**SMALL, "mode": "same"}))
    result = invoke(["run", str(path), "--json", "--padding", padding])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["padding"] == sides


def test_mode_and_padding_together_is_a_usage_error(invoke):
    result = invoke(["run", "--mode", "same", "--padding", "1"])
    assert result.exit_code == 2
    assert "--mode" in result.stderr and "--padding" in result.stderr


def test_missing_file_is_a_usage_error(invoke):
    result = invoke(["run", "no-such-file.json"])
    assert result.exit_code == 2
    assert "no-such-file.json" in result.stderr and "Traceback" not in result.output
    assert result.stdout == ""


def test_bad_document_exits_1_with_the_json_path(invoke):
    bad = {"images": [[1, 2], [3, True]], "kernels": [[1]]}
    result = invoke(["run", "-", "--json"], input=json.dumps(bad))
    assert result.exit_code == 1
    assert "images[1][1]" in result.stderr and result.stdout == ""


def test_plain_lines_carry_the_engine_values(invoke):
    result = invoke(["run", "--example", "question", "--format", "plain"])
    lines = result.stdout.splitlines()
    assert len(lines) == 32
    assert lines[0].startswith("step 0") and "out[0,0,0,0]" in lines[0] and lines[0].endswith("= 27")
    assert lines[-1].endswith("= 54")


def test_rich_view_runs_without_colour(invoke):
    result = invoke(["run", "--example", "question", "--limit", "2"], env={"NO_COLOR": "1", "COLUMNS": "100"})
    assert result.exit_code == 0
    assert "out[0,0,0,0]" in result.stdout and "27" in result.stdout


def test_help_and_version(invoke):
    assert "Examples" in invoke(["run", "--help"]).stdout
    assert "convtrace" in invoke(["--version"]).stdout
    assert invoke(["-h"]).exit_code == 0


def test_module_entry_point():
    import subprocess
    import sys

    done = subprocess.run([sys.executable, "-m", "convtrace", "run", "--example", "question", "--json"], capture_output=True, text=True)
    assert done.returncode == 0
    assert json.loads(done.stdout)["output_shape"] == [4, 2, 2, 2]


def test_readme_sample_output_is_what_run_prints(invoke):
    from pathlib import Path

    readme = (Path(__file__).parent.parent / "README.md").read_text()
    command = "$ convtrace run --format plain --limit 3\n"
    shown = readme.split(command, 1)[1].split("```", 1)[0].splitlines()
    assert shown == invoke(["run", "--format", "plain", "--limit", "3"]).stdout.splitlines()


def _scipy_reference(doc: dict) -> np.ndarray:
    """(N, C, H, W) x (K, C, kh, kw) -> (N, K, H', W') by scipy: pad, spread taps by dilation, correlate, subsample."""
    import scipy.signal as ss

    x, w = np.array(doc["images"], float), np.array(doc["kernels"], float)
    p, s, d = doc.get("padding", 0), doc.get("stride", 1), doc.get("dilation", 1)
    if doc.get("mode") == "same":
        p = (w.shape[-1] - 1) * d // 2
    x = np.pad(x, ((0, 0), (0, 0), (p, p), (p, p)))
    spread = np.zeros(w.shape[:2] + ((w.shape[2] - 1) * d + 1, (w.shape[3] - 1) * d + 1))
    spread[:, :, ::d, ::d] = w
    out = np.array([[sum(ss.correlate2d(x[n, c], spread[k, c], mode="valid") for c in range(x.shape[1]))[::s, ::s]
                     for k in range(w.shape[0])] for n in range(x.shape[0])])
    return out + np.array(doc.get("bias", [0] * w.shape[0]), float)[None, :, None, None]


def test_every_named_example_runs_and_matches_scipy(invoke):
    from convtrace.source.examples import EXAMPLES, example_text

    listed = invoke(["examples"]).stdout
    for name in EXAMPLES:
        assert name in listed
        if EXAMPLES[name].document is None:  # a picture example: tests/test_pictures.py checks those
            continue
        doc = json.loads(example_text(name))
        result = invoke(["run", "--example", name, "--json"])
        assert result.exit_code == 0, result.output
        np.testing.assert_allclose(json.loads(result.stdout)["output"], _scipy_reference(doc), atol=1e-9)
        assert json.loads(invoke(["examples", "--show", name]).stdout) == doc


def test_default_example_changes_as_the_window_slides_and_flips(invoke):
    values = [json.loads(line)["value"] for line in invoke(["run", "--format", "jsonl"]).stdout.splitlines()]
    assert len(values) == 18 and len(set(values)) >= 10  # not all 27s and 54s
    plain = json.loads(invoke(["run", "--json"]).stdout)["output"]
    flipped = json.loads(invoke(["run", "--json", "--flip"]).stdout)["output"]
    assert plain[0][1] != flipped[0][1]  # kernel 1 is lopsided: rotating it changes the map


def test_example_misuse_is_a_usage_error(invoke):
    result = invoke(["run", "--example", "nope"])
    assert result.exit_code == 2 and "default, question" in result.stderr
    result = invoke(["run", "x.json", "--example", "edges"])
    assert result.exit_code == 2 and "not both" in result.stderr


def test_one_step_number_in_every_view(invoke):
    """--at step=N, the rich header, the plain line and jsonl's step name the same position."""
    record = json.loads(invoke(["run", "--format", "jsonl", "--at", "step=7"]).stdout)
    assert record["step"] == 7 and (record["k"], record["row"], record["col"]) == (0, 2, 1)  # 7 = 2*3 + 1
    assert invoke(["run", "--format", "plain", "--at", "step=7"]).stdout.startswith("step 7  out[0,0,2,1]")
    rich = invoke(["run", "--at", "step=7"], env={"NO_COLOR": "1", "COLUMNS": "100"}).stdout
    assert "── step 7 of 0..17 ── out[0,0,2,1]" in rich
    assert invoke(["run", "--at", "step=18"]).exit_code == 2


def test_every_command_that_reads_a_document_takes_example(invoke):
    edges = json.loads(invoke(["compare", "--example", "block", "--json"]).stdout)
    assert edges["input_shape"] == [1, 1, 7, 7]
    assert "example 'cs231n'" in invoke(["explain", "--example", "cs231n", "--mode", "same"]).stdout
    grad = json.loads(invoke(["grad", "--example", "question", "--json"]).stdout)
    assert grad["output_shape"] == [4, 2, 2, 2]
    result = invoke(["compare", "x.json", "--example", "edges"])
    assert result.exit_code == 2 and "not both" in result.stderr
