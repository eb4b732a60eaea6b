"""The batteries of the other layers: depthwise, transposed convolution, max pooling, 1-D convolution.

Each case isolates one idea, with the same fixed-walk integers as the conv2d
battery (`cases.pattern`). The learner's function is called the way
`torch.nn.functional` is: f(x, weight, bias=None, stride=..., ...) for the
convolutions, f(x, kernel_size, stride=None, padding=0, ...) for pooling.
The expected output comes from the vectorized layers (`engine.layer_api`);
the tests compare those with independent references.

Arrays are channels first: x (N, C, H, W) or (N, C, L).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from functools import cached_property

import numpy as np

from ..engine import layer_api
from .cases import pattern

# The keyword settings of each operation, in PyTorch's order, with what leaving one out means.
# "C" (depthwise groups): one group per input channel.
DEFAULTS = {
    "depthwise": {"bias": None, "stride": 1, "padding": 0, "dilation": 1, "groups": "C"},
    "conv_transpose2d": {"bias": None, "stride": 1, "padding": 0, "output_padding": 0, "groups": 1, "dilation": 1},
    "max_pool2d": {"stride": None, "padding": 0, "dilation": 1, "ceil_mode": False},
    "conv1d": {"bias": None, "stride": 1, "padding": 0, "dilation": 1, "groups": 1, "causal": False},
}
SECOND = {"depthwise": "weight", "conv_transpose2d": "weight", "max_pool2d": "kernel_size", "conv1d": "weight"}
SHAPES = {
    "depthwise": "x (N, C, H, W), weight (K, C/groups, kh, kw) with groups = C -> (N, K, H', W')",
    "conv_transpose2d": "x (N, C, H, W), weight (C, K, kh, kw) -> (N, K, H', W')",
    "max_pool2d": "x (N, C, H, W), kernel_size int or (kh, kw) -> (N, C, H', W')",
    "conv1d": "x (N, C, L), weight (K, C, k) -> (N, K, L')",
}


@dataclass(frozen=True)
class OpCase:
    """One call of one operation: x, the second argument (weight or kernel_size) and keyword settings."""

    op: str
    name: str
    idea: str
    x: np.ndarray
    second: np.ndarray | int | tuple[int, int]  # weight array, or kernel_size for pooling
    settings: dict = field(default_factory=dict)  # PyTorch names; absent ones take DEFAULTS[op]

    def setting(self, name: str):
        """The case's value of `name` ("C" resolved to the channel count)."""
        value = self.settings.get(name, DEFAULTS[self.op][name])
        return self.x.shape[1] if isinstance(value, str) and value == "C" else value

    def output(self, x=None, second=None, **changes) -> np.ndarray:
        """The operation computed by the vectorized layers, with any input or setting changed.

        The changes are how `op_models.py` models a wrong computation.
        """
        x = self.x if x is None else x
        second = self.second if second is None else second
        s = {name: self.setting(name) for name in DEFAULTS[self.op]}
        s.update(changes)
        if self.op == "max_pool2d":
            return layer_api.max_pool2d(x, second, s["stride"], s["padding"], s["dilation"], s["ceil_mode"])
        if self.op == "conv_transpose2d":
            return layer_api.conv_transpose2d(x, second, s["bias"], stride=s["stride"], padding=s["padding"],
                                              output_padding=s["output_padding"], groups=s["groups"],
                                              dilation=s["dilation"])
        if self.op == "depthwise":
            return layer_api.conv_nd(x, second, s["bias"], dims=2, stride=s["stride"], padding=s["padding"],
                                     dilation=s["dilation"], groups=s["groups"], caller="depthwise")
        if s["causal"]:  # conv1d: d*(k-1) zeros on the left only, so out[i] never reads x[j > i]
            x = np.pad(x, ((0, 0), (0, 0), (s["dilation"] * (second.shape[2] - 1), 0)))
        return layer_api.conv1d(x, second, s["bias"], stride=s["stride"], padding=s["padding"],
                                dilation=s["dilation"], groups=s["groups"])

    @cached_property
    def expected(self) -> np.ndarray:
        """The right answer (computed once, read-only)."""
        out = self.output()
        out.setflags(write=False)
        return out

    @cached_property
    def scale(self) -> float:
        """The largest |value| a sum of |x| * |w| reaches: what rounding errors scale with."""
        if self.op == "max_pool2d":
            return float(max(np.abs(self.x).max(), 1.0))
        bias = self.settings.get("bias")
        magnitude = self.output(np.abs(self.x), np.abs(self.second), bias=None if bias is None else np.abs(bias))
        return float(max(magnitude.max(), 1.0))

    @property
    def weight_shape(self) -> tuple:
        return tuple(self.second.shape) if isinstance(self.second, np.ndarray) else ()


