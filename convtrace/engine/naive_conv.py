"""The naive loops of convolution with groups, in 1, 2 and 3 spatial dimensions.

The same loop as engine/naive.py's `trace`, one level of nesting per spatial
axis, with one change for groups: output channel k belongs to group
g = k // (K/G) and reads only that group's input channels
g*C/G .. (g+1)*C/G - 1 (groups = C is depthwise: one channel each).
"""

from __future__ import annotations

from collections.abc import Iterator


from ..source.problem import Problem
from .layer_step import LayerStep, frozen, input_mask


def _group_slice(k: int, problem: Problem) -> tuple[int, int]:
    """[start, stop) of the input channels output channel k reads."""
    per_group_in = problem.images.shape[1] // problem.groups
    per_group_out = problem.kernels.shape[0] // problem.groups
    g = k // per_group_out
    return g * per_group_in, (g + 1) * per_group_in


def _step(step, n, k, position, corner, patch, kernel, bias, channels, real) -> LayerStep:
    products = frozen(patch * kernel)
    partials = frozen(products.reshape(products.shape[0], -1).sum(axis=1))
    value = float(partials.sum() + bias)
    group = channels[0] // len(patch)  # the channel slice is the group's: [g*C/G, (g+1)*C/G)
    return LayerStep(step, n, k, position, corner, patch, kernel, products, partials, float(bias), value,
                     channels, "conv", real, group=group)


def conv1d_steps(problem: Problem) -> Iterator[LayerStep]:
    """(N, C, L) x (K, C/G, k) -> N*K*L' steps, the values of (N, K, L')."""
    x_pad = problem.padded_images()  # (N, C, L + left + right)
    real = input_mask(problem.images.shape[2:], problem.geometry.padding)  # (L + left + right,)
    w, bias = problem.applied_kernels, problem.bias_or_zeros
    N, K = x_pad.shape[0], w.shape[0]
    (L_out,), (s,), (d,) = problem.geometry.out_size, problem.geometry.stride, problem.geometry.dilation
    span = problem.geometry.axes[0].span
    step = 0
    for n in range(N):
        for k in range(K):
            c0, c1 = _group_slice(k, problem)
            for i in range(L_out):
                left = i * s
                patch = x_pad[n, c0:c1, left : left + span : d]
                yield _step(step, n, k, (i,), (left,), patch, w[k], bias[k], (c0, c1), real[left : left + span : d])
                step += 1


def conv2d_steps(problem: Problem) -> Iterator[LayerStep]:
    """(N, C, H, W) x (K, C/G, kh, kw) -> N*K*H'*W' steps, the values of (N, K, H', W')."""
    x_pad = problem.padded_images()
    real = input_mask(problem.images.shape[2:], problem.geometry.padding)  # False on the padding
    w, bias = problem.applied_kernels, problem.bias_or_zeros
    N, K = x_pad.shape[0], w.shape[0]
    (H_out, W_out), (sh, sw), (dh, dw) = problem.geometry.out_size, problem.geometry.stride, problem.geometry.dilation
    span_h, span_w = problem.geometry.rows.span, problem.geometry.cols.span
    step = 0
    for n in range(N):
        for k in range(K):
            c0, c1 = _group_slice(k, problem)  # only this group's channels
            for row in range(H_out):
                for col in range(W_out):
                    top, left = row * sh, col * sw
                    patch = x_pad[n, c0:c1, top : top + span_h : dh, left : left + span_w : dw]
                    taps = real[top : top + span_h : dh, left : left + span_w : dw]
                    yield _step(step, n, k, (row, col), (top, left), patch, w[k], bias[k], (c0, c1), taps)
                    step += 1


def conv3d_steps(problem: Problem) -> Iterator[LayerStep]:
    """(N, C, D, H, W) x (K, C/G, kd, kh, kw) -> N*K*D'*H'*W' steps, the values of (N, K, D', H', W')."""
    x_pad = problem.padded_images()
    real = input_mask(problem.images.shape[2:], problem.geometry.padding)  # False on the padding
    w, bias = problem.applied_kernels, problem.bias_or_zeros
    N, K = x_pad.shape[0], w.shape[0]
    (D_out, H_out, W_out) = problem.geometry.out_size
    (sd, sh, sw), (dd, dh, dw) = problem.geometry.stride, problem.geometry.dilation
    span_d, span_h, span_w = (a.span for a in problem.geometry.axes)
    step = 0
    for n in range(N):
        for k in range(K):
            c0, c1 = _group_slice(k, problem)
            for depth in range(D_out):
                for row in range(H_out):
                    for col in range(W_out):
                        front, top, left = depth * sd, row * sh, col * sw
                        patch = x_pad[n, c0:c1, front : front + span_d : dd, top : top + span_h : dh,
                                      left : left + span_w : dw]
                        taps = real[front : front + span_d : dd, top : top + span_h : dh, left : left + span_w : dw]
                        yield _step(step, n, k, (depth, row, col), (front, top, left), patch, w[k], bias[k],
                                    (c0, c1), taps)
                        step += 1


def conv_steps(problem: Problem) -> Iterator[LayerStep]:
    """The loop for the problem's number of spatial axes."""
    return {1: conv1d_steps, 2: conv2d_steps, 3: conv3d_steps}[problem.dims](problem)
