"""Feature maps you can look at: terminal heatmaps (colour and plain), PNG exports, and the shipped example.

The expected maps are computed here with scipy from the pixels the test wrote;
each map's scale must show that map's true min and max.
"""

from __future__ import annotations

import io
import os
import re
import sys

import numpy as np
import pytest
from PIL import Image
from rich.console import Console
from scipy.signal import correlate

from convtrace.render.frames.heatmap import Heatmaps
from convtrace.teach.feature_maps import MapPicture

SOBEL_X = np.array([[-1, 0, 1], [-2, 0, 2], [-1, 0, 1]], float)
BOX3 = np.full((3, 3), 1 / 9)
RNG = np.random.default_rng(5)


def picture(tmp_path, h=12, w=14) -> tuple[str, np.ndarray]:
    pixels = RNG.integers(0, 256, (h, w))
    path = str(tmp_path / "pic.png")
    Image.fromarray(pixels.astype(np.uint8)).save(path)
    return path, pixels / 255


def g6(value: float) -> str:
    text = f"{value:.6g}"
    return "0" if text == "-0" else text


def test_plain_heatmaps_show_each_maps_true_min_and_max(invoke, tmp_path):
    path, x = picture(tmp_path)
    result = invoke(["run", "--images", path, "--kernels", "sobel-x,box3", "--limit", "0"],
                    env={"NO_COLOR": "1", "COLUMNS": "80"})
    assert result.exit_code == 0, result.output
    result = invoke(["run", "--images", path, "--kernels", "sobel-x,box3", "--at", "row=0,col=0"],
                    env={"NO_COLOR": "1", "COLUMNS": "80"})
    text = result.stdout
    for kernel in (SOBEL_X, BOX3):
        want = correlate(x, kernel, mode="valid")
        assert f"min {g6(want.min())} ' ' .. '@' max {g6(want.max())}" in text
    assert "out[0,0] kernel 0: sobel-x" in text and "out[0,1] kernel 1: box3" in text
    assert all(len(line) <= 80 for line in text.splitlines())


def test_a_cell_shows_where_its_value_lies_on_its_maps_scale(tmp_path):
    values = np.array([[0.0, 1.0], [2.0, 9.0]])
    m = MapPicture("m", values, 0.0, 9.0)
    out = io.StringIO()
    Console(file=out, width=40, color_system=None).print(Heatmaps([m]))
    rows = [line for line in out.getvalue().splitlines() if line and set(line) <= set(" .:-=+*#%@")]
    assert rows[:2] == ["  ..", "::@@"]  # 0 -> ' ', 1 -> '.', 2 -> ':', 9 -> '@' (two characters per cell)


def colour_text(maps, width=80) -> str:
    out = io.StringIO()
    Console(file=out, width=width, height=24, force_terminal=True, color_system="truecolor").print(Heatmaps(maps))
    return out.getvalue()


def test_colour_heatmaps_use_half_blocks_and_a_diverging_palette(tmp_path):
    _, x = picture(tmp_path)
    want = correlate(x, SOBEL_X, mode="valid")
    m = MapPicture("out[0,0] kernel 0: sobel-x", want, float(want.min()), float(want.max()))
    text = colour_text([m])
    assert "▀" in text
    plain = re.sub(r"\x1b\[[0-9;]*m", "", text)
    assert f"min {g6(want.min())}" in plain and f"max {g6(want.max())}" in plain
    # the reach of the scale is the larger of |min| and |max|: that end is full red or full blue
    end = "38;2;180;4;38" if want.max() >= -want.min() else "38;2;59;76;192"
    assert end in text or end.replace("38;", "48;", 1) in text
    assert "blue below 0, white at 0, red above" in plain


def test_colour_heatmaps_fit_80_columns(tmp_path):
    maps = [MapPicture(f"m{i}", RNG.standard_normal((40, 100)), -3.0, 3.0) for i in range(2)]
    plain = re.sub(r"\x1b\[[0-9;]*m", "", colour_text(maps, 80))
    assert all(len(line) <= 80 for line in plain.splitlines())
    assert "1 in 2 rows and columns of 40x100" in plain


