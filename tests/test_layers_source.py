"""The layer keys at the boundary: every refused combination says what is wrong, where, and what to write."""

from __future__ import annotations

import json

import numpy as np
import pytest

from convtrace.errors import DataError
from convtrace.source.geometry import make_geometry
from convtrace.source.problem import problem_from_document

ROW = [[1.0, 2.0, 3.0, 4.0]]
BAD = [
    ({"images": [[[1, 2, 3]]], "kernels": [[[1]]], "groups": 2}, "do not split into 2 equal groups"),
    ({"images": [[ROW, ROW]], "kernels": [[[[1]]]] * 3, "groups": 2}, "3 kernels do not split into 2"),
    ({"images": [[ROW] * 4], "kernels": [[[[1]]]] * 2, "groups": 2}, "each kernel reads 4 / 2 = 2 channel"),
    ({"images": ROW, "kernels": [[1, 2]], "transposed": True, "stride": 2, "output_padding": 2},
     "output_padding (rows) is 2 but must be smaller than the stride (2) or the dilation (1)"),
    ({"images": ROW, "kernels": [[1, 2]], "transposed": True, "mode": "same"}, "'mode' cannot be used here"),
    ({"images": ROW, "kernels": [[1, 2]], "transposed": True, "flip": True}, "'flip' cannot be used here"),
    ({"images": ROW, "kernels": [[1, 2]], "transposed": True, "padding": [[1, 0], [0, 0]]}, "same on both sides"),
    ({"images": [ROW[0]] * 3, "pool": "max", "pool_size": 2, "padding": 2}, "allows at most 1 (half the window"),
    ({"images": ROW, "pool": "max", "pool_size": 2, "kernels": [[1]]}, "'kernels' cannot be used here"),
    ({"images": ROW, "pool": "max", "pool_size": 2, "bias": [1]}, "'bias' cannot be used here"),
    ({"images": ROW, "pool": "max", "pool_size": 2, "flip": False}, "'flip' cannot be used here"),
    ({"images": ROW, "pool": "avg", "pool_size": 2, "groups": 1}, "'groups' cannot be used here"),
    ({"images": ROW, "pool": "avg", "pool_size": 2, "dilation": 2}, "average pooling has no dilation"),
    ({"images": ROW, "pool": "max", "pool_size": 2, "count_include_pad": False}, "max pooling never counts padding"),
    ({"images": ROW, "pool": "max"}, "needs 'pool_size'"),
    ({"images": ROW, "pool": "mean", "pool_size": 2}, "pool must be one of 'max', 'avg'"),
    ({"images": [[[[ROW]]]], "kernels": [[[1]]], "dims": 3, "layout": "NHWC"}, "layout NHWC works with dims 2 only"),
    ({"images": [1, 2], "kernels": [1], "dims": 1, "layout": "NHWC"}, "layout NHWC works with dims 2 only"),
    ({"images": [1, 2, 3], "kernels": [1], "dims": 1, "strides": 2}, "unknown key 'strides'"),
    ({"images": [1, 2, 3], "kernels": [1], "dims": 1, "pool_sise": 2}, "unknown key 'pool_sise'"),
    ({"images": [1, 2, 3], "kernels": [1, 1], "dims": 1, "causal": True, "padding": 1}, "causal chooses the padding"),
    ({"images": ROW, "kernels": [[1]], "causal": True}, "causal works with a 1-D convolution only"),
    ({"images": [1, 2, 3], "kernels": [1], "dims": 4}, "dims must be 1, 2 or 3"),
    ({"images": ROW, "kernels": [[1]], "output_padding": 1}, "add \"transposed\": true"),
    ({"images": ROW, "kernels": [[1]], "ceil_mode": True}, "this is a pooling setting"),
    ({"images": ROW, "transposed": True, "pool": "max", "pool_size": 1}, "both 'transposed' and 'pool'"),
    ({"images": [1, 2, 3], "kernels": [1, 1], "dims": 1, "stride": [1, 2]}, "dims 1 has one spatial axis"),
    ({"images": [1, 2, 3], "kernels": [1], "dims": 1, "groups": 0}, "groups must be >= 1"),
    ({"images": [1, 2, 3], "kernels": [1], "dims": 1, "transposed": "yes"}, "transposed must be true or false"),
    ({"images": [[[1, 2, 3]]], "kernels": [[1, 2]], "dims": 3}, "kernels has rank 2"),
]


@pytest.mark.parametrize("doc, message", BAD, ids=[m for _, m in BAD])
def test_refused_with_a_message_that_says_what_to_do(doc, message):
    with pytest.raises(DataError) as err:
        problem_from_document(doc)
    assert message in str(err.value)


