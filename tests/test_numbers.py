"""Drawn numbers: as few decimals as show the values (at most 3 by default), --precision N, full digits elsewhere."""

from __future__ import annotations

import json
import re

import numpy as np
import pytest

from convtrace.text import Numbers, fewest_decimals, number, signed


@pytest.mark.parametrize("values, expected", [
    ([1, 2, -3, 0], (0, False)),  # whole numbers: no decimals
    ([0.5, 2, -1.25], (2, False)),  # 1.25 needs two
    ([80 / 255, 1.0], (3, True)),  # 0.3137...: no finite number of decimals, so 3, rounded
    ([1e-4, 1], (3, True)),
])
def test_fewest_decimals(values, expected):
    assert fewest_decimals(values) == expected


def test_numbers_format_inputs_and_derived_values():
    exact = Numbers.for_values([0.5, 1, 2])  # one decimal for inputs, two for products (0.5 * 0.5)
    assert (exact(0.5), exact(2.0), exact.out(0.25), exact.out(-0.0)) == ("0.5", "2", "0.25", "0")
    rounded = Numbers.for_values([80 / 255, 1.0])
    assert (rounded(80 / 255), rounded(1.0)) == ("0.314", "1.000")  # rounded values keep their width
    assert rounded.note() and "--precision" in rounded.note()
    fixed = Numbers.for_values([80 / 255], precision=5)
    assert fixed(80 / 255) == "0.31373" and fixed.out(0.5) == "0.5" and fixed.note() is None
    assert number(27.0) == "27" and number(-0.0) == "0" and signed("-2") == "(-2)"


@pytest.fixture
def picture(tmp_path) -> str:
    rng = np.random.default_rng(3)
    path = tmp_path / "picture.json"
    path.write_text(json.dumps({"images": (rng.integers(0, 256, (6, 6)) / 255).tolist(),
                                "kernels": [[1, 0, -1], [2, 0, -2], [1, 0, -1]]}))
    return str(path)


def grid_rows(text: str) -> list[str]:
    """The rows of the first input grid: a row label, then cells."""
    frame = text.split("── step 0 of")[1].split("window * kernel")[0]
    return [line for line in frame.splitlines() if re.match(r"^\d \s*[\[ ]", line)]


def test_pictures_draw_three_decimals_and_say_so(invoke, picture):
    out = invoke(["run", picture, "--at", "step=0"], env={"NO_COLOR": "1", "COLUMNS": "100"}).stdout
    rows = grid_rows(out)
    assert len(rows) == 6
    cells = re.findall(r"[\[ ](\d\.\d+)[\] ]", "\n".join(rows))
    assert cells and all(len(c) == 5 for c in cells)  # 0.314, never 0.313725
    assert "at most 3 decimals" in " ".join(out.split())
    more = invoke(["run", picture, "--at", "step=0", "--precision", "5"], env={"NO_COLOR": "1", "COLUMNS": "100"}).stdout
    assert re.search(r"\d\.\d{5}", "\n".join(grid_rows(more)))
    # plain and jsonl keep every digit
    record = json.loads(invoke(["run", picture, "--format", "jsonl", "--limit", "1"]).stdout)
    first = record["patch"][0][0][0]
    assert len(str(first)) > 6 and abs(first * 255 - round(first * 255)) < 1e-9
