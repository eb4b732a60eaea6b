"""Known mistakes of the other layers, each modelled as the wrong computation it makes.

As in `mistakes.py`: a failed case is compared with every model of its
operation, and a mistake is named only when the model reproduces the returned
array exactly. NaN cells of a model are free (an extra window whose value
depends on the learner's code).
"""

from __future__ import annotations

from typing import Callable, Iterator

import numpy as np

from ..engine.fast import conv2d
from .mistakes import Diagnosis, fits
from .cases import pair
from .op_cases import OpCase

OpModel = Callable[[OpCase], Iterator[tuple[np.ndarray, str]]]
OP_MODELS: dict[str, list[tuple[str, str, OpModel]]] = {op: [] for op in
                                                        ("depthwise", "conv_transpose2d", "max_pool2d", "conv1d")}


def op_model(ops: str, mistake_id: str, title: str):
    """Register a model for the operations named in `ops` (space-separated), in file order."""

    def register(function: OpModel) -> OpModel:
        for op in ops.split():
            OP_MODELS[op].append((mistake_id, title, function))
        return function

    return register


def diagnose_op(case: OpCase, returned: np.ndarray, tol: float) -> Diagnosis | None:
    """The first known mistake of this operation whose model reproduces `returned`, or None."""
    for mistake_id, title, make in OP_MODELS[case.op]:
        for candidate, explanation in make(case):
            if fits(returned, candidate, tol):
                return Diagnosis(mistake_id, title, explanation)
    return None


def op_candidates(case: OpCase) -> list[tuple[str, np.ndarray]]:
    """Every model's wrong output for this case (for tests that check the cases tell mistakes apart)."""
    return [(mistake_id, candidate) for mistake_id, _, make in OP_MODELS[case.op] for candidate, _ in make(case)]


# ---- shared by the convolutions -------------------------------------------------------------------------

@op_model("depthwise conv_transpose2d conv1d", "bias_ignored", "bias ignored")
def _bias_ignored(case: OpCase):
    if case.settings.get("bias") is not None:
        yield case.output(bias=None), "The numbers are right except that bias= was never added: add bias[k] to " \
                                      "every value of output channel k."


# ---- depthwise: which input channels each output channel reads --------------------------------------------

def _dense(case: OpCase, group_of) -> np.ndarray:
    """(K, C/G, kh, kw) -> (K, C, kh, kw): output channel k reads only group group_of(k) (zeros elsewhere)."""
    w, c, g = case.second, case.x.shape[1], case.setting("groups")
    k, per = w.shape[0], c // g
    dense = np.zeros((k, c) + w.shape[2:])
    for kk in range(k):
        start = group_of(kk, k, g) * per
        dense[kk, start:start + per] = w[kk]
    return dense


def _dense_output(case: OpCase, weights: np.ndarray) -> np.ndarray:
    s = {name: case.setting(name) for name in ("stride", "padding", "dilation")}
    return conv2d(case.x, weights, case.settings.get("bias"), stride=pair(s["stride"]), padding=pair(s["padding"]),
                  dilation=pair(s["dilation"]))


@op_model("depthwise", "groups_ignored", "groups ignored: every output channel reads every input channel")
def _groups_ignored(case: OpCase):
    g = case.setting("groups")
    if case.x.shape[1] > 1:
        tiled = np.tile(case.second, (1, g, 1, 1))  # (K, C, kh, kw): the group's kernel copied to every channel
        yield _dense_output(case, tiled), (
            f"Each output channel summed over all {case.x.shape[1]} input channels, as an ordinary conv2d does. "
            f"With groups={g} output channel k reads only its own group of C/groups = "
            f"{case.x.shape[1] // g} channel(s): group g = k // (K/groups).")