def _case(op, name, idea, x, second, **settings) -> OpCase:
    return OpCase(op, name, idea, x, second, settings)


def depthwise_battery() -> list[OpCase]:
    """Depthwise: each input channel has its own kernels (groups = C); K = multiplier x C."""
    x, w, op = pattern, pattern, "depthwise"
    return [
        _case(op, "single_channel", "one channel, one 3x3 kernel", x((1, 1, 5, 5), 41), w((1, 1, 3, 3), 42)),
        _case(op, "channels", "3 channels, 3 kernels: channel c meets kernel c only",
              x((1, 3, 5, 5), 43), w((3, 1, 3, 3), 44)),
        _case(op, "multiplier_2", "2 channels, 4 kernels: kernels 0, 1 read channel 0; 2, 3 read channel 1",
              x((1, 2, 5, 5), 45), w((4, 1, 3, 3), 46)),
        _case(op, "batch", "2 images of 2 channels", x((2, 2, 5, 5), 47), w((2, 1, 3, 3), 48)),
        _case(op, "rectangular", "a 5x7 image and a 2x3 kernel", x((1, 2, 5, 7), 49), w((2, 1, 2, 3), 50)),
        _case(op, "stride_2", "stride 2", x((1, 2, 7, 7), 51), w((2, 1, 3, 3), 52), stride=2),
        _case(op, "padding_1", "padding 1: a border of zeros", x((1, 2, 4, 5), 53), w((2, 1, 3, 3), 54), padding=1),
        _case(op, "dilation_2", "dilation 2: a 3x3 kernel spans 5x5", x((1, 2, 7, 7), 55), w((2, 1, 3, 3), 56),
              dilation=2),
        _case(op, "bias", "a bias per output channel", x((1, 2, 5, 5), 57), w((4, 1, 3, 3), 58),
              bias=np.array([1.5, -2.0, 0.5, 3.0])),
        _case(op, "groups_2", "groups=2 on 4 channels: kernels (4, 2, 3, 3), each reads 2 channels",
              x((1, 4, 5, 5), 59), w((4, 2, 3, 3), 60), groups=2),
    ]


def conv_transpose2d_battery() -> list[OpCase]:
    """Transposed convolution: every input value stamps value * kernel into the output; weight (C, K, kh, kw)."""
    x, w, op = pattern, pattern, "conv_transpose2d"
    return [
        _case(op, "single_channel", "one 3x3 input, one 3x3 kernel: a 5x5 output", x((1, 1, 3, 3), 61),
              w((1, 1, 3, 3), 62)),
        _case(op, "channels_in_out", "2 input channels, 3 output channels: weight (2, 3, 3, 3)",
              x((1, 2, 3, 4), 63), w((2, 3, 3, 3), 64)),
        _case(op, "square_channels", "2 in, 2 out: weight[c, k] is not weight[k, c]", x((1, 2, 3, 3), 65),
              w((2, 2, 3, 3), 66)),
        _case(op, "batch", "2 images", x((2, 1, 3, 3), 67), w((1, 2, 2, 2), 68)),
        _case(op, "rectangular", "a 3x4 input and a 2x3 kernel", x((1, 1, 3, 4), 69), w((1, 1, 2, 3), 70)),
        _case(op, "stride_2", "stride 2: stamps 2 apart, overlapping by one", x((1, 1, 3, 3), 71),
              w((1, 1, 3, 3), 72), stride=2),
        _case(op, "padding_1", "padding 1: one row and column cropped from each side", x((1, 1, 3, 4), 73),
              w((1, 1, 3, 3), 74), padding=1),
        _case(op, "output_padding", "stride 2, output_padding 1: one more row and column at the end",
              x((1, 1, 3, 3), 75), w((1, 1, 3, 3), 76), stride=2, output_padding=1),
        _case(op, "dilation_2", "dilation 2: the stamp has gaps", x((1, 1, 3, 3), 77), w((1, 1, 2, 2), 78),
              dilation=2),
        _case(op, "bias", "a bias per output channel", x((1, 2, 3, 3), 79), w((2, 3, 2, 2), 80),
              bias=np.array([1.5, -2.0, 0.5])),
    ]


