"""Grids of numbers as a person reads them in `convtrace check` and `convtrace explain`: plain text, 80 columns.

The commands run as a pipe would run them (NO_COLOR, no terminal). Every grid is
read back from the text -- its titles, column indices, row indices and cells,
band after band when a narrow terminal folds it -- and compared with numbers
computed here by scipy.signal from the same inputs. A marked cell must carry
its [brackets] in the text, and no line may pass the terminal's width.
"""

from __future__ import annotations

import io
import os
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import scipy.signal as ss
from rich.console import Console

from convtrace.check.cases import battery
from convtrace.render.toolkit import grids
from convtrace.render.toolkit.text_table import Column, text_table
from convtrace.render.toolkit.value_grids import ValueGrid

GALLERY = Path(__file__).parent / "learner_impls"
CELL = re.compile(r"\[\s*([^\]\s]+)\s*\]|(\S+)")
RAMP_X = np.arange(1, 26, dtype=float).reshape(5, 5)  # explain's built-in example: x = 1..25 row by row


def convtrace(*args: str, columns: int = 80) -> str:
    env = {**os.environ, "NO_COLOR": "1", "COLUMNS": str(columns), "TERM": "dumb"}
    env.pop("FORCE_COLOR", None)
    result = subprocess.run([sys.executable, "-m", "convtrace", *args], capture_output=True, text=True, env=env,
                            timeout=120)
    assert not result.stderr.strip(), result.stderr
    assert "\x1b[" not in result.stdout
    return result.stdout


def titles_at(lines: list[str], titles: list[str]) -> tuple[int, list[int]]:
    """The line holding exactly these titles (two or more spaces apart) and where each starts."""
    for i, line in enumerate(lines):
        found = [(m.group(), m.start()) for m in re.finditer(r"\S+(?: \S+)*", line)]
        if [t for t, _ in found] == titles:
            return i, [start for _, start in found]
    raise AssertionError(f"no line with the titles {titles}")


def read_grid(lines: list[str], after: int, start: int, end: int | None) -> dict[tuple[int, int], tuple[str, bool]]:
    """(row, col) -> (cell text, marked) of the grid whose title is line `after`, in columns start:end of the text.

    Bands of columns, one below the other after a blank line, are read as one grid.
    """
    cells: dict[tuple[int, int], tuple[str, bool]] = {}
    i = after + 1
    last_col = -1
    while i < len(lines):
        header = lines[i][start:end].split()
        if not header or not all(h.isdigit() for h in header) or int(header[0]) != last_col + 1:
            break
        cols = [int(h) for h in header]
        i += 1
        while i < len(lines) and lines[i][start:end].strip():
            tokens = CELL.findall(lines[i][start:end])
            label = tokens[0][1]
            if not label.isdigit():
                break
            values = [(bracketed or plain, bool(bracketed)) for bracketed, plain in tokens[1:] if plain != "…"]
            assert len(values) == len(cols), f"row {label} of a band holds {len(values)} cells: {lines[i]!r}"
            for col, value in zip(cols, values):
                cells[(int(label), col)] = value
            i += 1
        last_col = cols[-1]
        if i + 1 < len(lines) and not lines[i][start:end].strip():
            i += 1  # a blank line; another band follows when its column indices go on
    return cells


def assert_grid(cells, values: np.ndarray, marks: np.ndarray | None = None) -> None:
    """Every cell of `values` (rows, cols) shown once, with its number and its mark."""
    assert set(cells) == {(i, j) for i in range(values.shape[0]) for j in range(values.shape[1])}
    for (i, j), (shown, marked) in cells.items():
        assert float(shown) == pytest.approx(values[i, j], rel=1e-5, abs=1e-9), (i, j, shown)
        assert marked == (marks is not None and bool(marks[i, j])), (i, j, shown)


def assert_fits(out: str, width: int) -> None:
    too_long = [line for line in out.splitlines() if len(line) > width]
    assert not too_long, too_long


