"""What `convtrace explain` says about a padding mode, computed from the engine's own geometry.

Nothing here prints. `explain()` returns frozen dataclasses that a renderer
shows as they are: what the mode is for, the padding and output-size formulas
with the numbers put in (the text comes from geometry.py, the code both engines
use), the padded input with the first and last windows, every window corner,
how PyTorch, TensorFlow and scipy spell the same call, and the notes a mode
needs (even kernels under 'same', why 'full' pads d*(k-1), convolution versus
cross-correlation). Example maps are computed by the vectorized engine.

Data is one channel: x (H, W) and w (kh, kw).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..errors import DataError
from ..source.geometry import Axis, Geometry, make_geometry, pair, same_padding_formula

EXPLAINED_MODES = ("valid", "same", "full", "strided", "dilated")

PURPOSE = {
    "valid": "Only the positions where the whole kernel fits inside the input. No padding, "
             "so the output shrinks by d*(k-1) rows and columns.",
    "same": "Keep the size: pad just enough zeros that the output has ceil(H / s) rows and "
            "ceil(W / s) columns (the input's own size at stride 1), so layers can be stacked "
            "without the image shrinking.",
    "full": "Every position where the kernel overlaps the input by at least one cell, so the "
            "output grows by d*(k-1). This is the shape of the backward pass: the gradient of a "
            "valid convolution with respect to its input is a full one.",
    "strided": "Skip positions: the window jumps s cells at a time, so the output keeps about "
               "1/s of the rows and columns (cheap downsampling). Here with valid padding.",
    "dilated": "Spread the taps: d-1 gaps between the kernel's taps let it see d*(k-1)+1 cells "
               "with the same number of weights (a wider view for free). Here with valid padding.",
}

SHORT = {
    "valid": "only where it fits",
    "same": "keep the size",
    "full": "every overlap",
    "strided": "skip positions",
    "dilated": "spread the taps",
}

DEFAULT_INPUT = 5  # per axis, raised when a dilated kernel would not fit
DEFAULT_KERNEL = (3, 3)
DRAW_LIMIT = 40  # padded cells per axis above which the diagram is not drawn
MAP_LIMIT = 16  # output cells per axis above which example maps are not printed

TORCH_SHAPES = "x (N, C, H, W), w (K, C, kh, kw)"
TF_SHAPES = "x (N, H, W, C), w (kh, kw, C, K)"
SCIPY_SHAPES = "x (H, W), w (kh, kw): one channel"


# ----------------------------------------------------------------------------- settings and data


@dataclass(frozen=True)
class Settings:
    """Which convolution to explain: the mode's name and the padding, stride and dilation it uses."""

    mode: str  # one of EXPLAINED_MODES
    padding_mode: str  # "valid", "same" or "full": what make_geometry resolves
    stride: tuple[int, int]
    dilation: tuple[int, int]


def settings_for(mode: str, stride=None, dilation=None) -> Settings:
    """A mode name (+ stride and dilation, None when not given) -> Settings.

    'strided' and 'dilated' are valid padding with stride 2 / dilation 2 unless told otherwise.
    """
    if mode not in EXPLAINED_MODES:
        raise DataError(f"mode {mode!r} is not one of {', '.join(EXPLAINED_MODES)}")
    default_stride = (2, 2) if mode == "strided" else (1, 1)
    default_dilation = (2, 2) if mode == "dilated" else (1, 1)
    padding_mode = mode if mode in ("valid", "same", "full") else "valid"
    return Settings(
        mode,
        padding_mode,
        pair(stride) if stride is not None else default_stride,
        pair(dilation) if dilation is not None else default_dilation,
    )


@dataclass(frozen=True)
class Example:
    """The one-channel data the explanation computes on: x (H, W) and w (kh, kw)."""

    x: np.ndarray
    w: np.ndarray
    source: str  # where the numbers come from, for the reader

    @property
    def input_size(self) -> tuple[int, int]:
        return tuple(self.x.shape)

    @property
    def kernel_size(self) -> tuple[int, int]:
        return tuple(self.w.shape)


