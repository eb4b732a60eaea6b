"""Mistakes in how the kernel is turned: rotations and flips, whole or in part.

Each model computes the case with the kernel as written turned the wrong way:
the learner's code turns `kernels` itself, whether or not the case asks for a
rotation (--flip), so the same models serve correlation and true convolution.
"""

from __future__ import annotations

from itertools import combinations

import numpy as np

from .mistakes import Situation, model


def _applied(s: Situation, kernels: np.ndarray) -> np.ndarray:
    """The case computed with exactly these (K, C, kh, kw) kernels applied, no further rotation."""
    return s.out(kernels=kernels, flip=False)


@model("rotated_kernel", "kernel rotated (convolution instead of correlation)", order=40)
def _rotated(s: Situation):
    if s.case.flip:
        return
    yield s.out(flip=True), (
        "Every value is what the kernel rotated 180 degrees gives: your function computes a true "
        "convolution (the textbook formula, or scipy.signal.convolve2d), but a CNN layer computes a "
        "cross-correlation, with the kernel as written. Drop the [::-1, ::-1] (or run with --flip if "
        "you meant a true convolution)."
    )


@model("kernel_not_rotated", "kernel not rotated (correlation instead of convolution)", order=41)
def _not_rotated(s: Situation):
    if s.case.flip:
        yield s.out(flip=False), (
            "Every value is what the kernel as written gives, but flip=True (or --flip) asks for a true "
            "convolution, which rotates the kernel 180 degrees first: kernels[..., ::-1, ::-1]."
        )


@model("flipped_all_axes", "np.flip without axes (K and C reversed too)", order=42)
def _flipped_all_axes(s: Situation):
    w = s.case.kernels
    if w.shape[0] > 1 or w.shape[1] > 1:
        # np.flip(kernels) reverses every axis: the 180-degree rotation, plus the K and C orders
        advice = ("Rotate only the last two axes: kernels[:, :, ::-1, ::-1]." if s.case.flip else
                  "A CNN layer uses the kernels as written, with no rotation at all.")
        yield _applied(s, w[::-1, ::-1, ::-1, ::-1]), (
            "The kernels were reversed along every axis, as np.flip(kernels) does without axis=: "
            f"rotated 180 degrees, and the order of the kernels and of the channels reversed too. {advice}"
        )


def _should(s: Situation) -> str:
    return ("--flip asks for the kernel rotated 180 degrees: kernels[..., ::-1, ::-1], both axes at once"
            if s.case.flip else "a CNN layer uses the kernel as written")


@model("flipped_left_right", "kernel flipped left-right only", order=43)
def _flipped_left_right(s: Situation):
    yield _applied(s, s.case.kernels[..., ::-1]), (
        f"Every value is what the kernel mirrored left-right gives (its columns reversed, as [..., ::-1] or "
        f"np.fliplr do), the rows kept: {_should(s)}."
    )


@model("flipped_up_down", "kernel flipped upside down only", order=44)
def _flipped_up_down(s: Situation):
    yield _applied(s, s.case.kernels[..., ::-1, :]), (
        f"Every value is what the kernel flipped upside down gives (its rows reversed, as [..., ::-1, :] or "
        f"np.flipud do), the columns kept: {_should(s)}."
    )


@model("rotated_90", "kernel rotated 90 degrees (np.rot90 once)", order=45)
def _rotated_90(s: Situation):
    w = s.case.kernels
    if w.shape[2] != w.shape[3]:
        return
    for turns, way in ((1, "anticlockwise"), (3, "clockwise")):
        yield _applied(s, np.rot90(w, turns, axes=(2, 3))), (
            f"Every value is what the kernel turned 90 degrees {way} gives, as np.rot90(kernel"
            f"{', -1' if turns == 3 else ''}) does: a quarter turn, not a half. {_should(s)[0].upper()}"
            f"{_should(s)[1:]} (np.rot90(kernel, 2) is the half turn)."
        )


def _subsets(count: int):
    """Every non-empty proper subset of range(count)."""
    for size in range(1, count):
        yield from combinations(range(count), size)


@model("flip_some_channels", "kernel rotated on some channels only", order=46)
def _flip_some_channels(s: Situation):
    w = s.case.kernels
    for axis, what in ((1, "channel"), (0, "kernel")):
        for subset in _subsets(w.shape[axis]):
            wrong = w.copy()
            index = (slice(None), list(subset)) if axis == 1 else (list(subset),)
            wrong[index] = wrong[index][..., ::-1, ::-1]
            listed = ", ".join(map(str, subset))
            yield _applied(s, wrong), (
                f"For {what}{'s' if len(subset) > 1 else ''} {listed} the kernel was used rotated 180 degrees, "
                f"for the others not: the rotation reached only part of the kernels array (e.g. a loop that "
                f"rotates kernels[{'k, c' if axis == 1 else 'k'}] for some indices). {_should(s)[0].upper()}"
                f"{_should(s)[1:]}, for every kernel and channel alike."
            )
