"""Convolution vs cross-correlation: the rotated kernel, both results on the example, the code."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ...source.geometry import Geometry
from .example import Example, Settings, run, small_enough
from .spellings import Spelling, scipy_spelling, tf_spelling, torch_spelling


@dataclass(frozen=True)
class FlipNote:
    """Convolution vs cross-correlation on the example: the rotated kernel and both results."""

    mode: str  # the padding the two results use
    kernel: np.ndarray  # (kh, kw) as given
    rotated: np.ndarray  # (kh, kw) rotated 180 degrees: what convolution slides
    correlation: np.ndarray | None  # (H', W'), flip off: what CNN layers compute
    convolution: np.ndarray | None  # (H', W'), flip on
    differs: np.ndarray | None
    code: tuple[Spelling, ...]  # how to get true convolution in each library
    notes: tuple[str, ...]


def flip_note(g: Geometry, settings: Settings, example: Example) -> FlipNote:
    correlation = run(example.x, example.w, g, flip=False)
    convolution = run(example.x, example.w, g, flip=True)
    show = small_enough(g)
    torch = torch_spelling(g, settings.padding_mode, kernel="w.flip(-2, -1)")
    tf = tf_spelling(g, settings.padding_mode, kernel="tf.reverse(w, axis=[0, 1])")
    notes = ["PyTorch, TensorFlow and every CNN layer compute cross-correlation (no flip); "
             "the weights are learned, so nothing is lost, but a kernel copied from a textbook "
             "(a Sobel filter, say) acts rotated."]
    code = (torch, tf, scipy_spelling(g, settings.padding_mode, func="convolve2d"))
    uneven = g.rows.before != g.rows.after or g.cols.before != g.cols.after
    if settings.padding_mode == "same" and uneven and g.stride == (1, 1):
        notes.append('scipy.signal.convolve2d(x, w, mode="same") splits an odd padding the other way '
                     "(extra row/column at the top/left), which is why it is padded by hand here.")
    return FlipNote(
        settings.padding_mode, example.w, example.w[::-1, ::-1].copy(),
        correlation if show else None, convolution if show else None,
        (correlation != convolution) if show else None,
        code, tuple(notes),
    )