@pytest.mark.parametrize("doc, message", BAD[:6], ids=[m for _, m in BAD[:6]])
def test_cli_exit_1_one_line_on_stderr(doc, message, invoke):
    result = invoke(["run", "-", "--json"], input=json.dumps(doc))
    assert result.exit_code == 1
    assert result.stdout == ""
    assert message in result.stderr and len(result.stderr.strip().splitlines()) == 1


def test_promotion_per_dims_is_noted():
    one = problem_from_document({"images": [1, 2, 3, 4], "kernels": [1, 1], "dims": 1})
    assert one.images.shape == (1, 1, 4) and one.kernels.shape == (1, 1, 2)
    assert any("(N, C, L)" in note for note in one.notes)
    three = problem_from_document({"images": [[[1.0] * 3] * 3] * 2, "kernels": [[[1.0]]], "dims": 3})
    assert three.images.shape == (1, 1, 2, 3, 3) and three.output_shape == (1, 1, 2, 3, 3)
    # a transposed kernel of rank dims+1 is one output channel: (C, kh, kw) -> (C, 1, kh, kw)
    tr = problem_from_document({"images": [[ROW[0]] * 2] * 2, "kernels": [[[1.0]], [[2.0]]], "transposed": True})
    assert tr.kernels.shape == (2, 1, 1, 1) and tr.output_shape == (1, 1, 2, 4)


def test_problem_interface_for_every_layer():
    pool = problem_from_document({"images": [[ROW[0]] * 4], "pool": "max", "pool_size": 2})
    assert (pool.layer, pool.dims, pool.groups, pool.kernels, pool.bias) == ("max_pool", 2, 1, None, None)
    assert pool.pool_size == (2, 2) and pool.geometry.stride == (2, 2) and pool.output_shape == (1, 1, 2, 2)
    assert pool.output_padding == (0, 0) and pool.ceil_mode is False and pool.count_include_pad is True
    tr = problem_from_document({"images": [ROW], "kernels": [[[[1.0, 2.0]]]], "transposed": True, "stride": 2,
                                "padding": [0, 1], "output_padding": [0, 1]})
    assert tr.layer == "conv_transpose" and tr.geometry.padding == ((0, 0), (1, 1)) and tr.output_padding == (0, 1)
    # W' = (W-1)*s - 2p + d*(k-1) + output_padding + 1 = 3*2 - 2 + 1 + 1 + 1
    assert tr.output_shape == (1, 1, 1, 7) and tr.kernels.shape == (1, 1, 1, 2)
    causal = problem_from_document({"images": [1, 2, 3], "kernels": [1, 1], "dims": 1, "causal": True})
    assert causal.causal and causal.geometry.padding == ((1, 0),) and causal.steps == 3
    with pytest.raises(ValueError):
        causal.images[0, 0, 0] = 5.0  # read-only


def test_geometry_keeps_its_2d_names():
    g = make_geometry((5, 6), (3, 2), stride=(2, 1), dilation=(1, 2), padding=((1, 0), (0, 2)))
    assert g.rows.name == "H" and g.cols.name == "W" and g.rows is g.axes[0]
    assert g.padding == ((1, 0), (0, 2)) and g.stride == (2, 1) and g.dilation == (1, 2)
    assert g.out_size == ((5 + 1 - 3) // 2 + 1, (6 + 2 - 3) // 1 + 1) and g.positions == 2 * 6


def test_mode_works_per_axis_in_3d():
    doc = {"images": np.zeros((1, 1, 4, 5, 6)).tolist(), "kernels": np.zeros((1, 1, 2, 3, 4)).tolist(),
           "dims": 3, "mode": "same", "stride": [1, 2, 3]}
    g = problem_from_document(doc).geometry
    # TensorFlow's rule per axis: out = ceil(in / s), total = max((out-1)*s + k - in, 0), the extra after
    assert g.padding == ((0, 1), (1, 1), (0, 1)) and g.out_size == (4, 3, 2)


def test_lenient_where_pytorch_means_the_same():
    # equal [before, after] pairs are symmetric padding; dilation 1 is no dilation
    tr = problem_from_document({"images": ROW, "kernels": [[1, 2]], "transposed": True, "padding": [[0, 0], [1, 1]]})
    assert tr.geometry.padding == ((0, 0), (1, 1))
    avg = problem_from_document({"images": ROW, "pool": "avg", "pool_size": [1, 2], "dilation": 1})
    assert avg.output_shape == (1, 1, 1, 2)


def test_pool_images_from_npy_need_no_kernels(invoke, tmp_path):
    np.save(tmp_path / "x.npy", np.arange(16.0).reshape(1, 1, 4, 4))
    (tmp_path / "doc.json").write_text(json.dumps({"pool": "max", "pool_size": 2}))
    result = invoke(["run", str(tmp_path / "doc.json"), "--images", str(tmp_path / "x.npy"), "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["output"] == [[[[5.0, 7.0], [13.0, 15.0]]]]
