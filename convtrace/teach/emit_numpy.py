"""A Problem -> a NumPy script: the plain loop a learner writes, and the vectorized one-liner beside it.

The loop is the engine's own (engine/naive.py): n, k, row, col; a slice of the
padded input under the dilated kernel's taps; sum of patch * kernel, plus the
bias. It is written as `conv2d(images, kernels, bias=None, stride=1, padding=0,
dilation=1, flip=False)`, so `convtrace check script.py:conv2d` can grade it.
The document's settings appear once, in the call at the bottom.
"""

from __future__ import annotations

from ..source.problem import Problem
from .emit_text import axes, header, images_in_layout, kernels_in_layout, literal, padding_words, row_axes, shape_text

# What changes between channels-first and channels-last: where C sits in every index.
LAYOUT_PARTS = {
    "NCHW": {
        "pad": "((0, 0), (0, 0), (top, bottom), (left, right))",
        "shape": "N, _, H, W = x.shape  # H, W: the padded size",
        "flip": "kernels[:, :, ::-1, ::-1]",
        "out": "(N, K, H_out, W_out)",
        "patch": "x[n, :, r:r + span_h:dh, c:c + span_w:dw]  # (C, kh, kw)",
        "cell": "out[n, k, row, col]",
        "windows": "sliding_window_view(x, (span_h, span_w), axis=(2, 3))[:, :, ::sh, ::sw, ::dh, ::dw]",
        "windows_shape": "(N, C, H', W', kh, kw)",
        "einsum": '"nchwij,kcij->nkhw"',
        "bias": "bias[:, None, None]",
    },
    "NHWC": {
        "pad": "((0, 0), (top, bottom), (left, right), (0, 0))",
        "shape": "N, H, W, _ = x.shape  # H, W: the padded size",
        "flip": "kernels[:, ::-1, ::-1, :]",
        "out": "(N, H_out, W_out, K)",
        "patch": "x[n, r:r + span_h:dh, c:c + span_w:dw, :]  # (kh, kw, C)",
        "cell": "out[n, row, col, k]",
        "windows": "sliding_window_view(x, (span_h, span_w), axis=(1, 2))[:, ::sh, ::sw, :, ::dh, ::dw]",
        "windows_shape": "(N, H', W', C, kh, kw)",
        "einsum": '"nhwcij,kijc->nhwk"',
        "bias": "bias",
    },
}

SETUP = '''

def as_pair(value):
    """2 -> (2, 2); (2, 1) -> (2, 1): one number per axis (rows, columns)."""
    return (value, value) if isinstance(value, int) else tuple(value)


def as_sides(padding):
    """1 -> ((1, 1), (1, 1)); (1, 2) -> ((1, 1), (2, 2)); ((top, bottom), (left, right)) as it is."""
    rows, cols = as_pair(padding)
    return as_pair(rows), as_pair(cols)


def prepare(images, kernels, stride, padding, dilation, flip):
    """Pad the images, rotate the kernels if flip, and resolve stride, dilation and the kernel's reach."""
    sh, sw = as_pair(stride)
    dh, dw = as_pair(dilation)
    (top, bottom), (left, right) = as_sides(padding)
    x = np.pad(images, {pad})
    if flip:  # a true convolution: rotate every kernel 180 degrees
        kernels = {flip}
    kh, kw = {kernel_hw}
    span_h, span_w = dh * (kh - 1) + 1, dw * (kw - 1) + 1  # how far a dilated kernel reaches
    return x, kernels, (sh, sw), (dh, dw), (span_h, span_w)
'''

