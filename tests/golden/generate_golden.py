"""Generate the golden test vectors in tests/golden/ from PyTorch (float64).

    python tests/golden/generate_golden.py

Needs torch and numpy, which are NOT dependencies of convtrace: run it with an
interpreter that has them, for example a virtual env outside the repo::

    python3.11 -m venv /tmp/torchenv && /tmp/torchenv/bin/pip install torch==2.13.0 numpy   # the version the vectors came from
    /tmp/torchenv/bin/python tests/golden/generate_golden.py

It writes forward.json (`convtrace run`) and grad.json (`convtrace grad`) next to
itself. Those files are committed as data, so the test suite reads them and never
needs torch. Every case is built deterministically (a seed derived from the case
name), every document is an input document as README.md (The input document) defines, and
every expected value is computed by torch in float64 (F.pad, F.conv2d, torch.flip,
autograd). Padding is resolved here from the rules in README.md (The numbers), not by
torch's padding="same" (used only as a cross-check at stride 1). Before writing,
each answer is re-checked against an independent pure-numpy direct loop, and the
pipeline is checked against the public cases in ../shared/contract/cases.
"""
import json
import pathlib
import sys
import warnings
import zlib

try:
    import numpy as np
    import torch
    import torch.nn.functional as F
except ImportError as e:  # torch is deliberately not a dependency of convtrace
    sys.exit(f"generate_golden.py needs torch and numpy ({e}); see its docstring")

HERE = pathlib.Path(__file__).resolve().parent
CONTRACT_CASES = HERE.parents[2] / "shared" / "contract" / "cases"
GENERATOR = f"tests/golden/generate_golden.py, torch {torch.__version__}, float64"


# --------------------------------------------------------------------------
# Reading a document (README.md (The input document)) and resolving its geometry (section 2)
# --------------------------------------------------------------------------

def pair(v):
    """int or [a, b] -> (a, b)."""
    return (v, v) if isinstance(v, int) else (v[0], v[1])


def promote(a, layout):
    """Rank 4/3/2 array in the document's layout -> rank 4 in the same layout."""
    if a.ndim == 4:
        return a
    if a.ndim == 3:
        return a[None]
    if a.ndim == 2:
        return a[None, None] if layout == "NCHW" else a[None, :, :, None]
    raise ValueError(f"rank {a.ndim}")


