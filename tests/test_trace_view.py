"""The step view (`convtrace run`, format rich): golden text renders, hand-worked values, every number in a
frame against its engine event, exports, --at, the frame cap, and marks that survive without colour.

Golden renders live in tests/golden_text/trace_NAME.txt, their input documents in
tests/golden_text/trace_*.json. Regenerate the renders with

    UPDATE_GOLDEN=1 python -m pytest tests/test_trace_view.py

and read the diff by eye before committing: the hand-worked values below must
still be what the frames show.
"""

from __future__ import annotations

import io
import json
import os
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

from convtrace.cli import cli
from convtrace.engine.naive import trace
from convtrace.source.problem import build_problem, load
from convtrace.text import number

HERE = Path(__file__).parent
GOLDEN = HERE / "golden_text"
UPDATE = os.environ.get("UPDATE_GOLDEN") == "1"

# a terminal-free, colour-free, fixed-width environment for the command
PLAIN_ENV = {
    "NO_COLOR": "1", "COLUMNS": "100", "LINES": "40",
    "FORCE_COLOR": None, "TTY_COMPATIBLE": None, "TTY_INTERACTIVE": None, "CLICOLOR_FORCE": None,
}


def run_cli(*args: str, width: int = 100) -> tuple[int, str, str]:
    runner = CliRunner()
    result = runner.invoke(cli, ["run", *args], env={**PLAIN_ENV, "COLUMNS": str(width)})
    stderr = result.stderr if hasattr(result, "stderr") else ""
    return result.exit_code, result.stdout, stderr


def flat(text: str) -> str:
    """Text with its line breaks and runs of blanks made single spaces (prose wraps at the width)."""
    return " ".join(text.split())


def doc(name: str) -> str:
    return str(GOLDEN / f"trace_{name}.json")


# --------------------------------------------------------------------------- golden renders

GOLDEN_CASES = {
    # name: (arguments, width)
    "builtin": ([], 100),
    "question": (["--example", "question"], 100),
    "small_valid": ([doc("small")], 100),
    "small_full": ([doc("small"), "--mode", "full"], 100),
    "small_stride2": ([doc("small"), "--stride", "2"], 100),
    "nhwc": ([doc("nhwc")], 100),
    "flip": ([doc("flip")], 100),
    "padded_dilated": ([doc("padded_dilated")], 100),
    # a 12x20 image with 6 channels in 60 columns: viewport markers and "2 more channels"
    "wide_viewport": ([doc("wide"), "--at", "row=5,col=9"], 60),
}


@pytest.mark.parametrize("name", sorted(GOLDEN_CASES))
def test_golden_render(name):
    args, width = GOLDEN_CASES[name]
    code, out, err = run_cli(*args, width=width)
    assert code == 0, err
    path = GOLDEN / f"trace_{name}.txt"
    if UPDATE:
        path.write_text(out, encoding="utf-8")
        pytest.skip(f"snapshot {path.name} rewritten (UPDATE_GOLDEN=1): review the diff; nothing was compared")
    expected = path.read_text(encoding="utf-8")
    assert out == expected, f"{name}: render differs from {path} (UPDATE_GOLDEN=1 rewrites it; review the diff)"


def test_golden_renders_are_plain_text():
    """Colour off means no escape codes at all, and no trailing blanks to trip a diff."""
    for name in GOLDEN_CASES:
        text = (GOLDEN / f"trace_{name}.txt").read_text(encoding="utf-8")
        assert "\x1b" not in text
        assert not any(line != line.rstrip() for line in text.splitlines()), name


# --------------------------------------------------------------------------- hand-worked values

