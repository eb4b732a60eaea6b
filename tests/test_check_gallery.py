"""`convtrace check` on the gallery: every wrong conv2d in tests/learner_impls/ is named, in the cases that isolate it.

Each file makes one mistake a learner makes; the expected names below say, case
by case, which mistake the report must name (and everywhere else: pass or
skip). No wrong file may pass.
"""

from __future__ import annotations

import functools
from pathlib import Path

import pytest

from convtrace.check import run_check

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


EVERYWHERE = object()  # the mistake shows in every case that runs

PAIRED = {name: "paired_by_index" for name in ("batch", "images_and_kernels", "mixed_values")}

GALLERY_EXPECTATIONS = [
    ("hardcoded_3x3", {}, {"rectangular_kernel": "hardcoded_window"}),
    # sized with 3 but sliced with the kernel's size: the 4-wide window runs off the 6-column image
    ("hardcoded_3x3_size", {}, {"rectangular_kernel": "window_off_edge"}),
    ("square_kernel", {}, {"rectangular_kernel": "square_kernel"}),
    ("stride_not_applied", {}, {"stride_2": "stride_not_in_slice"}),
    ("stride_rows_only", {}, {"stride_2": "stride_rows_only"}),
    ("rotated_kernel", {}, EVERYWHERE, "rotated_kernel"),
    ("flip_ignored", {}, {"flip": "kernel_not_rotated"}),
    ("rot90", {}, {"flip": "rotated_90"}),
    ("flip_left_right", {}, {"flip": "flipped_left_right"}),
    ("flip_some_channels", {}, {"flip": "flip_some_channels"}),
    ("correct_nhwc", {}, EVERYWHERE, "layout_mixed"),
    ("correct", {"layout": "NHWC"}, EVERYWHERE, "layout_mixed"),
    ("tensorflow_kernels", {"layout": "NHWC"}, EVERYWHERE, "tensorflow_kernels"),
    ("returns_nhwc", {}, EVERYWHERE, "layout_output"),
    ("nk_swapped", {}, {name: "nk_swapped" for name in ("kernels", "batch", "images_and_kernels", "mixed_values",
                                                        "repeat_call")}),
    ("reshape_not_transpose", {}, {name: "reshape_not_transpose" for name in ("kernels", "images_and_kernels",
                                                                              "mixed_values", "repeat_call")}),
    # one channel: the unsummed axis has length 1, and an extra axis of length 1 is all that shows
    ("channels_not_summed", {}, {name: "channels_not_summed" for name in ("channels", "images_and_kernels",
                                                                          "mixed_values", "repeat_call")}
     | {name: "extra_axis" for name in ("single_channel", "kernels", "batch", "non_square_input",
                                        "rectangular_kernel")}),
    ("kernel_axis_dropped", {}, {name: "axes_dropped" for name in ("single_channel", "channels", "batch",
                                                                   "non_square_input", "rectangular_kernel")}),
    # silent on the 2x4 kernel (a wrong size), a window off the edge elsewhere: both the swap
    ("height_width_swapped", {}, {name: "height_width_swapped" for name in (
        "kernels", "non_square_input", "rectangular_kernel", "mixed_values", "repeat_call")}),
    ("question_loop", {}, PAIRED | {"rectangular_kernel": "hardcoded_window"}),
    ("paired_by_index", {}, PAIRED),
    ("batch_summed", {}, {name: "batch_summed" for name in PAIRED}),
    ("full_padding_k", {}, {"full_padding": "full_padding_k", "full_rectangular": "full_padding_k"}),
    ("full_padding_square", {}, {"full_rectangular": "full_padding_square"}),
    ("padding_ignored", {}, {"padding_1": "padding_ignored", "full_padding": "padding_ignored"}),
    ("padding_one_side", {}, {"padding_1": "padding_one_side", "full_padding": "padding_one_side"}),
    ("dilation_ignored", {}, {"dilation_2": "dilation_ignored"}),
    ("dilation_as_gap", {}, {"dilation_2": "dilation_as_gap"}),
    ("float_division", {}, EVERYWHERE, "output_size_rounded_up"),
    ("float_index", {}, EVERYWHERE, "float_index"),
    ("bias_ignored", {}, {"bias": "bias_ignored"}),
    ("bias_per_channel", {}, {"bias": "bias_per_channel"}),
    ("bias_by_channel", {}, {"bias": "bias_by_channel"}),
    ("bias_first_image", {}, {"bias": "bias_first_image_only"}),
    ("bias_wrong_axis", {}, {"bias": "bias_wrong_axis"}),
    ("reads_stdin", {}, EVERYWHERE, "reads_stdin"),
    ("uninitialised", {}, EVERYWHERE, "uninitialised_array"),
    ("reused_array", {}, {"repeat_call": "reused_array"}),
    ("accumulator_not_reset", {}, EVERYWHERE, "accumulator_not_reset"),
    ("integer_output", {}, {"mixed_values": "integer_output"}),
    ("np_flip", {}, {name: "flipped_all_axes" for name in ("channels", "kernels", "images_and_kernels",
                                                           "mixed_values", "repeat_call")}
     | {name: "rotated_kernel" for name in ("single_channel", "batch", "non_square_input", "rectangular_kernel",
                                            "stride_2", "padding_1", "full_padding")}),
]


