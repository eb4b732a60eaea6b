"""Random small-integer tensors (`--random 1,1,5,5 --random-kernels 2,1,3,3 --seed 7`), for quick experiments.

Whole numbers keep every product and sum easy to check by hand: images are
drawn from -3..3 and kernels from -2..2. The same seed gives the same
tensors on every machine (NumPy's PCG64 generator).
"""

from __future__ import annotations

import numpy as np

IMAGE_RANGE = (-3, 3)
KERNEL_RANGE = (-2, 2)
DEFAULT_SEED = 0


def parse_shape(text: str) -> tuple[int, int, int, int]:
    """'1,3,5,5' -> (1, 3, 5, 5); four whole numbers >= 1 (ValueError says what to write)."""
    parts = [p.strip() for p in str(text).replace("x", ",").split(",")]
    try:
        numbers = tuple(int(p) for p in parts)
    except ValueError:
        raise ValueError(f"{text!r} is not a shape; write four whole numbers, e.g. 1,3,5,5") from None
    if len(numbers) != 4:
        raise ValueError(f"{text!r} has {len(numbers)} numbers; write four (N,C,H,W or K,C,kh,kw), e.g. 1,3,5,5")
    if min(numbers) < 1:
        raise ValueError(f"{text!r}: every size must be at least 1")
    return numbers


def random_tensors(image_shape, kernel_shape, seed: int = DEFAULT_SEED):
    """(N, C, H, W) and/or (K, C, kh, kw) shapes (None: not wanted) -> integer-valued float64 arrays.

    Images are drawn first, kernels second, from one generator, so adding
    --random-kernels never changes the images a seed gives.
    """
    generator = np.random.default_rng(seed)
    images = kernels = None
    if image_shape is not None:
        images = generator.integers(IMAGE_RANGE[0], IMAGE_RANGE[1] + 1, size=image_shape).astype(np.float64)
    if kernel_shape is not None:
        kernels = generator.integers(KERNEL_RANGE[0], KERNEL_RANGE[1] + 1, size=kernel_shape).astype(np.float64)
    return images, kernels