# results read off each frame ("= value" closing the sum), in loop order, worked out by hand:
# small: x = [[1,2,3],[4,5,6],[7,8,9]], w = [[1,2],[3,4]]
#   valid: 1+4+12+20=37, 2+6+15+24=47, 4+10+21+32=67, 5+12+24+36=77
#   full (one zero row/column around x):
#   row 0: 4*1=4, 3*1+4*2=11, 3*2+4*3=18, 3*3=9; row 1: 2*1+4*4=18, 37, 47, 3*1+3*6=21
#   row 2: 2*4+4*7=36, 67, 77, 6+3*9=33; row 3: 2*7=14, 7+2*8=23, 8+2*9=26, 9
#   stride 2: only the window at (0,0): 37; row 2 and column 2 are dropped
# flip: w rotated = [[4,3],[2,1]]: 4+6+8+5=23, 8+9+10+6=33, 16+15+14+8=53, 20+18+16+9=63
# nhwc: c0 = x, c1 = checkerboard [[1,0,1],[0,1,0],[1,0,1]], bias [0.5, -1]
#   k0 = c0 [[1,0],[0,1]] + c1 ones: 6+2, 8+2, 12+2, 14+2 -> 8.5, 10.5, 14.5, 16.5
#   k1 = c0 [[0,1],[1,0]] + c1 [[-1,0],[0,-1]]: 6-2, 8-0, 12-0, 14-2 -> 3, 7, 11, 11
# padded_dilated: x = 1..16 (4x4), padding 1, dilation 2, w = [[1,-1],[2,0]], bias 0.5:
#   out[i,j] = xp[i,j] - xp[i,j+2] + 2*xp[i+2,j] + 0.5
HAND = {
    "small_valid": [37, 47, 67, 77],
    "small_full": [4, 11, 18, 9, 18, 37, 47, 21, 36, 67, 77, 33, 14, 23, 26, 9],
    "small_stride2": [37],
    "flip": [23, 33, 53, 63],
    "nhwc": [8.5, 10.5, 14.5, 16.5, 3, 7, 11, 11],
    "padded_dilated": [
        0.5, 10.5, 12.5, 14.5,
        -1.5, 16.5, 18.5, 25.5,
        -5.5, 24.5, 26.5, 37.5,
        -9.5, -1.5, -1.5, 11.5,
    ],
    "question": [27, 27, 27, 27, 54, 54, 54, 54] * 4,
}
VALUE_LINE = re.compile(r"^ +=\s(\S+)$", re.M)


@pytest.mark.parametrize("name", sorted(HAND))
def test_frames_show_hand_worked_values(name):
    text = (GOLDEN / f"trace_{name}.txt").read_text(encoding="utf-8")
    shown = [float(v) for v in VALUE_LINE.findall(text)]
    assert shown == [float(v) for v in HAND[name]]
    assert "the trace agrees with the vectorized engine" in text


def test_stride_summary_points_out_dropped_cells():
    text = (GOLDEN / "trace_small_stride2.txt").read_text(encoding="utf-8")
    assert re.search(r"dropped\s+row 2 never reached", text)
    assert re.search(r"dropped\s+column 2 never reached", text)


def test_padding_is_marked_as_padding_with_padded_labels():
    text = (GOLDEN / "trace_padded_dilated.txt").read_text(encoding="utf-8")
    frame = text.split("── step 0 of 0..15")[1].split("window * kernel")[0]
    # labels are padded coordinates, as in x_pad[n, c, top+u, left+v]; the frame says where the input starts
    assert "where the input starts at (1, 1)" in " ".join(frame.split())
    frame = frame.splitlines()
    header = next(i for i, line in enumerate(frame) if re.fullmatch(r"\s+0\s+1\s+2\s+3\s+4\s+5", line))
    rows = frame[header + 1: header + 7]
    assert [row.split()[0] for row in rows] == ["0", "1", "2", "3", "4", "5"]
    # padding cells are '·', never a 0 that could pass for data
    assert "0" not in rows[0].split()[1:] and rows[0].count("·") == 6
    assert rows[1].split() == ["1", "·", "1", "2", "3", "4", "·"]
    # taps of the window at (top 0, left 0), dilation 2: padded rows 0, 2 and columns 0, 2
    assert rows[0].count("[ ·]") == 2
    assert "[ ·]" in rows[2] and "[ 6]" in rows[2]


def test_flip_frame_says_the_kernel_was_rotated():
    text = (GOLDEN / "trace_flip.txt").read_text(encoding="utf-8")
    first = text.split("── step 0 of 0..3")[1].split("── step 1")[0]
    assert "w[0, c, 1-u, 1-v]" in first
    assert "rotated 180°" in first
    # the kernel slice shown is rot180([[1,2],[3,4]]) = [[4,3],[2,1]]
    assert "[ 4 3 ]" in first and "[ 2 1 ]" in first


