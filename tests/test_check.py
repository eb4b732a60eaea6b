"""`convtrace check`: the battery, the mistake models, the worker process, the report and the command.

The gallery in tests/learner_impls/ holds one deliberately wrong conv2d per
known mistake; each must be named correctly, and only in the cases that
isolate it. Expected outputs of the battery are checked against scipy's direct
correlation, independently of convtrace's own engine.
"""

from __future__ import annotations

import functools
import json
import textwrap
import time
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner
from scipy.signal import correlate2d

from convtrace.check import run_check
from convtrace.check.calling import Call, Signature, Skip, plan_call
from convtrace.check.cases import CASE_NAMES, battery, in_layout, pair
from convtrace.check.exceptions import swapped_height_width
from convtrace.check.mistakes import SENTINEL, Situation, candidates, diagnose, fits, from_exception
from convtrace.check.report import report_record
from convtrace.check.worker import describe_signature
from convtrace.cli import cli
from convtrace.errors import UsageError

GALLERY = Path(__file__).parent / "learner_impls"


@functools.lru_cache(maxsize=None)
def graded(name: str, **options):
    """The report for tests/learner_impls/NAME.py:conv2d (cached: each file is run once per option set)."""
    return run_check(f"{GALLERY / name}.py:conv2d", **options)


def outcome(report) -> dict[str, str]:
    """case name -> status, or the diagnosed mistake for a failing or erring case."""
    return {
        c.name: (c.diagnosis.mistake if c.diagnosis else c.status) if c.status in ("fail", "error") else c.status
        for c in report.cases
    }


def learner_file(tmp_path: Path, source: str, name: str = "student.py") -> str:
    path = tmp_path / name
    path.write_text(textwrap.dedent(source))
    return str(path)


RIGHT_LOOP = """
    import numpy as np

    def correct(images, kernels, stride=1, padding=0):
        x = np.pad(images, ((0, 0), (0, 0), (padding, padding), (padding, padding)))
        n, c, h, w = x.shape
        k, _, kh, kw = kernels.shape
        out = np.zeros((n, k, (h - kh) // stride + 1, (w - kw) // stride + 1))
        for i in range(out.shape[2]):
            for j in range(out.shape[3]):
                patch = x[:, :, i * stride:i * stride + kh, j * stride:j * stride + kw]
                out[:, :, i, j] = np.einsum("nchw,kchw->nk", patch, kernels)
        return out
"""


# --- the battery: independent expected values, and data where mistakes cannot cancel


def scipy_reference(case) -> np.ndarray:
    """(N, K, H', W') from scipy.signal.correlate2d, one channel at a time.

    Dilation: the kernel spread out with zeros between its taps; stride: every s-th position kept.
    """
    ph, pw = case.pad
    x = np.pad(case.images, ((0, 0), (0, 0), (ph, ph), (pw, pw)))
    w = case.kernels[:, :, ::-1, ::-1] if case.flip else case.kernels
    (sh, sw), (dh, dw) = pair(case.stride), pair(case.dilation)
    spread = np.zeros(w.shape[:2] + (dh * (w.shape[2] - 1) + 1, dw * (w.shape[3] - 1) + 1))
    spread[:, :, ::dh, ::dw] = w
    n, c = x.shape[:2]
    k = w.shape[0]
    planes = [[sum(correlate2d(x[i, ch], spread[j, ch], mode="valid") for ch in range(c))[::sh, ::sw]
               for j in range(k)] for i in range(n)]
    out = np.array(planes)
    if case.bias is not None:
        out = out + case.bias[None, :, None, None]
    return out


@pytest.mark.parametrize("flip", [False, True])
def test_battery_expected_matches_scipy(flip):
    for case in battery(flip, with_flip_case=True):
        np.testing.assert_array_equal(case.expected, scipy_reference(case), err_msg=case.name)