@op_model("depthwise", "wrong_group_mapping", "wrong channel-to-group mapping (k % groups instead of k // (K/groups))")
def _wrong_mapping(case: OpCase):
    k, g = case.second.shape[0], case.setting("groups")
    if k > g and g > 1:
        wrong = _dense(case, lambda kk, kk_all, groups: kk % groups)
        yield _dense_output(case, wrong), (
            f"Output channel k read group k % groups; PyTorch gives each group K/groups = {k // g} consecutive "
            f"output channels, so channel k reads group k // (K/groups): channels 0..{k // g - 1} read group 0.")


# ---- transposed convolution -----------------------------------------------------------------------------

@op_model("conv_transpose2d", "output_padding_ignored", "output_padding ignored")
def _output_padding_ignored(case: OpCase):
    if case.setting("output_padding"):
        yield case.output(output_padding=0), (
            f"The output is {case.setting('output_padding')} row(s) and column(s) short: output_padding adds "
            f"that many at the bottom and right. H' = (H-1)*stride - 2*padding + dilation*(k-1) + "
            f"output_padding + 1.")


@op_model("conv_transpose2d", "padding_not_cropped", "padding ignored: the output was not cropped")
def _padding_not_cropped(case: OpCase):
    p = case.setting("padding")
    if p:
        yield case.output(padding=0), (
            f"In a transposed convolution padding={p} removes {p} row(s) and column(s) from each side of the "
            f"full output; here nothing was removed.")


@op_model("conv_transpose2d", "padding_added", "padding added to the input instead of cropped from the output")
def _padding_added(case: OpCase):
    p = case.setting("padding")
    if p:
        grown = np.pad(case.x, ((0, 0), (0, 0), (p, p), (p, p)))
        yield case.output(x=grown, padding=0), (
            f"Zeros were added around the input, as a normal convolution's padding does. In a transposed "
            f"convolution padding={p} works the other way: it crops {p} from each side of the output.")


@op_model("conv_transpose2d", "kernel_not_rotated", "kernel not rotated in the gather form")
def _kernel_not_rotated(case: OpCase):
    yield case.output(second=case.second[:, :, ::-1, ::-1].copy()), (
        "Computed as a convolution over the input (zeros inserted and padded), the kernel must be rotated "
        "180 degrees (w[..., ::-1, ::-1]); it was used as written. Or scatter: out[i*s + u] += x[i] * w[u].")


@op_model("conv_transpose2d", "in_out_swapped", "weight axes swapped: read as (K, C, kh, kw) instead of (C, K, kh, kw)")
def _in_out_swapped(case: OpCase):
    w, c = case.second, case.x.shape[1]
    bias_fits = case.settings.get("bias") is None or w.shape[1] == c  # else the learner's own bias add fails
    if w.shape[1] >= c and (w.shape[1] > 1 or c > 1) and bias_fits:
        # read as (K, C): K = weight.shape[0] = C outputs, output k' from weight[k', c] for each input channel c
        yield case.output(second=w[:, :c].transpose(1, 0, 2, 3).copy()), (
            f"A transposed convolution's weight is (C_in, C_out, kh, kw) = {w.shape}: weight[c, k] stamps input "
            f"channel c into output channel k, and there are weight.shape[1] = {w.shape[1]} outputs. It was "
            f"read as weight[k, c], the order of a normal convolution.")


@op_model("conv_transpose2d", "stride_as_convolution", "stride applied as a normal convolution's")
def _stride_as_convolution(case: OpCase):
    s = case.setting("stride")
    if s != 1:
        dense = case.output(stride=1, output_padding=0)
        yield dense[:, :, ::s, ::s], (
            f"The stride skipped output positions, as a normal convolution's does. In a transposed convolution "
            f"stride={s} spaces the stamps of neighbouring inputs {s} apart, so the output grows about {s} times.")


# ---- max pooling ----------------------------------------------------------------------------------------

@op_model("max_pool2d", "padding_zeros", "padded with zeros instead of -inf")
def _padding_zeros(case: OpCase):
    p = case.setting("padding")
    if p:
        grown = np.pad(case.x, ((0, 0), (0, 0), (p, p), (p, p)))
        if case.setting("ceil_mode"):
            return  # PyTorch's last-window rule depends on the padding; not modelled with it
        yield case.output(x=grown, padding=0), (
            f"The border was padded with zeros, and where every value in a window is negative the 0 won. "
            f"Max pooling pads with -inf (np.pad(..., constant_values=-np.inf)): padding never wins.")


