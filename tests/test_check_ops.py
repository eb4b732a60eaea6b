"""`convtrace check --op`: depthwise, conv_transpose2d, max_pool2d and conv1d functions graded and their mistakes named.

The expected outputs of every battery are checked against references that
share no code with the layers: scipy.signal for 1-D, a per-group loop of the
2-D engine for depthwise, the adjoint of the forward convolution for
transposed convolution (plus a hand-worked example), and NumPy loops written
here for pooling.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest
import scipy.signal

from convtrace.check import run_check
from convtrace.check.op_cases import OP_BATTERIES, OP_CASE_NAMES, OpCase
from convtrace.check.op_models import OP_MODELS, op_candidates
from convtrace.engine.fast import conv2d
from convtrace.errors import UsageError

GALLERY = Path(__file__).parent / "learner_impls"
ALL_CASES = [case for make in OP_BATTERIES.values() for case in make()]
FUNCTION = {"depthwise": "depthwise", "conv_transpose2d": "conv_transpose2d", "max_pool2d": "max_pool2d",
            "conv1d": "conv1d"}


def ids(case: OpCase) -> str:
    return f"{case.op}-{case.name}"


# --- the expected outputs, against independent references


def conv1d_reference(case: OpCase) -> np.ndarray:
    """scipy.signal.correlate per (image, kernel, channel), padded, causal, strided and dilated by hand."""
    x, w = case.x, case.second
    p, s, d = case.setting("padding"), case.setting("stride"), case.setting("dilation")
    left = p + (d * (w.shape[2] - 1) if case.setting("causal") else 0)
    x = np.pad(x, ((0, 0), (0, 0), (left, p)))
    taps = np.zeros((w.shape[0], w.shape[1], d * (w.shape[2] - 1) + 1))
    taps[:, :, ::d] = w  # dilation: d-1 zeros between the taps
    out = np.array([[sum(scipy.signal.correlate(x[n, c], taps[k, c], mode="valid") for c in range(x.shape[1]))
                     for k in range(w.shape[0])] for n in range(x.shape[0])])[:, :, ::s]
    bias = case.settings.get("bias")
    return out if bias is None else out + bias[None, :, None]


def depthwise_reference(case: OpCase) -> np.ndarray:
    """One ordinary 2-D convolution per group, concatenated along the output channels."""
    x, w, g = case.x, case.second, case.setting("groups")
    per_in, per_out = x.shape[1] // g, w.shape[0] // g
    s, p, d = (case.setting(n) for n in ("stride", "padding", "dilation"))
    parts = [conv2d(x[:, i * per_in:(i + 1) * per_in], w[i * per_out:(i + 1) * per_out], stride=(s, s),
                    padding=(p, p), dilation=(d, d)) for i in range(g)]
    out = np.concatenate(parts, axis=1)
    bias = case.settings.get("bias")
    return out if bias is None else out + bias[None, :, None, None]


def transposed_reference(case: OpCase) -> np.ndarray:
    """The adjoint of the forward convolution: out[j] = <A e_j, x> with A = conv2d(., weight) of the same geometry.

    A maps (N, K, H', W') -> (N, C, H, W) with weight (C, K, kh, kw) as its kernels; transposed
    convolution is A's transpose, so each output value is the forward image of a one-hot input
    dotted with x. Cells A never reads (output_padding beyond the last window) get 0, as PyTorch's.
    """
    x, w = case.x, case.second
    s, p, op, d = (case.setting(n) for n in ("stride", "padding", "output_padding", "dilation"))
    n, _, h, wd = x.shape
    size = [(length - 1) * s - 2 * p + d * (k - 1) + op + 1 for length, k in zip((h, wd), w.shape[2:])]
    out = np.zeros((n, w.shape[1], *size))
    for index in np.ndindex(1, w.shape[1], *size):
        one_hot = np.zeros((1, w.shape[1], *size))
        one_hot[index] = 1
        image = conv2d(one_hot, w, stride=(s, s), padding=(p, p), dilation=(d, d))  # (1, C, H, W) plus extra
        image = image[:, :, :h, :wd]  # output_padding: a last row the forward convolution never reaches
        out[(slice(None),) + index[1:]] = np.einsum("nchw,chw->n", x, image[0])
    bias = case.settings.get("bias")
    return out if bias is None else out + bias[None, :, None, None]


def max_pool_reference(case: OpCase) -> np.ndarray:
    """Plain loops over windows, with PyTorch's size rule written out (-inf padding, ceil_mode, last window)."""
    x = case.x
    k = case.second if isinstance(case.second, tuple) else (case.second, case.second)
    stride = case.setting("stride") or k
    s = stride if isinstance(stride, tuple) else (stride, stride)
    p, d, ceil = case.setting("padding"), case.setting("dilation"), case.setting("ceil_mode")
    sizes = []
    for axis in range(2):
        length, reach = x.shape[2 + axis], x.shape[2 + axis] + 2 * p - d * (k[axis] - 1) - 1
        count = (int(np.ceil(reach / s[axis])) if ceil else reach // s[axis]) + 1
        if ceil and (count - 1) * s[axis] >= length + p:
            count -= 1
        sizes.append(count)
    out = np.empty(x.shape[:2] + tuple(sizes))
    for n, c, i, j in np.ndindex(*out.shape):
        best = -np.inf
        for u in range(k[0]):
            for v in range(k[1]):
                r, q = i * s[0] - p + u * d, j * s[1] - p + v * d
                if 0 <= r < x.shape[2] and 0 <= q < x.shape[3]:
                    best = max(best, x[n, c, r, q])
        out[n, c, i, j] = best
    return out


REFERENCES = {"conv1d": conv1d_reference, "depthwise": depthwise_reference,
              "conv_transpose2d": transposed_reference, "max_pool2d": max_pool_reference}


@pytest.mark.parametrize("case", ALL_CASES, ids=ids)
def test_expected_output_matches_an_independent_reference(case):
    reference = REFERENCES[case.op](case)
    assert case.expected.shape == reference.shape
    np.testing.assert_allclose(case.expected, reference, atol=1e-12)


def test_transposed_convolution_hand_worked():
    """x = [[1, 2]], w = [[1, 10]], stride 2: the stamps 1*[1, 10] and 2*[1, 10] land 2 apart."""
    case = OpCase("conv_transpose2d", "hand", "", np.array([[[[1.0, 2.0]]]]), np.array([[[[1.0, 10.0]]]]),
                  {"stride": 2})
    assert case.expected.tolist() == [[[[1.0, 10.0, 2.0, 20.0]]]]
    overlapping = OpCase("conv_transpose2d", "hand", "", case.x, case.second, {"stride": 1})
    assert overlapping.expected.tolist() == [[[[1.0, 10.0 + 2.0, 20.0]]]]  # stride 1: the stamps overlap


# --- the batteries tell the mistakes apart


@pytest.mark.parametrize("case", ALL_CASES, ids=ids)
def test_no_mistake_model_reproduces_the_right_answer(case):
    for mistake, candidate in op_candidates(case):
        same = candidate.shape == case.expected.shape and np.allclose(np.nan_to_num(candidate, nan=1e9),
                                                                      case.expected)
        assert not same, f"{mistake} cannot be told from the right answer in {case.name}"


@pytest.mark.parametrize("op", sorted(OP_MODELS))
def test_every_mistake_shows_in_some_case(op):
    shown = {mistake for case in OP_BATTERIES[op]() for mistake, candidate in op_candidates(case)
             if candidate.shape != case.expected.shape or not np.allclose(np.nan_to_num(candidate, nan=1e9),
                                                                          case.expected)}
    assert shown == {mistake for mistake, _, _ in OP_MODELS[op]}


# --- the gallery: learner files, right and wrong

GALLERY_EXPECTATIONS = [
    ("depthwise_correct", "depthwise", {}),
    ("depthwise_groups_ignored", "depthwise",
     {**{name: "groups_ignored" for name in OP_CASE_NAMES["depthwise"] if name != "single_channel"},
      "groups_2": "skip"}),  # no groups= parameter: groups=2 cannot be asked for
    ("depthwise_wrong_mapping", "depthwise", {name: "wrong_group_mapping" for name in ("multiplier_2", "bias",
                                                                                      "groups_2")}),
    ("transpose_correct", "conv_transpose2d", {}),
    ("transpose_gather", "conv_transpose2d", {}),
    ("transpose_output_padding_ignored", "conv_transpose2d", {"output_padding": "output_padding_ignored"}),
    ("transpose_padding_added", "conv_transpose2d", {"padding_1": "padding_added"}),
    ("transpose_not_rotated", "conv_transpose2d",
     {name: "kernel_not_rotated" for name in OP_CASE_NAMES["conv_transpose2d"]}),
    # one input channel and one output: nothing to swap; with a bias of K values the C outputs cannot take it
    ("transpose_in_out_swapped", "conv_transpose2d", {"square_channels": "in_out_swapped",
                                                      "channels_in_out": "in_out_swapped",
                                                      "batch": "in_out_swapped", "bias": "error"}),
    ("transpose_stride_as_conv", "conv_transpose2d", {"stride_2": "stride_as_convolution",
                                                      "output_padding": "stride_as_convolution"}),
    ("pool_correct", "max_pool2d", {}),
    ("pool_pairs", "max_pool2d", {}),  # unpacks kh, kw = kernel_size: passed pairs after the first TypeError
    # with ceil_mode the padding changes which windows exist: that case fails unnamed
    ("pool_padding_zeros", "max_pool2d", {"padding_1": "padding_zeros", "ceil_padding": "fail"}),
    ("pool_ceil_ignored", "max_pool2d", {"ceil_mode": "ceil_mode_ignored"}),
    ("pool_last_window_kept", "max_pool2d", {"ceil_padding": "last_window_kept"}),
    ("pool_stride_default_1", "max_pool2d", {name: "stride_default_1" for name in (
        "window_2", "channels_batch", "rectangular", "ceil_mode", "ceil_padding")}),
    ("conv1d_correct", "conv1d", {}),
    ("conv1d_causal_right", "conv1d", {"causal": "causal_wrong_side", "causal_dilation": "causal_wrong_side"}),
    ("conv1d_off_by_one", "conv1d", {name: "length_off_by_one" for name in OP_CASE_NAMES["conv1d"]}),
    ("conv1d_np_convolve", "conv1d", {**{name: "kernel_flipped" for name in OP_CASE_NAMES["conv1d"]},
                                      "dilation_2": "skip", "causal": "skip", "causal_dilation": "skip"}),
]


@pytest.mark.parametrize("name, op, expected", GALLERY_EXPECTATIONS, ids=[e[0] for e in GALLERY_EXPECTATIONS])
def test_gallery_names_each_mistake_where_it_shows(name, op, expected):
    start = time.perf_counter()
    report = run_check(f"{GALLERY / name}.py:{FUNCTION[op]}", operation=op)
    seconds = time.perf_counter() - start
    assert report.error is None and report.operation == op
    outcome = {c.name: (c.diagnosis.mistake if c.diagnosis else c.status) for c in report.cases
               if c.status != "pass"}
    assert outcome == expected
    assert [c.name for c in report.cases] == list(OP_CASE_NAMES[op])
    assert report.exit_code == (0 if not expected or set(expected.values()) == {"skip"} else 1)
    assert seconds < 3, f"{name}: {seconds:.2f} s"  # about 0.1-0.3 s each when measured


def test_pooling_is_called_with_kernel_size_as_the_second_argument(tmp_path):
    path = tmp_path / "seen.py"
    path.write_text("def pool(x, kernel_size, stride=None, **rest):\n"
                    "    raise ValueError(f'got {kernel_size!r} and {stride!r}')\n")
    report = run_check(f"{path}:pool", operation="max_pool2d", cases=("rectangular", "stride_2"))
    messages = [c.error.message for c in report.cases]
    assert messages == ["ValueError: got 3 and 2", "ValueError: got (2, 3) and None"]  # in battery order
    assert [c.call for c in report.cases] == ["pool(x, 3, stride=2)", "pool(x, (2, 3))"]


def test_pytorch_style_pairs_are_passed_after_an_int_is_refused():
    report = run_check(f"{GALLERY / 'pool_pairs.py'}:max_pool2d", operation="max_pool2d",
                       cases=("window_2", "padding_1"))
    assert [c.status for c in report.cases] == ["pass", "pass"]
    assert [c.call for c in report.cases] == ["max_pool2d(x, (2, 2))",
                                              "max_pool2d(x, (3, 3), stride=(2, 2), padding=(1, 1))"]
    assert "cannot unpack non-iterable int" in report.cases[0].remarks[0]
    unpacks_wrongly = run_check(f"{GALLERY / 'pool_correct.py'}:max_pool2d", operation="max_pool2d")
    assert all(c.call and "(3, 3)" not in c.call for c in unpacks_wrongly.cases)  # ints stay ints when they work


@pytest.mark.parametrize("options, words", [
    ({"operation": "avg_pool2d"}, "--op 'avg_pool2d' is not one of"),
    ({"operation": "conv1d", "layout": "NHWC"}, "apply to --op conv2d only"),
    ({"operation": "conv1d", "flip": True}, "apply to --op conv2d only"),
    ({"operation": "conv1d", "cases": ("stride_rows",)}, "no case named stride_rows; the cases are single_channel"),
])
def test_options_that_do_not_fit_the_operation_are_usage_errors(options, words):
    with pytest.raises(UsageError, match=words.replace("(", r"\(").replace(")", r"\)")):
        run_check(f"{GALLERY / 'conv1d_correct.py'}:conv1d", **options)


# --- the command, as a person sees it


def convtrace(*args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "NO_COLOR": "1", "COLUMNS": "80", "TERM": "dumb"}
    return subprocess.run([sys.executable, "-m", "convtrace", "check", *args], capture_output=True, text=True,
                          env=env, timeout=60)


def test_cli_op_names_the_mistake_in_plain_text():
    result = convtrace(f"{GALLERY / 'pool_padding_zeros.py'}:max_pool2d", "--op", "max_pool2d", "--case", "padding_1")
    assert result.returncode == 1, result.stderr
    out = result.stdout
    assert "--op max_pool2d" in out
    assert "call  max_pool2d(x, 3, stride=2, padding=1)" in out
    assert "Diagnosis: padded with zeros instead of -inf" in out
    assert "images (1, 2, 5, 5) -> expected (1, 2, 3, 3)" in out
    assert re.search(r"\[ *0\]", out)  # a zero that won a window, marked in the text and not only by colour
    assert "\x1b[" not in out and all(len(line) <= 80 for line in out.splitlines())


def test_cli_op_passes_and_json_names_the_operation():
    result = convtrace(f"{GALLERY / 'conv1d_correct.py'}:conv1d", "--op", "conv1d", "--json")
    assert result.returncode == 0, result.stderr
    record = json.loads(result.stdout)
    assert record["operation"] == "conv1d" and record["counts"]["pass"] == len(OP_CASE_NAMES["conv1d"])
    assert record["cases"][0]["call"] == "conv1d(x, weight)"


def test_cli_op_one_dimensional_failure_shows_rows():
    result = convtrace(f"{GALLERY / 'conv1d_causal_right.py'}:conv1d", "--op", "conv1d", "--case", "causal")
    assert result.returncode == 1
    assert "Diagnosis: causal padding on the wrong side" in result.stdout
    assert "expected out[0]" in result.stdout and "returned out[0]" in result.stdout


def test_a_wrong_rank_is_a_shape_mismatch_shown_once(tmp_path):
    path = tmp_path / "flat.py"
    path.write_text("import numpy as np\n\ndef conv1d(x, weight, bias=None, stride=1):\n    return np.zeros(3)\n")
    case = run_check(f"{path}:conv1d", operation="conv1d", cases=("batch",)).cases[0]
    assert case.status == "fail" and case.diagnosis is None
    assert case.verdict == "shape (3,) returned, (2, 2, 5) expected"
    assert [(p.expected_label, p.returned_label, p.returned.shape) for p in case.planes] == [("out[0]", "out[0]",
                                                                                             (1, 3))]


@pytest.mark.parametrize("args, words", [
    (["--op", "avgpool"], "'avgpool' is not one of"),
    (["--op", "conv1d", "--layout", "NHWC"], "apply to --op conv2d only"),
])
def test_cli_op_usage_errors_exit_2_with_one_message(args, words):
    result = convtrace(f"{GALLERY / 'conv1d_correct.py'}:conv1d", *args)
    assert result.returncode == 2
    assert result.stdout == "" and words in result.stderr and "Traceback" not in result.stderr
