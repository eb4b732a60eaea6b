"""Every case, not only the worked ones: what explain's words claim about sizes and zero windows holds.

Hypothesis draws sizes, kernels, strides and dilations; the claims are read back
out of the text and checked against the vectorized engine run on data with no
zeros (so a zero output means every tap read padding).
"""

from __future__ import annotations

import re

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from convtrace.engine.fast import conv2d
from convtrace.errors import DataError
from convtrace.teach import explain as model


@settings(max_examples=200, deadline=None)
@given(h=st.integers(1, 9), w=st.integers(1, 9), kh=st.integers(1, 4), kw=st.integers(1, 4),
       sh=st.integers(1, 3), sw=st.integers(1, 3), dh=st.integers(1, 3), dw=st.integers(1, 3),
       mode=st.sampled_from(["valid", "full", "strided", "dilated"]))
def test_purpose_claims_match_the_engine(h, w, kh, kw, sh, sw, dh, dw, mode):
    x = np.arange(1.0, h * w + 1).reshape(h, w)
    k = np.ones((kh, kw))
    settings_ = model.settings_for(mode, (sh, sw), (dh, dw))
    try:
        e = model.explain(settings_, model.Example(x, k, "test"))
    except DataError:
        return
    text = " ".join(e.purpose)
    pad = e.geometry.padding
    out = conv2d(x[None, None], k[None, None], stride=(sh, sw), dilation=(dh, dw), padding=pad)[0, 0]
    # every "H' = ... = n" and "W' = ... = n" the words state is the engine's size
    for name, size in re.findall(r"([HW])' = [^:;.]*?= (\d+)(?=[ .,]| and)", text):
        assert int(size) == out.shape[0 if name == "H" else 1], text
    # the words never claim a growth or a shrink by d*(k-1) at a stride above 1 on that axis
    for axis, (s, d, kk, n) in zip(("Rows", "Columns"), ((sh, dh, kh, h), (sw, dw, kw, w))):
        for sentence in re.findall(axis + r"[^:]*: stride (\d+)", text):
            assert int(sentence) == s
    if "grows by" in text:
        assert (sh, sw) == (1, 1) or "Rows:" in text or "Columns:" in text
    # the windows said to read only zeros give 0 (the data has no zeros), and no others do
    zero_rows = set(np.where(np.all(out == 0, axis=1))[0])
    zero_cols = set(np.where(np.all(out == 0, axis=0))[0])
    named = {"row": set(), "column": set()}
    for one, outs in re.findall(r"\(output (row|column)s? ([\d, ]+)\)", text):
        named[one] |= {int(i) for i in outs.split(",")}
    if mode == "full" and (dh > 1 or dw > 1):
        if dh > 1 and dh == dw and (h, kh, sh) == (w, kw, sw):
            assert named["row"] == zero_rows == zero_cols
        else:
            if dh > 1:
                assert named["row"] == zero_rows
            if dw > 1:
                assert named["column"] == zero_cols
