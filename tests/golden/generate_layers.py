"""Generate tests/golden/layers.json, golden vectors for the new layers, from PyTorch (float64).

    python tests/golden/generate_layers.py

Needs torch and numpy, which are NOT dependencies of convtrace: run it with an
interpreter that has them, for example a virtual env outside the repo::

    python3.11 -m venv /tmp/torchenv && /tmp/torchenv/bin/pip install torch==2.13.0 numpy   # the version the vectors came from
    /tmp/torchenv/bin/python tests/golden/generate_layers.py

The layers are those of the layer contract (../shared/DESIGN.md, section 6):
grouped and depthwise convolution (`groups`), transposed convolution
(`transposed`), max and average pooling (`pool`), and 1-D and 3-D versions of
all of them (`dims`). Each case is a document as that contract defines it, and
its expected `run --json` geometry and `grad --json` arrays, every array
promoted to full rank in the document's layout.

Every case is built deterministically (a seed derived from the case name) and
every expected value is computed by torch in float64 (F.pad + F.conv1d/2d/3d,
F.conv_transpose1d/2d/3d, F.max_pool1d/2d/3d, F.avg_pool1d/2d/3d, torch.flip,
autograd for L = sum(output * grad_output)). 'same', 'full' and causal padding
are resolved here from the rules of section 2, per axis, not by torch
(padding="same" is only a cross-check at stride 1). Before writing, every
answer is re-checked against independent pure-numpy direct loops, and the
pipeline must reproduce the public cases in ../shared/contract/layers.
Running it twice gives the same file, byte for byte.
"""
import itertools
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
    sys.exit(f"generate_layers.py needs torch and numpy ({e}); see its docstring")

HERE = pathlib.Path(__file__).resolve().parent
# the public cases in ../shared beside the repository (searched upwards, wherever the checkout sits)
CONTRACT_LAYERS = next((p / "shared" / "contract" / "layers" for p in HERE.parents
                        if (p / "shared" / "contract" / "layers").is_dir()), None)
GENERATOR = f"tests/golden/generate_layers.py, torch {torch.__version__}, float64"

CONV = {1: F.conv1d, 2: F.conv2d, 3: F.conv3d}
CONV_T = {1: F.conv_transpose1d, 2: F.conv_transpose2d, 3: F.conv_transpose3d}
MAX_POOL = {1: F.max_pool1d, 2: F.max_pool2d, 3: F.max_pool3d}
AVG_POOL = {1: F.avg_pool1d, 2: F.avg_pool2d, 3: F.avg_pool3d}


# --------------------------------------------------------------------------
# Reading a document (sections 1 and 6) and resolving its geometry (section 2)
# --------------------------------------------------------------------------

def per_axis(v, nd):
    """int or one number per spatial axis -> list of nd ints."""
    if isinstance(v, int):
        return [v] * nd
    assert len(v) == nd, (v, nd)
    return list(v)


def layer_of(doc):
    if "pool" in doc:
        return "pool"
    return "transposed" if doc.get("transposed", False) else "conv"


def promote(a, nd, layout):
    """Array in the document's layout, rank nd+2, nd+1 or nd -> rank nd+2 in the same layout."""
    full = nd + 2
    if a.ndim == full:
        return a
    if a.ndim == full - 1:
        return a[None]
    if a.ndim == full - 2:
        return a[None, ..., None] if layout == "NHWC" else a[None, None]
    raise ValueError(f"rank {a.ndim} for dims {nd}")


def to_channels_first(a, layout):
    """Rank-4 NHWC-style array (N, H, W, C) -> (N, C, H, W); channels-first stays."""
    return a.transpose(0, 3, 1, 2) if layout == "NHWC" else a


def to_doc_layout(a, layout):
    """Channels-first rank-(nd+2) array -> the document's layout."""
    return a.transpose(0, 2, 3, 1) if layout == "NHWC" else a


