"""Named kernels (`--kernels sobel-x,laplace`): the classic 3x3 filters, values exactly as written.

Each preset is one (kh, kw) matrix. `preset_kernels` copies it into every
input channel, so a bank of names becomes (K, C, kh, kw) with K = the number
of names. The values are used as written: the sliding window computes
cross-correlation, so sobel-x responds positively where the picture gets
brighter to the right (unless `flip` rotates it).
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass

import numpy as np

from ..errors import UsageError


@dataclass(frozen=True)
class Preset:
    """One named kernel: its (kh, kw) values as nested lists, and what it shows in a picture."""

    name: str
    values: tuple[tuple[float, ...], ...]
    detects: str

    def array(self) -> np.ndarray:
        """(kh, kw) float64."""
        return np.array(self.values, dtype=np.float64)


_NINTH = 1 / 9
PRESETS: dict[str, Preset] = {p.name: p for p in (
    Preset("identity", ((0, 0, 0), (0, 1, 0), (0, 0, 0)),
           "nothing: copies the centre pixel (the output is the input, cropped by the border)"),
    Preset("box3", ((_NINTH,) * 3,) * 3,
           "blurs: each output is the mean of its 3x3 neighbourhood"),
    Preset("gauss3", ((1 / 16, 2 / 16, 1 / 16), (2 / 16, 4 / 16, 2 / 16), (1 / 16, 2 / 16, 1 / 16)),
           "blurs gently: a weighted mean, [1,2,1] outer [1,2,1] / 16, nearest pixels count most"),
    Preset("sobel-x", ((-1, 0, 1), (-2, 0, 2), (-1, 0, 1)),
           "vertical edges: positive where it gets brighter to the right, negative where darker"),
    Preset("sobel-y", ((-1, -2, -1), (0, 0, 0), (1, 2, 1)),
           "horizontal edges: positive where it gets brighter downwards, negative where darker"),
    Preset("laplace", ((0, 1, 0), (1, -4, 1), (0, 1, 0)),
           "edges in every direction and fine detail: 0 on flat areas and even slopes"),
    Preset("sharpen", ((0, -1, 0), (-1, 5, -1), (0, -1, 0)),
           "sharpens: the pixel plus its difference from its neighbours (identity - laplace)"),
    Preset("emboss", ((-2, -1, 0), (-1, 1, 1), (0, 1, 2)),
           "relief: bright where it gets brighter towards the bottom-right, dark where it gets darker"),
)}


def parse_names(text: str, option: str = "--kernels") -> tuple[str, ...]:
    """'sobel-x, laplace' -> ('sobel-x', 'laplace'); an unknown name -> UsageError listing the presets."""
    names = tuple(part.strip().lower() for part in str(text).split(","))
    for name in names:
        if name not in PRESETS:
            raise UsageError(unknown_message(name, option))
    return names


def looks_like_names(text: str) -> bool:
    """True when every comma-separated part is a preset name (so TEXT is not meant as a file)."""
    return all(part.strip().lower() in PRESETS for part in str(text).split(","))


def unknown_message(name: str, option: str = "--kernels") -> str:
    """'--kernels: no file or preset named 'sobelx'; did you mean 'sobel-x'? Presets: ...'."""
    guess = difflib.get_close_matches(name.lower(), list(PRESETS), n=1, cutoff=0.5)
    hint = f"did you mean {guess[0]!r}? " if guess else ""
    shown = name if name else "(empty)"
    return (f"{option}: {shown!r} is neither a file nor a named kernel; {hint}"
            f"the named kernels are {', '.join(PRESETS)} (comma-separated, e.g. sobel-x,sobel-y; "
            f"`convtrace kernels` shows their values)")


def preset_kernels(names, channels: int) -> np.ndarray:
    """Names -> (K, C, kh, kw): each preset's (kh, kw) values copied into all C channels."""
    mats = [PRESETS[name].array() for name in names]
    return np.stack([np.repeat(m[None], channels, axis=0) for m in mats])