# --------------------------------------------------------------------------- every number vs. its event


def render_frame(view, step, width=250) -> str:
    from rich.console import Console

    console = Console(file=io.StringIO(), width=width, color_system=None, force_terminal=False)
    console.print(view.frame(step))
    return console.file.getvalue()


def groups(line: str) -> list[list[str]]:
    return [g.split() for g in re.findall(r"\[([^\[\]]*)\]", line)]


def check_frame_against_event(text: str, s, problem, seen: dict) -> None:
    """Every number in one frame equals the engine event (or an earlier event, for the output map)."""
    n_channels, kh, kw = s.patch.shape
    lines = text.splitlines()

    # header: position, formula indices
    assert f"step {s.step} of 0..{problem.steps - 1}" in lines[0]
    assert f"out[{s.n},{s.k},{s.row},{s.col}]" in lines[0]
    dh, dw = problem.geometry.dilation
    u = "u" if dh == 1 else f"{dh}u"
    v = "v" if dw == 1 else f"{dw}v"
    assert f"x_pad[{s.n}, c, {s.top}+{u}, {s.left}+{v}]" in text
    assert f"= ({s.top}, {s.left})" in text

    # input grids: the bracketed taps, channel by channel, row by row
    start = next(i for i, line in enumerate(lines) if line.startswith(f"x_pad[{s.n}]"))
    stop = next(i for i, line in enumerate(lines) if line.startswith("window * kernel slice"))
    tap_lines = [groups(line) for line in lines[start + 1: stop] if "[" in line]
    assert len(tap_lines) == kh
    for uu, found in enumerate(tap_lines):
        assert len(found) == n_channels * kw
        for c in range(n_channels):
            for vv in range(kw):
                cell = found[c * kw + vv]
                expected = s.patch[c, uu, vv]
                if cell == ["·"]:
                    assert expected == 0  # a tap in the zero padding
                else:
                    assert cell == [number(expected)]

    # products: per channel window * kernel = products, then the partial sum
    head = re.compile(rf"out\[{s.n},{s.k},{s.row},{s.col}\] = +c0 ")
    end = next(i for i, line in enumerate(lines) if head.match(line))
    section = lines[stop + 1: end]
    matrix_lines = [groups(line) for line in section if line.startswith("[")]
    assert len(matrix_lines) == kh
    for uu, found in enumerate(matrix_lines):
        assert len(found) == 3 * n_channels
        for c in range(n_channels):
            assert found[3 * c] == [number(x) for x in s.patch[c, uu]]
            assert found[3 * c + 1] == [number(x) for x in s.kernel[c, uu]]
            assert found[3 * c + 2] == [number(x) for x in s.products[c, uu]]
    partials = re.findall(r"sum (\S+)", "\n".join(section))
    assert partials == [number(p) for p in s.partials]

    # the sum: c0 + c1 + ... + bias = value
    terms = lines[end + 1].split("=", 1)[1].replace("(", "").replace(")", "").split("+")
    assert [t.strip() for t in terms] == [number(p) for p in s.partials] + [number(s.bias)]
    assert lines[end + 2].split("=")[1].strip() == number(s.value)

    # the output map: the current cell in brackets, earlier cells from earlier events, the rest '.'
    start = next(i for i, line in enumerate(lines) if line.startswith(f"out[{s.n},{s.k}]: image"))
    header = lines[start + 1].split()
    cols = [int(c) for c in header]
    for line in lines[start + 2:]:
        if not line.strip():
            break
        label, *cells = [cell.replace(" ", "") for cell in re.findall(r"\[[^\]]*\]|\S+", line)]
        i = int(label)
        for j, cell in zip(cols, cells):
            if (i, j) == (s.row, s.col):
                assert cell == f"[{number(s.value)}]"
            elif (i, j) < (s.row, s.col):
                assert cell == number(seen[(s.n, s.k, i, j)])
            else:
                assert cell == "."