def default_input_size(kernel_size: tuple[int, int], dilation: tuple[int, int]) -> tuple[int, int]:
    """5x5, or larger when the (dilated) kernel would not fit with room to move: span + 2."""
    return tuple(max(DEFAULT_INPUT, d * (k - 1) + 3) for k, d in zip(kernel_size, dilation))


def ramp_example(input_size: tuple[int, int], kernel_size: tuple[int, int]) -> Example:
    """x = 1, 2, 3, ... and w = 1, 2, 3, ... row by row: every cell different, so shifts show."""
    (h, w_), (kh, kw) = input_size, kernel_size
    x = np.arange(1, h * w_ + 1, dtype=np.float64).reshape(h, w_)
    w = np.arange(1, kh * kw + 1, dtype=np.float64).reshape(kh, kw)
    return Example(x, w, f"the built-in ramps x = 1..{h * w_} and w = 1..{kh * kw} (row by row)")


def problem_example(problem, name: str) -> Example:
    """A Problem's first image channel and first kernel channel (what a one-channel library sees)."""
    n, c, _, _ = problem.input_shape
    k = problem.kernel_shape[0]
    whole = n == 1 and c == 1 and k == 1
    source = name if whole else f"{name}: image 0, channel 0 and kernel 0, channel 0"
    return Example(np.array(problem.images[0, 0]), np.array(problem.kernels[0, 0]), source)


# ----------------------------------------------------------------------------- formulas per axis


@dataclass(frozen=True)
class AxisStory:
    """One axis (rows or columns): its padding rule and output size, with the numbers put in."""

    what: str  # "rows" or "columns"
    sides: tuple[str, str]  # ("top", "bottom") or ("left", "right")
    axis: Axis
    padding_rule: str  # e.g. "top = bottom = d*(k-1) = 1*(3-1) = 2"
    span: str  # "span = d*(k-1) + 1 = 2*(3-1) + 1 = 5"
    out_steps: str  # "H' = floor((5 + 2 + 2 - 1*(3-1) - 1) / 1) + 1 = floor(6 / 1) + 1 = 6 + 1 = 7"
    dropped: str | None  # what the floor drops, or None
    corners_padded: tuple[int, ...]  # window starts in padded coordinates: 0, s, 2s, ...
    corners_input: tuple[int, ...]  # the same in input coordinates (padded - before)


def padding_rule(axis: Axis, padding_mode: str, sides: tuple[str, str]) -> str:
    """The padding of one axis as a rule with its numbers (same: geometry.same_padding_formula)."""
    before, after = sides
    k, d = axis.kernel, axis.dilation
    if padding_mode == "valid":
        return f"{before} = {after} = 0 (no padding)"
    if padding_mode == "full":
        return f"{before} = {after} = d*(k-1) = {d}*({k}-1) = {d * (k - 1)}"
    text = same_padding_formula(axis.size, k, axis.stride, d)
    return text.replace("before", before).replace("after", after)


def out_steps(axis: Axis) -> str:
    """Axis.out_formula(), with the arithmetic shown one step at a time."""
    head = axis.out_formula().rsplit(" = ", 1)[0]  # "H' = floor((5 + 2 + 2 - 1*(3-1) - 1) / 1) + 1"
    top = axis.padded - axis.span  # H + before + after - d*(k-1) - 1
    whole = top // axis.stride
    return f"{head} = floor({top} / {axis.stride}) + 1 = {whole} + 1 = {axis.out}"


