"""What `convtrace bench` times: the methods' names, one case (a layer and a dtype), the results of a case.

A case is any layer of DESIGN.md: plain 2-D convolution (every method of
teach/bench.py), or a grouped, depthwise, 1-D, 3-D or transposed convolution,
or max / average pooling (the layer's naive loop, the vectorized engine and
PyTorch; teach/bench_layers.py). Its work is counted the way the direct
method does it: multiply-adds for convolutions, comparisons for max pooling,
additions for average pooling.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from ..source.problem import Problem, build_problem
from .bench_timing import Timing

METHODS = ("naive", "per_position", "im2col", "winograd", "fft", "engine", "torch")
LABELS = {
    "naive": "naive loop",
    "per_position": "per-position loop",
    "im2col": "im2col + matmul",
    "winograd": "Winograd",
    "fft": "FFT",
    "engine": "vectorized engine",
    "torch": "PyTorch",
}
DESCRIPTIONS = {
    "naive": "convtrace.engine.naive.trace: one Step per (n, k, row, col), sum(patch * w[k]), float64",
    "per_position": "for row, col: tensordot over (C, kh, kw), all images and kernels",
    "im2col": "(N*H'*W', C*kh*kw) @ (C*kh*kw, K), then reshape",
    "winograd": "F(2x2, 3x3): 16 (K, C) @ (C, tiles) products, 16 multiplications per tile instead of 36",
    "fft": "spectra of images and kernels, C*K complex products per frequency, inverse FFT, crop",
    "engine": "convtrace.conv2d: the strategy it picks by shape (engine/choice.py)",
    "torch": "torch.nn.functional.conv2d",
}


@dataclass(frozen=True)
class Case:
    """One input to time: a name and a Problem (float64 arrays; `dtype` says what to time in)."""

    name: str
    problem: Problem
    dtype: str = "float64"

    @property
    def kind(self) -> str:
        """The layer in words: '2-D convolution', '1-D depthwise convolution', '3-D max pooling', ..."""
        p = self.problem
        dims = f"{p.dims}-D"
        if p.layer == "max_pool":
            return f"{dims} max pooling"
        if p.layer == "avg_pool":
            return f"{dims} average pooling"
        channels = p.images.shape[1]
        if p.groups == 1:
            grouping = ""
        elif p.groups == channels:  # one input channel per group
            multiplier = p.out_channels // channels
            grouping = "depthwise " if multiplier == 1 else f"depthwise (x{multiplier} channels) "
        else:
            grouping = f"grouped ({p.groups} groups) "
        what = "transposed convolution" if p.layer == "conv_transpose" else "convolution"
        return f"{dims} {grouping}{what}"

    @property
    def is_pool(self) -> bool:
        return self.problem.layer in ("max_pool", "avg_pool")

    @property
    def operation(self) -> str:
        """What `operations` counts: 'multiply-adds', 'comparisons' (max pooling) or 'additions' (average)."""
        return {"max_pool": "comparisons", "avg_pool": "additions"}.get(self.problem.layer, "multiply-adds")

    @property
    def operations(self) -> int:
        """The direct method's work.

        convolution:  N*K*O * (C/groups)*k   one multiply-add per tap of every window
        transposed:   N*C*S * (K/groups)*k   every input value times its group's kernels (the scatter)
        pooling:      N*C*O * (taps - 1)     a window of t values takes t-1 comparisons or additions
        """
        p = self.problem
        if self.is_pool:
            taps = math.prod(p.geometry.kernel_size)
            return p.steps * (taps - 1)
        per_value = math.prod(p.kernel_shape[1:])
        if p.layer == "conv_transpose":
            return int(np.prod(p.input_shape)) * per_value
        return p.steps * per_value

    @property
    def flops(self) -> int | None:
        """2 * the multiply-adds (2-D: 2 * N*K*H'*W' * C*kh*kw); None for pooling, which multiplies nothing."""
        return None if self.is_pool else 2 * self.operations


@dataclass(frozen=True)
class CaseResult:
    """Every method's timing on one case, plus the numbers to compare them."""

    case: Case
    timings: tuple[Timing, ...]
    tolerance: float

    def speedup(self, timing: Timing) -> float | None:
        """How many times faster than the naive loop."""
        base = self.timing("naive")
        if timing.seconds is None or base is None or base.seconds is None or timing.seconds <= 0:
            return None
        return base.seconds / timing.seconds

    def gflops(self, timing: Timing) -> float | None:
        """Billions of floating-point operations per second (2 per multiply-add); None for pooling."""
        if timing.seconds is None or timing.seconds <= 0 or self.case.flops is None:
            return None
        return self.case.flops / timing.seconds / 1e9

    def timing(self, method: str) -> Timing | None:
        return next((t for t in self.timings if t.method == method), None)


def default_cases(dtype: str = "float32", overrides: dict | None = None) -> list[Case]:
    """A classroom-sized case (one 28x28 image, eight 3x3 kernels), a layer-sized one (a ResNet layer)
    and one with large kernels (21x21, where FFT can win).

    `overrides` (stride, padding, mode, dilation, flip) replace each case's own settings.
    """
    rng = np.random.default_rng(0)
    classroom = (rng.integers(-3, 4, (1, 1, 28, 28)), rng.integers(-2, 3, (8, 1, 3, 3)), {})
    layer = (rng.standard_normal((8, 64, 56, 56)), rng.standard_normal((64, 64, 3, 3)) * 0.05, {"padding": 1})
    large = (rng.standard_normal((1, 1, 224, 224)), rng.standard_normal((4, 1, 21, 21)) * 0.05, {"padding": 10})
    cases = []
    for name, (images, kernels, settings) in (
        ("classroom: (1,1,28,28) x (8,1,3,3)", classroom),
        ("layer: (8,64,56,56) x (64,64,3,3), padding 1", layer),
        ("large kernels: (1,1,224,224) x (4,1,21,21), padding 10", large),
    ):
        settings = {**settings, **_settings(overrides or {})}
        if "mode" in settings:
            settings.pop("padding", None)
        problem = build_problem(images.astype(np.float64), kernels.astype(np.float64), max_elements=None, **settings)
        cases.append(Case(name, problem, dtype))
    return cases


def _settings(overrides: dict) -> dict:
    """Command-line overrides (document keys) -> build_problem keywords."""
    keys = ("mode", "padding", "stride", "dilation", "flip")
    return {key: overrides[key] for key in keys if key in overrides}
