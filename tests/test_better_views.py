"""`run --method winograd|fft`: the records against the engine, the views' numbers against the records."""

from __future__ import annotations

import json
import re
from pathlib import Path

import numpy as np
import pytest

from convtrace.engine.fast import problem_output
from convtrace.engine.fft import fft_pair
from convtrace.engine.naive import naive_output
from convtrace.engine.winograd import winograd_tile
from convtrace.source.problem import build_problem, load

LESSON = next((Path(__file__).parent.parent / "lessons").glob("*-better-ways")) / "input.json"
SEEN = {"COLUMNS": "80", "NO_COLOR": "1"}


def bracket_rows(text: str) -> list[tuple]:
    """Every '[ a b c ]' group on screen -> a tuple of its cells as numbers ('-' -> nan, '2-1.5i' -> complex)."""
    rows = []
    for group in re.findall(r"\[([^\[\]]+)\]", text):
        cells = group.split()
        try:
            rows.append(tuple(parse_cell(c) for c in cells))
        except ValueError:
            continue
    return rows


def parse_cell(cell: str):
    if cell == "-":
        return float("nan")
    if cell.endswith("i"):
        return complex(cell[:-1] + "j") if re.search(r"\d[+-]", cell) else complex(0, float(cell[:-1] or 1))
    return float(cell)


def shown(rows_on_screen, array: np.ndarray, digits: int = 5) -> bool:
    """Every row of `array` is one of the bracketed rows on screen (to `digits` significant digits)."""
    def close(a, b):
        return len(a) == len(b) and all((np.isnan(x) and np.isnan(y)) if not isinstance(x, complex) and np.isnan(x)
                                        else abs(x - y) <= 10 ** -digits * max(1.0, abs(y)) for x, y in zip(a, b))
    return all(any(close(screen, tuple(row)) for screen in rows_on_screen) for row in np.asarray(array))


def test_winograd_tile_by_hand():
    """The better-ways lesson: d is the image itself, Sobel g; outputs worked by hand: 5, 1, 3, -3."""
    t = winograd_tile(load(LESSON))
    assert t.y.tolist() == [[5, 1], [3, -3]] and t.loop.tolist() == [[5, 1], [3, -3]]
    assert t.v[0, 0, 0] == (3 - 4) - (5 - 5)  # (d00 - d02) - (d20 - d22)
    assert t.multiplications == 16 and t.direct_multiplications == 36 and t.difference == 0


def test_winograd_tile_equals_the_engine_at_an_edge_tile():
    rng = np.random.default_rng(0)
    problem = build_problem(rng.normal(size=(2, 3, 6, 7)), rng.normal(size=(4, 3, 3, 3)), bias=rng.normal(size=4),
                            padding=((1, 0), (0, 1)), flip=True)  # output 5x6: the last tile row is cut
    out = problem_output(problem)
    t = winograd_tile(problem, n=1, k=2, tile=(2, 1))
    np.testing.assert_allclose(t.y[0], out[1, 2, 4, 2:4], rtol=0, atol=1e-12)
    assert np.isnan(t.loop[1]).all()  # row 5 does not exist
    np.testing.assert_allclose(t.m, t.products.sum(axis=0), rtol=0, atol=1e-12)
    assert t.difference < 1e-12


def test_fft_pair_equals_the_loops_partial_sums_and_adds_up_to_the_output():
    rng = np.random.default_rng(1)
    problem = build_problem(rng.normal(size=(1, 3, 7, 6)), rng.normal(size=(2, 3, 3, 2)), bias=[0.5, -1.0],
                            stride=(2, 1), dilation=(1, 2), padding=1)
    pairs = [fft_pair(problem, n=0, k=1, c=c) for c in range(3)]
    total = sum(p.cropped for p in pairs) + 1.0 * -1.0
    np.testing.assert_allclose(total, naive_output(problem)[0, 1], rtol=0, atol=1e-12)
    for p in pairs:
        assert p.difference < 1e-12 and p.size == (9, 8)  # padded 9x8: 9 = 3*3, 8 = 2^3 are fast sizes
        np.testing.assert_allclose(p.product, p.x_hat * p.w_hat, rtol=0, atol=1e-12)


def test_run_method_winograd_shows_the_records_numbers(invoke):
    result = invoke(["run", str(LESSON), "--method", "winograd"], env=SEEN)
    assert result.exit_code == 0, result.output
    rows = bracket_rows(result.output)
    t = winograd_tile(load(LESSON))
    for name in ("d", "v", "u", "products", "m", "y", "loop"):
        array = getattr(t, name)
        assert shown(rows, array[0] if array.ndim == 3 else array), name
    for part in ("16 multiplications per channel instead of 36", "V = B^T d B", "U = G g G^T", "Y = A^T m A",
                 "max difference 0.0e+00"):
        assert part in " ".join(result.output.split()), part
    assert max(len(line) for line in result.output.splitlines()) <= 80