def dropped_text(axis: Axis, what: str, sides: tuple[str, str]) -> str | None:
    """What the floor in the output-size formula throws away, in words, or None."""
    if axis.dropped == 0:
        return None
    top = axis.padded - axis.span
    one = what[:-1]  # "row" / "column"
    start, end = axis.dropped_range  # input coordinates, half-open
    data = [i for i in range(start, end) if 0 <= i < axis.size]
    pads_after = sum(1 for i in range(start, end) if i >= axis.size)
    pieces = []
    if data:
        pieces.append(f"input {one} {data[0]}" if len(data) == 1 else f"input {what} {data[0]}-{data[-1]}")
    if pads_after:
        pieces.append(f"{pads_after} padding {one if pads_after == 1 else what} at the {sides[1]}")
    r = axis.dropped
    return (
        f"{top} / {axis.stride} = {top // axis.stride} remainder {r}: the floor drops "
        f"{r} {one if r == 1 else what} ({', '.join(pieces)}); no window reaches {'it' if r == 1 else 'them'}"
    )


def axis_story(axis: Axis, padding_mode: str, what: str) -> AxisStory:
    sides = ("top", "bottom") if what == "rows" else ("left", "right")
    corners = tuple(axis.corners())
    return AxisStory(
        what=what,
        sides=sides,
        axis=axis,
        padding_rule=padding_rule(axis, padding_mode, sides),
        span=f"span = d*(k-1) + 1 = {axis.dilation}*({axis.kernel}-1) + 1 = {axis.span}",
        out_steps=out_steps(axis),
        dropped=dropped_text(axis, what, sides),
        corners_padded=corners,
        corners_input=tuple(c - axis.before for c in corners),
    )


# ----------------------------------------------------------------------------- the padded input


@dataclass(frozen=True)
class Diagram:
    """The padded input as a grid of cell kinds, with the cells read by the first and last windows.

    kinds[r][c] is "pad" (a zero of the padding), "data" (an input cell) or
    "dropped" (an input cell no window reaches). Coordinates are padded ones.
    """

    kinds: tuple[tuple[str, ...], ...]
    row_labels: tuple[int, ...]  # input coordinate of every padded row (negative above the input)
    col_labels: tuple[int, ...]
    first: frozenset  # {(row, col)} read by out[0, 0]
    last: frozenset  # {(row, col)} read by the last output position
    first_name: str
    last_name: str


def diagram(g: Geometry) -> Diagram | None:
    """The padded input with the first and last windows' taps, or None when too large to draw."""
    rows, cols = g.rows, g.cols
    if max(rows.padded, cols.padded) > DRAW_LIMIT:
        return None

    def dropped(axis: Axis, index: int) -> bool:
        span = axis.dropped_range
        return span is not None and span[0] <= index - axis.before < span[1]

    kinds = []
    for r in range(rows.padded):
        line = []
        for c in range(cols.padded):
            if rows.is_padding(r) or cols.is_padding(c):
                line.append("pad")
            elif dropped(rows, r) or dropped(cols, c):
                line.append("dropped")
            else:
                line.append("data")
        kinds.append(tuple(line))

    def taps(row_corner: int, col_corner: int) -> frozenset:
        return frozenset((r, c) for r in rows.taps(row_corner) for c in cols.taps(col_corner))

    last_r, last_c = rows.corners()[-1], cols.corners()[-1]
    return Diagram(
        kinds=tuple(kinds),
        row_labels=tuple(r - rows.before for r in range(rows.padded)),
        col_labels=tuple(c - cols.before for c in range(cols.padded)),
        first=taps(0, 0),
        last=taps(last_r, last_c),
        first_name="out[0,0]",
        last_name=f"out[{rows.out - 1},{cols.out - 1}]",
    )


# ----------------------------------------------------------------------------- other libraries


@dataclass(frozen=True)
class Spelling:
    """How one library writes this convolution. For scipy the code runs as it is (tests do)."""

    library: str
    shapes: str
    code: tuple[str, ...]  # lines; the last one is the call
    notes: tuple[str, ...]


def _pair_text(values: tuple[int, int]) -> str:
    """(2, 2) -> '2'; (2, 1) -> '(2, 1)'."""
    return str(values[0]) if values[0] == values[1] else f"({values[0]}, {values[1]})"


