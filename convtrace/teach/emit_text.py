"""What the emitted scripts share: array literals, axis names, the header and the padding in words."""

from __future__ import annotations

import textwrap

import numpy as np

from ..source.problem import Problem


# ----------------------------------------------------------------------------- literals


def literal(array: np.ndarray, indent: int = 0, flat: int = 1) -> str:
    """A nested-list literal of `array`, its last `flat` axes on one line, floats written with repr.

    repr of a Python float is the shortest text that reads back as the same float64,
    so the script's tensors are bit-for-bit the document's. flat=1 puts one image row
    (W values) on a line, as NCHW reads; flat=2 one row of pixels (W x C), as NHWC reads.
    """
    if array.ndim <= flat:
        return repr(array.tolist()) if array.ndim else repr(float(array))
    rows = [literal(sub, indent + 1, flat) for sub in array]
    # numpy-like: each deeper level starts one column further right
    return "[" + (",\n" + " " * (indent + 1)).join(rows) + "]"


def row_axes(problem: Problem) -> int:
    """How many trailing axes make one printed row of the images and kernels: W, or W and C under NHWC."""
    return 2 if problem.layout == "NHWC" else 1


def shape_text(shape) -> str:
    """(1, 3, 4, 4) -> '(1, 3, 4, 4)'."""
    return "(" + ", ".join(str(int(size)) for size in shape) + ")"


# ----------------------------------------------------------------------------- the document, in its own layout


def images_in_layout(problem: Problem) -> np.ndarray:
    """The images as the document writes them, promoted to full rank: (N, C, *spatial) or (N, H, W, C)."""
    return problem.to_layout(problem.images)


def kernels_in_layout(problem: Problem) -> np.ndarray:
    """The kernels as the document writes them (not flipped), full rank, e.g. (K, C, kh, kw) or (K, kh, kw, C)."""
    return problem.to_layout(problem.kernels)


SPATIAL = {1: ("L",), 2: ("H", "W"), 3: ("D", "H", "W")}
TAPS = {1: ("k",), 2: ("kh", "kw"), 3: ("kd", "kh", "kw")}


def axes(problem: Problem) -> dict[str, str]:
    """The axis names of images, kernels and output in the document's layout, e.g. '(N, C, H, W)'."""
    spatial, taps = SPATIAL[problem.dims], TAPS[problem.dims]
    outs = tuple(name + "'" for name in spatial)
    per_group = "/groups" if problem.groups > 1 else ""
    if problem.layer == "conv_transpose":
        lead, channels = "C", "K" + per_group
    else:
        lead, channels = "K", "C" + per_group
    out_channels = "C" if problem.layer in ("max_pool", "avg_pool") else "K"
    if problem.layout == "NHWC":
        names = {"images": ("N", *spatial, "C"), "kernels": (lead, *taps, channels),
                 "output": ("N", *outs, out_channels)}
    else:
        names = {"images": ("N", "C", *spatial), "kernels": (lead, channels, *taps),
                 "output": ("N", out_channels, *outs)}
    return {key: "(" + ", ".join(value) + ")" for key, value in names.items()}


# ----------------------------------------------------------------------------- header and padding words


def header(problem: Problem, what: str, command: str, needs: str) -> list[str]:
    """The module docstring and the document's title, description and promotion notes as comments."""
    lines = [
        f'"""{what}',
        "",
        f"Made by `{command}`. {needs}",
        f"Prints the output {axes(problem)['output']} as one line of JSON.",
        '"""',
    ]
    notes = [text for text in (problem.title, problem.description) if text] + list(problem.notes)
    if notes:
        lines.append("")
    for note in notes:
        for paragraph in note.splitlines() or [""]:
            lines += ["# " + part for part in textwrap.wrap(paragraph, 98)] or ["#"]
    return lines


def padding_words(problem: Problem) -> str:
    """Why the padding is what it is, in a few words ('' for explicit padding)."""
    mode = problem.geometry.mode
    if mode == "valid":
        return "'valid': no padding"
    if mode == "full":
        return "'full': d*(k-1) zeros on every side"
    if mode == "same":
        return "'same' (TensorFlow's rule): H' = ceil(H / stride); an odd extra zero goes to the bottom/right"
    if mode == "causal":
        return "causal: d*(k-1) zeros on the left only, so output t sees inputs up to t and none after"
    return ""