def test_battery_covers_the_ideas_in_the_brief():
    cases = {c.name: c for c in battery(with_flip_case=True)}
    assert cases["single_channel"].images.shape[:2] == (1, 1)
    assert cases["channels"].images.shape[1] > 1
    assert cases["kernels"].kernels.shape[0] > 1
    assert cases["batch"].images.shape[0] > 1
    n, k = cases["images_and_kernels"].images.shape[0], cases["images_and_kernels"].kernels.shape[0]
    assert n == k > 1  # image n against kernel n shows only when the counts agree
    h, w = cases["non_square_input"].images.shape[2:]
    assert h != w
    kh, kw = cases["rectangular_kernel"].kernel_size
    assert kh != kw and 3 not in (kh, kw) and kh % 2 == kw % 2 == 0  # neither a written 3 nor one side fits
    stride = cases["stride_2"]
    rows = stride.images.shape[2]
    assert stride.stride == 2 and (rows - stride.kernel_size[0]) % 2 == 1  # the floor drops a row
    assert cases["stride_rows"].stride == (2, 1) and cases["stride_columns"].stride == (1, 2)
    assert cases["padding_1"].padding == 1
    assert cases["full_padding"].pad == (2, 2) and cases["full_padding"].kernel_size == (3, 3)
    full = cases["full_rectangular"]
    assert full.pad == (1, 2) and full.kernel_size[0] % 2 == 0 and full.kernel_size[1] % 2 == 1
    assert cases["dilation_2"].dilation == 2
    bias = cases["bias"]
    assert bias.bias is not None and bias.images.shape[0] > 1 and bias.kernels.shape[0] != bias.images.shape[1]
    assert cases["mixed_values"].images.shape[0] != cases["mixed_values"].kernels.shape[0] > 1
    mixed = cases["mixed_values"]
    assert (mixed.images < 0).any() and (mixed.images % 1 != 0).any() and (mixed.kernels % 1 != 0).any()
    assert cases["repeat_call"].calls == 2
    assert tuple(cases) == CASE_NAMES


def test_battery_values_cannot_cancel():
    for case in battery():
        w, x = case.kernels, case.images
        assert len(np.unique(x)) > 3, case.name  # not all ones
        for k in range(w.shape[0]):
            for c in range(w.shape[1]):
                tap = w[k, c]
                for same in (tap[::-1, ::-1], tap[::-1], tap[:, ::-1]):
                    assert not np.array_equal(tap, same), f"{case.name}: kernel {k}, {c} is symmetric"
        flat = w.reshape(w.shape[0], -1)
        assert len({tuple(row) for row in flat}) == w.shape[0], f"{case.name}: two kernels alike"
        channels = x.reshape(x.shape[0], x.shape[1], -1)
        for n in range(x.shape[0]):
            assert len({tuple(row) for row in channels[n]}) == x.shape[1], f"{case.name}: two channels alike"


@pytest.mark.parametrize("layout", ["NCHW", "NHWC"])
@pytest.mark.parametrize("flip", [False, True])
def test_every_model_is_told_apart_from_the_others(layout, flip):
    """In every case, each mistake's output is named as that mistake, and none equals the right answer."""
    for case in battery(flip, with_flip_case=True):
        situation = Situation(case, layout, previous=in_layout(case.expected, layout))
        tol = 1e-5 * case.scale
        for mistake, candidate in candidates(situation):
            if mistake == "integer_output" and np.array_equal(case.expected, np.trunc(case.expected)):
                continue  # integer-valued cases cannot show truncation: mixed_values and bias do
            assert not fits(situation.expected, candidate, tol), (case.name, mistake)
            wrong = np.where(np.isnan(candidate), 7.0, candidate)
            found = diagnose(situation, wrong, tol)
            assert found is not None and found.mistake == mistake, (case.name, mistake, found)


def test_a_wrong_answer_no_mistake_explains_gets_no_name():
    case = battery()[0]
    situation = Situation(case, "NCHW")
    wrong = situation.expected.copy()
    wrong[0, 0, 1, 1] += 1
    assert diagnose(situation, wrong, 1e-5 * case.scale) is None