def _negative(shape, start) -> np.ndarray:
    """Values in -9..-1: a zero of padding would beat every one of them."""
    return -np.abs(pattern(shape, start)) - np.abs(pattern(shape, start + 1000))


def max_pool2d_battery() -> list[OpCase]:
    """Max pooling: each window's largest value; the padding is -inf, so it never wins."""
    x, op = pattern, "max_pool2d"
    return [
        _case(op, "window_2", "a 2x2 window; stride defaults to the window", x((1, 1, 4, 6), 81), 2),
        _case(op, "channels_batch", "2 images of 3 channels: each pooled alone", x((2, 3, 4, 4), 82), 2),
        _case(op, "stride_1", "a 3x3 window, stride 1: windows overlap", x((1, 1, 5, 6), 83), 3, stride=1),
        _case(op, "stride_2", "a 3x3 window, stride 2 on 7 columns", x((1, 1, 6, 7), 84), 3, stride=2),
        _case(op, "rectangular", "a 2x3 window: its own height and width", x((1, 1, 6, 6), 85), (2, 3)),
        _case(op, "padding_1", "padding 1 around negative values: the padding never wins",
              _negative((1, 2, 5, 5), 86), 3, stride=2, padding=1),
        _case(op, "ceil_mode", "ceil_mode on 5x5 with a 2x2 window: a last, partial window",
              x((1, 1, 5, 5), 87), 2, ceil_mode=True),
        _case(op, "ceil_padding", "ceil_mode with padding 1: a window starting in the padding is dropped",
              _negative((1, 1, 5, 5), 88), 2, padding=1, ceil_mode=True),
        _case(op, "dilation_2", "dilation 2: a 2x2 window spans 3x3", x((1, 1, 6, 6), 89), 2, stride=1, dilation=2),
    ]


def conv1d_battery() -> list[OpCase]:
    """1-D convolution: a kernel slides along L; causal pads d*(k-1) on the left only."""
    x, w, op = pattern, pattern, "conv1d"
    return [
        _case(op, "single_channel", "one signal of 8, one kernel of 3", x((1, 1, 8), 91), w((1, 1, 3), 93)),
        _case(op, "channels_kernels", "2 channels, 3 kernels", x((1, 2, 7), 93), w((3, 2, 3), 94)),
        _case(op, "batch", "2 signals", x((2, 1, 6), 95), w((2, 1, 2), 96)),
        _case(op, "stride_2", "stride 2 on 8: the floor drops the last", x((1, 1, 8), 97), w((1, 1, 3), 98), stride=2),
        _case(op, "padding_1", "padding 1: a zero at each end", x((1, 1, 6), 99), w((1, 1, 3), 100), padding=1),
        _case(op, "dilation_2", "dilation 2: a kernel of 3 spans 5", x((1, 1, 9), 101), w((1, 1, 3), 102), dilation=2),
        _case(op, "bias", "a bias per kernel", x((1, 2, 6), 103), w((2, 2, 3), 104), bias=np.array([1.5, -2.0])),
        _case(op, "causal", "causal: 2 zeros on the left, output as long as the input",
              x((1, 1, 7), 105), w((1, 1, 3), 106), causal=True),
        _case(op, "causal_dilation", "causal with dilation 2: d*(k-1) = 2 zeros on the left",
              x((1, 1, 7), 107), w((1, 1, 2), 108), causal=True, dilation=2),
    ]


OP_BATTERIES = {
    "depthwise": depthwise_battery,
    "conv_transpose2d": conv_transpose2d_battery,
    "max_pool2d": max_pool2d_battery,
    "conv1d": conv1d_battery,
}
OP_CASE_NAMES = {op: tuple(case.name for case in make()) for op, make in OP_BATTERIES.items()}


def with_settings(case: OpCase, **changes) -> OpCase:
    """The same case with some settings changed (for tests)."""
    return replace(case, settings={**case.settings, **changes})
