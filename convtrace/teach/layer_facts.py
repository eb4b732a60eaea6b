"""Lesson facts about the other layers: groups, transposed convolution, pooling (and 1-D, 3-D).

convtrace.teach.facts works out plain 2-D convolution; a document with
`groups`, `transposed`, `pool` or `dims` comes here instead. The names are the
same where they mean the same (`out`, `output_shape`, `grad_images`, ...), plus
the layer's own settings:

    output_padding = [1, 1]      transposed: cells added at the end of each axis
    pool_size = [2, 2]           pooling: the window
    ceil_mode = true             pooling: the window count rounded up
    groups = 2                   convolutions: channel groups

Values come from the vectorized layer engine; gradients by finite differences
of that forward pass (no backward-pass code), as for plain convolution.
"""

from __future__ import annotations

import numpy as np

from ..errors import DataError

# names only these layers have, with what they mean (added to facts.NAMES)
LAYER_NAMES = {
    "output_padding": "transposed convolution: [oh, ow], cells added at the end of each output axis",
    "pool_size": "pooling: the window, one number per spatial axis",
    "ceil_mode": "pooling: true when the window count is rounded up",
    "groups": "convolutions: how many channel groups",
}
# finite-difference step: small against the gaps between the small whole numbers lessons use,
# so a nudge never changes which cell is a window's maximum (and 1/4 is exact in binary)
STEP = 0.25


def layer_value(problem, name: str):
    """The engine's value for fact `name` about a layer problem (whole arrays for indexed names)."""
    p, g = problem, problem.geometry
    simple = {
        "input_shape": lambda: p.shape_in_layout(p.input_shape),
        "kernel_shape": lambda: _kernel_shape(p),
        "output_shape": lambda: p.shape_in_layout(p.output_shape),
        "padding": lambda: [list(side) for side in g.padding],
        "stride": lambda: list(g.stride),
        "dilation": lambda: list(g.dilation),
        "padded_size": lambda: list(g.padded_size),
        "span": lambda: [axis.span for axis in g.axes],
        "steps": lambda: p.steps,
        "layout": lambda: p.layout,
        "mode": lambda: g.mode,
        "flip": lambda: p.flip,
        "output_padding": lambda: list(g.output_padding),
        "pool_size": lambda: _pool_setting(p, list(p.pool_size or ())),
        "ceil_mode": lambda: _pool_setting(p, p.ceil_mode),
        "groups": lambda: _conv_setting(p, p.groups),
        "weights": lambda: int(np.prod(_kernel_shape(p))),
        "parameters": lambda: int(np.prod(_kernel_shape(p))) + (0 if p.bias is None else int(p.bias.size)),
        "dropped_rows": lambda: g.axes[-2].dropped,
        "dropped_cols": lambda: g.axes[-1].dropped,
        "rows_formula": lambda: g.axes[-2].out_formula(),
        "cols_formula": lambda: g.axes[-1].out_formula(),
    }
    if name in simple:
        return simple[name]()
    if name == "out":
        from ..engine.dispatch import layer_output

        return p.to_layout(layer_output(p))
    if name in ("images", "kernels"):
        if name == "kernels":
            _kernel_shape(p)
        return p.to_layout(np.asarray(getattr(p, name)))
    if name == "bias":
        if p.bias is None:
            raise DataError("the document has no bias")
        return p.bias
    if name in ("grad_images", "grad_kernels", "grad_bias"):
        gx, gw, gb = finite_difference_layer_gradients(p)
        if name == "grad_images":
            return p.to_layout(gx)
        if gw is None:
            raise DataError(f"{p.layer.replace('_', ' ')} has no kernels, so there is no {name}")
        if name == "grad_bias" and p.bias is None:
            raise DataError("the document has no bias, so there is no grad_bias")
        return p.to_layout(gw) if name == "grad_kernels" else gb
    raise DataError(f"{name} is a fact about plain 2-D convolution only; this document is a {_described(p)}")


def finite_difference_layer_gradients(problem):
    """dL/dimages, dL/dkernels (None for pools), dL/dbias (None without bias) for L = sum(out * grad_output).

    Central differences of the layer's forward pass, one element at a time.
    """
    from dataclasses import replace

    from ..engine.dispatch import layer_output

    p = problem
    g_out = np.asarray(p.grad_output) if p.grad_output is not None else np.ones(p.output_shape)

    def loss(**changed) -> float:
        return float((layer_output(replace(p, **changed)) * g_out).sum())

    def gradient(name: str) -> np.ndarray:
        array = np.asarray(getattr(p, name), dtype=float)
        grad = np.zeros(array.shape)
        for index in np.ndindex(array.shape):
            up, down = array.copy(), array.copy()
            up[index] += STEP
            down[index] -= STEP
            grad[index] = (loss(**{name: up}) - loss(**{name: down})) / (2 * STEP)
        return grad

    kernels = gradient("kernels") if p.kernels is not None else None
    bias = gradient("bias") if p.bias is not None else None
    return gradient("images"), kernels, bias


def _kernel_shape(p):
    if p.kernel_shape is None:
        raise DataError(f"a {_described(p)} has no kernels (pool_size is its window)")
    return p.shape_in_layout(p.kernel_shape)


def _pool_setting(p, value):
    if not p.layer.endswith("_pool"):
        raise DataError(f"only pooling has this setting; this document is a {_described(p)}")
    return value


def _conv_setting(p, value):
    if p.layer.endswith("_pool"):
        raise DataError(f"pooling has no groups; this document is a {_described(p)}")
    return value


def _described(p) -> str:
    names = {"conv": "convolution", "conv_transpose": "transposed convolution",
             "max_pool": "max pooling", "avg_pool": "average pooling"}
    return f"{p.dims}-D {names[p.layer]}" + (f" with groups = {p.groups}" if p.groups != 1 else "")