def test_exceptions_are_named_from_numpy_and_python_messages():
    case = {c.name: c for c in battery()}["rectangular_kernel"]
    messages = []
    for action in (lambda: np.zeros((1, 1, 3.0, 3.0)), lambda: range(3.0), lambda: [1, 2][0:1.5],
                   lambda: np.zeros(4)[1.0:2.0]):
        with pytest.raises(Exception) as caught:
            action()
        messages.append((type(caught.value).__name__, str(caught.value)))
    named = [from_exception(case, error_type, message).mistake for error_type, message in messages]
    assert named == ["output_size_rounded_up", "output_size_rounded_up", "float_index", "float_index"], messages
    with pytest.raises(ValueError) as caught:
        np.ones((1, 3, 3)) * np.ones((1, 2, 4))
    assert from_exception(case, "ValueError", str(caught.value)).mistake == "hardcoded_window"
    with pytest.raises(ValueError) as square:
        np.ones((1, 4, 4)) * np.ones((1, 2, 4))  # k = kernels.shape[-1] for both sides
    assert from_exception(case, "ValueError", str(square.value)).mistake == "square_kernel"
    with pytest.raises(ValueError) as cut:
        np.ones((1, 2, 3)) * np.ones((1, 2, 4))  # a window cut at the image's right edge
    assert from_exception(case, "ValueError", str(cut.value)).mistake == "window_off_edge"
    wide = {c.name: c for c in battery()}["non_square_input"]  # 5x7, a 3x3 kernel
    assert swapped_height_width(wide, "could not broadcast together with shapes (1,2,3) (1,3,3)").mistake \
        == "height_width_swapped"  # rows cut on the shorter axis: the rows were counted from W
    assert swapped_height_width(wide, "could not broadcast together with shapes (1,3,2) (1,3,3)") is None
    assert swapped_height_width(battery()[0], "shapes (1,2,3) (1,3,3)") is None  # a square image
    assert from_exception(case, "EOFError", "EOF when reading a line").mistake == "reads_stdin"
    assert from_exception(case, "MemoryError", "Unable to allocate 8 GiB").mistake == "out_of_memory"
    square = battery()[0]  # a 3x3 kernel: a (3,3) shape in a broadcast error proves nothing
    assert from_exception(square, "ValueError", str(caught.value)) is None
    assert from_exception(case, "IndexError", "index 3 is out of bounds for axis 0 with size 3") is None


# --- how a case becomes a call


def signature_of(function) -> Signature:
    return Signature.from_message(describe_signature(function, function.__name__))


def plans(function, flip_case: bool = False) -> dict:
    sig = signature_of(function)
    return {case.name: plan_call(case, sig) for case in battery(with_flip_case=flip_case)}


def test_a_plain_signature_gets_stride_and_padding_and_skips_the_rest():
    def conv2d(images, kernels, stride=1, padding=0):
        pass

    p = plans(conv2d)
    assert p["stride_2"].kwargs == {"stride": 2, "padding": 0}
    assert p["padding_1"].kwargs == {"stride": 1, "padding": 1}
    assert p["full_padding"].kwargs == {"stride": 1, "padding": 2} and "k-1" in p["full_padding"].note
    assert isinstance(p["bias"], Skip) and "bias=" in p["bias"].reason
    assert p["single_channel"].text("conv2d") == "conv2d(images, kernels, stride=1, padding=0)"


def test_mode_and_string_padding_express_full_by_name():
    def by_mode(images, kernels, mode="valid"):
        pass

    def by_string(images, kernels, stride=1, padding="valid"):
        pass

    p = plans(by_mode)
    assert p["full_padding"].kwargs == {"mode": "full"}
    assert p["single_channel"].kwargs == {"mode": "valid"}
    assert isinstance(p["padding_1"], Skip) and isinstance(p["stride_2"], Skip)
    q = plans(by_string)
    assert q["full_padding"].kwargs == {"stride": 1, "padding": "full"}
    assert q["single_channel"].kwargs == {"stride": 1, "padding": "valid"}
    assert q["padding_1"].kwargs == {"stride": 1, "padding": 1}


def test_kwargs_bias_and_flip_are_passed_only_when_named():
    def catch_all(images, kernels, **options):
        pass

    def needs_bias(x, w, bias, *, flip=False):
        pass

    p = plans(catch_all)
    assert p["bias"].kwargs == {"stride": 1, "padding": 0, "bias": [1.5, -2.0, 0.5]} and p["bias"].arrays == ("bias",)
    q = plans(needs_bias, flip_case=True)
    assert q["single_channel"].kwargs == {"bias": [0.0], "flip": False}  # a required bias gets zeros
    assert q["flip"].kwargs["flip"] is True
    assert isinstance(q["stride_2"], Skip)
    assert isinstance(q["single_channel"], Call)


