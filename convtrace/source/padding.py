"""Padding per side from a mode name ('valid', 'same', 'full', 'causal') or from explicit numbers.

'same' is TensorFlow's rule (PyTorch's padding="same" at stride 1):
out = ceil(in / s), total = max((out-1)*s + d*(k-1) + 1 - in, 0), and the odd
extra cell goes after (bottom/right). `same_padding_formula` shows that rule
with the numbers substituted, for explanations.
"""

from __future__ import annotations

from ..errors import DataError

from .choices import MODES


def same_padding(size: int, kernel: int, stride: int, dilation: int) -> tuple[int, int]:
    """TensorFlow's 'same' rule: out = ceil(in / s); the odd extra cell goes after (bottom/right)."""
    out = -(-size // stride)
    total = max((out - 1) * stride + dilation * (kernel - 1) + 1 - size, 0)
    return total // 2, total - total // 2


def same_padding_formula(size: int, kernel: int, stride: int, dilation: int) -> str:
    """The 'same' padding rule with numbers substituted, for explanations."""
    out = -(-size // stride)
    raw = (out - 1) * stride + dilation * (kernel - 1) + 1 - size
    total = max(raw, 0)
    return (
        f"out = ceil({size} / {stride}) = {out}; "
        f"total = max(({out}-1)*{stride} + {dilation}*({kernel}-1) + 1 - {size}, 0) = {total}; "
        f"before = {total} // 2 = {total // 2}, after = {total} - {total // 2} = {total - total // 2}"
    )


def resolve_padding(
    mode: str | None,
    padding,
    input_size: tuple[int, ...],
    kernel_size: tuple[int, ...],
    stride: tuple[int, ...],
    dilation: tuple[int, ...],
) -> tuple[str, tuple[tuple[int, int], ...]]:
    """Turn a mode name or an explicit padding into ((top, bottom), (left, right)), one pair per axis.

    `padding` is an int, (ph, pw) or ((top, bottom), (left, right)) (any number
    of axes); it is used when `mode` is None. `mode` "causal" pads d*(k-1)
    before only. Returns the mode name ("explicit" for given padding).
    """
    if mode is None and padding is None:
        mode = "valid"
    if mode is not None:
        per_axis = []
        for size, k, s, d in zip(input_size, kernel_size, stride, dilation):
            if mode == "valid":
                per_axis.append((0, 0))
            elif mode == "full":
                per_axis.append((d * (k - 1), d * (k - 1)))
            elif mode == "same":
                per_axis.append(same_padding(size, k, s, d))
            elif mode == "causal":
                per_axis.append((d * (k - 1), 0))
            else:
                raise DataError(f"mode {mode!r} is not one of {', '.join(MODES)}")
        return mode, tuple(per_axis)
    return "explicit", normalize_padding(padding, len(input_size))


def normalize_padding(padding, dims: int = 2) -> tuple[tuple[int, int], ...]:
    """int | (ph, pw) | ((top, bottom), (left, right)) -> ((top, bottom), (left, right)); any number of axes."""
    if isinstance(padding, int):
        return ((padding, padding),) * dims
    if all(isinstance(p, int) for p in padding):
        return tuple((p, p) for p in padding)
    return tuple((side[0], side[1]) for side in padding)
