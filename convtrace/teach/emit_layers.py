"""A Problem of any other layer -> a NumPy script: its plain loop and a vectorized version beside it.

Grouped and depthwise convolution, 1-D and 3-D convolution (causal too) and
transposed convolution here; max / average pooling in emit_pool.py. The document's settings are
written into the loops as numbers (slices such as `row * 2:row * 2 + 3`), so
the loop reads as the one a learner would write for exactly this layer. The
loops index channels first; an NHWC document is transposed on the way in and
back on the way out, as convtrace's engine does.
"""

from __future__ import annotations

from ..source.problem import Problem
from .emit_text import axes, header, images_in_layout, kernels_in_layout, literal, padding_words, row_axes, shape_text
from .emit_loops import POSITIONS, axis_slice, nest, pad_call, shapes_text, window_slices, window_view

OUT_LETTERS = "pqr"  # einsum letters of the output positions
TAP_LETTERS = {1: "u", 2: "uv", 3: "tuv"}  # einsum letters (and loop names) of the kernel taps
FUNCTIONS = {"conv": "conv{}d", "conv_transpose": "conv_transpose{}d", "max_pool": "max_pool{}d",
             "avg_pool": "avg_pool{}d"}


def layer_script(problem: Problem, command: str) -> str:
    """The NumPy script for any layer other than plain 2-D convolution, as text."""
    name = FUNCTIONS[problem.layer].format(problem.dims)
    lines = header(problem, f"{name} as a NumPy loop, and vectorized beside it.", command,
                   "Run: python this_file.py")
    lines += ["", "import json", "", "import numpy as np", "from numpy.lib.stride_tricks import sliding_window_view",
              "", *_tensors(problem)]
    from .emit_pool import avg_pool, max_pool

    build = {"conv": _conv, "conv_transpose": _transposed, "max_pool": max_pool, "avg_pool": avg_pool}
    lines += build[problem.layer](problem, name)
    lines += _main(problem, name)
    return "\n".join(lines) + "\n"


def _tensors(problem: Problem) -> list[str]:
    names = axes(problem)
    images = images_in_layout(problem)
    lines = [f"# images {names['images']} = {shape_text(images.shape)}",
             "images = np.array(" + literal(images, len("images = np.array("), row_axes(problem)) + ")"]
    if problem.kernels is not None:
        kernels = kernels_in_layout(problem)
        lines += [f"# kernels {names['kernels']} = {shape_text(kernels.shape)}, as written",
                  "kernels = np.array(" + literal(kernels, len("kernels = np.array("), row_axes(problem)) + ")"]
    if problem.bias is not None:
        lines.append(f"bias = np.array({literal(problem.bias)})  # (K,): one number per output channel")
    return lines


# ----------------------------------------------------------------------------- pieces of text


def _settings(problem: Problem) -> str:
    g = problem.geometry
    words = [f"stride {g.stride}", f"padding {g.padding} (before, after) per axis", f"dilation {g.dilation}"]
    if problem.groups > 1:
        words.append(f"groups {problem.groups}")
    return "# " + ", ".join(words)


# ----------------------------------------------------------------------------- the layers