def case_planes(name: str) -> tuple[np.ndarray, np.ndarray, object]:
    """A one-image, one-kernel case of the battery: its image plane, kernel plane and the case."""
    case = next(c for c in battery() if c.name == name)
    assert case.images.shape[:2] == (1, 1) and case.kernels.shape[:2] == (1, 1) and case.bias is None
    return case.images[0, 0], case.kernels[0, 0], case


# --- convtrace check


def test_check_report_grids_hold_the_numbers_and_bracket_the_wrong_ones():
    out = convtrace("check", f"{GALLERY / 'stride_not_applied.py'}:conv2d", "--case", "stride_2")
    x, w, case = case_planes("stride_2")
    assert case.stride == 2 and case.padding == 0
    every_window = ss.correlate2d(x, w, mode="valid")
    expected = every_window[::2, ::2]
    # the known mistake: the window of out[i, j] starts at row i, column j, not i*2, j*2
    returned = every_window[: expected.shape[0], : expected.shape[1]]
    wrong = expected != returned
    assert wrong.any() and not wrong.all()
    lines = out.splitlines()
    row, (left, right) = titles_at(lines, ["expected out[0, 0]", "returned out[0, 0]"])
    assert_grid(read_grid(lines, row, left, right), expected, wrong)
    assert_grid(read_grid(lines, row, right, None), returned, wrong)
    assert f"[ ] marks a wrong value: {int(wrong.sum())} of {wrong.size} are wrong." in out
    assert_fits(out, 80)


def test_check_summary_is_one_aligned_row_per_case_within_80_columns():
    out = convtrace("check", f"{GALLERY / 'padding_ignored.py'}:conv2d")
    lines = out.splitlines()
    header = next(i for i, line in enumerate(lines) if line.split() == ["result", "case", "outcome"])
    assert set(lines[header + 1]) == {"─"}
    rows = {}
    for line in lines[header + 2:]:
        if not line.strip():
            break
        if not line.startswith("  "):  # a wrapped outcome goes on under its column
            word, name, *_ = line.split()
            rows[name] = word
            column = line.index(name)
    assert rows["padding_1"] == rows["full_padding"] == "FAIL"
    assert rows["single_channel"] == "PASS" and rows["bias"] == "SKIP"
    assert all(line.index(line.split()[1]) == column for line in lines[header + 2:header + 2 + len(rows)]
               if line.strip() and not line.startswith("  "))
    assert_fits(out, 80)


def test_a_narrow_terminal_folds_a_plane_into_bands_without_cutting_a_number():
    width = 30
    out = convtrace("check", f"{GALLERY / 'padding_ignored.py'}:conv2d", "--case", "full_padding", columns=width)
    x, w, case = case_planes("full_padding")
    expected = ss.correlate2d(x, w, mode="full")  # padding k-1 = 2 on every side
    returned = ss.correlate2d(x, w, mode="valid")  # the padding was ignored
    assert expected.shape[1] * 5 + 2 > width  # too wide for one band
    lines = out.splitlines()
    row, (left,) = titles_at(lines, ["expected out[0, 0]"])
    assert_grid(read_grid(lines, row, left, None), expected)
    row, (left,) = titles_at(lines, ["returned out[0, 0]"])
    assert_grid(read_grid(lines, row, left, None), returned)
    assert_fits(out, width)


# --- convtrace explain


def test_explain_flip_maps_hold_the_scipy_numbers_with_the_differences_bracketed():
    out = convtrace("explain", "--mode", "valid", "--flip")
    w = np.arange(1, 10, dtype=float).reshape(3, 3)
    lines = out.splitlines()
    row, (left, right) = titles_at(lines, ["w", "w rotated 180"])
    assert_grid(read_grid(lines, row, left, right), w)
    assert_grid(read_grid(lines, row, right, None), w[::-1, ::-1])
    correlation = ss.correlate2d(RAMP_X, w, mode="valid")
    convolution = ss.convolve2d(RAMP_X, w, mode="valid")
    differs = correlation != convolution
    row, (left, right) = titles_at(lines, ["cross-correlation", "convolution"])
    assert_grid(read_grid(lines, row, left, right), correlation, differs)
    assert_grid(read_grid(lines, row, right, None), convolution, differs)
    assert "([ ] = the two differ)" in out
    assert_fits(out, 80)


