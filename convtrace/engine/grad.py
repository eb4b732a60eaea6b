"""The backward pass, vectorized: dL/dimages, dL/dkernels and dL/dbias for L = sum(out * g).

`g` is the gradient arriving at the output (`grad_output`, all ones by
default). Every output value is a sum of products

    out[n, k, i, j] = bias[k] + sum over c, u, v of x_pad[n, c, i*s + u*d, j*s + v*d] * w[k, c, u, v]

so each product hands `g[n, k, i, j] * w[k, c, u, v]` back to the input cell it
read and `g[n, k, i, j] * x_pad[...]` back to the weight it used. This module
does that bookkeeping with whole arrays, by a route different from the traced
one (`grad_trace`): the input gradient is scattered back through the same
window view the forward pass reads through, one strided add per kernel tap.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..errors import DataError
from .fast import conv2d_nchw, prepare_arrays
from ..source.geometry import Geometry
from ..source.problem import Problem


@dataclass(frozen=True)
class Gradients:
    """The result of the backward pass, all NCHW. Arrays are read-only.

    output:      (N, K, H', W')  the forward result
    grad_output: (N, K, H', W')  g = dL/dout, as given or all ones
    images:      (N, C, H, W)    dL/dimages
    kernels:     (K, C, kh, kw)  dL/dkernels, for the kernels as written (rotated back when flip)
    bias:        (K,) or None    dL/dbias, only when the problem has a bias
    """

    output: np.ndarray
    grad_output: np.ndarray
    images: np.ndarray
    kernels: np.ndarray
    bias: np.ndarray | None


def grad_output_of(problem: Problem) -> np.ndarray:
    """(N, K, H', W'): the problem's grad_output, or all ones when the document gives none."""
    if problem.grad_output is not None:
        return problem.grad_output
    ones = np.ones(problem.output_shape)
    ones.setflags(write=False)
    return ones


def grads_nchw(
    images: np.ndarray,
    kernels: np.ndarray,
    grad_output: np.ndarray,
    geometry: Geometry,
    flip: bool = False,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(N, C, H, W), (K, C, kh, kw), g (N, K, H', W') -> dL/dx (N, C, H, W), dL/dw (K, C, kh, kw), dL/db (K,).

    Computed in the inputs' dtype (float32 stays float32).
    """
    g = grad_output
    (top, bottom), (left, right) = geometry.padding
    (sh, sw), (dh, dw) = geometry.stride, geometry.dilation
    h_out, w_out = geometry.out_size
    h, w = geometry.input_size
    kh, kw = geometry.kernel_size
    x_pad = np.pad(images, ((0, 0), (0, 0), (top, bottom), (left, right)))
    applied = kernels[:, :, ::-1, ::-1] if flip else kernels  # what the forward window multiplied by

    # One kernel tap (u, v) at a time: the cells it touched in x_pad form a strided grid
    # x_pad[:, :, u*d : ... : s, v*d : ... : s] of shape (N, C, H', W'), so each tap is
    # one matrix product per gradient, and nothing of size N*H'*W'*C*kh*kw is ever built.
    gx_pad = np.zeros_like(x_pad, dtype=np.result_type(x_pad, applied, g))
    grad_applied = np.zeros(applied.shape, dtype=gx_pad.dtype)
    for u in range(kh):
        for v in range(kw):
            rows = slice(u * dh, u * dh + (h_out - 1) * sh + 1, sh)
            cols = slice(v * dw, v * dw + (w_out - 1) * sw + 1, sw)
            # dL/dx_pad: g[n,k,i,j] * w[k,c,u,v] goes back to x_pad[n, c, i*s + u*d, j*s + v*d]
            back = np.tensordot(g, applied[:, :, u, v], axes=([1], [0]))  # (N, H', W', C), summed over k
            gx_pad[:, :, rows, cols] += back.transpose(0, 3, 1, 2)
            # dL/dw[k,c,u,v] = sum over n, i, j of g[n,k,i,j] * x_pad[n, c, i*s + u*d, j*s + v*d]
            grad_applied[:, :, u, v] = np.tensordot(g, x_pad[:, :, rows, cols], axes=([0, 2, 3], [0, 2, 3]))
    grad_images = gx_pad[:, :, top : top + h, left : left + w]
    # with flip the forward used rot180(w): rotate the gradient back to the kernels as written
    grad_kernels = grad_applied[:, :, ::-1, ::-1] if flip else grad_applied

    grad_bias = g.sum(axis=(0, 2, 3))  # every output of kernel k added bias[k] once
    return np.ascontiguousarray(grad_images), np.ascontiguousarray(grad_kernels), grad_bias


def gradients(problem: Problem) -> Gradients:
    """The Problem's forward output and its three gradients (NCHW), vectorized."""
    g = grad_output_of(problem)
    gx, gw, gb = grads_nchw(problem.images, problem.kernels, g, problem.geometry, problem.flip)
    output = conv2d_nchw(problem.images, problem.kernels, problem.bias, problem.geometry, problem.flip)
    arrays = [output, gx, gw, gb]
    for array in arrays:
        array.setflags(write=False)
    return Gradients(output, g, gx, gw, gb if problem.bias is not None else None)


def conv2d_grad(
    images,
    kernels,
    grad_output=None,
    *,
    stride=1,
    padding=0,
    dilation=1,
    flip: bool = False,
    layout: str = "NCHW",
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The gradients of `convtrace.conv2d` for L = sum(out * grad_output) (all ones when None).

    NCHW: images (N, C, H, W), kernels (K, C, kh, kw), grad_output (N, K, H', W')
    -> (dL/dimages (N, C, H, W), dL/dkernels (K, C, kh, kw), dL/dbias (K,)).
    NHWC: (N, H, W, C), (K, kh, kw, C), (N, H', W', K) -> the same, in NHWC.
    """
    x, w, geometry = prepare_arrays(images, kernels, stride, padding, dilation, layout, "conv2d_grad")
    dtype = x.dtype
    out_shape = (x.shape[0], w.shape[0], *geometry.out_size)  # NCHW
    if grad_output is None:
        g = np.ones(out_shape, dtype=dtype)
    else:
        g = np.asarray(grad_output).astype(dtype, copy=False)
        n, k, h_out, w_out = out_shape
        expected = (n, h_out, w_out, k) if layout == "NHWC" else out_shape
        if g.shape != expected:
            raise DataError(f"grad_output has shape {g.shape} but the output is {expected} ({layout}); shape it like the output")
        g = g.transpose(0, 3, 1, 2) if layout == "NHWC" else g
    gx, gw, gb = grads_nchw(x, w, g, geometry, flip)
    if layout == "NHWC":
        gx, gw = gx.transpose(0, 2, 3, 1), gw.transpose(0, 2, 3, 1)
    return gx, gw, gb
