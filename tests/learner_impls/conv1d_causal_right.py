"""Wrong: causal padding puts the d*(k-1) zeros on the right, so out[i] reads later values."""

import numpy as np

CAUSAL_LEFT = False
EXTRA = 1  # windows = (L + 2p - span) // s + EXTRA


def conv1d(x, weight, bias=None, stride=1, padding=0, dilation=1, groups=1, causal=False):
    """(N, C, L) x (K, C, k) -> (N, K, L')."""
    n_out, _, k = weight.shape
    x = np.pad(x, ((0, 0), (0, 0), (padding, padding)))
    if causal:
        zeros = dilation * (k - 1)
        x = np.pad(x, ((0, 0), (0, 0), (zeros, 0) if CAUSAL_LEFT else (0, zeros)))
    span = dilation * (k - 1) + 1
    out = np.zeros((x.shape[0], n_out, (x.shape[2] - span) // stride + EXTRA))
    for i in range(out.shape[2]):
        window = x[:, :, i * stride:i * stride + span:dilation]  # (N, C, k)
        out[:, :, i] = np.einsum("ncu,kcu->nk", window, weight)
    if bias is not None:
        out += bias[None, :, None]
    return out