@op_model("max_pool2d", "ceil_mode_ignored", "ceil_mode ignored: the partial last window dropped")
def _ceil_ignored(case: OpCase):
    floor = case.output(ceil_mode=False)
    if case.setting("ceil_mode") and floor.shape != case.expected.shape:  # with padding both may agree
        yield floor, (
            "With ceil_mode=True the output size is rounded up: a last window that runs past the edge is kept, "
            "and its maximum taken over the cells inside. H' = ceil((H + 2p - d*(k-1) - 1) / s) + 1.")


@op_model("max_pool2d", "last_window_kept", "last window kept though it starts in the padding")
def _last_window_kept(case: OpCase):
    if case.setting("ceil_mode") and case.setting("padding"):
        right = case.expected
        more = np.full(right.shape[:2] + (right.shape[2] + 1, right.shape[3] + 1), np.nan)
        more[:, :, :-1, :-1] = right
        yield more, (
            "With ceil_mode a window that would start in the right or bottom padding is dropped (PyTorch: the "
            "last window must start inside the input or the left padding). One window too many was kept.")


@op_model("max_pool2d", "stride_default_1", "stride defaults to 1 instead of the window")
def _stride_default(case: OpCase):
    if "stride" not in case.settings:
        yield case.output(stride=1), (
            "With stride=None (left out) max_pool2d steps by the window size, kernel_size; it stepped by 1.")


@op_model("max_pool2d", "dilation_ignored", "dilation ignored")
def _pool_dilation(case: OpCase):
    if case.setting("dilation") != 1:
        yield case.output(dilation=1), "dilation=d puts d-1 cells between the window's taps; it was left out."


# ---- 1-D convolution ------------------------------------------------------------------------------------

@op_model("conv1d", "causal_wrong_side", "causal padding on the wrong side (right instead of left)")
def _causal_wrong_side(case: OpCase):
    if case.setting("causal"):
        d, k = case.setting("dilation"), case.second.shape[2]
        grown = np.pad(case.x, ((0, 0), (0, 0), (0, d * (k - 1))))
        yield case.output(x=grown, causal=False), (
            f"The {d * (k - 1)} zeros went on the right; causal padding puts all d*(k-1) zeros on the left, so "
            f"out[i] reads x[i - d*(k-1)] .. x[i] and never a later value.")


@op_model("conv1d", "kernel_flipped", "kernel flipped (np.convolve rather than a correlation)")
def _kernel_flipped(case: OpCase):
    yield case.output(second=case.second[:, :, ::-1].copy()), (
        "The kernel was reversed, as np.convolve does; conv1d is a cross-correlation: out[i] = sum over u of "
        "x[i*s + u*d] * w[u]. np.correlate(x, w, 'valid') keeps the kernel as written.")


@op_model("conv1d", "length_off_by_one", "output length off by one")
def _off_by_one(case: OpCase):
    right = case.expected
    if right.shape[2] > 1:
        yield right[:, :, :-1], (
            f"One value short: L' = floor((L + 2p - d*(k-1) - 1) / s) + 1 = {right.shape[2]}; "
            f"the loop stopped one position early (range(L - k) instead of range(L - k + 1)).")
    longer = np.full(right.shape[:2] + (right.shape[2] + 1,), np.nan)
    longer[:, :, :-1] = right
    yield longer, (
        f"One value too many: L' = floor((L + 2p - d*(k-1) - 1) / s) + 1 = {right.shape[2]}; the loop "
        f"ran one position past the last full window.")


@op_model("conv1d", "dilation_ignored", "dilation ignored")
def _conv1d_dilation(case: OpCase):
    if case.setting("dilation") != 1 and not case.setting("causal"):
        yield case.output(dilation=1), "dilation=d puts d-1 gaps between the kernel's taps; it was left out."

