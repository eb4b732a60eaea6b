"""Output feature maps as things to look at: each (H', W') map with its name and its own smallest and largest value.

The heatmap view (render/frames/heatmap.py) and the PNG export (render/output/map_images.py)
draw from these; they receive the scale here and compute nothing themselves.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class MapPicture:
    """One map: values (H', W') (NaN where not computed yet), its name, and its scale."""

    title: str  # e.g. "out[0,1] kernel 1: sobel-y"
    values: np.ndarray  # (H', W') float64
    low: float  # the smallest computed value (0.0 when none is)
    high: float  # the largest computed value

    @property
    def signed(self) -> bool:
        """Values on both sides of zero: drawn with a diverging palette centred on 0."""
        return self.low < 0 < self.high


def kernel_label(problem, k: int) -> str:
    """'kernel 1: sobel-y' when the kernels are named presets, else 'kernel 1'."""
    names = getattr(problem, "kernel_names", ())
    return f"kernel {k}: {names[k]}" if k < len(names) else f"kernel {k}"


def map_picture(values: np.ndarray, title: str) -> MapPicture:
    """(H, W) values (NaN = not computed) -> a MapPicture on its own scale."""
    values = np.asarray(values, dtype=np.float64)
    done = values[~np.isnan(values)]
    low, high = (float(done.min()), float(done.max())) if done.size else (0.0, 0.0)
    return MapPicture(title, values, low, high)


def map_pictures(problem, output: np.ndarray, pairs=None, prefix: str = "") -> list[MapPicture]:
    """(N, K, H', W') output (NaN = not computed) -> one MapPicture per (n, k) in `pairs` (default: all)."""
    n_images, n_kernels = output.shape[:2]
    pairs = [(n, k) for n in range(n_images) for k in range(n_kernels)] if pairs is None else pairs
    pictures = []
    for n, k in pairs:
        title = f"{prefix}out[{n},{k}] {kernel_label(problem, k)}".strip()
        pictures.append(map_picture(output[n, k], title))
    return pictures


def input_picture(problem, n: int = 0) -> np.ndarray | None:
    """(H, W, C) values of image n to show as a picture (C = 1 or 3, values in [0, 1]), or None when it is not one."""
    image = np.asarray(problem.images[n])
    if image.shape[0] not in (1, 3) or image.min() < 0 or image.max() > 1:
        return None
    return image.transpose(1, 2, 0)