def _conv(problem: Problem, name: str) -> list[str]:
    """Grouped / 1-D / 3-D / causal convolution: the sum of patch * kernel under every window."""
    g, dims, G = problem.geometry, problem.dims, problem.groups
    C, K = problem.images.shape[1], problem.kernels.shape[0]
    outs = g.out_size
    pos = POSITIONS[dims]
    channels = ":" if G == 1 else f"c0:c0 + {C // G}"
    bias = " + b[k]" if problem.bias is not None else ""
    args = "x, w, b" if problem.bias is not None else "x, w"
    padded = any(before or after for before, after in g.padding)
    why = padding_words(problem)
    pad_line = [f"    x = {pad_call(problem)}  # {why or 'zeros: (before, after) per axis'}"] if padded else []
    reads = "channel c0" if C // G == 1 else f"channels c0 to c0 + {C // G - 1}"
    per_group = ([f"c0 = k // {K // G} * {C // G}  # kernel k is in group k // {K // G}, which reads {reads}"]
                 if G > 1 else [])
    body = [f"patch = x[n, {channels}, {', '.join(window_slices(problem))}]  # (C{'/groups' if G > 1 else ''}, kernel size)",
            f"out[n, k, {', '.join(pos)}] = np.sum(patch * w[k]){bias}"]
    loops = nest(["for n in range(N):", "for k in range(K):"], per_group)
    loops += nest([f"for {p} in range({o}):" for p, o in zip(pos, outs)], body, depth=3)
    o, t = OUT_LETTERS[:dims], TAP_LETTERS[dims]
    if G == 1:
        contract = [f'    out = np.einsum("nc{o}{t},kc{t}->nk{o}", windows, w)']
    else:
        contract = [
            f"    windows = windows.reshape(N, {G}, {C // G}, *windows.shape[2:])  # split the channels into groups",
            f"    w = w.reshape({G}, {K // G}, *w.shape[1:])  # (groups, K/groups, C/groups, kernel size)",
            f'    out = np.einsum("ngc{o}{t},gkc{t}->ngk{o}", windows, w).reshape(N, K, *windows.shape[3:{3 + dims}])',
        ]
    return [
        "", "", _settings(problem),
        f"def {name}_loop({args}):",
        f'    """{shapes_text(problem)}, one output value at a time."""',
        *pad_line,
        "    N, K = x.shape[0], w.shape[0]",
        f"    out = np.zeros((N, K, {', '.join(map(str, outs))}))",
        *loops,
        "    return out",
        "", "",
        f"def {name}_vectorized({args}):",
        '    """The same with every window at once: a sliding-window view and one contraction."""',
        *pad_line,
        "    N, K = x.shape[0], w.shape[0]",
        f"    windows = {window_view(problem)}  # (N, C, output size, kernel size)",
        *contract,
        "    return out" + (f" + b[:, {', '.join(['None'] * dims)}]" if problem.bias is not None else ""),
    ]


def _transposed(problem: Problem, name: str) -> list[str]:
    """Transposed convolution as a scatter: each input value stamps value * kernel into the output."""
    g, dims, G = problem.geometry, problem.dims, problem.groups
    C, Kg = problem.images.shape[1], problem.kernels.shape[1]
    K = Kg * G
    pos = POSITIONS[dims]
    sizes = g.input_size
    # the output before cropping: (H-1)*s + d*(k-1) + 1 + output_padding per axis
    full = tuple((a.size - 1) * a.stride + a.span + a.output_padding for a in g.axes)
    cropped = any(a.before for a in g.axes)
    crop = f"[:, :, {', '.join(f'{a.before}:{a.before + a.out}' for a in g.axes)}]" if cropped else ""
    targets = ":" if G == 1 else f"k0:k0 + {Kg}"
    writes = "output channel k0" if Kg == 1 else f"output channels k0 to k0 + {Kg - 1}"
    per_group = ([f"k0 = c // {C // G} * {Kg}  # input channel c is in group c // {C // G}, which writes {writes}"]
                 if G > 1 else [])
    body = [f"full[n, {targets}, {', '.join(window_slices(problem))}] += x[n, c, {', '.join(pos)}] * w[c]"]
    loops = nest(["for n in range(N):", "for c in range(C):"], per_group)
    loops += nest([f"for {p} in range({size}):" for p, size in zip(pos, sizes)], body, depth=3)
    args = "x, w, b" if problem.bias is not None else "x, w"
    bias = f" + b[:, {', '.join(['None'] * dims)}]" if problem.bias is not None else ""
    return [
        "", "",
        f"# stride {g.stride}, padding {tuple(a.before for a in g.axes)} (cropped from both ends of the output), "
        f"dilation {g.dilation}, output_padding {g.output_padding}" + (f", groups {G}" if G > 1 else ""),
        f"def {name}_loop({args}):",
        f'    """{shapes_text(problem)}: every input value stamps value * kernel into the output."""',
        "    N, C = x.shape[:2]",
        f"    full = np.zeros((N, {K}, {', '.join(map(str, full))}))  # before cropping: (H-1)*s + d*(k-1) + 1 + output_padding",
        *loops,
        f"    return full{crop}{bias}" + ("  # padding crops the ends" if cropped else ""),
        "", "",
        f"def {name}_vectorized({args}):",
        '    """The same one kernel tap at a time: each tap moves every input value at once."""',
        *_tap_sums(problem, full, crop + bias),
    ]


