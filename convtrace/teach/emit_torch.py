"""A Problem -> a PyTorch script: one `torch.nn.functional` call (conv2d, conv1d, max_pool3d, ...) with its own argument names.

Float64 throughout, so the numbers match convtrace's. What conv2d cannot say
itself is done around the call, each with a comment saying why: channels-last
arrays are permuted to channels-first and back, `flip` is `torch.flip`, and
padding that is not the same on both sides of an axis (TensorFlow's 'same' at
stride 2, an even kernel's 'same', explicit per-side padding) is `F.pad`.
"""

from __future__ import annotations

from ..source.problem import Problem
from .emit_text import axes, header, images_in_layout, kernels_in_layout, literal, padding_words, row_axes, shape_text


FUNCTIONS = {"conv": "conv{}d", "conv_transpose": "conv_transpose{}d", "max_pool": "max_pool{}d",
             "avg_pool": "avg_pool{}d"}
# F.pad's order: the last axis first, (before, after) for each
PAD_ORDER = {1: "(left, right)", 2: "(left, right, top, bottom)", 3: "(left, right, top, bottom, front, back)"}


def torch_script(problem: Problem, command: str) -> str:
    """The PyTorch script for any layer, as text."""
    names = axes(problem)
    function = FUNCTIONS[problem.layer].format(problem.dims)
    lines = header(problem, f"{function} with torch.nn.functional, in float64.", command,
                   "Needs PyTorch (pip install torch); run: python this_file.py")
    lines += ["", "import json", "", "import torch", "import torch.nn.functional as F", ""]
    lines += _tensors(problem, names)
    x, w = "images", "kernels"
    if problem.layout == "NHWC":
        lines += ["", "# PyTorch computes channels-first: permute NHWC to NCHW, and back at the end",
                  f"x = images.permute(0, 3, 1, 2)  # {names['images']} -> channels first"]
        x = "x"
        if problem.kernels is not None:
            lines.append(f"w = kernels.permute(0, 3, 1, 2)  # {names['kernels']} -> kernel size last")
            w = "w"
    if problem.flip:
        lines += ["",
                  f"# flip: a true convolution rotates each kernel 180 degrees; F.{function} itself cross-correlates",
                  f"w = torch.flip({w}, dims={tuple(range(2, 2 + problem.dims))})"]
        w = "w"
    call = {"conv": _conv_call, "conv_transpose": _transposed_call, "max_pool": _max_pool_call,
            "avg_pool": _avg_pool_call}[problem.layer]
    lines += ["", *call(problem, function, x, w)]
    if problem.layout == "NHWC":
        lines.append(f"out = out.permute(0, 2, 3, 1)  # back to {names['output']}")
    lines.append(f"print(json.dumps(out.tolist()))  # {names['output']}")
    return "\n".join(lines) + "\n"


def _bias(problem: Problem) -> str:
    return "bias" if problem.bias is not None else "None"


def _conv_call(problem: Problem, function: str, x: str, w: str) -> list[str]:
    g = problem.geometry
    padding_lines, padding_arg, x = _padding(problem, function, x)
    return [*padding_lines,
            f"out = F.{function}({x}, {w}, {_bias(problem)}, stride={g.stride}, padding={padding_arg}, "
            f"dilation={g.dilation}, groups={problem.groups})"]


def _transposed_call(problem: Problem, function: str, x: str, w: str) -> list[str]:
    g = problem.geometry
    crop = tuple(before for before, _ in g.padding)
    return ["# padding= crops that many cells from both ends of every output axis; output_padding= adds "
            "cells at the end",
            f"out = F.{function}({x}, {w}, {_bias(problem)}, stride={g.stride}, padding={crop}, "
            f"output_padding={g.output_padding}, groups={problem.groups}, dilation={g.dilation})"]


def _max_pool_call(problem: Problem, function: str, x: str, w: str) -> list[str]:
    g = problem.geometry
    pad = tuple(before for before, _ in g.padding)
    return ["# the padding is -inf for max pooling: it never wins",
            f"out = F.{function}({x}, kernel_size={g.kernel_size}, stride={g.stride}, padding={pad}, "
            f"dilation={g.dilation}, ceil_mode={problem.ceil_mode})"]


def _avg_pool_call(problem: Problem, function: str, x: str, w: str) -> list[str]:
    g = problem.geometry
    pad = tuple(before for before, _ in g.padding)
    return [f"out = F.{function}({x}, kernel_size={g.kernel_size}, stride={g.stride}, padding={pad}, "
            f"ceil_mode={problem.ceil_mode}, count_include_pad={problem.count_include_pad})"]


def _tensors(problem: Problem, names: dict) -> list[str]:
    images = images_in_layout(problem)
    start_x, start_w = "images = torch.tensor(", "kernels = torch.tensor("
    lines = [
        f"# images {names['images']} = {shape_text(images.shape)}",
        start_x + literal(images, len(start_x), row_axes(problem)) + ", dtype=torch.float64)",
    ]
    if problem.kernels is not None:
        kernels = kernels_in_layout(problem)
        lines += [
            f"# kernels {names['kernels']} = {shape_text(kernels.shape)}, as written",
            start_w + literal(kernels, len(start_w), row_axes(problem)) + ", dtype=torch.float64)",
        ]
    if problem.bias is not None:
        lines.append(f"bias = torch.tensor({literal(problem.bias)}, dtype=torch.float64)  # (K,)")
    return lines


def _padding(problem: Problem, function: str, x: str) -> tuple[list[str], str, str]:
    """(comment and F.pad lines for just above the call, the padding= argument, the input's name).

    F.convNd's padding= puts as many zeros before as after on each axis (or names
    "valid" / "same", the latter at stride 1 only); anything else needs F.pad first.
    """
    g = problem.geometry
    befores = tuple(before for before, _ in g.padding)
    stride_1 = set(g.stride) == {1}
    why = [f"# {padding_words(problem)}"] if g.mode != "explicit" else []
    if g.mode == "valid":
        return why, '"valid"', x
    if all(before == after for before, after in g.padding):
        if g.mode == "same" and stride_1:
            return why, '"same"', x
        if g.mode == "same":
            why.append("# PyTorch's padding=\"same\" works at stride 1 only; here the rule's zeros are equal on both "
                       "sides, so padding= holds them")
        elif g.mode == "full":
            why.append("# PyTorch has no name for 'full', so the zeros are given")
        return why, str(befores), x
    if g.mode == "same" and stride_1:
        why += [f"# F.{function}'s padding= puts as many zeros before as after, but an even kernel needs one more after",
                '# (padding="same" would do that too, but warns that it makes a padded copy anyway)']
    elif g.mode == "same":
        why += [f"# F.{function}'s padding= puts as many zeros before as after, and this needs more after;",
                f'# padding="same" works at stride 1 only, and the stride here is {g.stride}']
    elif g.mode == "causal":
        why.append(f"# F.{function}'s padding= puts as many zeros before as after, so the left-only zeros come first")
    else:
        why.append(f"# F.{function}'s padding= puts as many zeros before as after; this padding differs, so pad first")
    order = [number for before, after in reversed(g.padding) for number in (before, after)]
    return why + [
        f"# F.pad lists the last axis first: {PAD_ORDER[problem.dims]}",
        f"x = F.pad({x}, {tuple(order)})",
    ], "0", "x"
