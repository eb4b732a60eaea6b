"""What each gradient is, in words with the problem's numbers: shown after `convtrace grad`'s trace."""

from __future__ import annotations

from dataclasses import dataclass

from ..source.problem import Problem


@dataclass(frozen=True)
class Explanation:
    """What one gradient is, in words with this problem's numbers: shown after its trace."""

    grad: str  # "images", "kernels" or "bias"
    title: str
    lines: tuple[str, ...]


def explain(problem: Problem) -> tuple[Explanation, ...]:
    """Which forward mode and rotation each gradient is, and the index derivation behind the rotation."""
    parts = [_explain_images(problem), _explain_kernels(problem)]
    if problem.bias is not None:
        n, k, h_out, w_out = problem.output_shape
        parts.append(Explanation("bias", "dL/dbias = the sum of g over n, row and col", (
            f"bias[k] is added once to each of the N*H'*W' = {n}*{h_out}*{w_out} = {n * h_out * w_out} outputs "
            "of kernel k, so each of them hands back its g: no window, no rotation.",
        )))
    return tuple(parts)


def _explain_images(problem: Problem) -> Explanation:
    geo = problem.geometry
    rows, cols = geo.rows, geo.cols
    (sh, sw), (dh, dw) = geo.stride, geo.dilation
    h_out, w_out = geo.out_size
    hs, ws = (h_out - 1) * sh + 1, (w_out - 1) * sw + 1
    eh, ew = rows.span, cols.span
    full_h, full_w = hs + eh - 1, ws + ew - 1
    hp, wp = geo.padded_size
    (top, _), (left, _) = geo.padding
    h, w = geo.input_size
    lines = [
        f"eh = dh*(kh-1) + 1 = {dh}*({rows.kernel}-1) + 1 = {eh} and ew = dw*(kw-1) + 1 = {dw}*({cols.kernel}-1) + 1 "
        f"= {ew}: the height and width of the dilated kernel w'.",
        f"mode: 'full' (g' padded with eh-1 = {eh - 1} rows and ew-1 = {ew - 1} columns of zeros on every side), "
        "stride 1, dilation 1: the stride and dilation already sit inside g' and w'.",
        "rotation: 180 degrees: the window multiplies g' by w' read backwards; "
        "equivalently a true convolution of g' with w' as it stands.",
    ]
    if problem.flip:
        lines.append(
            "flip is on: the forward pass applied w_rot = rot180(w), and rotating that again gives w back, "
            "so here the window slides your kernels as written (spread by the dilation)."
        )
    lines += [
        "the K kernels play the part the channels play in the forward pass: one partial per kernel, "
        "summed; every image channel c gets its own plane.",
        f"why rotated (rows; columns alike), here s = {sh}, d = {dh}:",
        "  forward:  out[i] = ... + x_pad[i*s + u*d] * w[u] + ...",
        "  so x_pad[r] meets tap u in output i exactly when i*s + u*d = r, and",
        "  dL/dx_pad[r] = sum over those (i, u) of g[i] * w[u].",
        "  spread both: g'[i*s] = g[i] (s-1 zeros between), w'[u*d] = w[u] (d-1 zeros between); with p = i*s:",
        "  dL/dx_pad[r] = sum over p of g'[p] * w'[r - p]",
        "  as p, the position in g', goes up, the kernel index r - p goes down: w' is read backwards (rotated 180).",
        "  put t = p - r + (eh-1): dL/dx_pad[r] = sum over t of g'_pad[r + t] * rot180(w')[t],",
        f"  where g'_pad is g' with eh-1 = {eh - 1} zeros each side: the forward window walk in 'full' mode.",
        f"sizes: g {h_out}x{w_out} -> g' {hs}x{ws} -> padded {hs + 2 * (eh - 1)}x{ws + 2 * (ew - 1)}; "
        f"the full walk fills {full_h}x{full_w} cells of dL/dx_pad ({hp}x{wp}).",
    ]
    if rows.dropped or cols.dropped:
        lines.append(
            f"the floor dropped {rows.dropped} row(s) and {cols.dropped} column(s) at the bottom/right: no window "
            "read them, so their gradient is 0."
        )
    lines.append(
        f"crop: rows {top}..{top + h - 1}, columns {left}..{left + w - 1} of dL/dx_pad are dL/dimages ({h}x{w}); "
        "the rest is padding, which is not an input."
    )
    return Explanation(
        "images",
        "dL/dimages = the forward window walk in 'full' mode of g' against w' rotated 180 degrees, summed over kernels",
        tuple(lines),
    )


def _explain_kernels(problem: Problem) -> Explanation:
    geo = problem.geometry
    (sh, sw), (dh, dw) = geo.stride, geo.dilation
    kh, kw = geo.kernel_size
    lines = [
        f"mode: 'valid' over x_pad with g[n, k] as the kernel, stride and dilation swapped: "
        f"stride ({dh}, {dw}) (the forward dilation), dilation ({sh}, {sw}) (the forward stride); "
        f"the first {kh}x{kw} results, one per tap.",
        "equivalently a valid cross-correlation of x_pad with g' (g with s-1 zeros inserted), "
        "read at every d-th offset (u*d, v*d).",
        "rotation: none: dL/dw[u] = sum over i of g[i] * x_pad[i*s + u*d]; "
        "i and the x_pad index go up together, so g is read forwards.",
        "the N images play the part the channels play in the forward pass: one partial per image, summed.",
    ]
    if problem.flip:
        lines.append(
            "flip is on: the forward pass applied w_rot = rot180(w), so the walk gives dL/dw_rot; "
            f"rotating it back gives dL/dw: dL/dw[u, v] = dL/dw_rot[{kh - 1} - u, {kw - 1} - v]."
        )
    return Explanation(
        "kernels",
        "dL/dkernels = the forward window walk in 'valid' mode over x_pad, with g as the kernel, summed over the batch",
        tuple(lines),
    )
