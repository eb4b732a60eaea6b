"""`convtrace check --layout NHWC`: a channels-last function graded in its own layout, through the real command.

The battery's expected values are checked against scipy in test_check.py; here
the question is only whether the arrays reach the function channels-last,
whether its answer is read channels-last, and whether a function written for
one layout and graded in the other is told so in plain words. Every run is
`python -m convtrace` in a subprocess, as a learner types it.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from convtrace.check.cases import CASE_NAMES

from conftest import golden_cases

GALLERY = Path(__file__).parent / "learner_impls"
NHWC_DOCUMENT = "nhwc_bias_same_stride_2"  # a torch-made case of tests/golden/forward.json


def convtrace(*args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "NO_COLOR": "1", "COLUMNS": "80", "TERM": "dumb"}
    return subprocess.run([sys.executable, "-m", "convtrace", *args], capture_output=True, text=True,
                          env=env, timeout=120)


@pytest.fixture(scope="module")
def emitted(tmp_path_factory) -> Path:
    """The NumPy script `convtrace emit --to numpy` writes for an NHWC golden document."""
    folder = tmp_path_factory.mktemp("emitted")
    case = next(case for case in golden_cases("forward") if case["name"] == NHWC_DOCUMENT)
    assert case["doc"]["layout"] == "NHWC"
    document = folder / "doc.json"
    document.write_text(json.dumps(case["doc"]))
    done = convtrace("emit", str(document), "--to", "numpy")
    assert done.returncode == 0, done.stderr
    script = folder / "conv.py"
    script.write_text(done.stdout)
    assert "(N, H, W, C) x (K, kh, kw, C) -> (N, H', W', K)" in done.stdout  # the function is channels-last
    return script


def report(*args: str) -> dict:
    done = convtrace("check", *args, "--json")
    assert done.stderr == "", done.stderr
    return json.loads(done.stdout)


def mistakes(record: dict) -> dict[str, str | None]:
    """case name -> the named mistake of a failing or erring case (None when nothing was named)."""
    return {case["name"]: case["diagnosis"] and case["diagnosis"]["mistake"]
            for case in record["cases"] if case["status"] in ("fail", "error")}


# --- (1) the emitted NHWC function passes every case with --layout NHWC


@pytest.mark.parametrize("spelling", ["NHWC", "nhwc"])
def test_the_emitted_nhwc_function_passes_every_case_with_layout_nhwc(emitted, spelling):
    done = convtrace("check", f"{emitted}:conv2d", "--layout", spelling)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "layout NHWC, cross-correlation" in done.stdout  # the report says which layout was graded
    total = len(CASE_NAMES)  # it takes bias=, stride=, padding=, dilation= and flip=: no case is skipped
    assert f"{total} passed, 0 failed, 0 erred, 0 skipped of {total} cases; exit 0" in done.stdout
    assert done.stderr == ""


def test_the_shapes_the_function_saw_are_channels_last(emitted):
    record = report(f"{emitted}:conv2d", "--layout", "NHWC", "--case", "kernels")
    case = record["cases"][0]
    # the battery's `kernels` case: 1 image 5x6 with 1 channel, 3 kernels 3x3 -> output 3x4 per kernel
    assert (case["input_shape"], case["kernel_shape"], case["expected_shape"]) == (
        [1, 5, 6, 1], [3, 3, 3, 1], [1, 3, 4, 3])
    assert case["status"] == "pass" and case["returned_shape"] == [1, 3, 4, 3]


# --- (2) the same function graded as NCHW is told to use --layout NHWC


def test_the_emitted_nhwc_function_without_layout_is_told_to_use_layout_nhwc(emitted):
    done = convtrace("check", f"{emitted}:conv2d")
    assert done.returncode == 1
    assert "layout NCHW, cross-correlation" in done.stdout
    assert "Run with --layout NHWC" in " ".join(done.stdout.split())
    assert done.stderr == ""
    record = report(f"{emitted}:conv2d")
    assert record["status"] == "fail"
    assert set(mistakes(record).values()) == {"layout_mixed"}, mistakes(record)


def test_a_wrong_nhwc_function_without_layout_is_told_what_the_shapes_say():
    """The stride mistake stops the layout probe from being right, but the output's shape still fits NHWC."""
    record = report(f"{GALLERY / 'stride_not_applied_nhwc.py'}:conv2d", "--case", "stride_2", "--case", "channels")
    named = mistakes(record)
    assert named == {"channels": "layout_mixed", "stride_2": "layout_shapes"}
    stride_2 = next(case for case in record["cases"] if case["name"] == "stride_2")
    assert stride_2["verdict"] == "channels read from the wrong axis: the shapes fit NHWC"
    text = stride_2["diagnosis"]["explanation"]
    assert "(N, H', W', K) = (1, 3, 3, 1)" in text and "Run with --layout NHWC" in text