def test_explain_even_kernel_maps_mark_where_the_placements_differ():
    out = convtrace("explain", "--mode", "same", "--kernel-size", "2")
    w = np.arange(1, 5, dtype=float).reshape(2, 2)
    bottom_right = ss.correlate2d(RAMP_X, w, mode="same")  # the extra zero after the input
    top_left = ss.correlate(RAMP_X, w, mode="same")  # the extra zero before it
    differs = bottom_right != top_left
    assert differs.any()
    lines = out.splitlines()
    row, (left, right) = titles_at(lines, ["1, 2: bottom/right", "3, 4, 5: top/left"])
    assert_grid(read_grid(lines, row, left, right), bottom_right)
    assert_grid(read_grid(lines, row, right, None), top_left, differs)
    assert "([ ] = differs from 1)" in out
    assert_fits(out, 80)


def test_explain_overview_rows_give_each_modes_output_size():
    for width in (80, 40):
        out = convtrace("explain", columns=width)
        sizes = {}
        lines = out.splitlines()
        for i, line in enumerate(lines):
            if line.split()[-1:] == ["output"] and line.split()[0] == "mode":
                for below in lines[i + 2:]:
                    if not below.strip() or not below.startswith(" ") or below.startswith("  "):
                        break  # the table ends at a blank line or at the indented text below it
                    sizes[below.split()[0]] = below.split()[-1]
        x, w = RAMP_X, np.ones((3, 3))
        for mode in ("valid", "same", "full"):
            h, v = ss.correlate2d(x, w, mode=mode).shape
            assert sizes[mode] == f"{h}x{v}", (width, mode)
        assert sizes["strided"] == "{0}x{0}".format(ss.correlate2d(x, w, mode="valid")[::2, ::2].shape[0])
        assert_fits(out, width)


# --- the toolkit pieces themselves


def render(renderable, width: int) -> str:
    console = Console(file=io.StringIO(), width=width, color_system=None, force_terminal=False)
    console.print(renderable)
    return console.file.getvalue()


@pytest.mark.parametrize("width", [24, 50, 80, 200])
def test_a_value_grid_folds_into_bands_and_keeps_every_number_and_mark(width):
    rng = np.random.default_rng(7)
    values = np.round(rng.normal(scale=300, size=(4, 15)), 3)
    marks = rng.random(values.shape) < 0.3
    texts = [[f"{v:g}" for v in row] for row in values]
    kinds = [[grids.MARKED if m else grids.PLAIN for m in row] for row in marks]
    out = render(ValueGrid("values", texts, kinds), width)
    lines = out.splitlines()
    assert lines[0] == "values"
    assert_grid(read_grid(lines, 0, 0, None), values, marks)
    assert_fits(out, width)


def test_a_cut_grid_says_so_with_its_markers():
    texts = [["1", "2"], ["3", "4"]]
    out = render(ValueGrid("first rows", texts, more_rows=True, more_cols=True), 40)
    assert "…" in out.splitlines()[2] and "⋮" in out.splitlines()[-1]


def test_a_text_table_wraps_its_long_column_and_folds_when_nothing_else_fits():
    columns = [Column("name"), Column("size", right=True), Column("notes", wrap=True)]
    rows = [[("alpha", None), ("12", None), ("one two three four five six seven eight nine ten", None)]]
    out = render(text_table(columns, rows, 30), 30)
    lines = out.splitlines()
    assert lines[0].split() == ["name", "size", "notes"] and lines[2].split()[:2] == ["alpha", "12"]
    notes = [line[lines[0].index("notes"):] for line in lines[2:]]
    assert " ".join(" ".join(notes).split()) == rows[0][2][0]  # every word, in order, in its column
    assert_fits(out, 30)
    folded = render(text_table(columns[:2] + [Column("a long title here")],
                               [[("alpha", None), ("12", None), ("x", None)]], 20), 20)
    assert_fits(folded, 20)
    assert [line.split()[0] for line in folded.splitlines() if line.strip() and "─" not in line] == [
        "name", "alpha", "name", "alpha"]
