"""Fuzzing: thousands of generated documents, valid and broken, never end in an unexpected exception.

Valid documents must give the right numbers (checked against an independent
reference: scipy's direct correlation of the padded input with the dilated
kernel, read at every stride-th position). Broken ones (wrong types, shapes,
keys, nesting, values, damaged JSON text) must end in a ConvtraceError, which
the command line turns into exit 1 or 2 with a message and no traceback.
"""

from __future__ import annotations

import copy
import json
import math

import numpy as np
import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from scipy.signal import correlate

from convtrace.cli import cli
from convtrace.errors import ConvtraceError
from convtrace.source.jsontext import parse_json
from convtrace.source.problem import problem_from_document

FAST = settings(deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
KEYS = ("images", "kernels", "bias", "mode", "padding", "stride", "dilation", "flip", "layout", "grad_output", "title")


# ----------------------------------------------------------------------------- the reference


def spec_padding(doc: dict, size: tuple[int, int], kernel: tuple[int, int], stride, dilation) -> list[tuple[int, int]]:
    """((top, bottom), (left, right)) as README.md (The numbers) defines each mode, or the explicit padding."""
    if "padding" in doc:
        p = doc["padding"]
        if isinstance(p, int):
            return [(p, p), (p, p)]
        if isinstance(p[0], int):
            return [(p[0], p[0]), (p[1], p[1])]
        return [tuple(p[0]), tuple(p[1])]
    sides = []
    for n, k, s, d in zip(size, kernel, stride, dilation):
        mode = doc.get("mode", "valid")
        if mode == "valid":
            sides.append((0, 0))
        elif mode == "full":
            sides.append((d * (k - 1), d * (k - 1)))
        else:
            out = -(-n // s)
            total = max((out - 1) * s + d * (k - 1) + 1 - n, 0)
            sides.append((total // 2, total - total // 2))
    return sides


def as_pair(value) -> tuple[int, int]:
    return (value, value) if isinstance(value, int) else tuple(value)


SCIPY_SPAN = 10_000  # cells of a spread (dilated) kernel up to which scipy.signal.correlate is the reference


def reference(doc: dict):
    """doc -> (N, K, H', W') output in NCHW, or None when no window fits. Assumes the document is valid."""
    layout = doc.get("layout", "NCHW").upper()
    x, w = np.array(doc["images"], dtype=float), np.array(doc["kernels"], dtype=float)
    if layout == "NHWC":  # rank 3 is (H, W, C), rank 2 is (H, W): add the missing axes channels-last
        x = x[None, :, :, None] if x.ndim == 2 else (x[None] if x.ndim == 3 else x)
        w = w[None, :, :, None] if w.ndim == 2 else (w[None] if w.ndim == 3 else w)
        x, w = x.transpose(0, 3, 1, 2), w.transpose(0, 3, 1, 2)
    else:
        x = x.reshape((1,) * (4 - x.ndim) + x.shape)
        w = w.reshape((1,) * (4 - w.ndim) + w.shape)
    stride, dilation = as_pair(doc.get("stride", 1)), as_pair(doc.get("dilation", 1))
    (top, bottom), (left, right) = spec_padding(doc, x.shape[2:], w.shape[2:], stride, dilation)
    outs = [(n + a + b - d * (k - 1) - 1) // s + 1
            for n, a, b, k, s, d in zip(x.shape[2:], (top, left), (bottom, right), w.shape[2:], stride, dilation)]
    if min(outs) < 1:
        return None
    if doc.get("flip", False):
        w = w[:, :, ::-1, ::-1]
    (dh, dw), (sh, sw) = dilation, stride
    x_pad = np.pad(x, ((0, 0), (0, 0), (top, bottom), (left, right)))
    out = np.zeros((x.shape[0], w.shape[0], *outs))
    span = ((w.shape[2] - 1) * dh + 1, (w.shape[3] - 1) * dw + 1)
    if span[0] * span[1] > SCIPY_SPAN:
        # scipy's direct method would slide a spread kernel of a million cells over a padded input of
        # a million (hours): DESIGN section 2's sum instead, one kernel tap at a time, on strided slices
        for u in range(w.shape[2]):
            for v in range(w.shape[3]):
                taps = x_pad[:, :, u * dh: u * dh + (outs[0] - 1) * sh + 1: sh, v * dw: v * dw + (outs[1] - 1) * sw + 1: sw]
                out += np.einsum("nchw,kc->nkhw", taps, w[:, :, u, v])
    else:
        spread = np.zeros(w.shape[:2] + span)
        spread[:, :, ::dh, ::dw] = w
        for n in range(x.shape[0]):
            for k in range(w.shape[0]):
                full = correlate(x_pad[n], spread[k], mode="valid", method="direct")[0]
                out[n, k] = full[::sh, ::sw][: outs[0], : outs[1]]
    if "bias" in doc:
        out += np.array(doc["bias"], dtype=float)[None, :, None, None]
    return out


def close(got, expected, doc) -> bool:
    scale = np.abs(np.array(doc["images"], dtype=float)).sum() * np.abs(np.array(doc["kernels"], dtype=float)).sum()
    return np.allclose(got, expected, rtol=0, atol=1e-9 * (1 + scale))


# ----------------------------------------------------------------------------- valid documents


def nest(flat: list, shape: tuple[int, ...]):
    """A flat list -> nested lists of this shape (Python numbers kept as they are: ints stay ints)."""
    if len(shape) == 1:
        return flat
    step = len(flat) // shape[0]
    return [nest(flat[i * step:(i + 1) * step], shape[1:]) for i in range(shape[0])]


def numbers(rng: np.random.Generator, count: int) -> list:
    if rng.random() < 0.5:
        return [int(v) for v in rng.integers(-4, 5, count)]
    return [float(v) for v in rng.normal(0, 3, count).round(3)]


@st.composite
def valid_docs(draw) -> dict:
    """A document that follows README.md (The input document) (its kernel may still not fit: that is an error too)."""
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    layout = draw(st.sampled_from(["NCHW", "NHWC", "nhwc"]))
    n, c, k = draw(st.integers(1, 2)), draw(st.integers(1, 3)), draw(st.integers(1, 3))
    h, w, kh, kw = draw(st.integers(1, 7)), draw(st.integers(1, 7)), draw(st.integers(1, 3)), draw(st.integers(1, 3))
    channels_last = layout.upper() == "NHWC"
    image_rank = draw(st.sampled_from([4] + [3] * (n == 1) + [2] * (n == 1 and c == 1)))
    kernel_rank = draw(st.sampled_from([4] + [3] * (k == 1) + [2] * (k == 1 and c == 1)))
    image_shape = ((n, h, w, c) if channels_last else (n, c, h, w))[4 - image_rank:]
    kernel_shape = ((k, kh, kw, c) if channels_last else (k, c, kh, kw))[4 - kernel_rank:]
    if image_rank == 2:
        image_shape = (h, w)
    if kernel_rank == 2:
        kernel_shape = (kh, kw)
    doc = {
        "images": nest(numbers(rng, math.prod(image_shape)), image_shape),
        "kernels": nest(numbers(rng, math.prod(kernel_shape)), kernel_shape),
    }
    if layout != "NCHW" or draw(st.booleans()):
        doc["layout"] = layout
    small = st.integers(1, 3)
    if draw(st.booleans()):
        doc["stride"] = draw(st.one_of(small, st.lists(small, min_size=2, max_size=2)))
    if draw(st.booleans()):
        doc["dilation"] = draw(st.one_of(st.integers(1, 2), st.lists(st.integers(1, 2), min_size=2, max_size=2)))
    pad = st.integers(0, 2)
    choice = draw(st.sampled_from(["none", "mode", "padding"]))
    if choice == "mode":
        doc["mode"] = draw(st.sampled_from(["valid", "same", "full"]))
    elif choice == "padding":
        doc["padding"] = draw(st.one_of(pad, st.lists(pad, min_size=2, max_size=2),
                                        st.lists(st.lists(pad, min_size=2, max_size=2), min_size=2, max_size=2)))
    if draw(st.booleans()):
        doc["flip"] = draw(st.booleans())
    if draw(st.booleans()):
        doc["bias"] = numbers(rng, k)
    if draw(st.booleans()):
        doc["title"] = draw(st.text(max_size=20))
    return doc


# ----------------------------------------------------------------------------- broken documents

JSON_SCALARS = st.one_of(
    st.none(), st.booleans(), st.integers(-(10**30), 10**30), st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=5), st.sampled_from(["valid", "same", "full", "NCHW", "NHWC", "3", ""]),
)
JSON_VALUES = st.recursive(
    JSON_SCALARS,
    lambda inner: st.one_of(st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=5), inner, max_size=3)),
    max_leaves=12,
)
BAD_LEAVES = st.sampled_from([True, False, None, "3", "x", float("nan"), float("inf"), -float("inf"), 1e308 * 10,
                              10**400, [], [1], {}, {"a": 1}, 1e300, -1e300])


def leaf_paths(value, path=()):
    """Every index path into nested lists (rows and numbers)."""
    if isinstance(value, list):
        for i, item in enumerate(value):
            yield path + (i,)
            yield from leaf_paths(item, path + (i,))


def set_at(value, path, new):
    for i in path[:-1]:
        value = value[i]
    value[path[-1]] = new


# mistakes that end validation early (a missing or unknown key) are drawn less often
MISTAKES = ["leaf"] * 3 + ["ragged"] * 3 + ["setting"] * 3 + ["replace", "wrap", "unwrap"] * 2 + \
    ["drop", "unknown", "both", "huge"]


@st.composite
def broken_docs(draw) -> dict:
    """A valid document with one or two mistakes of the kinds learners make."""
    doc = copy.deepcopy(draw(valid_docs()))
    for _ in range(draw(st.integers(1, 2))):
        kind = draw(st.sampled_from(MISTAKES))
        arrays = [key for key in ("images", "kernels", "bias", "grad_output") if isinstance(doc.get(key), list)]
        if kind == "drop" and doc:
            doc.pop(draw(st.sampled_from(sorted(doc))))
        elif kind == "unknown":
            doc[draw(st.sampled_from(["strides", "kernel", "image", "Mode", "pad", "biases", "x"]))] = 1
        elif kind == "replace":
            doc[draw(st.sampled_from(KEYS))] = draw(JSON_VALUES)
        elif kind == "leaf" and arrays:
            key = draw(st.sampled_from(arrays))
            paths = list(leaf_paths(doc[key]))
            if paths:
                set_at(doc[key], draw(st.sampled_from(paths)), draw(BAD_LEAVES))
        elif kind == "ragged" and arrays:
            key = draw(st.sampled_from(arrays))
            rows = [p for p in leaf_paths(doc[key]) if isinstance(_get(doc[key], p), list)] + [()]
            row = _get(doc[key], draw(st.sampled_from(rows)))
            if isinstance(row, list):
                row.pop() if row and draw(st.booleans()) else row.append(copy.deepcopy(row[0]) if row else 1)
        elif kind == "wrap" and arrays:
            key = draw(st.sampled_from(arrays))
            doc[key] = [doc[key]] * draw(st.integers(1, 3))
        elif kind == "unwrap" and arrays:
            key = draw(st.sampled_from(arrays))
            doc[key] = doc[key][0] if doc[key] else doc[key]
        elif kind == "setting":
            key = draw(st.sampled_from(["stride", "dilation", "padding", "mode", "layout", "flip", "bias"]))
            doc[key] = draw(st.one_of(st.integers(-3, 10**12), JSON_SCALARS,
                                      st.lists(st.integers(-2, 4), max_size=5)))
        elif kind == "both":
            doc["mode"], doc["padding"] = "same", 1
        elif kind == "huge":
            doc[draw(st.sampled_from(["padding", "dilation", "stride"]))] = draw(st.sampled_from([10**5, 10**9, 2**64]))
    return doc


def _get(value, path):
    for i in path:
        value = value[i]
    return value


# ----------------------------------------------------------------------------- the properties


def check_library(doc: dict, valid: bool) -> None:
    """problem_from_document gives the reference's numbers or a ConvtraceError; nothing else."""
    try:
        problem = problem_from_document(copy.deepcopy(doc))
    except ConvtraceError as err:
        message = str(err)
        assert message and "Traceback" not in message and len(message) < 600
        if valid:  # a valid document is refused only when no window fits
            assert reference(doc) is None, f"refused a valid document: {message}"
            assert "does not fit" in message
        return
    from convtrace.engine.fast import problem_output

    expected = reference(doc)  # a document the library accepted must follow the spec
    assert expected is not None, "accepted a document whose kernel does not fit"
    assert close(problem_output(problem), expected, doc)


@settings(FAST, max_examples=400)
@given(doc=valid_docs())
def test_valid_documents_give_the_reference_output(doc):
    check_library(doc, valid=True)


@settings(FAST, max_examples=500)
@given(doc=broken_docs())
def test_broken_documents_end_in_a_convtrace_error(doc):
    check_library(doc, valid=False)


@settings(FAST, max_examples=300)
@given(doc=valid_docs(), data=st.data())
def test_damaged_json_text_ends_in_a_convtrace_error(doc, data):
    text = json.dumps(doc)
    cut = data.draw(st.integers(0, len(text)))
    damage = data.draw(st.sampled_from(["delete", "insert", "truncate", "duplicate"]))
    if damage == "delete":
        text = text[:cut] + text[cut + 1:]
    elif damage == "insert":
        text = text[:cut] + data.draw(st.sampled_from(list("[]{},:\"'-+.eE0 tfnNI\\\n\x00\ufeff"))) + text[cut:]
    elif damage == "truncate":
        text = text[:cut]
    else:
        text = text[:cut] + text[cut:cut + 12] + text[cut:]
    try:
        problem_from_document(parse_json(text))
    except ConvtraceError as err:
        assert str(err) and "Traceback" not in str(err)


def runner() -> CliRunner:
    try:
        return CliRunner(mix_stderr=False)
    except TypeError:
        return CliRunner()


@settings(FAST, max_examples=200)
@given(doc=st.one_of(valid_docs(), broken_docs()), fmt=st.sampled_from(["--json", "plain", "jsonl"]))
def test_the_command_line_gives_a_result_or_a_clean_error(doc, fmt):
    """Through `convtrace run -`: exit 0 with the reference's output, or exit 1/2 with one clean message."""
    text = json.dumps(doc)  # NaN and Infinity are written as JSON's non-standard literals, as a user might
    args = ["run", "-", "--json"] if fmt == "--json" else ["run", "-", "--format", fmt, "--limit", "3"]
    # CONVTRACE_DEBUG lets an unexpected exception through, so it fails here instead of being reported
    result = runner().invoke(cli, args, input=text, env={"CONVTRACE_DEBUG": "1"})
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise result.exception
    assert result.exit_code in (0, 1, 2), result.stderr
    if result.exit_code != 0:
        assert result.stdout == ""
        assert result.stderr.startswith("Error:") or "\nError:" in result.stderr
        assert "Traceback" not in result.stderr
        return
    if fmt == "--json":
        record = json.loads(result.stdout, parse_constant=_no_constants)
        expected = reference(doc)
        layout = doc.get("layout", "NCHW").upper()
        assert close(np.array(record["output"]), expected.transpose(0, 2, 3, 1) if layout == "NHWC" else expected, doc)
    elif fmt == "jsonl":  # the first three positions, in loop order n, k, row, col, with the reference's values
        records = [json.loads(line, parse_constant=_no_constants) for line in result.stdout.splitlines()]
        expected = reference(doc)
        first = list(np.ndindex(expected.shape))[:3]
        assert [(r["n"], r["k"], r["row"], r["col"]) for r in records] == first
        assert [r["step"] for r in records] == list(range(len(first)))
        values = np.array([r["value"] for r in records])
        assert close(values, np.array([expected[i] for i in first]), doc)
    else:  # plain: one line per position
        expected = reference(doc)
        lines = [line for line in result.stdout.splitlines() if line.strip()]
        assert len(lines) >= min(3, expected.size)


def _no_constants(name):
    raise AssertionError(f"the output holds {name}, which is not JSON")


@pytest.mark.parametrize("raw", [b"\xff\xfe\x00", b"\x00" * 10, b"\x93NUMPY", b"PK\x03\x04", "\u2028{".encode(),
                                 b'{"images": [[1]], "kernels": [[1]]}\xff'])
def test_odd_bytes_on_stdin(raw):
    result = runner().invoke(cli, ["run", "-", "--json"], input=raw, env={"CONVTRACE_DEBUG": "1"})
    assert result.exit_code == 1 and "Traceback" not in result.stderr and result.stderr.startswith("Error:")