def test_tuple_defaults_get_pairs_and_ints_skip_what_differs_by_axis():
    def pytorch(images, kernels, bias=None, stride=(1, 1), padding=(0, 0), dilation=(1, 1)):
        pass

    def ints(images, kernels, stride=1, padding=0, dilation=1):
        pass

    p = plans(pytorch)
    assert p["stride_rows"].kwargs == {"stride": (2, 1), "padding": (0, 0), "dilation": (1, 1)}
    assert p["stride_rows"].tuples == ("stride", "padding", "dilation")
    assert p["full_rectangular"].kwargs["padding"] == (1, 2)  # k-1 per axis for a 2x3 kernel
    assert p["dilation_2"].kwargs["dilation"] == (2, 2)
    q = plans(ints)
    assert q["dilation_2"].kwargs == {"stride": 1, "padding": 0, "dilation": 2}
    assert isinstance(q["stride_rows"], Skip) and "(2, 1)" in q["stride_rows"].reason
    assert isinstance(q["full_rectangular"], Skip)  # padding (1, 2) cannot be one int
    forced = plan_call({c.name: c for c in battery()}["stride_2"], signature_of(ints), tuples=True)
    assert forced.kwargs == {"stride": (2, 2), "padding": (0, 0), "dilation": (1, 1)}


def test_signatures_that_cannot_take_images_and_kernels_are_refused():
    def one(images):
        pass

    def unknown(images, kernels, s, p):
        pass

    def fine(*arrays, stride=1):
        pass

    assert "1 positional argument" in signature_of(one).problem()
    assert "s, p" in signature_of(unknown).problem()
    assert signature_of(fine).problem() is None


# --- the gallery: one wrong implementation per known mistake


def test_a_correct_implementation_passes_every_case():
    report = graded("correct")
    assert report.status == "pass" and report.exit_code == 0
    got = outcome(report)
    assert len(got) == len(CASE_NAMES)  # it takes stride, padding, dilation, mode, bias, flip
    # only a (rows, columns) stride needs more than an int
    assert {name for name, status in got.items() if status != "pass"} == {"stride_rows", "stride_columns"}


@pytest.mark.parametrize("name", ["correct_pytorch", "correct_unpacks"])
def test_a_correct_pytorch_style_function_is_graded_with_pairs(name):
    """stride=(1, 1) defaults, or code that unpacks `sh, sw = stride`: graded, not failed on every case."""
    report = graded(name)
    assert report.status == "pass", [(c.name, c.verdict) for c in report.cases]
    ran = {c.name for c in report.cases if c.status == "pass"}
    assert {"stride_rows", "stride_columns", "full_rectangular"} <= ran
    assert "padding=(1, 2)" in next(c.call for c in report.cases if c.name == "full_rectangular")
    if name == "correct_unpacks":  # learned from the TypeError on the first call
        assert "cannot unpack non-iterable int" in report.cases[0].remarks[0]
    else:
        assert "dilation_2" in ran and "bias" in ran


def test_a_correct_channels_last_implementation_passes_with_layout_nhwc():
    report = graded("correct_nhwc", layout="NHWC")
    assert report.status == "pass"
    got = outcome(report)
    assert {name for name, status in got.items() if status == "skip"} == {
        "bias", "dilation_2", "stride_rows", "stride_columns", "full_rectangular"}
    assert {status for status in got.values()} == {"pass", "skip"}


def test_true_convolution_is_graded_with_flip():
    assert graded("correct", flip=True).status == "pass"
    assert graded("rotated_kernel", flip=True).status == "pass"
    got = outcome(graded("correct_minimal", flip=True))
    assert {v for k, v in got.items() if k in ("single_channel", "batch")} == {"kernel_not_rotated"}


def test_a_minimal_signature_skips_what_it_cannot_express():
    report = graded("correct_minimal")
    skipped = {c.name: c.verdict for c in report.cases if c.status == "skip"}
    assert set(skipped) == {"stride_2", "stride_rows", "stride_columns", "padding_1", "full_padding",
                            "full_rectangular", "dilation_2", "bias"}
    assert skipped["stride_2"] == "no stride= parameter"
    assert report.exit_code == 0
    assert graded("correct_minimal", strict=True).exit_code == 1


def test_a_failure_shows_both_arrays_and_marks_the_wrong_cells():
    case = next(c for c in graded("stride_not_applied").cases if c.name == "stride_2")
    assert case.status == "fail" and case.returned.shape == case.expected.shape
    differs = case.returned != case.expected
    np.testing.assert_array_equal(case.wrong, differs)
    plane = case.planes[0]
    np.testing.assert_array_equal(plane.wrong, differs[0, 0])
    np.testing.assert_array_equal(plane.expected, case.expected[0, 0])
    assert plane.expected_label == "out[0, 0]"


