"""Known mistakes, each modelled as the wrong computation it makes.

A failed case is compared with every model; a mistake is named only when its
model reproduces the returned array exactly (within the rounding tolerance).
Models marked with NaN cells leave those cells free: a size rounded up makes
extra cells whose values depend on the learner's code, so only the others count.

A few mistakes crash before they return anything; `from_exception` names them
from the exception's type and message.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Callable, Iterator

import numpy as np

from .cases import Case, in_layout

SENTINEL = 1000.0  # left in freed memory before each call, so np.empty + `+=` shows up as +1000


@dataclass(frozen=True)
class Mistake:
    """A named mistake with the advice that fixes it."""

    id: str
    title: str


@dataclass(frozen=True)
class Diagnosis:
    """A mistake that explains this case's result exactly, told with this case's numbers."""

    mistake: str  # Mistake.id
    title: str
    explanation: str


@dataclass
class Situation:
    """A case as one learner saw it: the data, their layout, and (for a repeated call) the first answer."""

    case: Case
    layout: str
    previous: np.ndarray | None = None  # what the first of two identical calls returned

    def out(self, **changes) -> np.ndarray:
        """The case computed with some settings changed, in the learner's layout."""
        return in_layout(self.case.output(**changes), self.layout)

    @property
    def expected(self) -> np.ndarray:
        """The right answer in the learner's layout (read-only)."""
        return in_layout(self.case.expected, self.layout)

    @property
    def spatial(self) -> tuple[int, int]:
        """(H', W') of the right answer."""
        return self.case.expected.shape[2], self.case.expected.shape[3]


Model = Callable[[Situation], Iterator[tuple[np.ndarray, str]]]
MODELS: list[tuple[Mistake, Model]] = []


def model(mistake_id: str, title: str):
    """Register a model: a generator of (wrong output in the learner's layout, explanation)."""

    def register(function: Model) -> Model:
        MODELS.append((Mistake(mistake_id, title), function))
        return function

    return register


# Mistakes are tried in this order; the first whose model fits is named.


@model("uninitialised_array", "+= into an uninitialised array (np.empty)")
def _uninitialised(s: Situation):
    yield s.expected + SENTINEL, (
        f"Every value is the right one plus {SENTINEL:g}. Before the call, convtrace left {SENTINEL:g} "
        f"in freed memory; your output array started from it, because np.empty does not set values to "
        f"zero and `+=` adds to whatever is there. Create the output with np.zeros."
    )


@model("reused_array", "+= into an array reused between calls")
def _reused(s: Situation):
    if s.previous is not None:
        yield s.previous + s.expected, (
            "The first call returned the right answer; the second returned the first answer plus the right "
            "one. The output array survives between calls (a module-level array, a cache, or a mutable "
            "default argument) and `+=` keeps adding to it. Create a new np.zeros array on every call."
        )


@model("bias_ignored", "bias ignored")
def _bias_ignored(s: Situation):
    if s.case.bias is not None:
        yield s.out(bias=None), (
            "Every value is off by exactly its kernel's bias: the bias is never added. "
            "Add bias[k] once to every out[n, k, i, j]."
        )


@model("bias_per_channel", "bias added once per channel")
def _bias_per_channel(s: Situation):
    c = s.case.images.shape[1]
    if s.case.bias is not None and c > 1:
        yield s.out(bias=s.case.bias * c), (
            f"Every value holds its kernel's bias {c} times: the bias is added inside the loop over the "
            f"{c} channels. Add it once per output value, after summing the channels."
        )


@model("stride_not_in_slice", "stride not applied to the slice start")
def _stride_not_in_slice(s: Situation):
    st = s.case.stride
    if st != 1:
        h, w = s.spatial
        every = s.case.output(stride=1)[:, :, :h, :w]
        yield in_layout(every, s.layout), (
            f"The output has the right size, but out[i, j] holds the window starting at row i, column j "
            f"instead of row i*{st}, column j*{st}: the stride is missing from the slice. "
            f"Slice images[..., i*stride:i*stride+kh, j*stride:j*stride+kw]."
        )