def same_pads(size, k, s, d):
    """TensorFlow 'same': out = ceil(in / s); the extra row/col goes bottom/right."""
    out = -(-size // s)
    total = max((out - 1) * s + d * (k - 1) + 1 - size, 0)
    return [total // 2, total - total // 2]


def resolve_padding(doc, hw, khw, dil):
    """-> [[top, bottom], [left, right]]."""
    if "padding" in doc:
        p = doc["padding"]
        if isinstance(p, int):
            return [[p, p], [p, p]]
        if isinstance(p[0], int):
            return [[p[0], p[0]], [p[1], p[1]]]
        return [list(p[0]), list(p[1])]
    mode = doc.get("mode", "valid")
    if mode == "valid":
        return [[0, 0], [0, 0]]
    if mode == "full":
        return [[d * (k - 1)] * 2 for k, d in zip(khw, dil)]
    if mode == "same":
        return [same_pads(n, k, s, d) for n, k, s, d in zip(hw, khw, pair(doc.get("stride", 1)), dil)]
    raise ValueError(mode)


def read_doc(doc):
    """Document -> NCHW float64 arrays (x, w, bias) and the geometry."""
    layout = doc.get("layout", "NCHW")
    x = promote(np.asarray(doc["images"], dtype=np.float64), layout)
    w = promote(np.asarray(doc["kernels"], dtype=np.float64), layout)
    if layout == "NHWC":
        x, w = x.transpose(0, 3, 1, 2), w.transpose(0, 3, 1, 2)
    b = np.asarray(doc["bias"], dtype=np.float64) if "bias" in doc else None
    stride, dil = list(pair(doc.get("stride", 1))), list(pair(doc.get("dilation", 1)))
    pads = resolve_padding(doc, x.shape[2:], w.shape[2:], dil)
    return layout, x, w, b, pads, stride, dil


def out_size(n, pad, k, s, d):
    """H' = floor((H + top + bottom - d*(k-1) - 1) / s) + 1."""
    return (n + pad[0] + pad[1] - d * (k - 1) - 1) // s + 1


def to_doc_layout(a, layout):
    """NCHW-ordered rank-4 array -> the document's layout."""
    return a.transpose(0, 2, 3, 1) if layout == "NHWC" else a


# --------------------------------------------------------------------------
# The reference: torch, float64
# --------------------------------------------------------------------------

def torch_compute(doc, grad=False):
    """Document -> expected dict; torch autograd does the gradients."""
    layout = doc.get("layout", "NCHW")
    _, _, _, _, pads, stride, dil = read_doc(doc)
    # Leaves are the rank-4 arrays in the document's layout, so the gradients
    # come back in that layout with no further bookkeeping.
    x = torch.tensor(promote(np.asarray(doc["images"], dtype=np.float64), layout), requires_grad=grad)
    w = torch.tensor(promote(np.asarray(doc["kernels"], dtype=np.float64), layout), requires_grad=grad)
    b = torch.tensor(doc["bias"], dtype=torch.float64, requires_grad=grad) if "bias" in doc else None
    xn = x.permute(0, 3, 1, 2) if layout == "NHWC" else x
    wn = w.permute(0, 3, 1, 2) if layout == "NHWC" else w
    w_used = torch.flip(wn, dims=(2, 3)) if doc.get("flip", False) else wn
    (top, bottom), (left, right) = pads
    xp = F.pad(xn, (left, right, top, bottom))
    y = F.conv2d(xp, w_used, b, stride=tuple(stride), dilation=tuple(dil))

    if doc.get("mode") == "same":
        # TF's defining property, at any stride: out = ceil(in / s), extra pad at bottom/right.
        for n, o, s, (a, z) in zip(xn.shape[2:], y.shape[2:], stride, pads):
            assert o == -(-n // s) and z - a in (0, 1), "'same' geometry"
        if stride == [1, 1]:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")  # even kernels: torch warns it copies the input
                y_same = F.conv2d(xn, w_used, b, padding="same", dilation=tuple(dil))
            assert torch.equal(y, y_same), "torch padding='same' disagrees with the TF rule at stride 1"
    if doc.get("mode") == "full" and stride == [1, 1]:
        for n, o, k, d in zip(xn.shape[2:], y.shape[2:], wn.shape[2:], dil):
            assert o == n + d * (k - 1), "'full' geometry"

    y_doc = y.permute(0, 2, 3, 1) if layout == "NHWC" else y
    expected = {"output_shape": list(y_doc.shape), "output": clean(y_doc)}
    if not grad:
        expected.update(padding=pads, stride=stride, dilation=dil)
        return expected
    g = torch.tensor(doc["grad_output"], dtype=torch.float64) if "grad_output" in doc else torch.ones_like(y_doc)
    assert g.shape == y_doc.shape, (g.shape, y_doc.shape)
    (y_doc * g).sum().backward()
    expected["grad_images"] = clean(x.grad)
    expected["grad_kernels"] = clean(w.grad)
    if b is not None:
        expected["grad_bias"] = clean(b.grad)
    return expected


def clean(t):
    """Tensor -> nested lists of floats, with -0.0 written as 0.0."""
    return (t.detach().numpy() + 0.0).tolist()


# --------------------------------------------------------------------------
# Independent check: pure numpy direct loops, straight from README.md (The numbers)
# --------------------------------------------------------------------------

def numpy_forward(x, w, b, pads, stride, dil, flip):
    """(N, C, H, W), (K, C, kh, kw) -> (N, K, H', W') by the textbook loop."""
    if flip:
        w = w[:, :, ::-1, ::-1]
    xp = np.pad(x, ((0, 0), (0, 0), tuple(pads[0]), tuple(pads[1])))
    N, C, H, W = x.shape
    K, _, kh, kw = w.shape
    (sh, sw), (dh, dw) = stride, dil
    Ho, Wo = out_size(H, pads[0], kh, sh, dh), out_size(W, pads[1], kw, sw, dw)
    out = np.zeros((N, K, Ho, Wo))
    for n in range(N):
        for k in range(K):
            for i in range(Ho):
                for j in range(Wo):
                    acc = 0.0 if b is None else b[k]
                    for c in range(C):
                        for u in range(kh):
                            for v in range(kw):
                                acc += xp[n, c, i * sh + u * dh, j * sw + v * dw] * w[k, c, u, v]
                    out[n, k, i, j] = acc
    return out


def numpy_grads(x, w, b, pads, stride, dil, flip, g):
    """dL/dx, dL/dw (for the document's kernels), dL/db for L = sum(out * g), g in NCHW."""
    wf = w[:, :, ::-1, ::-1] if flip else w
    xp = np.pad(x, ((0, 0), (0, 0), tuple(pads[0]), tuple(pads[1])))
    gxp, gwf = np.zeros_like(xp), np.zeros_like(w)
    N, K, Ho, Wo = g.shape
    _, C, kh, kw = w.shape
    (sh, sw), (dh, dw) = stride, dil
    for n in range(N):
        for k in range(K):
            for i in range(Ho):
                for j in range(Wo):
                    for c in range(C):
                        for u in range(kh):
                            for v in range(kw):
                                r, q = i * sh + u * dh, j * sw + v * dw
                                gxp[n, c, r, q] += g[n, k, i, j] * wf[k, c, u, v]
                                gwf[k, c, u, v] += g[n, k, i, j] * xp[n, c, r, q]
    H, W = x.shape[2:]
    gx = gxp[:, :, pads[0][0]:pads[0][0] + H, pads[1][0]:pads[1][0] + W]
    gw = gwf[:, :, ::-1, ::-1] if flip else gwf
    gb = None if b is None else g.sum(axis=(0, 2, 3))
    return gx, gw, gb


def numpy_grad_x_by_design_recipe(x, w, pads, stride, dil, flip, g):
    """dL/dx as the README words it: full correlation of g' (stride-dilated) with rot180(w')."""
    wf = w[:, :, ::-1, ::-1] if flip else w
    N, K, Ho, Wo = g.shape
    _, C, kh, kw = wf.shape
    (sh, sw), (dh, dw) = stride, dil
    g2 = np.zeros((N, K, (Ho - 1) * sh + 1, (Wo - 1) * sw + 1))
    g2[:, :, ::sh, ::sw] = g
    w2 = np.zeros((K, C, dh * (kh - 1) + 1, dw * (kw - 1) + 1))
    w2[:, :, ::dh, ::dw] = wf
    w2 = w2[:, :, ::-1, ::-1]
    eh, ew = w2.shape[2:]
    gp = np.pad(g2, ((0, 0), (0, 0), (eh - 1, eh - 1), (ew - 1, ew - 1)))
    rows, cols = g2.shape[2] + eh - 1, g2.shape[3] + ew - 1
    gx_pad = np.zeros((N, C, rows, cols))
    for n in range(N):
        for c in range(C):
            for i in range(rows):
                for j in range(cols):
                    gx_pad[n, c, i, j] = np.sum(gp[n, :, i:i + eh, j:j + ew] * w2[:, c])
    H, W = x.shape[2:]
    Hp, Wp = H + sum(pads[0]), W + sum(pads[1])
    gx_pad = np.pad(gx_pad, ((0, 0), (0, 0), (0, Hp - rows), (0, Wp - cols)))  # rows the floor dropped
    return gx_pad[:, :, pads[0][0]:pads[0][0] + H, pads[1][0]:pads[1][0] + W]


def assert_close(got, want, scale, exact, what):
    got, want = np.asarray(got, dtype=np.float64), np.asarray(want, dtype=np.float64)
    assert got.shape == want.shape, f"{what}: shape {got.shape} != {want.shape}"
    if exact:
        assert np.array_equal(got, want), f"{what}: values differ"
    else:
        np.testing.assert_allclose(got, want, rtol=0, atol=1e-12 * (1.0 + scale), err_msg=what)


def is_integral(doc):
    vals = np.concatenate([np.ravel(np.asarray(doc[key], dtype=np.float64))
                           for key in ("images", "kernels", "bias", "grad_output") if key in doc])
    return bool(np.all(vals == np.round(vals)))


def verify(name, doc, expected, grad):
    """Re-derive every expected value with numpy loops; raise on any disagreement."""
    layout, x, w, b, pads, stride, dil = read_doc(doc)
    flip = doc.get("flip", False)
    exact = is_integral(doc)
    scale = float(np.abs(x).sum() * np.abs(w).sum() + (0 if b is None else np.abs(b).sum()))
    out = to_doc_layout(numpy_forward(x, w, b, pads, stride, dil, flip), layout)
    assert list(out.shape) == expected["output_shape"], f"{name}: output_shape"
    assert_close(expected["output"], out, scale, exact, f"{name}: output")
    if not grad:
        return
    if "grad_output" in doc:
        g = np.asarray(doc["grad_output"], dtype=np.float64)
        g = g.transpose(0, 3, 1, 2) if layout == "NHWC" else g
    else:
        g = np.ones(numpy_forward(x, w, b, pads, stride, dil, flip).shape)
    gscale = scale * (1.0 + np.abs(g).sum())
    gx, gw, gb = numpy_grads(x, w, b, pads, stride, dil, flip, g)
    gx2 = numpy_grad_x_by_design_recipe(x, w, pads, stride, dil, flip, g)
    assert_close(gx2, gx, gscale, exact, f"{name}: README recipe for grad_images")
    assert_close(expected["grad_images"], to_doc_layout(gx, layout), gscale, exact, f"{name}: grad_images")
    assert_close(expected["grad_kernels"], to_doc_layout(gw, layout), gscale, exact, f"{name}: grad_kernels")
    assert ("grad_bias" in expected) == (b is not None), f"{name}: grad_bias presence"
    if b is not None:
        assert_close(expected["grad_bias"], gb, gscale, exact, f"{name}: grad_bias")


# --------------------------------------------------------------------------
# Building the cases
# --------------------------------------------------------------------------

def values(rng, shape, kind):
    """Small numbers: 'int' in -3..3, 'quarter' multiples of 0.25, 'float' 3 decimals."""
    if kind == "int":
        return rng.integers(-3, 4, size=shape).astype(np.float64)
    if kind == "quarter":
        return rng.integers(-12, 13, size=shape) / 4.0
    if kind == "float":
        return np.round(rng.uniform(-2.0, 2.0, size=shape), 3)
    raise ValueError(kind)


def lower_rank(a, rank, layout):
    """Rank-4 array in the document's layout -> rank 3 (drop N) or 2 (drop N and C)."""
    if rank == 4:
        return a
    assert a.shape[0] == 1
    if rank == 3:
        return a[0]
    return a[0, 0] if layout == "NCHW" else a[0, :, :, 0]


def make_doc(name, xs, ws, *, layout="NCHW", img_rank=4, ker_rank=4, bias=False,
             kind="int", json_ints=False, grad_output=False, **opts):
    """Build a document from NCHW shapes xs=(N,C,H,W), ws=(K,C,kh,kw) and options.

    opts are copied into the document as they are (mode, padding, stride,
    dilation, flip, title, description).
    """
    rng = np.random.default_rng(zlib.crc32(name.encode()))
    x, w = values(rng, xs, kind), values(rng, ws, kind)
    if layout == "NHWC":
        x, w = x.transpose(0, 2, 3, 1), w.transpose(0, 2, 3, 1)
    doc = {"images": lower_rank(x, img_rank, layout).tolist(),
           "kernels": lower_rank(w, ker_rank, layout).tolist()}
    if bias:
        doc["bias"] = values(rng, (ws[0],), kind).tolist()
    doc.update(opts)
    if layout != "NCHW":
        doc["layout"] = layout
    if grad_output:
        _, xn, wn, _, pads, stride, dil = read_doc(doc)
        shape = (xs[0], ws[0], out_size(xs[2], pads[0], ws[2], stride[0], dil[0]),
                 out_size(xs[3], pads[1], ws[3], stride[1], dil[1]))
        g = values(rng, shape, "int")
        doc["grad_output"] = to_doc_layout(g, layout).tolist()
    if json_ints:
        doc = json.loads(json.dumps(doc), parse_float=lambda s: int(float(s)))
    return name, doc


def forward_cases():
    c = make_doc
    return [
        # basics: batch, channels, several kernels, bias
        c("single_3x3_valid", (1, 1, 5, 5), (1, 1, 3, 3)),
        c("batch_2", (2, 1, 4, 5), (1, 1, 3, 3)),
        c("channels_3", (1, 3, 5, 4), (1, 3, 3, 3)),
        c("kernels_3", (1, 1, 5, 5), (3, 1, 3, 3)),
        c("bias_2_kernels", (1, 2, 4, 4), (2, 2, 3, 3), bias=True),
        c("batch_channels_kernels_bias", (2, 3, 5, 5), (3, 3, 2, 2), bias=True),
        c("kernel_1x1", (2, 3, 3, 4), (2, 3, 1, 1), bias=True),
        c("kernel_as_big_as_image", (1, 2, 3, 4), (2, 2, 3, 4)),
        # valid / same / full with odd, even and rectangular kernels
        c("valid_even_2x2", (1, 1, 5, 6), (1, 1, 2, 2), mode="valid"),
        c("valid_rect_2x3", (1, 2, 5, 6), (1, 2, 2, 3)),
        c("valid_rect_4x1", (1, 1, 6, 4), (2, 1, 4, 1)),
        c("same_odd_3x3", (1, 1, 5, 6), (1, 1, 3, 3), mode="same"),
        c("same_even_2x2", (1, 1, 5, 5), (1, 1, 2, 2), mode="same"),
        c("same_even_4x4", (1, 2, 6, 7), (1, 2, 4, 4), mode="same"),
        c("same_rect_2x3", (1, 1, 5, 5), (2, 1, 2, 3), mode="same"),
        c("same_rect_4x1", (1, 1, 6, 5), (1, 1, 4, 1), mode="same"),
        c("same_s2_odd_input", (1, 1, 7, 7), (1, 1, 3, 3), mode="same", stride=2),
        c("same_s2_even_input", (1, 1, 8, 6), (1, 1, 3, 3), mode="same", stride=2),
        c("same_s2_even_kernel_odd_input", (1, 1, 7, 9), (1, 1, 2, 4), mode="same", stride=2),
        c("same_s3_odd_kernel", (1, 1, 9, 7), (1, 1, 3, 3), mode="same", stride=3),
        c("same_s3_even_kernel_zero_total", (1, 1, 9, 8), (1, 1, 2, 2), mode="same", stride=3),
        c("same_s3_even_kernel_even_input", (1, 2, 8, 6), (2, 2, 4, 2), mode="same", stride=3),
        c("same_rect_stride_1_2", (1, 1, 6, 7), (1, 1, 3, 2), mode="same", stride=[1, 2]),
        c("full_3x3", (1, 1, 4, 4), (1, 1, 3, 3), mode="full"),
        c("full_even_2x2", (1, 2, 3, 4), (1, 2, 2, 2), mode="full"),
        c("full_rect_2x3_stride_2", (1, 1, 5, 5), (1, 1, 2, 3), mode="full", stride=2),
        c("full_rect_4x1", (1, 1, 4, 3), (2, 1, 4, 1), mode="full"),
        # explicit padding: int, pair, per side (incl. zero sides)
        c("padding_int", (1, 1, 4, 5), (1, 1, 3, 3), padding=1),
        c("padding_zero_int", (1, 1, 4, 4), (1, 1, 2, 2), padding=0),
        c("padding_pair", (1, 2, 4, 4), (1, 2, 3, 3), padding=[1, 2]),
        c("padding_asym", (1, 1, 5, 4), (1, 1, 3, 3), padding=[[1, 0], [2, 1]]),
        c("padding_asym_zero_sides", (1, 1, 4, 5), (2, 1, 2, 2), padding=[[0, 2], [0, 0]]),
        c("padding_asym_top_right_only", (1, 1, 4, 4), (1, 1, 3, 2), padding=[[2, 0], [0, 1]]),
        # strides, incl. rectangular ones and floors that drop rows / cols
        c("stride_rect_1_2", (1, 1, 5, 7), (1, 1, 3, 3), stride=[1, 2]),
        c("stride_rect_3_1", (1, 1, 8, 5), (1, 1, 2, 3), stride=[3, 1]),
        c("stride_2_floor_drops", (1, 1, 8, 6), (1, 1, 3, 3), stride=2),
        c("stride_3_floor_drops", (1, 1, 9, 8), (1, 1, 2, 3), stride=3),
        c("stride_3_gaps_kernel_2", (1, 1, 8, 8), (1, 1, 2, 2), stride=3),
        c("stride_2_padding_floor_drops", (1, 1, 6, 5), (1, 1, 3, 3), stride=2, padding=[[1, 2], [0, 1]]),
        # dilation
        c("dilation_2", (1, 1, 7, 7), (1, 1, 3, 3), dilation=2),
        c("dilation_pair_2_1", (1, 2, 7, 5), (1, 2, 3, 2), dilation=[2, 1]),
        c("dilation_same", (1, 1, 7, 6), (1, 1, 3, 3), dilation=2, mode="same"),
        c("dilation_pair_same_even", (1, 1, 6, 7), (1, 1, 2, 2), dilation=[2, 3], mode="same"),
        c("dilation_same_stride_2", (1, 1, 8, 7), (1, 1, 2, 3), dilation=2, mode="same", stride=2),
        c("dilation_full", (1, 1, 4, 5), (1, 1, 2, 3), dilation=[1, 2], mode="full"),
        # flip
        c("flip_valid", (1, 2, 5, 5), (2, 2, 3, 3), flip=True),
        c("flip_same_even", (1, 1, 5, 6), (1, 1, 2, 3), flip=True, mode="same"),
        c("flip_full", (1, 1, 4, 4), (1, 1, 2, 3), flip=True, mode="full"),
        c("flip_false_explicit", (1, 1, 4, 4), (1, 1, 2, 3), flip=False),
        c("flip_padding_stride", (1, 1, 6, 6), (1, 1, 3, 2), flip=True, padding=[[1, 0], [0, 2]], stride=2),
        # NHWC with each feature
        c("nhwc_basic", (2, 2, 4, 5), (3, 2, 3, 3), layout="NHWC"),
        c("nhwc_bias_same_stride_2", (1, 3, 7, 6), (2, 3, 2, 2), layout="NHWC", bias=True, mode="same", stride=2),
        c("nhwc_full_dilation_flip", (1, 2, 4, 5), (2, 2, 2, 3), layout="NHWC", mode="full", dilation=2, flip=True),
        c("nhwc_asym_padding_rect_stride", (2, 1, 6, 7), (2, 1, 3, 3), layout="NHWC",
          padding=[[0, 1], [2, 0]], stride=[2, 3]),
        c("nhwc_rank3_images", (1, 2, 5, 5), (2, 2, 2, 2), layout="NHWC", img_rank=3, bias=True),
        c("nhwc_rank3_both", (1, 3, 4, 4), (1, 3, 3, 3), layout="NHWC", img_rank=3, ker_rank=3, padding=1),
        c("nhwc_rank2_both", (1, 1, 5, 6), (1, 1, 3, 2), layout="NHWC", img_rank=2, ker_rank=2, mode="same"),
        # rank 2 and rank 3 documents (NCHW)
        c("rank2_both", (1, 1, 5, 5), (1, 1, 3, 3), img_rank=2, ker_rank=2),
        c("rank2_both_same_even", (1, 1, 6, 5), (1, 1, 2, 2), img_rank=2, ker_rank=2, mode="same"),
        c("rank3_image_rank3_kernel", (1, 2, 5, 4), (1, 2, 2, 2), img_rank=3, ker_rank=3),
        c("rank3_image_rank4_kernels", (1, 2, 4, 5), (3, 2, 3, 2), img_rank=3, bias=True),
        c("rank2_image_rank4_kernels", (1, 1, 5, 5), (2, 1, 2, 2), img_rank=2, bias=True, stride=2),
        c("rank4_image_rank2_kernel", (2, 1, 4, 4), (1, 1, 3, 3), ker_rank=2),
        # non-integer values
        c("float_valid", (1, 2, 5, 5), (2, 2, 3, 3), kind="float", bias=True),
        c("float_same_stride_dilation", (1, 1, 8, 7), (1, 1, 3, 2), kind="float", mode="same", stride=2, dilation=2),
        c("quarter_full_flip", (1, 1, 4, 5), (1, 1, 3, 3), kind="quarter", mode="full", flip=True),
        # combinations of everything
        c("combo_nchw_everything", (2, 3, 7, 8), (2, 3, 3, 2), bias=True, padding=[[1, 2], [0, 1]],
          stride=[2, 1], dilation=[1, 2], flip=True),
        c("combo_nhwc_same_s3_dilated_even_flip", (2, 2, 9, 8), (3, 2, 2, 2), layout="NHWC", bias=True,
          mode="same", stride=3, dilation=2, flip=True),
        c("combo_float_nhwc_full_rect_stride", (1, 2, 5, 6), (2, 2, 2, 3), layout="NHWC", kind="float",
          bias=True, mode="full", stride=[2, 3], dilation=[2, 1]),
        # document forms: JSON integers, title / description
        c("json_integers", (1, 2, 4, 4), (2, 2, 2, 2), bias=True, json_ints=True, stride=2),
        c("title_and_description", (1, 1, 4, 4), (1, 1, 2, 2), mode="same",
          title="An even kernel under 'same'", description="The extra row and column go bottom/right."),
    ]


def grad_cases():
    c = make_doc
    return [
        c("g_valid_default_grad_output", (1, 1, 4, 4), (1, 1, 3, 3)),
        c("g_valid_random_grad_output", (1, 1, 5, 5), (1, 1, 3, 3), grad_output=True),
        c("g_bias", (1, 2, 4, 5), (2, 2, 2, 2), bias=True),
        c("g_batch_channels_kernels_bias", (2, 3, 5, 4), (2, 3, 3, 3), bias=True, grad_output=True),
        c("g_stride_2", (1, 1, 7, 7), (1, 1, 3, 3), stride=2, grad_output=True),
        c("g_stride_2_floor_drops", (1, 2, 8, 6), (2, 2, 3, 3), stride=2),
        c("g_stride_3_floor_drops", (1, 1, 9, 8), (1, 1, 2, 3), stride=3, grad_output=True),
        c("g_stride_rect_1_2", (1, 1, 5, 7), (1, 1, 3, 3), stride=[1, 2], grad_output=True),
        c("g_stride_rect_3_2_drops", (1, 1, 8, 7), (2, 1, 2, 2), stride=[3, 2], grad_output=True),
        c("g_dilation_2", (1, 1, 7, 6), (1, 1, 3, 2), dilation=2, grad_output=True),
        c("g_dilation_pair_stride_2", (1, 2, 8, 7), (1, 2, 2, 3), dilation=[2, 1], stride=2, grad_output=True),
        c("g_padding_int", (1, 1, 4, 4), (1, 1, 3, 3), padding=1, grad_output=True),
        c("g_padding_asym", (1, 1, 5, 4), (1, 1, 3, 2), padding=[[2, 0], [1, 3]], grad_output=True),
        c("g_padding_stride_floor_drops", (1, 1, 6, 5), (1, 1, 3, 3), padding=[[1, 2], [0, 1]], stride=2,
          grad_output=True),
        c("g_full", (1, 1, 4, 4), (1, 1, 3, 3), mode="full", grad_output=True),
        c("g_full_dilation_stride", (1, 1, 5, 4), (1, 1, 2, 2), mode="full", dilation=2, stride=2, grad_output=True),
        c("g_same_even_kernel", (1, 1, 5, 6), (1, 1, 2, 4), mode="same", grad_output=True),
        c("g_same_stride_2_even", (1, 1, 8, 6), (1, 1, 4, 3), mode="same", stride=2, bias=True),
        c("g_same_stride_3", (1, 1, 7, 9), (1, 1, 3, 2), mode="same", stride=3, grad_output=True),
        c("g_flip_valid", (1, 2, 5, 5), (1, 2, 3, 2), flip=True, grad_output=True),
        c("g_flip_full_stride_2", (1, 1, 4, 5), (1, 1, 2, 3), flip=True, mode="full", stride=2, grad_output=True),
        c("g_nhwc", (2, 2, 4, 5), (3, 2, 2, 3), layout="NHWC", grad_output=True),
        c("g_nhwc_bias_flip_same", (1, 3, 6, 5), (2, 3, 2, 3), layout="NHWC", bias=True, flip=True, mode="same",
          stride=2, grad_output=True),
        c("g_nhwc_rank2", (1, 1, 5, 5), (1, 1, 2, 2), layout="NHWC", img_rank=2, ker_rank=2, stride=2),
        c("g_rank2_default", (1, 1, 5, 5), (1, 1, 3, 3), img_rank=2, ker_rank=2),
        c("g_rank2_grad_output", (1, 1, 6, 5), (1, 1, 2, 2), img_rank=2, ker_rank=2, padding=1, grad_output=True),
        c("g_rank3_image_rank4_kernels", (1, 2, 4, 4), (2, 2, 2, 2), img_rank=3, bias=True, grad_output=True),
        c("g_float", (1, 2, 4, 5), (2, 2, 3, 2), kind="float", bias=True, grad_output=True),
        c("g_combo_everything", (2, 2, 7, 8), (2, 2, 3, 2), layout="NHWC", bias=True, padding=[[1, 0], [2, 1]],
          stride=[2, 3], dilation=[1, 2], flip=True, grad_output=True),
    ]


# --------------------------------------------------------------------------
# Writing
# --------------------------------------------------------------------------

def build(cases, grad):
    out = []
    names = set()
    for name, doc in cases:
        assert name not in names, f"duplicate case name {name}"
        names.add(name)
        doc = json.loads(json.dumps(doc))  # compute from exactly what is stored
        expected = torch_compute(doc, grad=grad)
        verify(name, doc, expected, grad)
        out.append({"name": name, "doc": doc, "expected": expected})
    return out


def write(path, cases):
    """One case per line: small diffs when a case changes."""
    lines = ",\n".join("  " + json.dumps(case, separators=(", ", ": ")) for case in cases)
    path.write_text(f'{{"generator": {json.dumps(GENERATOR)}, "cases": [\n{lines}\n]}}\n')


def check_contract_cases():
    """The public contract cases must come out of this pipeline exactly."""
    if not CONTRACT_CASES.is_dir():
        print(f"note: {CONTRACT_CASES} not found, contract cross-check skipped")
        return
    paths = sorted(p for p in CONTRACT_CASES.glob("*.json") if not p.name.endswith(".expected.json"))
    for p in paths:
        doc = json.loads(p.read_text())
        want = json.loads(p.with_name(p.stem + ".expected.json").read_text())
        got = torch_compute(doc)
        verify(p.stem, doc, got, grad=False)
        for key in ("output_shape", "padding", "stride", "dilation"):
            assert got[key] == want[key], f"{p.stem}: {key} {got[key]} != {want[key]}"
        assert np.array_equal(np.asarray(got["output"]), np.asarray(want["output"])), f"{p.stem}: output"
    print(f"contract: {len(paths)}/{len(paths)} public cases in {CONTRACT_CASES} match this pipeline exactly")


def main():
    torch.set_default_dtype(torch.float64)
    check_contract_cases()
    fwd, grd = build(forward_cases(), grad=False), build(grad_cases(), grad=True)
    write(HERE / "forward.json", fwd)
    write(HERE / "grad.json", grd)
    for f, n in (("forward.json", len(fwd)), ("grad.json", len(grd))):
        print(f"wrote {HERE / f}: {n} cases, {(HERE / f).stat().st_size} bytes (numpy loops agree)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