def test_the_uninitialised_diagnosis_sees_the_sentinel():
    case = graded("uninitialised").cases[0]
    np.testing.assert_array_equal(case.returned, case.expected + SENTINEL)


# --- misbehaving functions are reported cleanly


def test_a_crash_shows_a_traceback_trimmed_to_the_learner_file():
    report = graded("crash")
    ran = [c for c in report.cases if c.status != "skip"]
    assert ran and all(c.status == "error" and c.error.kind == "exception" for c in ran)
    trace = ran[0].error.traceback
    assert "crash.py\", line 23, in conv2d" in trace and "crash.py\", line 10, in window_sum" in trace
    assert trace.rstrip().endswith("IndexError: index 3 is out of bounds for axis 0 with size 3")
    assert "worker.py" not in trace and "site-packages" not in trace and "convtrace" not in trace
    assert ran[0].verdict.startswith("IndexError")


def test_a_hanging_function_is_stopped_after_the_timeout():
    start = time.monotonic()
    report = run_check(f"{GALLERY / 'hang.py'}:conv2d", timeout=0.5, cases=["single_channel", "channels", "kernels"])
    elapsed = time.monotonic() - start
    kinds = [c.error.kind for c in report.cases]
    assert kinds == ["timeout", "timeout", "not_run"]  # two time-outs, then the rest is not run
    assert "0.5 s" in report.cases[0].error.message
    assert report.exit_code == 1
    assert elapsed < 20


def test_a_wrong_return_type_is_reported_per_case():
    report = graded("wrong_return_type")
    ran = [c for c in report.cases if c.status != "skip"]
    assert all(c.status == "error" and c.error.kind == "return_type" for c in ran)
    assert "returned a list" in ran[0].error.message and "np.array" in ran[0].error.message
    assert ran[0].returned is None


MISBEHAVING = RIGHT_LOOP + """
    import os
    import sys

    print("loading my module")
    calls = []

    def conv2d(images, kernels, stride=1, padding=0):
        calls.append(1)
        n, c, h, w = images.shape
        k = kernels.shape[0]
        if (n, c, k, h, w) == (1, 1, 1, 5, 5):  # single_channel: noisy, but right
            print("shapes", images.shape, kernels.shape)
            print("to stderr", file=sys.stderr)
            os.write(1, b'{"event": "result", "kind": "array", "shape": [1], "data": [0]}\\n')
            try:
                input("press enter")
            except EOFError:
                pass
        if c == 3:  # channels: forgets to return
            out = correct(images, kernels, stride, padding)
            return
        if n == 3:  # batch: the process dies
            os._exit(3)
        while stride == 2:  # stride_2: never returns
            pass
        if len(calls) > 1:  # repeat_call, second call: state from the first call is still here
            raise RuntimeError("called twice in this module")
        out = correct(images, kernels, stride, padding)
        if k == 3 and n == 1 and c == 1:  # kernels: right, but zeroes its input
            kernels[:] = 0
        return out
"""


@pytest.fixture(scope="module")
def misbehaving(tmp_path_factory):
    """One file that misbehaves differently per case: each case must be graded on its own."""
    path = learner_file(tmp_path_factory.mktemp("learner"), MISBEHAVING)
    report = run_check(f"{path}:conv2d", timeout=1)
    return {c.name: c for c in report.cases}, report


def test_one_misbehaving_case_does_not_spoil_the_others(misbehaving):
    cases, report = misbehaving
    statuses = {name: c.status for name, c in cases.items()}
    assert statuses == {
        "single_channel": "pass", "channels": "error", "kernels": "pass", "batch": "error",
        "images_and_kernels": "pass", "non_square_input": "pass", "rectangular_kernel": "pass",
        "stride_2": "error", "stride_rows": "skip", "stride_columns": "skip", "padding_1": "pass",
        "full_padding": "pass", "full_rectangular": "skip", "dilation_2": "skip", "bias": "skip",
        "mixed_values": "pass", "repeat_call": "error",
    }
    assert report.exit_code == 1