def event_problem():
    rng = np.random.default_rng(7)
    images = np.round(rng.uniform(-3, 3, size=(2, 2, 5, 6)) * 4) / 4  # quarters: exact in binary
    kernels = np.round(rng.uniform(-2, 2, size=(2, 2, 2, 3)) * 8) / 8
    return build_problem(images, kernels, bias=np.array([0.25, -1.5]), stride=(2, 1), dilation=(1, 2),
                         padding=((1, 0), (2, 1)))


def test_every_number_in_a_frame_equals_its_event():
    from convtrace.render.frames.steps import StepView
    from convtrace.engine.tracecheck import Collector

    problem = event_problem()
    collector = Collector(problem)
    view = StepView(problem, collector)
    seen = {}
    checked = 0
    for s in trace(problem):
        collector.add(s)
        check_frame_against_event(render_frame(view, s), s, problem, seen)
        seen[(s.n, s.k, s.row, s.col)] = s.value
        checked += 1
    assert checked == problem.steps


def test_frame_check_can_fail():
    """The checker above notices a wrong number (so the test is not vacuous)."""
    from convtrace.render.frames.steps import StepView
    from convtrace.engine.tracecheck import Collector

    problem = event_problem()
    view = StepView(problem, Collector(problem))
    s = next(trace(problem))
    wrong = s._replace(partials=s.partials + 1) if hasattr(s, "_replace") else __import__("dataclasses").replace(s, partials=s.partials + 1)
    with pytest.raises(AssertionError):
        check_frame_against_event(render_frame(view, wrong), s, problem, {})


# --------------------------------------------------------------------------- final maps and agreement


def test_final_maps_hold_the_traced_values():
    code, out, _ = run_cli(doc("padded_dilated"))
    assert code == 0
    final = out.split("output feature maps")[1]
    rows = [line.split() for line in final.splitlines() if re.match(r"^\d ", line)]
    values = [float(v) for row in rows for v in row[1:]]
    assert values == HAND["padded_dilated"]
    assert "max |difference| = 0 over all 16 values" in flat(final)


def test_agreement_detects_a_disagreement():
    from convtrace.engine.tracecheck import Collector, agreement

    problem = load(doc("small"))
    collector = Collector(problem)
    for s in trace(problem):
        collector.add(s)
    assert agreement(problem, collector).agrees
    collector.values[0, 0, 1, 1] += 1e-3
    result = agreement(problem, collector)
    assert not result.agrees and result.max_difference == pytest.approx(1e-3)


def test_limit_traces_part_and_says_so():
    code, out, _ = run_cli("--example", "question", "--limit", "2")
    assert code == 0
    assert out.count("── step") == 2
    assert "2 of 32 values traced" in flat(out)
    assert "over the 2 values traced (of 32)" in flat(out)


# --------------------------------------------------------------------------- --at, the cap, options


def test_at_picks_positions():
    code, out, _ = run_cli("--example", "question", "--at", "n=0,k=1")
    assert code == 0
    steps = re.findall(r"── step (\d+) of 0..31 ── out\[(\d),(\d),(\d),(\d)\]", out)
    assert [(int(n), int(k)) for _, n, k, _, _ in steps] == [(0, 1)] * 4
    code, out, _ = run_cli("--example", "question", "--at", "row=1,col=0", "--at", "n=3,k=0,row=0..1,col=1")
    positions = re.findall(r"── step \d+ of 0..31 ── out\[(\d,\d,\d,\d)\]", out)
    assert positions == ["0,0,1,0", "0,1,1,0", "1,0,1,0", "1,1,1,0", "2,0,1,0", "2,1,1,0",
                         "3,0,0,1", "3,0,1,0", "3,0,1,1", "3,1,1,0"]
    # the feature maps at the end are complete: every step was traced, only some drawn
    assert "over all 32 values" in flat(out)


def test_at_filters_plain_and_jsonl_too():
    import json

    code, out, _ = run_cli("--example", "question", "--at", "row=1,col=1", "--format", "jsonl")
    records = [json.loads(line) for line in out.splitlines()]
    assert [(r["n"], r["k"]) for r in records] == [(n, k) for n in range(4) for k in range(2)]
    assert all((r["row"], r["col"]) == (1, 1) for r in records)
    code, out, _ = run_cli("--example", "question", "--at", "k=1", "--format", "plain", "--limit", "3")
    assert [line.split()[2] for line in out.splitlines()] == ["out[0,1,0,0]", "out[0,1,0,1]", "out[0,1,1,0]"]