def test_example_edges_runs_offline(invoke):
    result = invoke(["run", "--example", "edges", "--json"])
    assert result.exit_code == 0, result.output
    import json

    out = json.loads(result.stdout)
    assert out["input_shape"] == [1, 1, 32, 32] and out["kernel_shape"] == [3, 1, 3, 3]
    assert invoke(["run", "--example", "edgs"]).exit_code == 2


# ----------------------------------------------------------------------------- PNG exports


def test_export_png_folder_holds_the_input_and_every_map(invoke, tmp_path):
    path, x = picture(tmp_path)
    folder = tmp_path / "maps"
    result = invoke(["run", "--images", path, "--kernels", "sobel-x,box3", "--limit", "0",
                     "--export", str(folder) + "/"], env={"NO_COLOR": "1"})
    assert result.exit_code == 0, result.output
    files = os.listdir(folder)
    assert sorted(f for f in files if f.endswith(".png")) == ["input.png", "out_0_0_sobel-x.png", "out_0_1_box3.png"]
    assert any(f.endswith(".svg") for f in files)  # a folder also holds one SVG per part of the trace
    shown = np.asarray(Image.open(folder / "input.png").convert("RGB"))
    np.testing.assert_array_equal(shown[..., 0], np.round(x * 255))
    edges = np.asarray(Image.open(folder / "out_0_0_sobel-x.png").convert("RGB"))
    want = correlate(x, SOBEL_X, mode="valid")
    assert edges.shape[:2] == want.shape
    reach = max(-want.min(), want.max())
    i, j = np.unravel_index(np.argmax(np.abs(want)), want.shape)
    expected = (180, 4, 38) if want[i, j] > 0 else (59, 76, 192)
    assert abs(want[i, j]) == reach and tuple(edges[i, j]) == expected
    zero_like = np.unravel_index(np.argmin(np.abs(want)), want.shape)
    assert np.abs(edges[zero_like].astype(int) - 242).max() <= 242 * abs(want[zero_like]) / reach + 1


def test_export_png_puts_the_panels_side_by_side(invoke, tmp_path):
    path, _ = picture(tmp_path)
    target = tmp_path / "maps.png"
    result = invoke(["run", "--images", path, "--kernels", "sobel-x,box3,laplace", "--limit", "0",
                     "--export", str(target)])
    assert result.exit_code == 0, result.output
    sheet = Image.open(target)
    assert sheet.width > 4 * 120 and sheet.height > 120  # four panels of about 128 pixels, side by side


def test_export_to_an_unwritable_place_is_a_clean_error(invoke, tmp_path):
    path, _ = picture(tmp_path)
    result = invoke(["run", "--images", path, "--kernels", "box3", "--export", str(tmp_path / "no" / "such" / "x.png")])
    assert result.exit_code == 2 and "--export" in result.stderr and "Traceback" not in result.stderr


# ----------------------------------------------------------------------------- a real terminal, 80 x 24


def test_heatmaps_in_an_80x24_terminal():
    pexpect = pytest.importorskip("pexpect")
    env = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "FORCE_COLOR", "COLUMNS", "LINES")}
    env.update(TERM="xterm-256color", COLORTERM="truecolor")
    child = pexpect.spawn(sys.executable, ["-m", "convtrace", "run", "--example", "edges", "--at", "row=0,col=0"],
                          env=env, encoding="utf-8", timeout=30, dimensions=(24, 80))
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0
    written = child.before
    plain = re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", written)
    assert "▀" in plain and "kernel 0: sobel-x" in plain and "kernel 2: laplace" in plain
    assert "38;2;" in written  # true colour where the terminal says it has it
    assert all(len(line) <= 80 for line in plain.replace("\r", "").splitlines())