def test_returning_none_asks_about_return(misbehaving):
    error = misbehaving[0]["channels"].error
    assert error.kind == "return_type" and "returned None" in error.message and "return" in error.message


def test_prints_input_and_raw_writes_do_not_disturb_the_grading(misbehaving):
    cases, report = misbehaving
    assert "shapes (1, 1, 5, 5) (1, 1, 3, 3)" in cases["single_channel"].stdout
    assert "to stderr" in cases["single_channel"].stdout
    assert "loading my module" in report.stdout
    assert any("check gives it no input" in remark for remark in cases["single_channel"].remarks)


def test_a_dying_process_costs_only_its_case(misbehaving):
    batch = misbehaving[0]["batch"]
    assert batch.error.kind == "crash" and "exit code 3" in batch.error.message


def test_a_case_that_hangs_alone_is_stopped_and_the_rest_still_run(misbehaving):
    stride = misbehaving[0]["stride_2"]
    assert stride.error.kind == "timeout" and "1 s" in stride.error.message


def test_changing_the_inputs_in_place_is_remarked(misbehaving):
    case = misbehaving[0]["kernels"]
    assert case.status == "pass" and "kernels" in case.remarks[0] and "in place" in case.remarks[0]


def test_each_case_gets_a_fresh_module_and_repeat_call_sees_state(misbehaving):
    """Module-level state is reset between cases (calls == [1] each time), but not between the two repeat calls."""
    repeat = misbehaving[0]["repeat_call"]
    assert repeat.error.kind == "exception" and "called twice" in repeat.error.message
    assert "RuntimeError" in repeat.verdict


def test_the_learner_folder_comes_first_and_the_working_folder_cannot_shadow_numpy(tmp_path, monkeypatch):
    """Like `python student.py`: helpers next to the file import; a json.py where convtrace runs does not."""
    here = tmp_path / "cwd"
    here.mkdir()
    for name in ("json", "numpy", "queue"):
        (here / f"{name}.py").write_text(f"raise SystemExit('the {name}.py in the working folder was imported')\n")
    folder = tmp_path / "submission"
    folder.mkdir()
    (folder / "helpers.py").write_text(textwrap.dedent(RIGHT_LOOP))
    path = learner_file(folder, "from helpers import correct\n\ndef conv2d(images, kernels):\n"
                                "    return correct(images, kernels)\n")
    monkeypatch.chdir(here)
    report = run_check(f"{path}:conv2d", cases=["single_channel", "channels"])
    assert report.status == "pass", report.error


# --- files that cannot be graded at all: exit 1 with a clean message


@pytest.mark.parametrize("source, kind, words", [
    ("def conv2d(images, kernels:\n    return images\n", "syntax", "line 1"),
    ("import numpy as np\nboom = 1 / 0\n\ndef conv2d(images, kernels):\n    return images\n", "import",
     "ZeroDivisionError"),
    ("def conv(images, kernels):\n    return images\n", "missing_function", "did you mean conv?"),
    ("def conv2d(images, kernels, s, p):\n    return images\n", "signature", "s, p"),
    ("conv2d = 3\n", "missing_function", "not a function"),
])
def test_a_file_that_cannot_be_graded_ends_with_one_clean_problem(tmp_path, source, kind, words):
    path = learner_file(tmp_path, source)
    report = run_check(f"{path}:conv2d", timeout=2)
    assert report.status == "error" and report.exit_code == 1 and report.cases == []
    assert report.error.kind == kind
    assert words in report.error.message + (report.error.traceback or "")


def test_a_file_that_hangs_while_importing_is_stopped(tmp_path):
    path = learner_file(tmp_path, "while True:\n    pass\n")
    report = run_check(f"{path}:conv2d", timeout=0.5)
    assert report.error.kind == "timeout" and "__main__" in report.error.message


@pytest.mark.parametrize("target, words", [
    ("missing_file.py:conv2d", "does not exist"),
    ("tests/learner_impls/correct.py", "FILE.py:FUNCTION"),
    ("tests/learner_impls:conv2d", "directory"),
    ("tests/learner_impls/correct.py:2d", "function name"),
])
def test_a_wrong_target_is_a_usage_error(target, words, monkeypatch):
    monkeypatch.chdir(Path(__file__).parent.parent)
    with pytest.raises(UsageError, match=words):
        run_check(target)


# --- the command