def _spread_lines(g: Geometry, name: str = "w") -> tuple[list[str], str]:
    """scipy has no dilation: code that spreads the taps with zeros, and the kernel's new name."""
    if g.dilation == (1, 1):
        return [], name
    (dh, dw), (sh, sw) = g.dilation, (g.rows.span, g.cols.span)
    return [f"wd = np.zeros(({sh}, {sw}))", f"wd[::{dh}, ::{dw}] = {name}"], "wd"


def _pad_call(g: Geometry) -> str:
    (top, bottom), (left, right) = g.padding
    return f"np.pad(x, (({top}, {bottom}), ({left}, {right})))"


def torch_spelling(g: Geometry, padding_mode: str, kernel: str = "w") -> Spelling:
    (top, bottom), (left, right) = g.padding
    stride = f", stride={_pair_text(g.stride)}" if g.stride != (1, 1) else ""
    dilation = f", dilation={_pair_text(g.dilation)}" if g.dilation != (1, 1) else ""
    notes = []
    symmetric = top == bottom and left == right
    if padding_mode == "same" and g.stride == (1, 1):
        code = f'F.conv2d(x, {kernel}, padding="same"{dilation})'
        if not symmetric:
            notes.append("the odd extra row/column goes to the bottom/right, as here")
    elif symmetric:
        code = f"F.conv2d(x, {kernel}{stride}, padding={_pair_text((top, left))}{dilation})"
    else:
        code = f"F.conv2d(F.pad(x, ({left}, {right}, {top}, {bottom})), {kernel}{stride}{dilation})"
        notes.append("padding= is the same on both sides of an axis; F.pad(x, (left, right, top, bottom)) pads unevenly")
    if padding_mode == "same" and g.stride != (1, 1):
        notes.append('padding="same" raises an error when stride > 1 '
                     "(\"padding='same' is not supported for strided convolutions\"): pad by hand")
    return Spelling("PyTorch", TORCH_SHAPES, (code,), tuple(notes))


def tf_spelling(g: Geometry, padding_mode: str, kernel: str = "w") -> Spelling:
    (top, bottom), (left, right) = g.padding
    if padding_mode == "valid":
        padding = '"VALID"'
    elif padding_mode == "same":
        padding = '"SAME"'
    else:
        padding = f"[[0, 0], [{top}, {bottom}], [{left}, {right}], [0, 0]]"
    extra = f", dilations={_pair_text(g.dilation)}" if g.dilation != (1, 1) else ""
    code = f"tf.nn.conv2d(x, {kernel}, strides={_pair_text(g.stride)}, padding={padding}{extra})"
    notes = []
    if padding_mode == "same" and (top != bottom or left != right):
        notes.append('"SAME" puts the odd extra row/column at the bottom/right, as here')
    if g.stride != (1, 1) and g.dilation != (1, 1):
        notes.append("the Keras layer (tf.keras.layers.Conv2D) refuses strides > 1 together with dilation_rate > 1")
    return Spelling("TensorFlow", TF_SHAPES, (code,), tuple(notes))


def scipy_spelling(g: Geometry, padding_mode: str, func: str = "correlate2d") -> Spelling:
    """correlate2d (convolve2d) computes one channel at stride 1 without dilation; the rest is written around it."""
    lines, kernel = _spread_lines(g)
    notes = [f"one channel: for C channels, sum {func}(x[c], w[c], ...) over c"]
    symmetric = g.rows.before == g.rows.after and g.cols.before == g.cols.after
    # scipy's own 'same' splits an odd padding like TensorFlow only in correlate2d (checked in the tests)
    direct = padding_mode != "same" or (g.stride == (1, 1) and (func == "correlate2d" or symmetric))
    if direct:
        call = f'{func}(x, {kernel}, mode="{padding_mode}")'
    else:
        call = f'{func}({_pad_call(g)}, {kernel}, mode="valid")'
        if g.stride != (1, 1):
            notes.append("scipy's mode=\"same\" pads for stride 1 (d*(k-1) in all): pad by hand, then \"valid\"")
        else:
            notes.append(f"{func}'s mode=\"same\" puts an odd extra zero at the top/left: pad by hand, then \"valid\"")
    if g.stride != (1, 1):
        call += f"[::{g.stride[0]}, ::{g.stride[1]}]"
        notes.append("no stride: compute every position, then keep every s-th ([::s])")
    if g.dilation != (1, 1):
        notes.append("no dilation: spread the kernel's taps with zeros (wd) first")
    return Spelling("scipy", SCIPY_SHAPES, (*lines, call), tuple(notes))


