"""`grad` reads at 80 columns: section titles are whole (not cut with an ellipsis) and eh is defined where first used."""

from __future__ import annotations

import json

import pytest

ENV = {"COLUMNS": "80", "LINES": "50", "NO_COLOR": "1", "FORCE_COLOR": None, "TTY_COMPATIBLE": None,
       "TTY_INTERACTIVE": None, "TERM": "dumb"}
DOC = {"images": [[1, 2, 3, 4], [5, 6, 7, 8], [9, 10, 11, 12], [13, 14, 15, 16]],
       "kernels": [[1, 2], [3, 4]], "bias": [0]}


@pytest.fixture()
def document(tmp_path):
    path = tmp_path / "doc.json"
    path.write_text(json.dumps(DOC))
    return str(path)


@pytest.mark.parametrize("options", [[], ["--stride", "2"], ["--dilation", "2"]])
def test_section_titles_are_whole_at_80_columns(invoke, document, options):
    result = invoke(["grad", document, *options], env=ENV)
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert "…" not in out  # Rich cuts a too-long rule title with an ellipsis
    assert max(len(line.rstrip()) for line in out.splitlines()) <= 80
    joined = " ".join(out.split())
    for words in ("a 'full' cross-correlation of g' with rot180(w'), summed over kernels",
                  "a valid cross-correlation of x_pad with g', summed over the batch",
                  "the sum of g over n, row and col"):
        assert words in joined


@pytest.mark.parametrize("options, eh", [([], 2), (["--dilation", "2"], 3), (["--dilation", "3,1"], 4)])
def test_eh_is_defined_where_it_is_first_used(invoke, document, options, eh):
    out = " ".join(invoke(["grad", document, *options], env=ENV).stdout.split())
    first_use = out.index("eh-1")
    definition = out.find("eh = dh*(kh-1) + 1")
    assert 0 <= definition < first_use
    # by hand: a 2-tap kernel with dilation d spans d*(2-1) + 1 cells
    assert f"eh = dh*(kh-1) + 1 = {eh - 1}*(2-1) + 1 = {eh}" in out
    assert f"eh-1 = {eh - 1} rows" in out
