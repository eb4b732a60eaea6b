"""tests/golden/layers.json is well formed: every case a document and an expected record of consistent shapes."""

from __future__ import annotations

import numpy as np
import pytest

from conftest import golden_cases

CASES = golden_cases("layers")
IDS = [case["name"] for case in CASES]
DOC_KEYS = {"images", "kernels", "bias", "mode", "padding", "stride", "dilation", "flip", "layout", "grad_output",
            "title", "description", "groups", "transposed", "output_padding", "pool", "pool_size", "ceil_mode",
            "count_include_pad", "dims", "causal"}


def promoted_shape(array, dims: int, layout: str) -> tuple[int, ...]:
    """Shape of a document array after promotion to rank dims + 2, in the document's layout."""
    shape = np.shape(array)
    missing = dims + 2 - len(shape)
    if missing == 2 and layout == "NHWC":
        return (1, *shape, 1)
    return (1,) * missing + shape


def test_names_are_unique_and_every_layer_is_covered():
    assert len(IDS) == len(set(IDS))
    layers = {(c["doc"].get("dims", 2), c["doc"].get("pool") or ("transposed" if c["doc"].get("transposed") else
              "conv")) for c in CASES}
    assert layers == {(d, kind) for d in (1, 2, 3) for kind in ("conv", "transposed", "max", "avg")}


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_case_shapes_are_consistent(case):
    doc, expected = case["doc"], case["expected"]
    assert set(doc) <= DOC_KEYS
    dims, layout = doc.get("dims", 2), doc.get("layout", "NCHW")
    out = np.asarray(expected["output"], dtype=float)
    assert list(out.shape) == expected["output_shape"] and out.ndim == dims + 2
    if "grad_output" in doc:
        assert np.shape(doc["grad_output"]) == out.shape
    for key in ("padding", "stride", "dilation"):
        assert len(expected[key]) == dims, key
    assert all(len(pair) == 2 for pair in expected["padding"])
    assert ("output_padding" in expected) == bool(doc.get("transposed", False))
    assert np.shape(expected["grad_images"]) == promoted_shape(doc["images"], dims, layout)
    assert ("grad_kernels" in expected) == ("kernels" in doc) == ("pool" not in doc)
    if "kernels" in doc:
        assert np.shape(expected["grad_kernels"]) == promoted_shape(doc["kernels"], dims, layout)
    assert ("grad_bias" in expected) == ("bias" in doc)
    if "bias" in doc:
        assert len(expected["grad_bias"]) == len(doc["bias"])
        channel_axis = -1 if layout == "NHWC" else 1
        assert out.shape[channel_axis] == len(doc["bias"])