LOOP = '''

def conv2d(images, kernels, bias=None, stride=(1, 1), padding=(0, 0), dilation=(1, 1), flip=False):
    """{images} x {kernels} -> {output}, one window position at a time.

    stride, dilation: an int or (rows, cols); padding: an int, (rows, cols) or
    ((top, bottom), (left, right)) zeros; flip: rotate the kernels (true convolution).
    """
    x, kernels, (sh, sw), (dh, dw), (span_h, span_w) = prepare(
        images, kernels, stride, padding, dilation, flip)
    {shape}
    K = kernels.shape[0]
    H_out = (H - span_h) // sh + 1  # floor: windows that would run off the end are dropped
    W_out = (W - span_w) // sw + 1
    out = np.zeros({out})
    for n in range(N):
        for k in range(K):
            for row in range(H_out):
                for col in range(W_out):
                    r, c = row * sh, col * sw  # the window's corner in the padded input
                    patch = {patch}
                    value = np.sum(patch * kernels[k])
                    if bias is not None:
                        value += bias[k]
                    {cell} = value
    return out


def conv2d_vectorized(images, kernels, bias=None, stride=(1, 1), padding=(0, 0), dilation=(1, 1), flip=False):
    """The same in one contraction: every window at once as a view, no copy and no loop."""
    x, kernels, (sh, sw), (dh, dw), (span_h, span_w) = prepare(
        images, kernels, stride, padding, dilation, flip)
    windows = {windows}  # {windows_shape}
    out = np.einsum({einsum}, windows, kernels)
    return out if bias is None else out + {bias}
'''


def numpy_script(problem: Problem, command: str) -> str:
    """The NumPy script for a 2-D convolution problem, as text."""
    parts = LAYOUT_PARTS[problem.layout]
    names = axes(problem)
    lines = header(problem, "A 2-D convolution as a NumPy loop, and as one vectorized line beside it.",
                   command, "Run: python this_file.py")
    lines += [
        "",
        "import json",
        "",
        "import numpy as np",
        "from numpy.lib.stride_tricks import sliding_window_view",
        "",
        *_tensors(problem, names),
    ]
    kernel_hw = "kernels.shape[2:]" if problem.layout == "NCHW" else "kernels.shape[1:3]"
    text = "\n".join(lines) + "\n"
    text += SETUP.format(pad=parts["pad"], flip=parts["flip"], kernel_hw=kernel_hw)
    text += LOOP.format(
        images=names["images"], kernels=names["kernels"], output=names["output"],
        shape=parts["shape"], out=parts["out"], patch=parts["patch"],
        cell=parts["cell"], windows=parts["windows"], windows_shape=parts["windows_shape"],
        einsum=parts["einsum"], bias=parts["bias"],
    )
    return text + "\n".join(_main(problem)) + "\n"


def _tensors(problem: Problem, names: dict) -> list[str]:
    images, kernels = images_in_layout(problem), kernels_in_layout(problem)
    lines = [
        f"# images {names['images']} = {shape_text(images.shape)}",
        "images = np.array(" + literal(images, len("images = np.array("), row_axes(problem)) + ")",
        f"# kernels {names['kernels']} = {shape_text(kernels.shape)}, as written (flip is applied in conv2d)",
        "kernels = np.array(" + literal(kernels, len("kernels = np.array("), row_axes(problem)) + ")",
    ]
    if problem.bias is None:
        lines.append("bias = None  # the document has no bias")
    else:
        lines.append(f"bias = np.array({literal(problem.bias)})  # (K,): one number per kernel")
    return lines


def _main(problem: Problem) -> list[str]:
    """The call with the document's settings, the cross-check, and the one printed line."""
    g = problem.geometry
    why = padding_words(problem)
    return [
        "",
        "",
        'if __name__ == "__main__":',
        f"    stride = {g.stride}  # (rows, cols)",
        f"    padding = {g.padding}  # ((top, bottom), (left, right))" + (f"; {why}" if why else ""),
        f"    dilation = {g.dilation}  # 1 = no gaps between kernel taps",
        f"    flip = {problem.flip}  # " + ("true convolution" if problem.flip else "cross-correlation, as CNN layers compute"),
        "    out = conv2d(images, kernels, bias, stride, padding, dilation, flip)",
        "    fast = conv2d_vectorized(images, kernels, bias, stride, padding, dilation, flip)",
        '    assert np.allclose(out, fast), "the loop and the vectorized line disagree"',
        "    print(json.dumps(out.tolist()))",
    ]