def _tap_sums(problem: Problem, full: tuple, finish: str) -> list[str]:
    """The vectorized transposed convolution: for each kernel tap, every input value moves at once."""
    g, dims, G = problem.geometry, problem.dims, problem.groups
    C, Kg = problem.images.shape[1], problem.kernels.shape[1]
    o, t = OUT_LETTERS[:dims], TAP_LETTERS[dims]
    taps = (f"    for u in range({g.kernel_size[0]}):" if dims == 1
            else f"    for {', '.join(t)} in np.ndindex{tuple(g.kernel_size)}:")
    where = ", ".join(axis_slice(u, a.dilation, (a.size - 1) * a.stride + 1, a.stride) for u, a in zip(t, g.axes))
    if G == 1:
        return [
            f"    full = np.zeros((x.shape[0], {Kg}, {', '.join(map(str, full))}))",
            taps,
            f'        full[:, :, {where}] += np.einsum("nc{o},ck->nk{o}", x, w[:, :, {", ".join(t)}])',
            f"    return full{finish}",
        ]
    return [
        "    N = x.shape[0]",
        f"    x = x.reshape(N, {G}, {C // G}, *x.shape[2:])  # (N, groups, C/groups, input size)",
        f"    w = w.reshape({G}, {C // G}, *w.shape[1:])  # (groups, C/groups, K/groups, kernel size)",
        f"    full = np.zeros((N, {G}, {Kg}, {', '.join(map(str, full))}))",
        taps,
        f'        full[:, :, :, {where}] += np.einsum("ngc{o},gck->ngk{o}", x, w[..., {", ".join(t)}])',
        f"    return full.reshape(N, {G * Kg}, *full.shape[3:]){finish}",
    ]


def _main(problem: Problem, name: str) -> list[str]:
    """Channels first in, flip, both versions, the check that they agree, and the one printed line."""
    lines = ["", "", 'if __name__ == "__main__":']
    nhwc = problem.layout == "NHWC"
    args = "images"
    if nhwc:
        lines.append("    x = images.transpose(0, 3, 1, 2)  # NHWC -> channels first, as the loops index")
        args = "x"
    if problem.kernels is not None:
        kernels = "kernels"
        if nhwc:
            lines.append("    w = kernels.transpose(0, 3, 1, 2)  # kernel size last, as the loops index")
            kernels = "w"
        if problem.flip:
            flipped = ", ".join([":", ":"] + ["::-1"] * problem.dims)
            lines.append(f"    w = {kernels}[{flipped}]  # flip: rotate every kernel 180 degrees (a true convolution)")
            kernels = "w"
        args += ", " + kernels
    if problem.bias is not None:
        args += ", bias"
    lines += [
        f"    out = {name}_loop({args})",
        f'    assert np.allclose(out, {name}_vectorized({args})), "the loop and the vectorized version disagree"',
    ]
    if nhwc:
        lines.append("    out = out.transpose(0, 2, 3, 1)  # back to channels last")
    lines.append(f"    print(json.dumps(out.tolist()))  # {axes(problem)['output']}")
    return lines
