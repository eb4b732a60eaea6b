"""One self-contained HTML file: the template with the style, the player script and the trace data inline.

Nothing is loaded from anywhere else (no web fonts, no scripts from a network,
not even a favicon), so the page works offline, from a USB stick or an e-mail.
"""

from __future__ import annotations

import json
from html import escape
from importlib.resources import files

from ....errors import UsageError

LAYER_KINDS = ("conv", "conv_transpose", "max_pool", "avg_pool")  # page kinds of layer_data.py


def _asset(name: str) -> str:
    return files("convtrace.render.output.page").joinpath(name).read_text(encoding="utf-8")


def data_json(data: dict) -> str:
    """Compact JSON that is safe inside <script>: '</' and '<!--' cannot end or confuse the element."""
    text = json.dumps(data, separators=(",", ":"), ensure_ascii=False)
    return text.replace("</", "<\\/").replace("<!--", "<\\u0021--")


def page_html(data: dict) -> str:
    """The player page for `data` (a dict from TraceRecorder.data() or TextFrames.data())."""
    jump = "step number or out[n,k,row,col]" if data.get("kind") == "conv2d" else "frame number or text, e.g. dx[0,0,1,1]"
    if data.get("kind") in LAYER_KINDS:
        jump = "step number or out[n,k," + ("col", "row,col", "depth,row,col")[data["dims"] - 1] + "]"
    parts = {
        "{{TITLE}}": escape(str(data.get("title") or "convtrace")),
        "{{JUMP_HINT}}": escape(jump),
        "{{CSS}}": _asset("player.css"),
        # one function body from four files: shared helpers, the conv2d frames, the other layers', the controls
        "{{JS}}": "\n".join(_asset(name) for name in ("helpers.js", "frames.js", "layerframes.js", "player.js")),
    }
    html = _asset("template.html")
    for key, value in parts.items():
        html = html.replace(key, value)
    return html.replace("{{DATA}}", data_json(data))  # last: the data may contain any text


def write_page(path: str, data: dict) -> int:
    """Write the page to `path`; returns its size in bytes."""
    html = page_html(data).encode("utf-8")
    try:
        with open(path, "wb") as handle:
            handle.write(html)
    except OSError as err:
        raise UsageError(f"--export {path!r}: cannot write it ({err.strerror}); check the folder exists") from None
    return len(html)