@pytest.mark.parametrize("spec, message", [
    ("x=1", "is not NAME=VALUE"),
    ("row", "is not NAME=VALUE"),
    ("row=two", "not a whole number"),
    ("row=2", "row must be within 0..1"),
    ("k=0..5", "k must be within 0..1"),
])
def test_bad_at_is_a_usage_error(spec, message):
    code, out, err = run_cli("--example", "question", "--at", spec)
    assert code == 2
    assert message in err
    assert out == ""


@pytest.mark.parametrize("args, message", [
    (["--step", "--format", "plain"], "--format rich"),
    (["--export", "x.svg", "--json"], "--json"),
    (["--step", "--delay", "1"], "cannot be used together"),
    (["--export", "frames.pdf"], ".svg, .html or .txt"),
])
def test_view_options_misuse(args, message):
    code, out, err = run_cli(*args)
    assert code == 2
    assert message in err


def test_step_and_delay_off_a_terminal_print_frames_in_sequence():
    _, plain, _ = run_cli(doc("small"))
    for option in (["--step"], ["--delay", "5"]):
        code, out, _ = run_cli(doc("small"), *option)
        assert code == 0
        assert out == plain  # no pause, no animation codes


def big_doc(tmp_path, size=12) -> str:
    import json

    images = (np.arange(size * size) % 7).reshape(size, size).tolist()
    path = tmp_path / "big.json"
    path.write_text(json.dumps({"images": images, "kernels": [[1, 0], [0, 1]]}))
    return str(path)


def test_big_traces_draw_frames_chosen_to_teach(tmp_path):
    path = big_doc(tmp_path)  # 11 * 11 = 121 positions, no padding
    code, out, _ = run_cli(path)
    assert code == 0
    # the first three, the middle of the map (5*11 + 5 = 60) and the last (120)
    assert re.findall(r"── step (\d+) of 0\.\.120", out) == ["0", "1", "2", "60", "120"]
    assert "5 of the 121 window positions are drawn (steps 0, 1, 2, 60, 120)" in flat(out)
    assert "--step" in out and "--at step=N" in out and "--limit N" in flat(out)
    assert "over all 121 values" in flat(out)  # the maps are complete all the same
    code, out, _ = run_cli(path, "--limit", "121")
    assert out.count("── step") == 121 and "are drawn" not in out


def test_a_padded_big_trace_draws_a_window_over_real_data(tmp_path):
    path = big_doc(tmp_path)
    code, out, _ = run_cli(path, "--padding", "2")  # 15x15 outputs; windows of rows/cols 0..1 touch padding
    drawn = re.findall(r"── step (\d+) of 0\.\.224", out)
    assert "32" in drawn  # row 2, column 2: the first window with no padding under it (2*15 + 2)
    frame = out.split("── step 32 of")[1].split("── step")[0]
    assert "[ ·]" not in frame.split("window * kernel")[0]


def test_at_selections_are_capped(tmp_path):
    from convtrace.render.play.player import FRAME_CAP

    code, out, _ = run_cli(big_doc(tmp_path), "--at", "step=0..120")
    assert out.count("── step") == FRAME_CAP
    assert "21 more window positions traced but not drawn" in flat(out)


def test_viewport_keeps_the_window_in_sight():
    text = (GOLDEN / "trace_wide_viewport.txt").read_text(encoding="utf-8")
    assert max(len(line) for line in text.splitlines()) <= 60
    frame = text.split("── step")[1]
    assert "…" in frame and "⋮" in frame
    assert "... and 2 more channels (c4..c5) not drawn" in frame
    # the window (padded rows 5..7, columns 9..11) is on screen in each channel
    assert re.search(r"^ 5 … .*\[ \d\]\[ \d\]\[ \d\]", frame, re.M)


# --------------------------------------------------------------------------- marks without colour


