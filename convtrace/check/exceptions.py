"""Mistakes named from the exception they raise, when its type and message leave no doubt.

numpy's broadcast errors list the shapes that met, e.g. "operands could not be
broadcast together with shapes (2,2,3,3) (3,2,3,3)"; a case's own sizes then
tell what met what: a window cut at the edge, a 3x3 patch against a 2x4
kernel, image n against kernel n.
"""

from __future__ import annotations

import re

from .cases import Case
from .mistakes import Diagnosis
from .models_pairs import PAIRED_FIX, PAIRED_TITLE

FLOAT_SIZE = re.compile(
    r"'(numpy\.)?float(64|32)?' object cannot be interpreted as an integer"
    r"|expected a sequence of integers or a single integer, got '[^']*\.\d*'"
)
FLOAT_INDEX = re.compile(r"slice indices must be integers|only integers, slices")
SHAPES = re.compile(r"\((\d+(?:,\s*\d+)*),?\)")


# named from a broadcast error's shapes: the grader first checks a layout mix-up does not explain more
FROM_SHAPES = ("paired_by_index", "hardcoded_window", "square_kernel", "window_off_edge", "bias_wrong_axis",
               "height_width_swapped")


def from_exception(case: Case, error_type: str, message: str, read_stdin: bool = False,
                   memory_mb: int = 0) -> Diagnosis | None:
    """Name a mistake from the exception it raised, when the message leaves no doubt."""
    if error_type == "EOFError" or (read_stdin and error_type in ("ValueError", "IndexError", "EOFError")):
        return Diagnosis(
            "reads_stdin", "reads standard input",
            "The function reads standard input (input() or sys.stdin), and check gives it none, so it read "
            "an empty text. A graded function takes everything from its arguments: images, kernels and "
            "the settings; move any interactive prompt to the `if __name__ == \"__main__\":` part.",
        )
    if error_type == "MemoryError":
        limit = f" (about {memory_mb} MB beyond what Python and numpy need)" if memory_mb else ""
        return Diagnosis(
            "out_of_memory", "ran out of memory",
            f"The function asked for more memory than check allows{limit}, for inputs of a few dozen numbers: "
            "is an array created with a wrong, huge size (e.g. from a product of shapes instead of the "
            "output size), or does a list keep growing?",
        )
    if error_type in ("TypeError", "ValueError") and FLOAT_SIZE.search(message):
        return Diagnosis(
            "output_size_rounded_up", "float division in the output size",
            "A size is a float: in Python 3, `/` always gives a float (6 / 2 is 3.0), and shapes and "
            "range() need integers. Compute the output size with integer division: "
            "(H + 2*padding - kh) // stride + 1.",
        )
    if error_type in ("TypeError", "IndexError") and FLOAT_INDEX.search(message):
        return Diagnosis(
            "float_index", "a float used as an index or slice bound",
            "An index or a slice bound is a float, e.g. x[..., i*stride/1 : ...] or a start computed with `/`: "
            "in Python 3, `/` always gives a float, and indices must be integers. Use `//` or int(...) "
            "where the position is computed.",
        )
    if error_type == "ValueError" and "broadcast" in message:
        shapes = [tuple(int(v) for v in group.split(",")) for group in SHAPES.findall(message)]
        return _from_shapes(case, shapes, message.strip())
    return None


