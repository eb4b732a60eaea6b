"""Notebooks: what IPython's display machinery gets from convtrace.show and from the objects the API returns."""

from __future__ import annotations

import base64
import html
import io
import json
import re
import subprocess
import sys

import numpy as np
import pytest

from convtrace.text import number

DOC = {"images": [[3, 1, 0, 2], [1, 4, 1, 0], [2, 0, 5, 1]], "kernels": [[1, -1], [2, 0]], "bias": [0.5]}


@pytest.fixture(scope="module")
def shell():
    from IPython.core.interactiveshell import InteractiveShell

    return InteractiveShell.instance()


@pytest.fixture(scope="module")
def output():
    from convtrace import conv2d

    return conv2d(np.array(DOC["images"], float)[None, None], np.array(DOC["kernels"], float)[None, None],
                  bias=np.array(DOC["bias"]))


def shown(shell, obj) -> str:
    data, _ = shell.display_formatter.format(obj)
    assert "text/html" in data, f"{type(obj).__name__} has no HTML display"
    return data["text/html"]


def test_show_displays_the_player_inline(shell, output):
    import convtrace

    text = shown(shell, convtrace.show(DOC))
    srcdoc = html.unescape(re.search(r'<iframe class="convtrace-player" srcdoc="([^"]*)"', text).group(1))
    data = json.loads(re.search(r'<script id="trace-data" type="application/json">(.*?)</script>', srcdoc, re.S).group(1))
    values = [row[data["fields"].index("value")] for row in data["steps"]]
    assert values == [number(v) for v in output.reshape(-1)]
    assert not re.search(r"https?:", srcdoc)


def test_show_at_picks_positions(shell, output):
    import convtrace

    player = convtrace.show(DOC, at="row=1")
    rows = [r[player.data["fields"].index("row")] for r in player.data["steps"]]
    assert rows == [1] * output.shape[3]
    assert len(convtrace.show(DOC, at=4).data["steps"]) == 1


def test_output_maps_are_pictures_darkest_at_the_smallest_value(shell, output):
    from PIL import Image

    import convtrace

    text = shown(shell, convtrace.show(DOC).maps())
    png = base64.b64decode(re.search(r'src="data:image/png;base64,([^"]+)"', text).group(1))
    picture = np.array(Image.open(io.BytesIO(png)))
    h, w = output.shape[2:]
    scale = picture.shape[0] // h
    cells = picture[::scale, ::scale]
    assert cells.shape == (h, w)
    flat = output[0, 0].reshape(-1)
    assert cells.reshape(-1)[flat.argmin()] == 0 and cells.reshape(-1)[flat.argmax()] == 255
    assert f"black {number(flat.min())}, white {number(flat.max())}" in text


def test_without_pillow_the_maps_are_tables(shell, output, monkeypatch):
    import convtrace

    monkeypatch.setitem(sys.modules, "PIL", None)  # `from PIL import Image` now raises ImportError
    text = shown(shell, convtrace.show(DOC).maps())
    assert "<img" not in text
    cells = re.findall(r"<td>([^<]*)</td>", text)
    assert cells == [number(v) for v in output[0, 0].reshape(-1)]


def test_problem_step_and_comparison_display_as_html(shell, output):
    import convtrace
    from convtrace.notebook import register
    from convtrace.teach.compare import compare

    assert register(shell)
    problem = convtrace.load(DOC)
    assert "(1, 1, 3, 4)" in shown(shell, problem)
    step = list(convtrace.trace(problem))[5]
    n, k, row, col = np.unravel_index(5, output.shape)
    text = shown(shell, step)
    assert f"out[{n},{k},{row},{col}] = {number(output[n, k, row, col])}" in html.unescape(re.sub(r"<[^>]+>", "", text))
    assert "valid" in shown(shell, compare(problem))


def test_importing_convtrace_in_ipython_registers_the_displays():
    code = (
        "from IPython.core.interactiveshell import InteractiveShell\n"
        "shell = InteractiveShell.instance()\n"
        "import convtrace\n"
        "problem = convtrace.load({'images': [[1, 2], [3, 4]], 'kernels': [[1]]})\n"
        "print('text/html' in shell.display_formatter.format(problem)[0])\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert result.stdout.strip() == "True", result.stderr


def test_importing_convtrace_does_not_import_ipython():
    code = "import sys, convtrace; print('IPython' in sys.modules)"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert result.stdout.strip() == "False"