@pytest.mark.parametrize("entry", GALLERY_EXPECTATIONS, ids=lambda entry: f"{entry[0]}{entry[1] or ''}")
def test_each_wrong_implementation_is_named_in_the_cases_that_isolate_it(entry):
    name, options, expected = entry[:3]
    report = graded(name, **options)
    got = outcome(report)
    if expected is EVERYWHERE:
        expected = {case: entry[3] for case, status in got.items() if status != "skip"}
    wrong = {case: mistake for case, mistake in got.items() if mistake not in ("pass", "skip")}
    assert wrong == expected
    assert report.exit_code == 1
    for case in report.cases:
        if case.diagnosis:
            assert case.verdict == case.diagnosis.title and len(case.diagnosis.explanation) > 40


def explanation(name: str, case: str, **options) -> str:
    found = next(c for c in graded(name, **options).cases if c.name == case)
    return found.diagnosis.title + " | " + found.diagnosis.explanation


def test_diagnoses_say_what_happened_in_this_case():
    """The words name the observed mistake and its fix, not the nearest guess."""
    paired = explanation("question_loop", "images_and_kernels")
    assert paired.startswith("images paired with kernels by index: image n met only kernel n; "
                             "every image must meet every kernel")
    assert "einsum('nchw,kchw->nk'" in paired and "loop over k" in paired
    assert "numpy refused" in explanation("paired_by_index", "batch")  # the broadcast error, named
    square = explanation("square_kernel", "rectangular_kernel")
    assert "kernels.shape[-1]" in square and "written as 3" not in square
    assert "written as 3" in explanation("hardcoded_3x3", "rectangular_kernel")
    only_k = explanation("kernel_axis_dropped", "batch")
    assert "the K axis was dropped" in only_k and "N and K" not in only_k
    assert "one of N, K (all of length 1)" in explanation("kernel_axis_dropped", "single_channel")
    assert "(N, K, C, H', W')" in explanation("channels_not_summed", "channels")
    assert ".transpose(0, 3, 1, 2)" in explanation("reshape_not_transpose", "mixed_values")
    tf = explanation("tensorflow_kernels", "channels", layout="NHWC")
    assert "(K, kh, kw, C)" in tf and "kernels.transpose(1, 2, 3, 0)" in tf
    assert "gives it none" in explanation("reads_stdin", "single_channel")
    assert "a float" in explanation("float_index", "single_channel").lower()
    assert "output size" not in explanation("float_index", "single_channel")
    assert "W' axis" in explanation("bias_wrong_axis", "bias")
    assert "bias[0] + ... + bias[1]" in explanation("bias_by_channel", "bias")
    assert "90 degrees" in explanation("rot90", "flip")
    assert "rows only" in explanation("stride_rows_only", "stride_2")
    assert "before (top and left) only" in explanation("padding_one_side", "padding_1")
    assert "kh-1 = 1 rows and kw-1 = 2 columns" in explanation("full_padding_square", "full_rectangular")
    assert "taps are 3 apart" in explanation("dilation_as_gap", "dilation_2")