def invoke(*args):
    return CliRunner().invoke(cli, ["check", *args], env={"NO_COLOR": "1", "COLUMNS": "100"})


def test_cli_passes_with_exit_0_and_a_line_per_case():
    result = invoke(f"{GALLERY / 'correct.py'}:conv2d")
    assert result.exit_code == 0, result.output
    for name in CASE_NAMES:
        assert name in result.stdout
    assert "FAIL" not in result.stdout and "ERROR" not in result.stdout
    assert "16 passed, 0 failed, 0 erred, 2 skipped of 18 cases; exit 0" in result.stdout


def test_cli_failure_exits_1_names_the_mistake_and_brackets_wrong_cells():
    result = invoke(f"{GALLERY / 'stride_not_applied.py'}:conv2d", "--case", "stride_2")
    assert result.exit_code == 1
    out = result.stdout
    assert "FAIL" in out and "Diagnosis: stride not applied to the slice start" in out
    assert "expected out[0, 0]" in out and "returned out[0, 0]" in out
    case = next(c for c in graded("stride_not_applied").cases if c.name == "stride_2")
    wrong_value = case.returned[0, 0][case.wrong[0, 0]][0]
    assert f"[{wrong_value:g}]" in out  # marked by brackets, not only by colour
    assert "\x1b[" not in out


def test_cli_error_shows_the_trimmed_traceback():
    result = invoke(f"{GALLERY / 'crash.py'}:conv2d", "--case", "single_channel")
    assert result.exit_code == 1
    assert 'crash.py", line 10, in window_sum' in result.stdout
    assert "Traceback" in result.stdout and "worker.py" not in result.stdout


def test_cli_json_is_the_same_report():
    result = invoke(f"{GALLERY / 'bias_ignored.py'}:conv2d", "--json")
    assert result.exit_code == 1
    record = json.loads(result.stdout)
    same = json.loads(json.dumps(report_record(graded("bias_ignored"))))
    for case in record["cases"] + same["cases"]:
        case.pop("seconds")  # how long each call took differs from run to run
    assert record == same
    bias = next(c for c in record["cases"] if c["name"] == "bias")
    assert bias["status"] == "fail" and bias["diagnosis"]["mistake"] == "bias_ignored"
    assert bias["expected_shape"] == [2, 3, 3, 3] and len(bias["wrong_cells"]) == 54
    assert record["counts"] == {"pass": 12, "fail": 1, "error": 0, "skip": 4, "total": 17}
    assert record["status"] == "fail" and record["exit_code"] == 1


def test_cli_json_for_a_file_that_does_not_import():
    result = invoke(f"{GALLERY / 'README.md'}:conv2d", "--json")
    assert result.exit_code == 2 and result.stdout == ""
    assert "not a Python file" in result.stderr


@pytest.mark.parametrize("args, words", [
    (["nowhere.py:conv2d"], "does not exist"),
    ([f"{GALLERY / 'correct.py'}"], "FILE.py:FUNCTION"),
    ([f"{GALLERY / 'correct.py'}:conv2d", "--case", "strides"], "no case named strides"),
    ([f"{GALLERY / 'correct.py'}:conv2d", "--timeout", "0"], "--timeout"),
])
def test_cli_usage_errors_exit_2_with_one_message(args, words):
    result = invoke(*args)
    assert result.exit_code == 2
    assert result.stdout == ""
    assert words in result.stderr and "Traceback" not in result.stderr


def test_cli_reports_an_unimportable_file_with_exit_1(tmp_path):
    path = learner_file(tmp_path, "def conv2d(images, kernels:\n    pass\n")
    result = invoke(f"{path}:conv2d")
    assert result.exit_code == 1
    assert "is not valid Python" in result.stdout and "No case was run" in result.stdout
    record = json.loads(invoke(f"{path}:conv2d", "--json").stdout)
    assert record["status"] == "error" and record["error"]["kind"] == "syntax" and record["cases"] == []


def test_cli_help_documents_the_expected_signature():
    result = invoke("--help")
    assert result.exit_code == 0
    assert "def conv2d(images, kernels, stride=1, padding=0)" in result.stdout
    assert "(N, C, H, W)" in result.stdout and "--layout" in result.stdout
    listed = " ".join(result.stdout.split())
    assert all(name in listed for name in CASE_NAMES), [name for name in CASE_NAMES if name not in listed]
    assert "not a sandbox" in listed