def spellings(g: Geometry, padding_mode: str) -> tuple[Spelling, ...]:
    return torch_spelling(g, padding_mode), tf_spelling(g, padding_mode), scipy_spelling(g, padding_mode)


# ----------------------------------------------------------------------------- computing on the example


def run(x: np.ndarray, w: np.ndarray, g: Geometry, flip: bool = False) -> np.ndarray:
    """(H, W) x (kh, kw) -> (H', W') with the vectorized engine."""
    from ..engine.fast import conv2d_nchw

    return conv2d_nchw(x[None, None], w[None, None], None, g, flip)[0, 0]


def small_enough(g: Geometry) -> bool:
    return max(g.out_size) <= MAP_LIMIT


# ----------------------------------------------------------------------------- 'same' with an even kernel


@dataclass(frozen=True)
class Placement:
    """One library's way of splitting an odd total padding, and what it computes on the example."""

    who: str
    code: tuple[str, ...]  # code lines, or words when `words` is set
    words: bool  # True when `code` describes a rule in prose (d2l), not a call
    extra: str  # where the extra row/column goes: "bottom/right" or "top/left"
    padding: tuple[tuple[int, int], tuple[int, int]]
    output: np.ndarray | None  # (H', W'), or None when too large to print
    differs: np.ndarray | None  # (H', W') bool: differs from the first placement's output


@dataclass(frozen=True)
class EvenKernel:
    """'same' whose total padding is odd on some axis (an even kernel at stride 1)."""

    totals: tuple[str, ...]  # e.g. "rows: total = 0 + 1 = 1 is odd, ..."
    placements: tuple[Placement, ...]  # empty when stride > 1 (only TensorFlow has a rule then)
    groups: tuple[tuple[tuple[int, ...], int], ...]  # (placement numbers from 1, index of one of them) per distinct output
    notes: tuple[str, ...]


def _split(total: int, extra_after: bool) -> tuple[int, int]:
    small = total // 2
    return (small, total - small) if extra_after else (total - small, small)