# --- (3) a mistake made channels-last has the name it has channels-first


def test_an_nhwc_mistake_is_named_as_its_nchw_twin():
    twin = report(f"{GALLERY / 'stride_not_applied.py'}:conv2d")
    nhwc = report(f"{GALLERY / 'stride_not_applied_nhwc.py'}:conv2d", "--layout", "NHWC")
    assert mistakes(twin) == {"stride_2": "stride_not_in_slice"}
    assert mistakes(nhwc) == mistakes(twin)
    assert [c["status"] for c in nhwc["cases"]] == [c["status"] for c in twin["cases"]]
    done = convtrace("check", f"{GALLERY / 'stride_not_applied_nhwc.py'}:conv2d", "--layout", "NHWC",
                     "--case", "stride_2")
    assert "Diagnosis: stride not applied to the slice start" in done.stdout
    assert "expected out[0, :, :, 0]" in done.stdout  # planes are cut channels-last


# --- (4) an NCHW function graded with --layout NHWC fails cleanly


def test_an_nchw_function_with_layout_nhwc_fails_cleanly():
    done = convtrace("check", f"{GALLERY / 'correct.py'}:conv2d", "--layout", "NHWC")
    assert done.returncode == 1
    assert done.stderr == ""  # no traceback of convtrace's own
    assert "convtrace/" not in done.stdout and "site-packages" not in done.stdout
    assert "layout NHWC, cross-correlation" in done.stdout
    assert "Run without --layout NHWC" in " ".join(done.stdout.split())
    record = report(f"{GALLERY / 'correct.py'}:conv2d", "--layout", "NHWC")
    assert record["status"] == "fail"
    assert set(mistakes(record).values()) == {"layout_mixed"}, mistakes(record)


def test_a_wrong_nchw_function_with_layout_nhwc_is_told_what_the_shapes_say():
    record = report(f"{GALLERY / 'stride_not_applied.py'}:conv2d", "--layout", "NHWC", "--case", "stride_2")
    assert mistakes(record) == {"stride_2": "layout_shapes"}
    text = record["cases"][0]["diagnosis"]["explanation"]
    assert "(N, K, H', W') = (1, 1, 3, 3)" in text and "Run without --layout NHWC" in text


def test_layout_nhwc_with_another_op_is_refused_in_one_line():
    done = convtrace("check", f"{GALLERY / 'pool_correct.py'}:max_pool2d", "--op", "max_pool2d", "--layout", "NHWC")
    assert done.returncode == 2 and done.stdout == ""
    assert "apply to --op conv2d only" in done.stderr and "Traceback" not in done.stderr


# --- (5) --json carries the layout


@pytest.mark.parametrize("options, layout", [((), "NCHW"), (("--layout", "nhwc"), "NHWC")])
def test_json_names_the_layout_graded(options, layout):
    record = report(f"{GALLERY / 'correct_nhwc.py'}:conv2d", *options, "--case", "channels")
    assert record["layout"] == layout
    assert record["status"] == ("pass" if layout == "NHWC" else "fail")


def test_help_spells_layout_as_the_other_commands_do():
    check_help, run_help = convtrace("check", "--help").stdout, convtrace("run", "--help").stdout
    assert "--layout NCHW|NHWC" in run_help
    assert "--layout NCHW|NHWC" in check_help and "[default: NCHW]" in check_help
    assert "with --layout NHWC images (N, H, W, C), kernels" in check_help