def _from_shapes(case: Case, shapes: list[tuple[int, ...]], message: str) -> Diagnosis | None:
    n, c = case.images.shape[:2]
    k = case.kernels.shape[0]
    kh, kw = case.kernel_size
    # patches and kernels as the shapes show them: (C, rows, columns), the last three axes
    tails = {shape[-2:] for shape in shapes if len(shape) >= 3 and shape[-3] == c}
    pairs_up = (n, c, kh, kw) in shapes and (k, c, kh, kw) in shapes and min(n, k) > 1  # the product
    lands = (n, k) in shapes and ((n, n) in shapes or (n,) in shapes)  # N sums where (N, K) belong
    if n != k and max(n, k) > 1 and (pairs_up or lands):
        return Diagnosis("paired_by_index", PAIRED_TITLE,
                         f"numpy refused ({message}): image n was being multiplied by kernel n, and {n} "
                         f"images cannot pair up with {k} kernel{'s' if k > 1 else ''}. {PAIRED_FIX}")
    if (kh, kw) in tails and 3 not in (kh, kw) and (3, 3) in tails:
        return Diagnosis(
            "hardcoded_window", "hard-coded 3x3 window",
            f"A 3x3 patch met this {kh}x{kw} kernel ({message}): the window size is written as 3. "
            f"Take it from the kernels: kh, kw = kernels.shape[-2:].",
        )
    for side, axis in ((kw, -1), (kh, -2)):
        if kh != kw and side != 3 and (kh, kw) in tails and (side, side) in tails:
            return Diagnosis(
                "square_kernel", "square kernel assumed: one side used for both",
                f"A {side}x{side} patch met this {kh}x{kw} kernel ({message}): one side was used for both, "
                f"as `k = kernels.shape[{axis}]` does. Read both: kh, kw = kernels.shape[-2:].",
            )
    cut = [t for t in tails if t != (kh, kw) and t[0] <= kh and t[1] <= kw and t not in ((1, 1),)]
    if (kh, kw) in tails and cut:
        a, b = cut[0]
        return Diagnosis(
            "window_off_edge", "the loops run past the last window",
            f"A window was cut short at the image's edge: a {a}x{b} patch met the {kh}x{kw} kernel "
            f"({message}). The loops go further than the last position where the kernel fits, so the "
            f"output size is too large: it is (H + 2*padding - kh) // stride + 1 rows and "
            f"(W + 2*padding - kw) // stride + 1 columns, each from its own axis (not from 3, not from "
            f"the other axis).",
        )
    bias = case.bias
    if bias is not None and any(len(shape) > 1 and shape[0] == len(bias) and set(shape[1:]) == {1}
                                for shape in shapes):
        return Diagnosis(
            "bias_wrong_axis", "bias added along the wrong axis",
            f"bias, of shape ({len(bias)},), was lined up with the batch axis ({message}). It belongs to the "
            f"kernel axis: bias[None, :, None, None] for (N, K, H', W'), or bias[k] to out[n, k].",
        )
    return None


def swapped_height_width(case: Case, message: str) -> Diagnosis | None:
    """A window cut along the shorter side of a non-square image, by a square kernel: H and W swapped.

    Only asked once square images have passed: then the loops are right except
    that each axis counts the other one's positions.
    """
    n, c, h, w = case.images.shape
    (kh, kw), (ph, pw) = case.kernel_size, case.pad
    hp, wp = h + 2 * ph, w + 2 * pw
    if kh != kw or hp == wp:
        return None
    shapes = [tuple(int(v) for v in group.split(",")) for group in SHAPES.findall(message)]
    cuts = {shape[-2:] for shape in shapes if len(shape) >= 3 and shape[-3] == c} - {(kh, kw)}
    rows_cut = any(a < kh and b == kw for a, b in cuts)
    columns_cut = any(a == kh and b < kw for a, b in cuts)
    if (rows_cut and hp < wp) or (columns_cut and wp < hp):
        edge = "bottom" if rows_cut else "right"
        return Diagnosis(
            "height_width_swapped", "height and width mixed up",
            f"Square images pass, but on this {h}x{w} image the window ran off the {edge} edge ({message}): the "
            f"{'rows' if rows_cut else 'columns'} were counted from the image's "
            f"{'width' if rows_cut else 'height'}. Height and width were taken the wrong way round, as "
            f"`n, c, w, h = images.shape` does: the order is N, C, H, W.",
        )
    return None
