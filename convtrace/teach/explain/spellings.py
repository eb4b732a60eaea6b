"""How PyTorch, TensorFlow and scipy write the same convolution (the scipy code runs as printed)."""

from __future__ import annotations

from dataclasses import dataclass

from ...source.geometry import Geometry


TORCH_SHAPES = "x (N, C, H, W), w (K, C, kh, kw)"
TF_SHAPES = "x (N, H, W, C), w (kh, kw, C, K)"
SCIPY_SHAPES = "x (H, W), w (kh, kw): one channel"


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
