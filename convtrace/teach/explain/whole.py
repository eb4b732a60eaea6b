"""The whole explanation of one mode, and the overview of every mode, put together from the parts."""

from __future__ import annotations

from dataclasses import dataclass

from ...errors import DataError
from ...source.axis import Axis
from ...source.geometry import Geometry, make_geometry
from .axes import AxisStory, Diagram, axis_story, diagram
from .even import EvenKernel, even_kernel, same_agrees
from .example import EXPLAINED_MODES, Example, Settings, check_size, run, settings_for, small_enough
from .flip import FlipNote, flip_note
from .full import FullNote, full_note
from .spellings import Spelling, spellings
from .words import purpose, short


@dataclass(frozen=True)
class Explanation:
    """Everything `convtrace explain --mode MODE` shows, computed."""

    settings: Settings
    geometry: Geometry
    example: Example
    purpose: tuple[str, ...]  # paragraphs: what the mode is for, then what this stride and dilation do
    rows: AxisStory
    cols: AxisStory
    diagram: Diagram | None
    spellings: tuple[Spelling, ...]
    even: EvenKernel | None
    odd_same: str | None  # for 'same' with nothing odd: why the libraries agree here
    full: FullNote | None
    flip: FlipNote | None
    maps: tuple = ()  # too large for numbers (a picture): the input and output as MapPictures


def explain(settings: Settings, example: Example, flip: bool = False) -> Explanation:
    """Settings + one-channel example data -> the explanation of that mode. DataError if no window fits.

    flip: convolution, as `--flip` means in every command. The kernel the windows
    slide is then w rotated 180 degrees: the example maps are computed with it,
    "the same call elsewhere" is each library's true convolution, and a section
    compares the result with cross-correlation.
    """
    g = make_geometry(
        example.input_size, example.kernel_size,
        stride=settings.stride, dilation=settings.dilation, mode=settings.padding_mode,
    )
    check_size(g)
    slid = rotated(example) if flip else example  # what the windows multiply by
    even = even_kernel(g, slid, flip) if settings.padding_mode == "same" else None
    odd_same = None
    if settings.padding_mode == "same" and even is None:
        odd_same = same_agrees(g)
    flipped = flip_note(g, settings, example) if flip else None
    return Explanation(
        settings=settings,
        geometry=g,
        example=example,
        purpose=purpose(settings.mode, g),
        rows=axis_story(g.rows, settings.padding_mode, "rows"),
        cols=axis_story(g.cols, settings.padding_mode, "columns"),
        diagram=diagram(g),
        spellings=flipped.code if flip else spellings(g, settings.padding_mode),
        even=even,
        odd_same=odd_same,
        full=full_note(g, slid, flip) if settings.padding_mode == "full" else None,
        flip=flipped,
        maps=() if small_enough(g) else _maps(g, slid, settings.mode),
    )


def _maps(g: Geometry, example: Example, mode: str) -> tuple:
    """The example's input (H, W) and its output (H', W') under this mode, to be drawn as heatmaps."""
    from ..feature_maps import map_picture

    return (map_picture(example.x, f"input {example.x.shape[0]}x{example.x.shape[1]}"),
            map_picture(run(example.x, example.w, g), f"output, {mode}: {g.rows.out}x{g.cols.out}"))


def rotated(example: Example) -> Example:
    """The example with its kernel rotated 180 degrees: what convolution slides. (kh, kw) -> (kh, kw)."""
    return Example(example.x, example.w[::-1, ::-1].copy(), example.source + ", kernel rotated 180 degrees (--flip)")


# ----------------------------------------------------------------------------- the overview


@dataclass(frozen=True)
class OverviewRow:
    """One mode at the current sizes: its geometry, or why no window fits."""

    settings: Settings
    what: str
    geometry: Geometry | None
    formula: str | None  # "H' = ... = 3" (rows), with "W' = ..." when the columns differ
    error: str | None


@dataclass(frozen=True)
class Overview:
    """`convtrace explain` without --mode: every mode for the same sizes."""

    input_size: tuple[int, int]
    kernel_size: tuple[int, int]
    rows: tuple[OverviewRow, ...]
    example: Example
    flip: FlipNote | None


def overview(example: Example, stride=None, dilation=None, flip: bool = False) -> Overview:
    rows = []
    for mode in EXPLAINED_MODES:
        settings = settings_for(mode, stride, dilation)
        try:
            g = make_geometry(
                example.input_size, example.kernel_size,
                stride=settings.stride, dilation=settings.dilation, mode=settings.padding_mode,
            )
        except DataError:
            # the same formula the error would show, so the row still says why
            axes = [Axis(n, s, k, st, d, 0, 0) for n, s, k, st, d in zip(
                "HW", example.input_size, example.kernel_size, settings.stride, settings.dilation)]
            bad = next(a for a in axes if a.out < 1)
            rows.append(OverviewRow(settings, short(mode, settings.stride), None, None, f"no window fits: {bad.out_formula()}"))
            continue
        check_size(g)  # outside the try: too large is an error, not a row that does not fit
        formula = g.rows.out_formula()
        if g.cols.out_formula().split(" = ", 1)[1] != formula.split(" = ", 1)[1]:
            formula += "\n" + g.cols.out_formula()
        rows.append(OverviewRow(settings, short(mode, settings.stride), g, formula, None))
    flip_part = None
    if flip:
        settings = settings_for("valid", stride, dilation)
        try:
            g = make_geometry(example.input_size, example.kernel_size, stride=settings.stride,
                              dilation=settings.dilation)
            flip_part = flip_note(g, settings, example)
        except DataError:
            flip_part = None
    return Overview(example.input_size, example.kernel_size, tuple(rows), example, flip_part)