def even_kernel(g: Geometry, example: Example) -> EvenKernel | None:
    """Where each library puts the extra row/column of 'same', computed on the example; None if even."""
    axes = [(g.rows, "rows"), (g.cols, "columns")]
    totals = [(a.before + a.after, what, a) for a, what in axes]
    odd = [t for t in totals if t[0] % 2]
    if not odd:
        return None
    lines = tuple(
        f"{what}: total = {a.before} + {a.after} = {total} is odd, so one side gets one more"
        for total, what, a in odd
    )
    if g.stride != (1, 1):
        notes = (
            "TensorFlow's rule puts the extra one at the bottom/right (before = total // 2).",
            "PyTorch refuses padding=\"same\" with stride > 1, and scipy has no stride: "
            "pad by hand with the numbers above.",
        )
        return EvenKernel(lines, (), (), notes)

    spread, kernel = _spread_lines(g)
    (th, tw) = (g.rows.before + g.rows.after, g.cols.before + g.cols.after)
    after = (_split(th, True), _split(tw, True))
    before = (_split(th, False), _split(tw, False))
    rotated = "w[::-1, ::-1]" if not spread else "wd[::-1, ::-1]"
    specs = [
        ('TensorFlow padding="SAME", PyTorch padding="same", convtrace',
         torch_spelling(g, "same").code, False, "bottom/right", after),
        ("scipy.signal.correlate2d", (*spread, f'correlate2d(x, {kernel}, mode="same")'), False,
         "bottom/right", after),
        ("scipy.signal.correlate", (*spread, f'correlate(x, {kernel}, mode="same")'), False, "top/left", before),
        ("scipy.signal.convolve2d, kernel rotated", (*spread, f'convolve2d(x, {rotated}, mode="same")'), False,
         "top/left", before),
    ]
    if g.dilation == (1, 1):
        specs.append(
            ("d2l (Dive into Deep Learning)",
             ("p_h = k_h - 1 rows in all: ceil(p_h/2) on the top,",
              "floor(p_h/2) on the bottom; the width the same way"), True,
             "top/left", before)
        )
    show = small_enough(g)
    placements = []
    reference = None
    for who, code, words, extra, padding in specs:
        geom = make_geometry(example.input_size, example.kernel_size, dilation=g.dilation, padding=padding)
        out = run(example.x, example.w, geom)
        if reference is None:
            reference = out
        differs = out != reference if out.shape == reference.shape else np.ones(out.shape, bool)
        placements.append(Placement(who, code, words, extra, padding, out if show else None, differs if show else None))
    groups = []  # placements with identical outputs share one printed map
    for i, p in enumerate(placements):
        for members, first in groups:
            if np.array_equal(placements[first].output, p.output):
                members.append(i + 1)
                break
        else:
            groups.append(([i + 1], i))
    notes = (
        "Same numbers, shifted: with the extra zero at the top/left every window starts one "
        "row/column earlier, so out[i, j] there equals out[i-1, j-1] of the bottom/right maps.",
        "d2l states its rule in words (section 'Padding and Stride'); its code uses odd kernels "
        "with nn.Conv2d(padding=...), which pads both sides equally.",
    )
    return EvenKernel(lines, tuple(placements), tuple((tuple(m), f) for m, f in groups),
                      notes if g.dilation == (1, 1) else notes[:1])


# ----------------------------------------------------------------------------- 'full'


@dataclass(frozen=True)
class FullNote:
    """Why full pads d*(k-1) and not k, and the input gradient of a valid convolution."""

    why: tuple[str, ...]
    wrong: tuple[str, ...]  # what padding k would do instead
    gradient: tuple[str, ...]
    grad_output_shape: tuple[int, int] | None
    grad_input: np.ndarray | None  # (H, W): dL/dx for dL/dout = 1 everywhere, or None


def _distinct_axes(g: Geometry) -> list[tuple[Axis, str]]:
    """[(rows, "rows"), (cols, "columns")], or just the rows when both axes have the same numbers."""
    r, c = g.rows, g.cols
    if (r.size, r.kernel, r.stride, r.dilation, r.before, r.after) == (c.size, c.kernel, c.stride, c.dilation,
                                                                        c.before, c.after):
        return [(r, "rows (and columns)")]
    return [(r, "rows"), (c, "columns")]


def _only_zero_windows(axis: Axis) -> list[int]:
    """Output indices along an axis whose window reads nothing but padding."""
    return [i for i, c in enumerate(axis.corners()) if all(axis.is_padding(t) for t in axis.taps(c))]