@model("stride_ignored", "stride ignored")
def _stride_ignored(s: Situation):
    if s.case.stride != 1:
        full = s.case.output(stride=1)
        yield in_layout(full, s.layout), (
            f"The output is {full.shape[2]}x{full.shape[3]}, what stride 1 gives, instead of "
            f"{s.spatial[0]}x{s.spatial[1]}: the stride is never used. Step the window by `stride` and "
            f"size the output with (H + 2*padding - kh) // stride + 1."
        )


@model("padding_ignored", "padding ignored")
def _padding_ignored(s: Situation):
    if s.case.pad != (0, 0):
        bare = s.case.output(pad=0)
        yield in_layout(bare, s.layout), (
            f"The output is {bare.shape[2]}x{bare.shape[3]}, what no padding gives: the image was never "
            f"padded. Pad it first, e.g. np.pad(images, ((0, 0), (0, 0), (p, p), (p, p)))."
        )


@model("full_padding_k", "'full' padding of k instead of k-1")
def _full_padding_k(s: Situation):
    if s.case.padding == "full":
        kh, kw = s.case.kernel_size
        wide = s.case.output(pad=(kh, kw))
        yield in_layout(wide, s.layout), (
            f"The output is {wide.shape[2]}x{wide.shape[3]}, as with {kh} zeros on each side; 'full' padding "
            f"adds k-1 = {kh - 1} (the last position where kernel and image still overlap), giving "
            f"{s.spatial[0]}x{s.spatial[1]}."
        )


@model("hardcoded_window", "hard-coded 3x3 window")
def _hardcoded_window(s: Situation):
    kh, kw = s.case.kernel_size
    if (kh, kw) == (3, 3):
        return
    (hp, wp), st = _padded(s.case), s.case.stride
    h3, w3 = (hp - 3) // st + 1, (wp - 3) // st + 1
    h, w = s.spatial
    if 1 <= h3 <= h and 1 <= w3 <= w:
        cropped = s.case.expected[:, :, :h3, :w3]
        yield in_layout(cropped, s.layout), (
            f"The output is {h3}x{w3}, the size a 3x3 kernel gives, but this kernel is {kh}x{kw} "
            f"(right size: {h}x{w}). Take the window size from the kernels: kh, kw = kernels.shape[-2:]."
        )


