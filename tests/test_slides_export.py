"""Slides: one SVG per frame that renders aligned offline; explain, compare and lesson show save their views."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

import pytest

SVG = "{http://www.w3.org/2000/svg}"


def check_offline_svg(path) -> ET.Element:
    """The picture loads nothing: no web font, no @import, no url(); its font is a monospace stack."""
    text = path.read_text(encoding="utf-8")
    assert "@font-face" not in text and "@import" not in text and "url(" not in text
    assert re.findall(r"https?://[^\s\"']+", text) == ["http://www.w3.org/2000/svg"]  # the namespace only
    assert '"DejaVu Sans Mono", Menlo, Consolas' in text and text.count("monospace") >= 1
    return ET.fromstring(text)


def height(root: ET.Element) -> float:
    return float(root.get("viewBox").split()[3])


def test_one_position_is_one_svg_the_size_of_one_frame(invoke, tmp_path):
    one = tmp_path / "frame.svg"
    result = invoke(["run", "--example", "question", "--at", "n=0,k=0,row=0,col=1", "--export", str(one)], env={"COLUMNS": "80"})
    assert result.exit_code == 0
    assert sorted(p.name for p in tmp_path.iterdir()) == ["frame.svg"]
    root = check_offline_svg(one)
    text = "".join(t.text or "" for t in root.iter(SVG + "text")).replace("\xa0", " ")
    assert "out[0,0,0,1]" in text and "step 1 of 0..31" in text
    assert "step 0 of 0..31" not in text and "step 2 of 0..31" not in text  # that frame, not a stack of them
    lines = len({t.get("y") for t in root.iter(SVG + "text")})  # distinct baselines: text lines
    assert height(root) < 30 * 60 and lines < 60  # one frame of the built-in example is about 40 lines


def test_several_frames_are_numbered_files(invoke, tmp_path):
    result = invoke(["run", "--example", "question", "--at", "n=0,k=0", "--export", str(tmp_path / "f.svg")], env={"COLUMNS": "80"})
    assert result.exit_code == 0
    names = sorted(p.name for p in tmp_path.iterdir())
    assert names == ["f-001.svg", "f-002.svg", "f-003.svg", "f-004.svg"]  # H' x W' = 2 x 2 positions
    for i, name in enumerate(names):
        root = check_offline_svg(tmp_path / name)
        assert f"step {i} of 0..31" in "".join(t.text or "" for t in root.iter(SVG + "text")).replace("\xa0", " ")
    assert "wrote 4 SVG pictures" in result.stderr


def test_a_folder_takes_every_part(invoke, tmp_path):
    folder = tmp_path / "slides"
    result = invoke(["run", "--example", "question", "--at", "n=0,k=1,row=1", "--export", str(folder) + "/"], env={"COLUMNS": "80"})
    assert result.exit_code == 0
    names = sorted(p.name for p in folder.iterdir())
    # the summary, two frames (row 1 has W' = 2 positions), the feature maps
    assert len(names) == 4 and names[1].startswith("002-step-6-of-0-31") and names[2].startswith("003-step-7-of-0-31")
    for name in names:
        check_offline_svg(folder / name)


@pytest.mark.parametrize("args, expected", [
    (["explain", "--mode", "same"], "same"),
    (["compare"], "valid"),
    (["lesson", "show", "1"], "Lesson 1"),
])
@pytest.mark.parametrize("suffix", [".txt", ".svg", ".html"])
def test_views_save_what_they_print(invoke, tmp_path, args, expected, suffix):
    path = tmp_path / f"view{suffix}"
    result = invoke(args + ["--export", str(path)], env={"COLUMNS": "100", "NO_COLOR": "1"})
    assert result.exit_code == 0, result.output
    saved = path.read_text(encoding="utf-8")
    assert not re.search(r"https?://(?!www\.w3\.org/2000/svg)", saved) and "url(" not in saved
    if suffix == ".txt":
        # the text file is what the terminal showed, line for line
        assert [line.rstrip() for line in saved.splitlines()] == [line.rstrip() for line in result.stdout.splitlines()]
    elif suffix == ".svg":
        root = check_offline_svg(path)
        assert expected in "".join(t.text or "" for t in root.iter(SVG + "text")).replace("\xa0", " ")
    else:
        assert saved.startswith("<!DOCTYPE html>") and expected in saved


@pytest.mark.parametrize("args", [["explain"], ["compare"], ["lesson", "show", "1"], ["lesson", "run", "1"]])
def test_an_unknown_suffix_is_a_usage_error_naming_the_option(invoke, tmp_path, args):
    result = invoke(args + ["--export", str(tmp_path / "view.pdf")])
    assert result.exit_code == 2
    assert "--export" in result.stderr and "must end in" in result.stderr and "Traceback" not in result.output


def test_a_layer_folder_export_has_one_picture_per_part(invoke, tmp_path):
    """Transposed convolution (lesson 17): the summary, one SVG per output value, the output; no blank pictures."""
    from pathlib import Path

    from convtrace.engine.dispatch import trace_layer
    from convtrace.source.loader import Request

    document = Path(__file__).resolve().parent.parent / "lessons" / "17-transposed" / "input.json"
    steps = sum(1 for _ in trace_layer(Request(file=str(document)).load()))
    folder = tmp_path / "slides"
    folder.mkdir()
    result = invoke(["run", str(document), "--limit", str(steps), "--export", f"{folder}/"])
    assert result.exit_code == 0, result.output
    pictures = sorted(folder.glob("*.svg"))
    assert len(pictures) == steps + 2
    assert all("frame.svg" not in picture.name for picture in pictures)  # a blank part would be named 'frame'