def same_pads(size, k, s, d):
    """TensorFlow 'same': out = ceil(in / s); the extra row/col goes bottom/right."""
    out = -(-size // s)
    total = max((out - 1) * s + d * (k - 1) + 1 - size, 0)
    return [total // 2, total - total // 2]


def conv_padding(doc, nd, sizes, ks, strides, dils):
    """Convolution padding -> [[before, after]] per spatial axis."""
    if "padding" in doc:
        p = doc["padding"]
        if isinstance(p, int):
            return [[p, p] for _ in range(nd)]
        if nd == 1:
            return [[p[0], p[1]]]  # dims 1: [left, right]
        if isinstance(p[0], int):
            return [[q, q] for q in p]
        return [list(q) for q in p]
    if doc.get("causal", False):
        return [[dils[0] * (ks[0] - 1), 0]]
    mode = doc.get("mode", "valid")
    if mode == "valid":
        return [[0, 0] for _ in range(nd)]
    if mode == "full":
        return [[d * (k - 1)] * 2 for k, d in zip(ks, dils)]
    if mode == "same":
        return [same_pads(n, k, s, d) for n, k, s, d in zip(sizes, ks, strides, dils)]
    raise ValueError(mode)


def symmetric_padding(doc, nd):
    """Transposed and pooling padding: int or one int per axis -> [[p, p]] per axis."""
    return [[p, p] for p in per_axis(doc.get("padding", 0), nd)]


def conv_out(n, pad, k, s, d):
    """L' = floor((L + before + after - d*(k-1) - 1) / s) + 1."""
    return (n + pad[0] + pad[1] - d * (k - 1) - 1) // s + 1


def transposed_out(n, p, k, s, d, op):
    """L' = (L-1)*s - 2p + d*(k-1) + output_padding + 1."""
    return (n - 1) * s - 2 * p + d * (k - 1) + op + 1


def pool_out(n, p, k, s, d, ceil_mode):
    """max_pool/avg_pool size; under ceil_mode a last window that would start in the right padding is dropped."""
    span = n + 2 * p - d * (k - 1) - 1
    out = (-(-span // s) if ceil_mode else span // s) + 1
    if ceil_mode and (out - 1) * s >= n + p:
        out -= 1
    return out


def read_doc(doc):
    """Document -> channels-first float64 arrays (x, w, bias) and the resolved geometry."""
    nd, layout, layer = doc.get("dims", 2), doc.get("layout", "NCHW"), layer_of(doc)
    x = to_channels_first(promote(np.asarray(doc["images"], dtype=np.float64), nd, layout), layout)
    w = None
    if layer != "pool":
        w = to_channels_first(promote(np.asarray(doc["kernels"], dtype=np.float64), nd, layout), layout)
    b = np.asarray(doc["bias"], dtype=np.float64) if "bias" in doc else None
    sizes = list(x.shape[2:])
    if layer == "pool":
        ks = per_axis(doc["pool_size"], nd)
        strides = per_axis(doc.get("stride", doc["pool_size"]), nd)
    else:
        ks = list(w.shape[2:])
        strides = per_axis(doc.get("stride", 1), nd)
    dils = per_axis(doc.get("dilation", 1), nd)
    geo = {"nd": nd, "layout": layout, "layer": layer, "ks": ks, "stride": strides, "dilation": dils,
           "groups": doc.get("groups", 1), "flip": doc.get("flip", False)}
    if layer == "conv":
        geo["padding"] = conv_padding(doc, nd, sizes, ks, strides, dils)
        geo["out"] = [conv_out(*a) for a in zip(sizes, geo["padding"], ks, strides, dils)]
    elif layer == "transposed":
        geo["padding"] = symmetric_padding(doc, nd)
        geo["output_padding"] = per_axis(doc.get("output_padding", 0), nd)
        geo["out"] = [transposed_out(n, p[0], k, s, d, op) for n, p, k, s, d, op
                      in zip(sizes, geo["padding"], ks, strides, dils, geo["output_padding"])]
    else:
        geo["padding"] = symmetric_padding(doc, nd)
        geo["ceil_mode"] = doc.get("ceil_mode", False)
        geo["count_include_pad"] = doc.get("count_include_pad", True)
        geo["out"] = [pool_out(n, p[0], k, s, d, geo["ceil_mode"]) for n, p, k, s, d
                      in zip(sizes, geo["padding"], ks, strides, dils)]
    return x, w, b, geo


def out_channels(x, w, geo):
    if geo["layer"] == "conv":
        return w.shape[0]
    if geo["layer"] == "transposed":
        return w.shape[1] * geo["groups"]
    return x.shape[1]


# --------------------------------------------------------------------------
# The reference: torch, float64
# --------------------------------------------------------------------------

def spatial_dims(nd):
    return tuple(range(2, nd + 2))


def torch_pad_arg(pads):
    """[[before, after]] per axis -> F.pad's flat tuple, last axis first."""
    return tuple(v for pair in reversed(pads) for v in pair)


def torch_compute(doc):
    """Document -> expected dict; torch autograd does the gradients."""
    _, _, _, geo = read_doc(doc)
    nd, layout, layer = geo["nd"], geo["layout"], geo["layer"]
    # Leaves are the promoted arrays in the document's layout, so the gradients
    # come back in that layout with no further bookkeeping.
    x = torch.tensor(promote(np.asarray(doc["images"], dtype=np.float64), nd, layout), requires_grad=True)
    xn = x.permute(0, 3, 1, 2) if layout == "NHWC" else x
    w = b = None
    if layer != "pool":
        w = torch.tensor(promote(np.asarray(doc["kernels"], dtype=np.float64), nd, layout), requires_grad=True)
        wn = w.permute(0, 3, 1, 2) if layout == "NHWC" else w
    if "bias" in doc:
        b = torch.tensor(doc["bias"], dtype=torch.float64, requires_grad=True)
    s, d, g = tuple(geo["stride"]), tuple(geo["dilation"]), geo["groups"]

    if layer == "conv":
        w_used = torch.flip(wn, dims=spatial_dims(nd)) if geo["flip"] else wn
        y = CONV[nd](F.pad(xn, torch_pad_arg(geo["padding"])), w_used, b, stride=s, dilation=d, groups=g)
        if doc.get("mode") == "same":
            for n, o, st, (a, z) in zip(xn.shape[2:], y.shape[2:], s, geo["padding"]):
                assert o == -(-n // st) and z - a in (0, 1), "'same' geometry"
            if all(v == 1 for v in s):
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")  # even kernels: torch warns it copies the input
                    y_same = CONV[nd](xn, w_used, b, padding="same", dilation=d, groups=g)
                assert torch.equal(y, y_same), "torch padding='same' disagrees with the TF rule at stride 1"
        if doc.get("causal", False):
            assert y.shape[2] == -(-xn.shape[2] // s[0]), "causal geometry"
    elif layer == "transposed":
        p = tuple(pair[0] for pair in geo["padding"])
        y = CONV_T[nd](xn, wn, b, stride=s, padding=p, output_padding=tuple(geo["output_padding"]),
                       groups=g, dilation=d)
    elif doc["pool"] == "max":
        y = MAX_POOL[nd](xn, tuple(geo["ks"]), stride=s, padding=tuple(p[0] for p in geo["padding"]),
                         dilation=d, ceil_mode=geo["ceil_mode"])
    else:
        y = AVG_POOL[nd](xn, tuple(geo["ks"]), stride=s, padding=tuple(p[0] for p in geo["padding"]),
                         ceil_mode=geo["ceil_mode"], count_include_pad=geo["count_include_pad"])
    assert list(y.shape[2:]) == geo["out"], f"output size {list(y.shape[2:])} != resolved {geo['out']}"

    y_doc = y.permute(0, 2, 3, 1) if layout == "NHWC" else y
    expected = {"output_shape": list(y_doc.shape), "output": clean(y_doc),
                "padding": geo["padding"], "stride": geo["stride"], "dilation": geo["dilation"]}
    if layer == "transposed":
        expected["output_padding"] = geo["output_padding"]
    gout = torch.tensor(doc["grad_output"], dtype=torch.float64) if "grad_output" in doc else torch.ones_like(y_doc)
    assert gout.shape == y_doc.shape, (gout.shape, y_doc.shape)
    (y_doc * gout).sum().backward()
    expected["grad_images"] = clean(x.grad)
    if w is not None:
        expected["grad_kernels"] = clean(w.grad)
    if b is not None:
        expected["grad_bias"] = clean(b.grad)
    return expected


def clean(t):
    """Tensor -> nested lists of floats, with -0.0 written as 0.0."""
    return (t.detach().numpy() + 0.0).tolist()


# --------------------------------------------------------------------------
# Independent check: pure numpy direct loops, straight from sections 2 and 6
# --------------------------------------------------------------------------

def taps(ks):
    return list(itertools.product(*(range(k) for k in ks)))


def np_conv(x, w, b, geo):
    """Grouped convolution (N, C, *L) x (K, C/G, *k) -> (N, K, *L') and its gradient function."""
    nd, G, s, d = geo["nd"], geo["groups"], geo["stride"], geo["dilation"]
    wf = np.flip(w, axis=spatial_dims(nd)) if geo["flip"] else w
    xp = np.pad(x, [(0, 0), (0, 0)] + [tuple(p) for p in geo["padding"]])
    N, C = x.shape[:2]
    K, Cg = w.shape[:2]
    Kg = K // G
    out = np.zeros((N, K, *geo["out"]))
    ts = taps(w.shape[2:])

    def where(o, t):
        return tuple(oi * si + ti * di for oi, ti, si, di in zip(o, t, s, d))

    for n, k in itertools.product(range(N), range(K)):
        grp = k // Kg
        for o in itertools.product(*(range(m) for m in geo["out"])):
            acc = 0.0 if b is None else b[k]
            for c in range(Cg):
                for t in ts:
                    acc += xp[(n, grp * Cg + c) + where(o, t)] * wf[(k, c) + t]
            out[(n, k) + o] = acc

    def grads(g):
        gxp, gwf = np.zeros_like(xp), np.zeros_like(w)
        for n, k in itertools.product(range(N), range(K)):
            grp = k // Kg
            for o in itertools.product(*(range(m) for m in geo["out"])):
                for c in range(Cg):
                    for t in ts:
                        at = (n, grp * Cg + c) + where(o, t)
                        gxp[at] += g[(n, k) + o] * wf[(k, c) + t]
                        gwf[(k, c) + t] += g[(n, k) + o] * xp[at]
        crop = tuple(slice(p[0], p[0] + L) for p, L in zip(geo["padding"], x.shape[2:]))
        gx = gxp[(slice(None), slice(None)) + crop]
        gw = np.flip(gwf, axis=spatial_dims(nd)) if geo["flip"] else gwf
        return gx, gw, None if b is None else g.sum(axis=(0,) + spatial_dims(nd))

    return out, grads


def np_transposed(x, w, b, geo):
    """Transposed convolution as a scatter: each input value stamps value * kernel into the output."""
    nd, G, s, d = geo["nd"], geo["groups"], geo["stride"], geo["dilation"]
    N, C = x.shape[:2]
    Kg = w.shape[1]
    Cg = C // G
    pads = [p[0] for p in geo["padding"]]
    # uncropped length, output_padding included (those cells receive nothing but the bias)
    full = [o + 2 * p for o, p in zip(geo["out"], pads)]
    yf = np.zeros((N, Kg * G, *full))
    ts = taps(w.shape[2:])

    def where(i, t):
        return tuple(ii * si + ti * di for ii, ti, si, di in zip(i, t, s, d))

    for n, c in itertools.product(range(N), range(C)):
        grp = c // Cg
        for i in itertools.product(*(range(m) for m in x.shape[2:])):
            for kk in range(Kg):
                for t in ts:
                    yf[(n, grp * Kg + kk) + where(i, t)] += x[(n, c) + i] * w[(c, kk) + t]
    crop = tuple(slice(p, p + o) for p, o in zip(pads, geo["out"]))
    out = yf[(slice(None), slice(None)) + crop].copy()
    if b is not None:
        out += b.reshape((1, -1) + (1,) * nd)

    def grads(g):
        gf = np.zeros_like(yf)
        gf[(slice(None), slice(None)) + crop] = g
        gx, gw = np.zeros_like(x), np.zeros_like(w)
        for n, c in itertools.product(range(N), range(C)):
            grp = c // Cg
            for i in itertools.product(*(range(m) for m in x.shape[2:])):
                for kk in range(Kg):
                    for t in ts:
                        at = (n, grp * Kg + kk) + where(i, t)
                        gx[(n, c) + i] += gf[at] * w[(c, kk) + t]
                        gw[(c, kk) + t] += gf[at] * x[(n, c) + i]
        return gx, gw, None if b is None else g.sum(axis=(0,) + spatial_dims(nd))

    return out, grads


def np_transposed_gather(x, w, b, geo):
    """The gather view of section 6: zeros inserted between inputs, padded, kernel rotated and swapped."""
    nd, G, s, d = geo["nd"], geo["groups"], geo["stride"], geo["dilation"]
    N, C = x.shape[:2]
    Kg = w.shape[1]
    Cg = C // G
    xs = np.zeros((N, C, *[(L - 1) * si + 1 for L, si in zip(x.shape[2:], s)]))
    xs[(slice(None), slice(None)) + tuple(slice(None, None, si) for si in s)] = x
    # before = d*(k-1) - p, after = d*(k-1) - p + output_padding; negative means crop
    pads = [(di * (k - 1) - p[0], di * (k - 1) - p[0] + op)
            for di, k, p, op in zip(d, w.shape[2:], geo["padding"], geo["output_padding"])]
    xs = np.pad(xs, [(0, 0), (0, 0)] + [(max(a, 0), max(z, 0)) for a, z in pads])
    xs = xs[(slice(None), slice(None)) + tuple(slice(max(-a, 0), L - max(-z, 0))
                                               for (a, z), L in zip(pads, xs.shape[2:]))]
    # (C, K/G, *k) -> (K, C/G, *k), rotated
    wg = np.zeros((Kg * G, Cg, *w.shape[2:]))
    for c, kk in itertools.product(range(C), range(Kg)):
        grp = c // Cg
        wg[grp * Kg + kk, c - grp * Cg] = np.flip(w[c, kk])
    geo2 = dict(geo, stride=[1] * nd, padding=[[0, 0]] * nd, flip=False, out=list(geo["out"]))
    out, _ = np_conv(xs, wg, b, geo2)
    return out


def np_pool(x, geo, kind):
    """max/avg pooling by direct loops; max sends its gradient to the first maximum in row-major order."""
    nd, s, d, ks = geo["nd"], geo["stride"], geo["dilation"], geo["ks"]
    pads = [p[0] for p in geo["padding"]]
    sizes = x.shape[2:]
    N, C = x.shape[:2]
    out = np.zeros((N, C, *geo["out"]))
    route = {}  # (n, c, o) -> list of (input index, weight)
    for n, c in itertools.product(range(N), range(C)):
        for o in itertools.product(*(range(m) for m in geo["out"])):
            starts = [oi * si - p for oi, si, p in zip(o, s, pads)]
            inside = []
            for t in taps(ks):
                at = tuple(st + ti * di for st, ti, di in zip(starts, t, d))
                if all(0 <= a < L for a, L in zip(at, sizes)):
                    inside.append(at)
            assert inside, "a window with no input value"
            if kind == "max":
                vals = [x[(n, c) + a] for a in inside]
                first = int(np.argmax(vals))  # argmax returns the first of equal maxima
                out[(n, c) + o] = vals[first]
                route[(n, c) + o] = [(inside[first], 1.0)]
            else:
                if geo["count_include_pad"]:
                    # the window clipped to the padded input (not to what ceil_mode hangs past it)
                    div = np.prod([min(st + k, L + p) - st for st, k, L, p in zip(starts, ks, sizes, pads)])
                else:
                    div = len(inside)
                out[(n, c) + o] = sum(x[(n, c) + a] for a in inside) / div
                route[(n, c) + o] = [(a, 1.0 / div) for a in inside]

    def grads(g):
        gx = np.zeros_like(x)
        for key, dests in route.items():
            for a, wt in dests:
                gx[key[:2] + a] += g[key] * wt
        return gx, None, None

    return out, grads


def assert_close(got, want, scale, what):
    got, want = np.asarray(got, dtype=np.float64), np.asarray(want, dtype=np.float64)
    assert got.shape == want.shape, f"{what}: shape {got.shape} != {want.shape}"
    np.testing.assert_allclose(got, want, rtol=0, atol=1e-12 * (1.0 + scale), err_msg=what)


def verify(name, doc, expected):
    """Re-derive every expected value with numpy loops; raise on any disagreement."""
    x, w, b, geo = read_doc(doc)
    layout = geo["layout"]
    if geo["layer"] == "conv":
        out, grads = np_conv(x, w, b, geo)
    elif geo["layer"] == "transposed":
        out, grads = np_transposed(x, w, b, geo)
        assert_close(np_transposed_gather(x, w, b, geo), out, np.abs(x).sum() * np.abs(w).sum(),
                     f"{name}: gather view of the transposed convolution")
    else:
        out, grads = np_pool(x, geo, doc["pool"])
    scale = float(np.abs(x).sum() * (1.0 if w is None else np.abs(w).sum()) + (0 if b is None else np.abs(b).sum()))
    assert list(to_doc_layout(out, layout).shape) == expected["output_shape"], f"{name}: output_shape"
    assert out.shape[1] == out_channels(x, w, geo), f"{name}: output channels"
    assert_close(expected["output"], to_doc_layout(out, layout), scale, f"{name}: output")
    for key in ("padding", "stride", "dilation"):
        assert expected[key] == geo[key], f"{name}: {key}"
    if "grad_output" in doc:
        g = to_channels_first(np.asarray(doc["grad_output"], dtype=np.float64), layout)
    else:
        g = np.ones(out.shape)
    gscale = scale * (1.0 + np.abs(g).sum())
    gx, gw, gb = grads(g)
    assert_close(expected["grad_images"], to_doc_layout(gx, layout), gscale, f"{name}: grad_images")
    assert ("grad_kernels" in expected) == (w is not None), f"{name}: grad_kernels presence"
    if w is not None:
        assert_close(expected["grad_kernels"], to_doc_layout(gw, layout), gscale, f"{name}: grad_kernels")
    assert ("grad_bias" in expected) == (b is not None), f"{name}: grad_bias presence"
    if b is not None:
        assert_close(expected["grad_bias"], gb, gscale, f"{name}: grad_bias")


# --------------------------------------------------------------------------
# Building the cases
# --------------------------------------------------------------------------

def values(rng, shape, kind):
    """Small numbers: 'int' in -3..3, 'bits' in 0..1 (ties for max pooling), 'float' 3 decimals."""
    if kind == "int":
        return rng.integers(-3, 4, size=shape).astype(np.float64)
    if kind == "bits":
        return rng.integers(0, 2, size=shape).astype(np.float64)
    if kind == "float":
        return np.round(rng.uniform(-2.0, 2.0, size=shape), 3)
    raise ValueError(kind)


def lower_rank(a, rank, layout):
    """Full-rank array in the document's layout -> drop N (rank - 1) or N and C (rank - 2)."""
    drop = a.ndim - rank
    if drop == 0:
        return a
    assert a.shape[0] == 1, "only one image / kernel can lose its batch axis"
    if drop == 1:
        return a[0]
    assert drop == 2
    return a[0, ..., 0] if layout == "NHWC" else a[0, 0]


def make_doc(name, xs, ws=None, *, dims=2, layout="NCHW", img_rank=None, ker_rank=None, bias=False,
             kind="int", grad_output=False, **opts):
    """Build a document from channels-first shapes xs=(N, C, *L) and ws (the layer's kernel shape).

    ws is (K, C/groups, *k) for a convolution, (C, K/groups, *k) when transposed,
    None for pooling. opts are copied into the document as they are (groups,
    transposed, pool, pool_size, mode, padding, stride, dilation, flip, causal,
    output_padding, ceil_mode, count_include_pad).
    """
    full = dims + 2
    rng = np.random.default_rng(zlib.crc32(name.encode()))
    x = values(rng, xs, kind)
    if layout == "NHWC":
        x = x.transpose(0, 2, 3, 1)
    doc = {}
    if dims != 2:
        doc["dims"] = dims
    doc["images"] = lower_rank(x, img_rank or full, layout).tolist()
    if ws is not None:
        w = values(rng, ws, "int" if kind == "bits" else kind)
        if layout == "NHWC":
            w = w.transpose(0, 2, 3, 1)
        doc["kernels"] = lower_rank(w, ker_rank or full, layout).tolist()
    if bias:
        k = ws[1] * opts.get("groups", 1) if opts.get("transposed") else ws[0]
        doc["bias"] = values(rng, (k,), "int" if kind == "bits" else kind).tolist()
    doc.update(opts)
    if layout != "NCHW":
        doc["layout"] = layout
    if grad_output:
        x_, w_, _, geo = read_doc(doc)
        shape = (x_.shape[0], out_channels(x_, w_, geo), *geo["out"])
        doc["grad_output"] = to_doc_layout(values(rng, shape, "float" if kind == "float" else "int"), layout).tolist()
    return name, doc


def group_cases():
    """Grouped and depthwise 2-D convolution: shapes (N, C, H, W), (K, C/groups, kh, kw)."""
    c = make_doc
    return [
        c("grp_g1_explicit_bias", (1, 2, 4, 5), (2, 2, 3, 3), groups=1, bias=True),
        c("grp_g2_basic", (1, 4, 4, 4), (2, 2, 3, 3), groups=2),
        c("grp_g2_k4_bias", (1, 4, 5, 4), (4, 2, 2, 2), groups=2, bias=True, grad_output=True),
        c("grp_g2_k6_batch2", (2, 2, 4, 4), (6, 1, 2, 3), groups=2, grad_output=True),
        c("grp_g4_k8", (1, 4, 3, 4), (8, 1, 2, 2), groups=4),
        c("grp_g3_c6_k3", (1, 6, 4, 3), (3, 2, 2, 2), groups=3, bias=True),
        c("grp_depthwise", (1, 3, 5, 5), (3, 1, 3, 3), groups=3, grad_output=True),
        c("grp_depthwise_multiplier_2", (1, 2, 4, 5), (4, 1, 3, 2), groups=2, bias=True),
        c("grp_depthwise_bias_padding", (1, 3, 4, 4), (3, 1, 3, 3), groups=3, bias=True, padding=1),
        c("grp_g2_valid_mode", (1, 2, 5, 5), (2, 1, 3, 3), groups=2, mode="valid"),
        c("grp_g2_same_odd", (1, 4, 5, 4), (2, 2, 3, 3), groups=2, mode="same", grad_output=True),
        c("grp_g2_same_even", (1, 2, 5, 6), (2, 1, 2, 2), groups=2, mode="same"),
        c("grp_g2_same_even_s2", (1, 2, 7, 6), (4, 1, 2, 4), groups=2, mode="same", stride=2, grad_output=True),
        c("grp_depthwise_same_even_s2_dilation", (1, 3, 8, 7), (3, 1, 2, 2), groups=3, mode="same", stride=2,
          dilation=2, bias=True),
        c("grp_g2_full", (1, 2, 3, 4), (2, 1, 2, 3), groups=2, mode="full", grad_output=True),
        c("grp_depthwise_full_flip", (1, 2, 3, 3), (2, 1, 2, 2), groups=2, mode="full", flip=True),
        c("grp_g2_flip_valid", (1, 4, 4, 5), (2, 2, 2, 3), groups=2, flip=True, grad_output=True),
        c("grp_g2_padding_int", (1, 2, 4, 4), (2, 1, 3, 3), groups=2, padding=1),
        c("grp_g2_padding_pair", (1, 4, 4, 3), (2, 2, 3, 3), groups=2, padding=[2, 1], grad_output=True),
        c("grp_g2_padding_per_side", (1, 2, 4, 4), (4, 1, 3, 2), groups=2, padding=[[1, 0], [0, 2]], bias=True),
        c("grp_g2_stride_2", (1, 2, 7, 7), (2, 1, 3, 3), groups=2, stride=2, grad_output=True),
        c("grp_g2_stride_rect_floor_drops", (1, 4, 8, 7), (2, 2, 2, 2), groups=2, stride=[3, 2]),
        c("grp_g2_dilation_pair", (1, 2, 7, 6), (2, 1, 3, 2), groups=2, dilation=[2, 3], grad_output=True),
        c("grp_nhwc_g2", (1, 4, 4, 5), (2, 2, 2, 3), groups=2, layout="NHWC", grad_output=True),
        c("grp_nhwc_depthwise_bias_same_s2", (1, 3, 6, 5), (3, 1, 3, 3), groups=3, layout="NHWC", bias=True,
          mode="same", stride=2, grad_output=True),
        c("grp_nhwc_g2_padding_dilation_flip", (2, 2, 5, 5), (4, 1, 2, 2), groups=2, layout="NHWC",
          padding=[[0, 1], [1, 1]], dilation=2, flip=True),
        c("grp_rank3_image_g2", (1, 4, 4, 4), (2, 2, 2, 2), groups=2, img_rank=3, grad_output=True),
        c("grp_rank3_image_depthwise", (1, 3, 4, 5), (3, 1, 2, 2), groups=3, img_rank=3, bias=True),
        c("grp_nhwc_rank3_image_depthwise", (1, 2, 5, 4), (2, 1, 3, 3), groups=2, layout="NHWC", img_rank=3,
          padding=1),
        c("grp_g1_rank2_both", (1, 1, 5, 5), (1, 1, 3, 3), groups=1, img_rank=2, ker_rank=2, grad_output=True),
        c("grp_g1_rank3_kernel", (1, 2, 4, 4), (1, 2, 2, 2), groups=1, img_rank=3, ker_rank=3, bias=True),
        c("grp_g2_float", (2, 2, 4, 4), (2, 1, 3, 2), groups=2, kind="float", bias=True, grad_output=True),
        c("grp_combo_everything", (2, 4, 7, 8), (4, 2, 3, 2), groups=2, bias=True, padding=[[1, 2], [0, 1]],
          stride=[2, 1], dilation=[1, 2], flip=True, grad_output=True),
    ]


def transposed_cases():
    """Transposed 2-D convolution: shapes (N, C, H, W), (C, K/groups, kh, kw)."""
    c = make_doc
    t = dict(transposed=True)
    return [
        c("tr_s1", (1, 1, 3, 3), (1, 1, 2, 2), **t),
        c("tr_s1_c2_k2", (1, 2, 3, 3), (2, 2, 3, 3), **t, grad_output=True),
        c("tr_s2", (1, 1, 3, 3), (1, 1, 3, 3), **t, stride=2, grad_output=True),
        c("tr_s2_even_kernel", (1, 2, 3, 2), (2, 1, 2, 2), **t, stride=2),
        c("tr_s3", (1, 1, 2, 3), (1, 2, 2, 2), **t, stride=3, grad_output=True),
        c("tr_s2_padding_1", (1, 1, 3, 3), (1, 1, 3, 3), **t, stride=2, padding=1),
        c("tr_s2_padding_pair", (1, 2, 3, 3), (2, 1, 3, 3), **t, stride=2, padding=[1, 0], grad_output=True),
        c("tr_s2_output_padding_1", (1, 1, 3, 3), (1, 1, 3, 3), **t, stride=2, padding=1, output_padding=1,
          grad_output=True),
        c("tr_s3_output_padding_2", (1, 1, 2, 2), (1, 1, 2, 3), **t, stride=3, output_padding=2),
        c("tr_s3_output_padding_pair", (1, 2, 2, 3), (2, 1, 3, 3), **t, stride=3, padding=1,
          output_padding=[2, 1], grad_output=True),
        c("tr_stride_rect", (1, 1, 3, 3), (1, 2, 2, 3), **t, stride=[1, 2], output_padding=[0, 1]),
        c("tr_dilation_2", (1, 1, 3, 3), (1, 1, 2, 2), **t, dilation=2, grad_output=True),
        c("tr_dilation_2_s1_output_padding_1", (1, 1, 3, 3), (1, 1, 3, 2), **t, dilation=2, output_padding=1,
          grad_output=True),
        c("tr_s2_dilation_2_padding", (1, 1, 3, 4), (1, 1, 3, 3), **t, stride=2, dilation=2, padding=2,
          output_padding=1),
        c("tr_dilation_pair_stride_pair", (1, 1, 3, 3), (1, 1, 2, 2), **t, stride=[2, 1], dilation=[1, 3],
          output_padding=[1, 2], grad_output=True),
        c("tr_groups_2", (1, 2, 3, 3), (2, 1, 2, 2), **t, groups=2, grad_output=True),
        c("tr_groups_2_bias_s2", (1, 4, 2, 3), (4, 2, 3, 3), **t, groups=2, bias=True, stride=2, padding=1,
          output_padding=1, grad_output=True),
        c("tr_depthwise", (1, 3, 3, 3), (3, 1, 2, 2), **t, groups=3, stride=2),
        c("tr_bias", (1, 2, 3, 3), (2, 3, 2, 2), **t, bias=True),
        c("tr_nhwc", (1, 2, 3, 3), (2, 2, 2, 2), **t, layout="NHWC", stride=2, grad_output=True),
        c("tr_nhwc_groups_bias_padding", (2, 4, 2, 3), (4, 1, 3, 2), **t, layout="NHWC", groups=2, bias=True,
          stride=2, padding=[1, 0], output_padding=1, grad_output=True),
        c("tr_rect_kernel_1x3", (1, 1, 3, 3), (1, 1, 1, 3), **t, stride=2),
        c("tr_rect_kernel_3x2_padding", (1, 2, 3, 3), (2, 2, 3, 2), **t, stride=[2, 3], padding=[1, 1],
          grad_output=True),
        c("tr_rank3_image", (1, 2, 3, 3), (2, 2, 2, 2), **t, img_rank=3, stride=2, grad_output=True),
        c("tr_nhwc_rank3_image", (1, 2, 2, 3), (2, 1, 3, 3), **t, layout="NHWC", img_rank=3, stride=2, padding=1),
        c("tr_rank2_both", (1, 1, 3, 3), (1, 1, 2, 2), **t, img_rank=2, ker_rank=2, stride=2, grad_output=True),
        c("tr_float_batch2", (2, 2, 2, 3), (2, 2, 2, 2), **t, kind="float", bias=True, stride=2, padding=1,
          grad_output=True),
    ]


def pool_cases():
    """Max and average 2-D pooling: shapes (N, C, H, W)."""
    c = make_doc
    mx, av = dict(pool="max"), dict(pool="avg")
    return [
        # max
        c("maxpool_2", (1, 1, 4, 4), pool_size=2, **mx, grad_output=True),
        c("maxpool_pair_2x3_c2", (1, 2, 4, 6), pool_size=[2, 3], **mx),
        c("maxpool_3_stride_2", (1, 1, 5, 5), pool_size=3, stride=2, **mx, grad_output=True),
        c("maxpool_stride_pair", (1, 1, 5, 6), pool_size=2, stride=[1, 2], **mx),
        c("maxpool_default_stride_floor_drops", (1, 1, 5, 7), pool_size=[2, 3], **mx, grad_output=True),
        c("maxpool_padding_1", (1, 1, 4, 4), pool_size=2, padding=1, **mx),
        c("maxpool_padding_pair", (1, 2, 5, 4), pool_size=[3, 2], stride=[2, 1], padding=[1, 1], **mx,
          grad_output=True),
        c("maxpool_dilation_2", (1, 1, 6, 6), pool_size=2, stride=1, dilation=2, **mx, grad_output=True),
        c("maxpool_dilation_pair_padding", (1, 1, 6, 7), pool_size=3, stride=2, dilation=[2, 1], padding=1,
          **mx),
        c("maxpool_ceil_partial_window", (1, 1, 5, 5), pool_size=2, ceil_mode=True, **mx, grad_output=True),
        c("maxpool_ceil_false_floor", (1, 1, 5, 5), pool_size=2, ceil_mode=False, **mx),
        c("maxpool_ceil_last_window_dropped", (1, 1, 5, 5), pool_size=2, padding=1, ceil_mode=True, **mx,
          grad_output=True),
        c("maxpool_ceil_pad_kept", (1, 1, 6, 4), pool_size=3, stride=2, padding=1, ceil_mode=True, **mx),
        c("maxpool_ceil_dilation", (1, 1, 6, 6), pool_size=2, stride=2, dilation=2, ceil_mode=True, **mx),
        c("maxpool_ties_bits", (1, 1, 4, 6), pool_size=2, kind="bits", **mx, grad_output=True),
        c("maxpool_ties_overlapping", (1, 1, 5, 5), pool_size=3, stride=1, kind="bits", **mx),
        c("maxpool_ties_constant", (1, 1, 3, 4), pool_size=2, stride=1, padding=1, kind="bits", **mx,
          constant=True),
        c("maxpool_nhwc", (1, 2, 4, 5), pool_size=2, layout="NHWC", **mx, grad_output=True),
        c("maxpool_nhwc_padding_ceil", (2, 3, 5, 4), pool_size=[3, 2], stride=2, padding=[1, 0], ceil_mode=True,
          layout="NHWC", **mx),
        c("maxpool_rank3", (1, 2, 4, 4), pool_size=2, img_rank=3, **mx, grad_output=True),
        c("maxpool_rank2", (1, 1, 5, 5), pool_size=3, stride=2, padding=1, img_rank=2, **mx),
        c("maxpool_nhwc_rank2", (1, 1, 4, 4), pool_size=2, stride=1, img_rank=2, layout="NHWC", **mx),
        c("maxpool_float_batch2", (2, 2, 5, 5), pool_size=3, stride=2, padding=1, kind="float", **mx,
          grad_output=True),
        # avg
        c("avgpool_2", (1, 1, 4, 4), pool_size=2, **av, grad_output=True),
        c("avgpool_pair_2x3", (1, 2, 4, 6), pool_size=[2, 3], **av),
        c("avgpool_3_stride_2", (1, 1, 5, 5), pool_size=3, stride=2, **av, grad_output=True),
        c("avgpool_stride_pair_floor_drops", (1, 1, 6, 7), pool_size=2, stride=[3, 2], **av),
        c("avgpool_padding_include", (1, 1, 4, 4), pool_size=3, stride=2, padding=1, **av, grad_output=True),
        c("avgpool_padding_include_explicit", (1, 1, 4, 4), pool_size=3, stride=2, padding=1,
          count_include_pad=True, **av),
        c("avgpool_padding_exclude", (1, 1, 4, 4), pool_size=3, stride=2, padding=1, count_include_pad=False,
          **av, grad_output=True),
        c("avgpool_padding_pair_exclude", (1, 2, 5, 4), pool_size=[2, 3], stride=1, padding=[1, 1],
          count_include_pad=False, **av),
        c("avgpool_ceil_partial_window", (1, 1, 5, 5), pool_size=2, ceil_mode=True, **av, grad_output=True),
        c("avgpool_ceil_padding_include", (1, 1, 6, 6), pool_size=3, stride=2, padding=1, ceil_mode=True, **av,
          grad_output=True),
        c("avgpool_ceil_padding_exclude", (1, 1, 6, 6), pool_size=3, stride=2, padding=1, ceil_mode=True,
          count_include_pad=False, **av),
        c("avgpool_ceil_last_window_dropped", (1, 1, 5, 5), pool_size=2, padding=1, ceil_mode=True, **av,
          grad_output=True),
        c("avgpool_ceil_false_padding", (1, 1, 6, 6), pool_size=3, stride=2, padding=1, ceil_mode=False, **av),
        c("avgpool_nhwc", (1, 3, 4, 4), pool_size=2, layout="NHWC", **av, grad_output=True),
        c("avgpool_nhwc_padding_exclude_ceil", (2, 2, 5, 5), pool_size=[2, 3], stride=2, padding=[1, 1],
          count_include_pad=False, ceil_mode=True, layout="NHWC", **av),
        c("avgpool_rank3", (1, 2, 4, 4), pool_size=[2, 1], img_rank=3, **av),
        c("avgpool_rank2", (1, 1, 5, 5), pool_size=2, stride=1, padding=1, img_rank=2, **av, grad_output=True),
        c("avgpool_float", (1, 2, 5, 5), pool_size=3, stride=2, padding=1, count_include_pad=False, kind="float",
          **av, grad_output=True),
    ]


def dims1_cases():
    """1-D: images (N, C, L), kernels (K, C/groups, k) (transposed (C, K/groups, k))."""
    c = lambda *a, **k: make_doc(*a, dims=1, **k)  # noqa: E731
    return [
        c("d1_rank3_valid", (2, 2, 7), (2, 2, 3), grad_output=True),
        c("d1_rank2_both", (1, 2, 6), (1, 2, 2), img_rank=2, ker_rank=2),
        c("d1_rank1_both", (1, 1, 7), (1, 1, 3), img_rank=1, ker_rank=1, grad_output=True),
        c("d1_rank2_image_rank3_kernels_bias", (1, 2, 6), (3, 2, 2), img_rank=2, bias=True),
        c("d1_rank1_image_rank3_kernels", (1, 1, 6), (2, 1, 3), img_rank=1, grad_output=True),
        c("d1_rank3_image_rank1_kernel", (2, 1, 5), (1, 1, 2), ker_rank=1),
        c("d1_padding_int", (1, 1, 5), (1, 1, 3), padding=2, grad_output=True),
        c("d1_padding_left_right", (1, 2, 5), (2, 2, 3), padding=[2, 0], bias=True),
        c("d1_padding_right_only", (1, 1, 5), (1, 1, 2), padding=[0, 3], grad_output=True),
        c("d1_same_odd", (1, 1, 6), (1, 1, 3), mode="same"),
        c("d1_same_even", (1, 1, 6), (1, 1, 4), mode="same", grad_output=True),
        c("d1_same_even_s2", (1, 2, 7), (1, 2, 2), mode="same", stride=2, grad_output=True),
        c("d1_same_even_s2_dilation", (1, 1, 9), (2, 1, 4), mode="same", stride=2, dilation=2),
        c("d1_full", (1, 1, 4), (1, 1, 3), mode="full", grad_output=True),
        c("d1_full_dilation_stride", (1, 1, 5), (1, 1, 2), mode="full", dilation=3, stride=2),
        c("d1_valid_mode", (1, 1, 6), (1, 1, 4), mode="valid"),
        c("d1_causal", (1, 1, 6), (1, 1, 3), causal=True),
        c("d1_causal_dilation_2", (1, 1, 8), (1, 1, 3), causal=True, dilation=2, grad_output=True),
        c("d1_causal_dilation_4_bias", (1, 2, 9), (2, 2, 2), causal=True, dilation=4, bias=True),
        c("d1_causal_stride_2", (1, 1, 7), (1, 1, 3), causal=True, stride=2, grad_output=True),
        c("d1_causal_groups_2", (1, 2, 6), (2, 1, 2), causal=True, groups=2, dilation=2),
        c("d1_causal_rank1", (1, 1, 6), (1, 1, 2), causal=True, img_rank=1, ker_rank=1, grad_output=True),
        c("d1_stride_3_floor_drops", (1, 1, 10), (1, 1, 2), stride=3, grad_output=True),
        c("d1_stride_list", (1, 1, 7), (1, 1, 3), stride=[2], dilation=[1]),
        c("d1_dilation_3", (1, 1, 9), (1, 1, 3), dilation=3, grad_output=True),
        c("d1_groups_2_bias", (1, 4, 5), (2, 2, 2), groups=2, bias=True, grad_output=True),
        c("d1_depthwise_same", (2, 3, 6), (3, 1, 3), groups=3, mode="same"),
        c("d1_flip_padding", (1, 2, 5), (1, 2, 3), flip=True, padding=[1, 2], grad_output=True),
        c("d1_float", (1, 2, 6), (2, 2, 3), kind="float", bias=True, stride=2, grad_output=True),
        # transposed 1-D
        c("d1_tr_s2", (1, 1, 4), (1, 1, 3), transposed=True, stride=2, grad_output=True),
        c("d1_tr_padding_output_padding", (1, 2, 4), (2, 1, 3), transposed=True, stride=3, padding=1,
          output_padding=2),
        c("d1_tr_groups_dilation_bias", (1, 2, 3), (2, 2, 2), transposed=True, groups=2, dilation=2,
          output_padding=1, bias=True, grad_output=True),
        c("d1_tr_rank2_image", (1, 2, 4), (2, 1, 2), transposed=True, img_rank=2, stride=2),
        c("d1_tr_rank1_both", (1, 1, 3), (1, 1, 3), transposed=True, img_rank=1, ker_rank=1, stride=2,
          padding=1, grad_output=True),
        # pooling 1-D
        c("d1_maxpool_2", (1, 2, 7), pool="max", pool_size=2, grad_output=True),
        c("d1_maxpool_padding_dilation_ceil", (1, 1, 8), pool="max", pool_size=3, stride=2, padding=1,
          dilation=2, ceil_mode=True),
        c("d1_maxpool_ties_rank1", (1, 1, 9), pool="max", pool_size=3, stride=1, kind="bits", img_rank=1,
          grad_output=True),
        c("d1_maxpool_ceil_last_window_dropped", (1, 1, 5), pool="max", pool_size=2, padding=1, ceil_mode=True),
        c("d1_avgpool_3_stride_2", (1, 1, 7), pool="avg", pool_size=3, stride=2, grad_output=True),
        c("d1_avgpool_padding_exclude_ceil", (1, 2, 6), pool="avg", pool_size=3, stride=2, padding=1,
          count_include_pad=False, ceil_mode=True, grad_output=True),
        c("d1_avgpool_padding_include_ceil_rank2", (1, 2, 6), pool="avg", pool_size=3, stride=2, padding=1,
          ceil_mode=True, img_rank=2),
    ]


def dims3_cases():
    """3-D: images (N, C, D, H, W), kernels (K, C/groups, kd, kh, kw) (transposed (C, K/groups, ...))."""
    c = lambda *a, **k: make_doc(*a, dims=3, **k)  # noqa: E731
    return [
        c("d3_rank5_valid", (1, 2, 3, 3, 4), (2, 2, 2, 2, 2), grad_output=True),
        c("d3_rank4_image_bias", (1, 1, 3, 4, 3), (2, 1, 2, 3, 2), img_rank=4, bias=True),
        c("d3_rank3_both", (1, 1, 3, 4, 4), (1, 1, 2, 2, 3), img_rank=3, ker_rank=3, grad_output=True),
        c("d3_rank4_kernel", (1, 2, 3, 3, 3), (1, 2, 2, 2, 2), ker_rank=4),
        c("d3_padding_int", (1, 1, 2, 3, 3), (1, 1, 2, 2, 2), padding=1, grad_output=True),
        c("d3_padding_triple", (1, 1, 3, 3, 2), (1, 1, 3, 2, 2), padding=[0, 1, 2]),
        c("d3_padding_per_side", (1, 1, 3, 3, 3), (1, 1, 2, 2, 2), padding=[[1, 0], [0, 2], [1, 1]],
          grad_output=True),
        c("d3_same_odd", (1, 1, 3, 3, 4), (1, 1, 3, 3, 3), mode="same"),
        c("d3_same_even", (1, 2, 3, 4, 3), (1, 2, 2, 2, 2), mode="same", grad_output=True),
        c("d3_same_even_s2", (1, 1, 5, 4, 5), (1, 1, 2, 2, 4), mode="same", stride=2, grad_output=True),
        c("d3_same_mixed_stride_dilation", (1, 1, 4, 5, 6), (1, 1, 2, 3, 2), mode="same", stride=[1, 2, 3],
          dilation=[2, 1, 1]),
        c("d3_full", (1, 1, 2, 3, 2), (1, 1, 2, 2, 2), mode="full", grad_output=True),
        c("d3_valid_mode", (1, 1, 3, 3, 3), (1, 1, 2, 2, 2), mode="valid"),
        c("d3_stride_triple_floor_drops", (1, 1, 5, 6, 7), (1, 1, 2, 2, 2), stride=[2, 3, 2], grad_output=True),
        c("d3_dilation_triple", (1, 1, 5, 5, 5), (1, 1, 2, 2, 2), dilation=[1, 2, 3], grad_output=True),
        c("d3_groups_2_bias", (1, 2, 3, 3, 3), (4, 1, 2, 2, 2), groups=2, bias=True, grad_output=True),
        c("d3_depthwise_padding", (1, 3, 2, 3, 3), (3, 1, 1, 2, 2), groups=3, padding=[0, 1, 1]),
        c("d3_flip", (1, 1, 3, 3, 3), (1, 1, 2, 2, 2), flip=True, grad_output=True),
        c("d3_float_batch2", (2, 1, 3, 3, 3), (2, 1, 2, 2, 2), kind="float", bias=True, stride=2, padding=1,
          grad_output=True),
        # transposed 3-D
        c("d3_tr_s2", (1, 1, 2, 2, 2), (1, 1, 2, 2, 2), transposed=True, stride=2, grad_output=True),
        c("d3_tr_groups_padding_output_padding", (1, 2, 2, 2, 2), (2, 1, 3, 3, 3), transposed=True, groups=2,
          stride=2, padding=1, output_padding=1, bias=True, grad_output=True),
        c("d3_tr_triples", (1, 1, 2, 2, 3), (1, 1, 2, 3, 2), transposed=True, stride=[1, 2, 3],
          padding=[0, 1, 0], dilation=[2, 1, 1], output_padding=[1, 1, 2]),
        c("d3_tr_rank4_image", (1, 2, 2, 2, 2), (2, 1, 2, 2, 2), transposed=True, img_rank=4, dilation=2),
        # pooling 3-D
        c("d3_maxpool_2", (1, 1, 4, 4, 4), pool="max", pool_size=2, grad_output=True),
        c("d3_maxpool_padding_ceil", (1, 1, 3, 5, 4), pool="max", pool_size=[2, 3, 2], stride=2,
          padding=[1, 1, 0], ceil_mode=True, grad_output=True),
        c("d3_maxpool_dilation_ties_rank3", (1, 1, 4, 4, 4), pool="max", pool_size=2, stride=1, dilation=2,
          kind="bits", img_rank=3),
        c("d3_avgpool_exclude", (1, 2, 3, 4, 4), pool="avg", pool_size=[1, 2, 3], stride=[1, 2, 1],
          padding=[0, 1, 1], count_include_pad=False, grad_output=True),
        c("d3_avgpool_ceil_include", (1, 1, 5, 5, 3), pool="avg", pool_size=2, padding=[1, 0, 1], ceil_mode=True,
          grad_output=True),
        c("d3_avgpool_rank4", (1, 2, 2, 4, 4), pool="avg", pool_size=2, img_rank=4),
    ]


# --------------------------------------------------------------------------
# Writing
# --------------------------------------------------------------------------

def finish(name, doc):
    """Apply make_doc's test-only switches that are not document keys."""
    if doc.pop("constant", False):  # every image value equal: every window is one big tie
        doc["images"] = (np.zeros_like(np.asarray(doc["images"])) + 1.0).tolist()
    return name, doc


def all_cases():
    return [finish(n, d) for n, d in
            group_cases() + transposed_cases() + pool_cases() + dims1_cases() + dims3_cases()]


def build(cases):
    out, names = [], set()
    for name, doc in cases:
        assert name not in names, f"duplicate case name {name}"
        names.add(name)
        doc = json.loads(json.dumps(doc))  # compute from exactly what is stored
        expected = torch_compute(doc)
        verify(name, doc, expected)
        out.append({"name": name, "doc": doc, "expected": expected})
    return out


def write(path, cases):
    """One case per line: small diffs when a case changes."""
    lines = ",\n".join("  " + json.dumps(case, separators=(", ", ": ")) for case in cases)
    path.write_text(f'{{"generator": {json.dumps(GENERATOR)}, "cases": [\n{lines}\n]}}\n')


def check_contract_layers():
    """The public layer cases must come out of this pipeline: forward, geometry and gradients."""
    if CONTRACT_LAYERS is None:
        if "--skip-contract" in sys.argv:
            print("note: shared/contract/layers not found, contract cross-check skipped (--skip-contract)")
            return
        sys.exit("shared/contract/layers not found beside the repository: the generator must reproduce the "
                 "public layer cases before it writes anything (pass --skip-contract to write anyway)")
    paths = sorted(p for p in CONTRACT_LAYERS.glob("*.json") if not p.name.endswith(".expected.json"))
    exact = 0
    for p in paths:
        doc = json.loads(p.read_text())
        want = json.loads(p.with_name(p.stem + ".expected.json").read_text())
        got = torch_compute(doc)
        verify(p.stem, doc, got)
        identical = True
        for key, value in want.items():
            if key in ("output_shape", "padding", "stride", "dilation", "output_padding"):
                if got[key] != value:
                    sys.exit(f"contract case {p.stem}: {key} {got[key]} != {value}")
                continue
            a, b = np.asarray(got[key], dtype=np.float64), np.asarray(value, dtype=np.float64)
            if a.shape != b.shape or not np.allclose(a, b, rtol=0, atol=1e-12):
                sys.exit(f"contract case {p.stem}: {key} differs from the published answer")
            identical &= bool(np.array_equal(a, b))
        exact += identical
    print(f"contract: {len(paths)}/{len(paths)} public layer cases in {CONTRACT_LAYERS} match this pipeline "
          f"({exact} bit for bit, the rest within 1e-12)")


def main():
    torch.set_default_dtype(torch.float64)
    check_contract_layers()
    cases = build(all_cases())
    path = HERE / "layers.json"
    write(path, cases)
    counts = {}
    for case in cases:
        layer = layer_of(case["doc"])
        key = f"dims {case['doc'].get('dims', 2)} {layer}" + (f" {case['doc']['pool']}" if layer == "pool" else "")
        counts[key] = counts.get(key, 0) + 1
    print(f"wrote {path}: {len(cases)} cases, {path.stat().st_size} bytes (numpy loops agree)")
    for key, n in sorted(counts.items()):
        print(f"  {key}: {n}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