@model("output_size_rounded_up", "float division in the output size")
def _rounded_up(s: Situation):
    (hp, wp), st = _padded(s.case), s.case.stride
    kh, kw = s.case.kernel_size
    hc, wc = -(-(hp - kh) // st) + 1, -(-(wp - kw) // st) + 1  # ceil instead of floor
    h, w = s.spatial
    if (hc, wc) != (h, w):
        n, k = s.case.expected.shape[:2]
        loose = np.full((n, k, hc, wc), np.nan)
        loose[:, :, :h, :w] = s.case.expected
        yield in_layout(loose, s.layout), (
            f"The output is {hc}x{wc} instead of {h}x{w}: the size was rounded up, as round() or ceil() "
            f"of a float division do. The formula floors: (H + 2*padding - kh) // stride + 1."
        )


@model("rotated_kernel", "kernel rotated (convolution instead of correlation)")
def _rotated(s: Situation):
    if s.case.flip:
        return
    yield s.out(flip=True), (
        "Every value is what the kernel rotated 180 degrees gives: your function computes a true "
        "convolution (the textbook formula, or scipy.signal.convolve2d), but a CNN layer computes a "
        "cross-correlation, with the kernel as written. Drop the [::-1, ::-1] (or run with --flip if "
        "you meant a true convolution)."
    )


@model("kernel_not_rotated", "kernel not rotated (correlation instead of convolution)")
def _not_rotated(s: Situation):
    if s.case.flip:
        yield s.out(flip=False), (
            "Every value is what the kernel as written gives, but flip=True (or --flip) asks for a true "
            "convolution, which rotates the kernel 180 degrees first: kernels[..., ::-1, ::-1]."
        )


@model("flipped_all_axes", "np.flip without axes (K and C reversed too)")
def _flipped_all_axes(s: Situation):
    w = s.case.kernels
    if w.shape[0] > 1 or w.shape[1] > 1:
        # np.flip(kernels) reverses every axis: the 180-degree rotation, plus the K and C orders
        advice = ("Rotate only the last two axes: kernels[:, :, ::-1, ::-1]." if s.case.flip else
                  "A CNN layer uses the kernels as written, with no rotation at all.")
        yield s.out(kernels=w[::-1, ::-1, ::-1, ::-1], flip=False), (
            "The kernels were reversed along every axis, as np.flip(kernels) does without axis=: "
            f"rotated 180 degrees, and the order of the kernels and of the channels reversed too. {advice}"
        )


@model("layout_output", "output in the other layout (NCHW / NHWC mixed up)")
def _layout_output(s: Situation):
    out = s.case.expected
    if s.layout == "NCHW":
        yield out.transpose(0, 2, 3, 1), (
            "The numbers are right, but the output is ordered (N, H', W', K), channels last (NHWC); "
            "convtrace expects (N, K, H', W') (NCHW). Build it as out[n, k, i, j], or run with "
            "--layout NHWC if your function keeps channels last."
        )
    else:
        yield out, (
            "The numbers are right, but the output is ordered (N, K, H', W') (NCHW); with --layout NHWC "
            "convtrace expects (N, H', W', K). Build it as out[n, i, j, k], or run without --layout NHWC."
        )


@model("nk_swapped", "N and K axes swapped in the output")
def _nk_swapped(s: Situation):
    out = s.case.expected
    if out.shape[0] > 1 or out.shape[1] > 1:
        yield in_layout(out.transpose(1, 0, 2, 3), s.layout), (
            "The numbers are right, but image and kernel axes are swapped: the output is indexed "
            "[k, n, ...] instead of [n, k, ...]. The batch axis N comes first, then one channel per kernel."
        )


@model("rows_columns_swapped", "rows and columns swapped")
def _rows_columns_swapped(s: Situation):
    yield in_layout(s.case.expected.transpose(0, 1, 3, 2), s.layout), (
        "The numbers are right, but rows and columns are swapped: the output is transposed, "
        "out[..., j, i] instead of out[..., i, j]."
    )


@model("dropped_axes", "N and K axes dropped")
def _dropped_axes(s: Situation):
    out = s.expected
    squeezed = out.squeeze()
    if squeezed.shape != out.shape:
        yield squeezed, (
            f"The numbers are right, but the output has shape {squeezed.shape}; keep every axis: "
            f"{tuple(out.shape)} ({'N, H, W, K' if s.layout == 'NHWC' else 'N, K, H, W'})."
        )


@model("integer_output", "integer output array (fractions cut off)")
def _integer_output(s: Situation):
    yield np.trunc(s.expected), (
        "The values are the right ones with the fraction cut off: the output array holds integers "
        "(dtype=int, or np.zeros_like of an integer array). Create it as float: np.zeros(shape)."
    )


@model("accumulator_not_reset", "running sum not reset for each output value")
def _accumulator_not_reset(s: Situation):
    plain = s.out(bias=None)
    bias_part = s.expected - plain
    for keep in range(0, 4):  # reset never, once per n, per (n, k), per row
        blocks = plain.reshape(int(np.prod(plain.shape[:keep])), -1)
        if blocks.shape[1] > 1:
            running = blocks.cumsum(axis=1).reshape(plain.shape) + bias_part
            yield running, (
                "Each value is the running total of the right values before it: the sum variable is "
                "set to 0 once, outside the loops, and keeps growing. Set it to 0 for every output "
                "position, just before summing that window."
            )


def _padded(case: Case) -> tuple[int, int]:
    ph, pw = case.pad
    return case.images.shape[2] + 2 * ph, case.images.shape[3] + 2 * pw


def fits(returned: np.ndarray, candidate: np.ndarray, tol: float) -> bool:
    """True when `returned` is `candidate` within tol (NaN cells of the candidate match anything)."""
    if returned.shape != candidate.shape:
        return False
    known = ~np.isnan(candidate)
    close = np.abs(returned - candidate) <= tol
    return bool(np.all(close | ~known))


def diagnose(situation: Situation, returned: np.ndarray, tol: float) -> Diagnosis | None:
    """The first known mistake whose model reproduces `returned`, or None."""
    for mistake, make in MODELS:
        for candidate, explanation in make(situation):
            if fits(returned, candidate, tol):
                return Diagnosis(mistake.id, mistake.title, explanation)
    return None


def candidates(situation: Situation) -> list[tuple[str, np.ndarray]]:
    """Every model's wrong output for this case (for tests that check the cases tell mistakes apart)."""
    return [(mistake.id, candidate) for mistake, make in MODELS for candidate, _ in make(situation)]


LAYOUT_MIXED = Mistake("layout_mixed", "NCHW and NHWC mixed up")


def layout_diagnosis(layout: str) -> Diagnosis:
    """Named when the function gets this case right once the arrays are handed over in the other layout."""
    if layout == "NCHW":
        text = ("Given the same numbers channels-last (images (N, H, W, C), kernels (K, kh, kw, C)), your "
                "function answers correctly: it reads NHWC, but convtrace passed NCHW (N, C, H, W). "
                "Run with --layout NHWC if that is your convention, or index images[n, c, i, j].")
    else:
        text = ("Given the same numbers channels-first (images (N, C, H, W), kernels (K, C, kh, kw)), your "
                "function answers correctly: it reads NCHW, but --layout NHWC passed (N, H, W, C). "
                "Run without --layout NHWC, or index images[n, i, j, c].")
    return Diagnosis(LAYOUT_MIXED.id, LAYOUT_MIXED.title, text)


FLOAT_SIZE = re.compile(
    r"'(numpy\.)?float(64|32)?' object cannot be interpreted as an integer"
    r"|slice indices must be integers"
    r"|only integers, slices"
    r"|expected a sequence of integers or a single integer, got '[^']*\.\d*'"
)
SHAPES = re.compile(r"\((\d+(?:,\s*\d+)*),?\)")


def from_exception(case: Case, error_type: str, message: str) -> Diagnosis | None:
    """Name a mistake from the exception it raised, when the message leaves no doubt."""
    if error_type in ("TypeError", "IndexError", "ValueError") and FLOAT_SIZE.search(message):
        return Diagnosis(
            "output_size_rounded_up", "float division in the output size",
            "A size or an index is a float: in Python 3, `/` always gives a float (6 / 2 is 3.0), and "
            "shapes, range() and slices need integers. Compute the output size with integer division: "
            "(H + 2*padding - kh) // stride + 1.",
        )
    kh, kw = case.kernel_size
    if (kh, kw) != (3, 3) and error_type == "ValueError" and "broadcast" in message:
        shapes = [tuple(int(v) for v in group.split(",")) for group in SHAPES.findall(message)]
        if any(shape[-2:] == (3, 3) for shape in shapes) and any(shape[-2:] == (kh, kw) for shape in shapes):
            return Diagnosis(
                "hardcoded_window", "hard-coded 3x3 window",
                f"A 3x3 patch met this {kh}x{kw} kernel ({message.strip()}): the window size is written as 3. "
                f"Take it from the kernels: kh, kw = kernels.shape[-2:].",
            )
    return None