def test_run_method_winograd_picks_the_tile_with_at(invoke, tmp_path):
    rng = np.random.default_rng(2)
    doc = tmp_path / "two.json"
    doc.write_text(json.dumps({"images": rng.integers(-3, 4, (2, 2, 6, 6)).tolist(),
                               "kernels": rng.integers(-2, 3, (2, 2, 3, 3)).tolist()}))
    result = invoke(["run", str(doc), "--method", "winograd", "--at", "n=1,k=1,row=3,col=2"], env=SEEN)
    assert result.exit_code == 0, result.output
    t = winograd_tile(load(doc), n=1, k=1, tile=(1, 1))
    assert "out[1,1,2:4,2:4]" in result.output
    assert shown(bracket_rows(result.output), t.y) and shown(bracket_rows(result.output), t.d[1])


def test_run_method_fft_shows_the_records_numbers(invoke):
    result = invoke(["run", str(LESSON), "--method", "fft"], env=SEEN)
    assert result.exit_code == 0, result.output
    rows = bracket_rows(result.output)
    p = fft_pair(load(LESSON))
    for name in ("x", "w", "x_hat", "w_hat", "product", "circular", "cropped", "loop"):
        assert shown(rows, getattr(p, name)), name
    np.testing.assert_allclose(p.cropped, [[5, 1], [3, -3]], rtol=0, atol=1e-12)  # worked by hand in the better-ways lesson
    assert "loop's partial sums for channel 0: max difference" in " ".join(result.output.split())
    assert max(len(line) for line in result.output.splitlines()) <= 80


@pytest.mark.parametrize("args, message", [
    (["--method", "winograd", "--stride", "2"], "needs 3x3 kernels, stride 1 and dilation 1"),
    (["--method", "winograd", "--format", "plain"], "--format plain cannot be used"),
    (["--method", "fft", "--at", "c=7"], "c must be a channel within 0..0"),
    (["--method", "fft", "--at", "n=0", "--at", "n=0"], "give --at once"),
    (["--method", "winograd", "--at", "row=9"], "row must be within 0..1"),
])
def test_bad_usage_is_one_line_and_exit_2(invoke, args, message):
    result = invoke(["run", str(LESSON), *args], env=SEEN)
    assert result.exit_code == 2, result.output
    assert message in result.output and "Traceback" not in result.output


def test_complex_numbers_read_well():
    from convtrace.render.frames.fft import complex_text

    assert [complex_text(z) for z in (3 + 0j, 1.5 - 2j, -2j, 8.881784197001252e-16 + 0j, 12 + 6.928203230275509j)] \
        == ["3", "1.5-2i", "-2i", "0", "12+6.928i"]


def test_a_large_fft_grid_is_cut_to_80_columns(invoke):
    result = invoke(["run", "--example", "question", "--method", "fft", "--at", "n=1,k=1,c=2", "--padding", "4"], env=SEEN)
    assert result.exit_code == 0, result.output
    assert "grid 12x12" in result.output and "…" in result.output and "⋮" in result.output
    assert max(len(line) for line in result.output.splitlines()) <= 80


@pytest.mark.parametrize("method, last", [("winograd", "the additions of the transforms are cheap."),
                                          ("fft", "max difference")])
def test_the_views_in_a_real_80x24_terminal(method, last):
    """In a pseudo-terminal with colour: the same text marks, no line past 80 columns, exit 0."""
    import io
    import os
    import sys

    pexpect = pytest.importorskip("pexpect")
    env = {key: value for key, value in os.environ.items() if key not in ("NO_COLOR", "FORCE_COLOR", "COLUMNS", "LINES")}
    env.update(TERM="xterm-256color")
    child = pexpect.spawn(sys.executable, ["-m", "convtrace", "run", str(LESSON), "--method", method],
                          env=env, encoding="utf-8", timeout=30, dimensions=(24, 80))
    child.logfile_read = io.StringIO()
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0
    text = re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", child.logfile_read.getvalue())
    assert last in " ".join(text.split())
    assert "[ 5 1 ]" in text or "[  5  1 ]" in text  # the outputs, as numbers in brackets, not only colour
    assert max(len(line.rstrip("\r")) for line in text.splitlines()) <= 80
