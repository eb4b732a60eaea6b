"""Mistakes in the values themselves: where the sum starts, and how the bias is added.

Each model returns the wrong output in the learner's layout; `Situation.plain`
is the right answer without the bias, `Situation.bias_part` what the bias adds.
"""

from __future__ import annotations

import numpy as np

from .mistakes import SENTINEL, Situation, model


@model("uninitialised_array", "+= into an uninitialised array (np.empty)", order=10)
def _uninitialised(s: Situation):
    yield s.expected + SENTINEL, (
        f"Every value is the right one plus {SENTINEL:g}. Before the call, convtrace left {SENTINEL:g} "
        f"in freed memory; your output array started from it, because np.empty does not set values to "
        f"zero and `+=` adds to whatever is there. Create the output with np.zeros."
    )


@model("reused_array", "+= into an array reused between calls", order=11)
def _reused(s: Situation):
    if s.previous is not None:
        yield s.previous + s.expected, (
            "The first call returned the right answer; the second returned the first answer plus the right "
            "one. The output array survives between calls (a module-level array, a cache, or a mutable "
            "default argument) and `+=` keeps adding to it. Create a new np.zeros array on every call."
        )


@model("bias_ignored", "bias ignored", order=12)
def _bias_ignored(s: Situation):
    if s.case.bias is not None:
        yield s.plain, (
            "Every value is off by exactly its kernel's bias: the bias is never added. "
            "Add bias[k] once to every out[n, k, i, j]."
        )


@model("bias_per_channel", "bias added once per channel", order=13)
def _bias_per_channel(s: Situation):
    c = s.case.images.shape[1]
    if s.case.bias is not None and c > 1:
        yield s.plain + c * s.bias_part, (
            f"Every value holds its kernel's bias {c} times: the bias is added inside the loop over the "
            f"{c} channels. Add it once per output value, after summing the channels."
        )


@model("bias_by_channel", "bias indexed by the channel: bias[c] instead of bias[k]", order=14)
def _bias_by_channel(s: Situation):
    bias, c = s.case.bias, s.case.images.shape[1]
    if bias is not None and c <= len(bias):
        total = float(bias[:c].sum())
        yield s.plain + total, (
            f"Every value, whatever its kernel, holds bias[0] + ... + bias[{c - 1}] = {total:g}: the bias is "
            f"indexed by the channel c inside the loop over channels. The bias belongs to the kernel: add "
            f"bias[k] once to out[n, k, i, j], after summing the channels."
        )


@model("bias_first_image_only", "bias added to the first image only", order=15)
def _bias_first_image(s: Situation):
    if s.case.bias is not None and s.case.images.shape[0] > 1:
        wrong = s.plain.copy()
        wrong[0] += s.bias_part[0]
        yield wrong, (
            "Image 0 has its bias; the other images have none: the bias is added outside the loop over "
            "images (e.g. out[0, k] += bias[k]). Add bias[k] to out[n, k] for every image n."
        )


AXIS_NAMES = {"NCHW": ("N", "K", "H'", "W'"), "NHWC": ("N", "H'", "W'", "K")}


@model("bias_wrong_axis", "bias added along the wrong axis", order=16)
def _bias_wrong_axis(s: Situation):
    bias = s.case.bias
    if bias is None:
        return
    plain, names = s.plain, AXIS_NAMES[s.layout]
    right = "bias[None, :, None, None]" if s.layout == "NCHW" else "bias (its last axis is K already)"
    for axis in range(4):
        if axis != s.k_axis and plain.shape[axis] == len(bias):
            shape = [1, 1, 1, 1]
            shape[axis] = len(bias)
            yield plain + bias.reshape(shape), (
                f"bias[k] was added along the {names[axis]} axis (which also has length {len(bias)}) instead "
                f"of the kernel axis: numpy lines a 1-D array up with the last axis. Add it as {right}, "
                f"or bias[k] to out[n, k] inside the loop over kernels."
            )


@model("integer_output", "integer output array (fractions cut off)", order=90)
def _integer_output(s: Situation):
    yield np.trunc(s.expected), (
        "The values are the right ones with the fraction cut off: the output array holds integers "
        "(dtype=int, or np.zeros_like of an integer array). Create it as float: np.zeros(shape)."
    )


@model("accumulator_not_reset", "running sum not reset for each output value", order=91)
def _accumulator_not_reset(s: Situation):
    plain = s.plain
    for keep in range(0, 4):  # reset never, once per n, per (n, k), per row
        blocks = plain.reshape(int(np.prod(plain.shape[:keep])), -1)
        if blocks.shape[1] > 1:
            running = blocks.cumsum(axis=1).reshape(plain.shape) + s.bias_part
            yield running, (
                "Each value is the running total of the right values before it: the sum variable is "
                "set to 0 once, outside the loops, and keeps growing. Set it to 0 for every output "
                "position, just before summing that window."
            )
