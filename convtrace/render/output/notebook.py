"""HTML for notebooks: the trace player in an iframe, output maps as pictures, a Step or any view as HTML.

Jupyter shows an object through its `_repr_html_` (or a formatter registered
for its type); these functions build that HTML from engine results and events.
The player runs inside an <iframe srcdoc>, so several players in one notebook
keep their scripts and styles apart.
"""

from __future__ import annotations

import base64
import io
from html import escape

import numpy as np

from .page import page_html
from ...text import number
from .svgfont import MONO_STACK

PLAYER_HEIGHT = 760  # px: one frame of a small trace without scrolling the notebook
PIXELS = 160  # a feature map picture is scaled up to about this many pixels on its long side


def player_html(data: dict, height: int = PLAYER_HEIGHT) -> str:
    """The page player for `data`, framed for a notebook cell."""
    page = escape(page_html(data), quote=True)
    return (f'<iframe class="convtrace-player" srcdoc="{page}" title="{escape(str(data.get("title", "trace")))}" '
            f'style="width: 100%; height: {height}px; border: 1px solid #ccc;"></iframe>')


def map_png(values: np.ndarray) -> bytes | None:
    """(H', W') -> a grey PNG (black = smallest value, white = largest), scaled up; None without Pillow."""
    try:
        from PIL import Image
    except ImportError:
        return None
    low, high = float(values.min()), float(values.max())
    grey = np.full(values.shape, 255, np.uint8) if high <= low else np.round((values - low) / (high - low) * 255).astype(np.uint8)
    scale = max(1, PIXELS // max(values.shape))
    image = Image.fromarray(grey, mode="L").resize((values.shape[1] * scale, values.shape[0] * scale), Image.NEAREST)
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


def table_html(rows: list[list[str]], mark: tuple[int, int] | None = None) -> str:
    """A grid of texts as an HTML table; the `mark`ed cell in [ ]."""
    cells = []
    for i, row in enumerate(rows):
        tds = "".join(f"<td>{escape(f'[{t}]' if mark == (i, j) else t)}</td>" for j, t in enumerate(row))
        cells.append(f"<tr>{tds}</tr>")
    return (f'<table style="border-collapse: collapse; font-family: {escape(MONO_STACK)}; text-align: right">'
            + "".join(cells) + "</table>")


def maps_html(output: np.ndarray, done: int | None = None) -> str:
    """(N, K, H', W') -> one picture per feature map (a PNG via Pillow, else a table of values), labelled out[n,k]."""
    n_images, n_kernels, h, w = output.shape
    items = []
    for n in range(n_images):
        for k in range(n_kernels):
            values = output[n, k]
            png = map_png(values)
            low, high = number(float(values.min())), number(float(values.max()))
            if png is not None:
                picture = (f'<img src="data:image/png;base64,{base64.b64encode(png).decode()}" '
                           f'alt="out[{n},{k}] as a grey picture" style="image-rendering: pixelated">')
            else:
                picture = table_html([[number(v) for v in row] for row in values.tolist()])
            items.append(f'<figure style="margin: 0.3rem 1rem 0.3rem 0"><figcaption>out[{n},{k}] '
                         f'({h}x{w}; black {escape(low)}, white {escape(high)})</figcaption>{picture}</figure>')
    return '<div style="display: flex; flex-wrap: wrap">' + "".join(items) + "</div>"


def step_html(step) -> str:
    """One Step: per channel window * kernel = products and the sum, then the total (the event's own numbers)."""
    head = f"out[{step.n},{step.k},{step.row},{step.col}]"
    parts = [f"<p><b>step {step.step}: {head} = {escape(number(step.value))}</b> "
             f"(window corner ({step.top}, {step.left}) in the padded input)</p>"]
    for c in range(step.patch.shape[0]):
        grids = [[[number(v) for v in row] for row in a[c].tolist()] for a in (step.patch, step.kernel, step.products)]
        parts.append(
            '<div style="display: flex; align-items: center; gap: 0.5rem; flex-wrap: wrap">'
            f"<span>c{c}</span>{table_html(grids[0])}<b>*</b>{table_html(grids[1])}<b>=</b>{table_html(grids[2])}"
            f"<span>sum {escape(number(float(step.partials[c])))}</span></div>")
    terms = " + ".join(number(p) for p in step.partials.tolist())
    parts.append(f"<p><code>{head} = {escape(terms)} + bias {escape(number(step.bias))} = "
                 f"{escape(number(step.value))}</code></p>")
    return "<div>" + "".join(parts) + "</div>"


def rich_html(renderable, width: int = 100) -> str:
    """Any Rich renderable as a <pre> block with inline colours (marks stay in the text)."""
    from rich.console import Console

    from .page.textframes import Discard

    console = Console(record=True, width=width, file=Discard(), force_terminal=True, color_system="truecolor",
                      highlight=False, emoji=False)
    console.print(renderable, crop=False)
    return console.export_html(inline_styles=True, code_format=f'<pre style="font-family: {escape(MONO_STACK)}">'
                                                                '<code style="font-family: inherit">{code}</code></pre>')


def _window_html(cells) -> str:
    """Cell texts of a (*k) window (1-D a row, 2-D a grid, 3-D slices side by side) as HTML tables."""
    if not isinstance(cells[0], list):
        return table_html([cells])
    if not isinstance(cells[0][0], list):
        return table_html(cells)
    return ('<div style="display: flex; gap: 1rem">'
            + "".join(f"<div>d={d}{table_html(s)}</div>" for d, s in enumerate(cells)) + "</div>")


def layer_step_html(step) -> str:
    """One LayerStep (any layer but plain 2-D convolution): its window and how the value was made.

    The cells are the page's own texts (page/layer_data.py): '·' a zero the loop added, '[v]' the maximum.
    """
    from .page.layer_data import layer_record

    r = layer_record(step)
    head = "out[" + ",".join(str(i) for i in (r["n"], r["k"], *r["at"])) + "]"
    corner = ",".join(str(i) for i in r["corner"])
    parts = [f"<p><b>step {r['step']}: {head} = {escape(r['value'])}</b> (window at ({corner}); "
             f"{escape(step.layer.replace('_', ' '))})</p>"]
    if "kernel" in r:
        for i, channel in enumerate(range(*r["channels"])):
            parts.append('<div style="display: flex; align-items: center; gap: 0.5rem; flex-wrap: wrap">'
                         f"<span>c{channel}</span>{_window_html(r['patch'][i])}<b>*</b>{_window_html(r['kernel'][i])}"
                         f"<span>sum {escape(r['partials'][i])}</span></div>")
        terms = " + ".join(r["partials"])
        parts.append(f"<p><code>{head} = {escape(terms)} + bias {escape(r['bias'])} = {escape(r['value'])}</code></p>")
    else:
        parts.append(_window_html(r["patch"][0]))
        if "divisor" in r:
            parts.append(f"<p><code>sum {escape(r['total'])} / divisor {r['divisor']} = {escape(r['value'])}</code></p>")
        else:
            where = ",".join(str(i) for i in r["max_at"])
            parts.append(f"<p><code>max = {escape(r['value'])}, first met at input ({where}) [marked]</code></p>")
    return "<div>" + "".join(parts) + "</div>"