def test_marks_survive_without_colour_on_a_terminal():
    """NO_COLOR on a terminal: no colours, but the window and current cell are still bold/reverse and bracketed."""
    from rich.console import Console

    from convtrace.render.frames.steps import StepView
    from convtrace.engine.tracecheck import Collector

    problem = load(doc("small"))
    collector = Collector(problem)
    view = StepView(problem, collector)
    step = next(trace(problem))
    collector.add(step)
    console = Console(file=io.StringIO(), width=100, force_terminal=True, no_color=True, color_system="standard")
    console.print(view.frame(step))
    out = console.file.getvalue()
    codes = set(re.findall(r"\x1b\[([\d;]*)m", out))
    params = {p for code in codes for p in code.split(";") if p}
    assert "7" in params and "1" in params  # reverse and bold
    assert not params & ({str(c) for c in range(30, 38)} | {"38", "48"} | {str(c) for c in range(40, 48)})
    assert "[1][2]" in re.sub(r"\x1b\[[\d;]*m", "", out)
    assert "[37]" in re.sub(r"\x1b\[[\d;]*m", "", out)


# --------------------------------------------------------------------------- exports


def test_svg_export_parses_as_xml(tmp_path):
    target = tmp_path / "frames.svg"
    code, _, err = run_cli(doc("small"), "--export", str(target))
    assert code == 0, err
    root = ET.parse(tmp_path / "frames-004.svg").getroot()  # one SVG per frame: the fourth
    assert root.tag.endswith("svg")
    text = "".join(root.itertext()).replace("\xa0", " ")
    assert "step 3 of 0..3" in text and "[77]" in text


def test_svg_export_is_one_picture_per_frame(tmp_path):
    target = tmp_path / "frames.svg"
    code, _, err = run_cli(doc("small"), "--mode", "full", "--export", str(target))
    assert code == 0
    pictures = sorted(tmp_path.glob("frames-*.svg"))
    assert len(pictures) == 16 and "wrote 16 SVG pictures" in err
    for i, picture in enumerate(pictures):
        text = "".join(ET.parse(picture).getroot().itertext()).replace("\xa0", " ")
        assert text.count("── step") == 1 and f"step {i} of 0..15" in text


def test_html_export_holds_the_values(tmp_path):
    target = tmp_path / "frames.html"
    code, _, _ = run_cli(doc("small"), "--export", str(target))
    assert code == 0
    page = target.read_text(encoding="utf-8")
    assert page.startswith("<!DOCTYPE html>") and page.rstrip().endswith("</html>")
    # the page player builds its frames from the steps' values (tests/test_page_browser.py shows them)
    data = json.loads(re.search(r'<script id="trace-data" type="application/json">(.*?)</script>', page, re.S).group(1))
    values = [step[data["fields"].index("value")] for step in data["steps"]]
    assert values == [str(value) for value in HAND["small_valid"]]


def test_txt_export_is_the_colourless_render(tmp_path):
    target = tmp_path / "frames.txt"
    code, out, _ = run_cli(doc("flip"), "--export", str(target))
    assert code == 0
    assert target.read_text(encoding="utf-8") == out
    assert "\x1b" not in out


def test_export_streams_instead_of_holding_the_trace(tmp_path):
    """Text and HTML exports are written frame by frame: the recording console holds nothing between frames."""
    from rich.console import Console

    from convtrace.render.output.export import Exporter
    from convtrace.render.play.player import Player

    problem = load(doc("small"), {"mode": "full"})
    for suffix in (".txt", ".html"):
        exporter = Exporter(str(tmp_path / f"frames{suffix}"), 100)
        sizes = []
        original_add = exporter.add

        def add(renderable, exporter=exporter, original_add=original_add):
            original_add(renderable)
            sizes.append(len(exporter.console._record_buffer))

        exporter.add = add
        player = Player(problem, trace(problem), Console(file=io.StringIO(), width=100), exporter=exporter)
        player.print_all()
        exporter.close()
        assert sizes and max(sizes) == 0


def test_export_to_a_missing_folder_is_a_usage_error(tmp_path):
    code, _, err = run_cli(doc("small"), "--export", str(tmp_path / "no" / "such" / "frames.txt"))
    assert code == 2
    assert "cannot write" in err
