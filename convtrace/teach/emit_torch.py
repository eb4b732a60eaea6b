"""A Problem -> a PyTorch script: one `torch.nn.functional.conv2d` call with PyTorch's own argument names.

Float64 throughout, so the numbers match convtrace's. What conv2d cannot say
itself is done around the call, each with a comment saying why: channels-last
arrays are permuted to channels-first and back, `flip` is `torch.flip`, and
padding that is not the same on both sides of an axis (TensorFlow's 'same' at
stride 2, an even kernel's 'same', explicit per-side padding) is `F.pad`.
"""

from __future__ import annotations

from ..source.problem import Problem
from .emit import axes, header, images_in_layout, kernels_in_layout, literal, padding_words, row_axes, shape_text


def torch_script(problem: Problem, command: str) -> str:
    """The PyTorch script for a 2-D convolution problem, as text."""
    names = axes(problem)
    lines = header(problem, "A 2-D convolution with torch.nn.functional, in float64.", command,
                   "Needs PyTorch (pip install torch); run: python this_file.py")
    lines += ["", "import json", "", "import torch", "import torch.nn.functional as F", ""]
    lines += _tensors(problem, names)
    x, w = "images", "kernels"
    if problem.layout == "NHWC":
        lines += [
            "",
            "# PyTorch computes channels-first: permute NHWC to NCHW, and back at the end",
            "x = images.permute(0, 3, 1, 2)  # (N, H, W, C) -> (N, C, H, W)",
            "w = kernels.permute(0, 3, 1, 2)  # (K, kh, kw, C) -> (K, C, kh, kw)",
        ]
        x, w = "x", "w"
    if problem.flip:
        lines += [
            "",
            "# flip: a true convolution rotates each kernel 180 degrees; F.conv2d itself cross-correlates",
            f"w = torch.flip({w}, dims=(2, 3))",
        ]
        w = "w"
    padding_lines, padding_arg, x = _padding(problem, x)
    g = problem.geometry
    groups = getattr(problem, "groups", 1)
    bias = "bias" if problem.bias is not None else "None"
    lines += [
        "",
        *padding_lines,
        f"out = F.conv2d({x}, {w}, {bias}, stride={g.stride}, padding={padding_arg}, "
        f"dilation={g.dilation}, groups={groups})",
    ]
    if problem.layout == "NHWC":
        lines.append("out = out.permute(0, 2, 3, 1)  # (N, K, H', W') -> (N, H', W', K)")
    lines.append(f"print(json.dumps(out.tolist()))  # {names['output']}")
    return "\n".join(lines) + "\n"


def _tensors(problem: Problem, names: dict) -> list[str]:
    images, kernels = images_in_layout(problem), kernels_in_layout(problem)
    start_x, start_w = "images = torch.tensor(", "kernels = torch.tensor("
    lines = [
        f"# images {names['images']} = {shape_text(images.shape)}",
        start_x + literal(images, len(start_x), row_axes(problem)) + ", dtype=torch.float64)",
        f"# kernels {names['kernels']} = {shape_text(kernels.shape)}, as written",
        start_w + literal(kernels, len(start_w), row_axes(problem)) + ", dtype=torch.float64)",
    ]
    if problem.bias is not None:
        lines.append(f"bias = torch.tensor({literal(problem.bias)}, dtype=torch.float64)  # (K,)")
    return lines


def _padding(problem: Problem, x: str) -> tuple[list[str], str, str]:
    """(comment and F.pad lines for just above the call, the padding= argument, the input's name).

    F.conv2d's padding= puts as many zeros before as after on each axis (or names
    "valid" / "same", the latter at stride 1 only); anything else needs F.pad first.
    """
    g = problem.geometry
    (top, bottom), (left, right) = g.padding
    why = [f"# {padding_words(problem)}"] if g.mode != "explicit" else []
    if g.mode == "valid":
        return why, '"valid"', x
    if top == bottom and left == right:
        if g.mode == "same" and g.stride == (1, 1):
            return why, '"same"', x
        if g.mode == "same":
            why.append("# PyTorch's padding=\"same\" works at stride 1 only; here the rule's zeros are equal on both "
                       "sides, so padding= holds them")
        elif g.mode == "full":
            why.append("# PyTorch has no name for 'full', so the zeros are given")
        return why, f"({top}, {left})", x
    if g.mode == "same" and g.stride == (1, 1):
        why += ["# F.conv2d's padding= puts as many zeros before as after, but an even kernel needs one more after",
                '# (padding="same" would do that too, but warns that it makes a padded copy anyway)']
    elif g.mode == "same":
        why += ["# F.conv2d's padding= puts as many zeros before as after, and this needs more after;",
                f'# padding="same" works at stride 1 only, and the stride here is {g.stride}']
    else:
        why.append("# F.conv2d's padding= puts as many zeros before as after; this padding differs, so pad first")
    return why + [
        "# F.pad lists the last axis first: (left, right, top, bottom)",
        f"x = F.pad({x}, ({left}, {right}, {top}, {bottom}))",
    ], "0", "x"