def full_note(g: Geometry, example: Example) -> FullNote:
    why = []
    wrong = []
    for axis, what in _distinct_axes(g):
        k, d = axis.kernel, axis.dilation
        why.append(
            f"{what}: the last tap sits d*(k-1) = {d}*({k}-1) = {d * (k - 1)} cell{'' if d * (k - 1) == 1 else 's'} "
            f"after the window's "
            f"start, so the first window that still reaches the input's first cell starts {d * (k - 1)} before it"
        )
        # the common mistake: k zeros on each side instead of d*(k-1)
        bad = Axis(axis.name, axis.size, k, axis.stride, d, k, k)
        zeros = _only_zero_windows(bad) if bad.out >= 1 else []
        if zeros:
            wrong.append(
                f"{what} padded with k = {k} instead: {out_steps(bad)}; output {what} "
                f"{' and '.join(map(str, zeros))} would read nothing but zeros"
            )
        elif k < d * (k - 1):
            wrong.append(
                f"{what} padded with k = {k} instead: the dilated kernel reaches d*(k-1) = {d * (k - 1)} > k cells, "
                f"so windows that overlap the input by their last tap only would be missed"
            )
    gradient = [
        "In training, the gradient of a valid convolution (stride 1) with respect to its input is a "
        "full cross-correlation of dL/dout with the kernel rotated 180 degrees (equivalently, a true "
        "convolution with the kernel as it is).",
    ]
    try:
        valid = make_geometry(example.input_size, example.kernel_size, dilation=g.dilation)
    except DataError:
        return FullNote(tuple(why), tuple(wrong), tuple(gradient) + (
            "(The kernel does not fit the input without padding, so there is no valid convolution to differentiate here.)",
        ), None, None)
    back = make_geometry(valid.out_size, example.kernel_size, dilation=g.dilation, mode="full")
    for axis, what in _distinct_axes(back):
        steps = out_steps(axis).split(" = ", 1)[1]
        size = valid.rows.size if axis is back.rows else valid.cols.size
        gradient.append(f"{what} of dL/dx = {steps} = the input's {size}")
    grad_output = np.ones(valid.out_size)
    grad_input = run(grad_output, example.w[::-1, ::-1].copy(), back)
    shown = grad_input if max(grad_input.shape) <= MAP_LIMIT else None
    return FullNote(tuple(why), tuple(wrong), tuple(gradient), valid.out_size, shown)


# ----------------------------------------------------------------------------- --flip


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


# ----------------------------------------------------------------------------- the whole explanation


@dataclass(frozen=True)
class Explanation:
    """Everything `convtrace explain --mode MODE` shows, computed."""

    settings: Settings
    geometry: Geometry
    example: Example
    purpose: str
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
    """Settings + one-channel example data -> the explanation of that mode. DataError if no window fits."""
    g = make_geometry(
        example.input_size, example.kernel_size,
        stride=settings.stride, dilation=settings.dilation, mode=settings.padding_mode,
    )
    even = even_kernel(g, example) if settings.padding_mode == "same" else None
    odd_same = None
    if settings.padding_mode == "same" and even is None:
        odd_same = ("The total padding is even on both axes, so it splits equally and PyTorch, TensorFlow "
                    "and scipy agree. With an even kernel (try --kernel-size 2) they do not.")
    return Explanation(
        settings=settings,
        geometry=g,
        example=example,
        purpose=PURPOSE[settings.mode],
        rows=axis_story(g.rows, settings.padding_mode, "rows"),
        cols=axis_story(g.cols, settings.padding_mode, "columns"),
        diagram=diagram(g),
        spellings=spellings(g, settings.padding_mode),
        even=even,
        odd_same=odd_same,
        full=full_note(g, example) if settings.padding_mode == "full" else None,
        flip=flip_note(g, settings, example) if flip else None,
        maps=() if small_enough(g) else _maps(g, example, settings.mode),
    )


def _maps(g: Geometry, example: Example, mode: str) -> tuple:
    """The example's input (H, W) and its output (H', W') under this mode, to be drawn as heatmaps."""
    from .feature_maps import map_picture

    return (map_picture(example.x, f"input {example.x.shape[0]}x{example.x.shape[1]}"),
            map_picture(run(example.x, example.w, g), f"output, {mode}: {g.rows.out}x{g.cols.out}"))


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
            rows.append(OverviewRow(settings, SHORT[mode], None, None, f"no window fits: {bad.out_formula()}"))
            continue
        formula = g.rows.out_formula()
        if g.cols.out_formula().split(" = ", 1)[1] != formula.split(" = ", 1)[1]:
            formula += "\n" + g.cols.out_formula()
        rows.append(OverviewRow(settings, SHORT[mode], g, formula, None))
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
