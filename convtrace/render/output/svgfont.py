"""SVG and HTML pictures of recorded console output that render aligned offline.

Rich's own SVG template loads a web font from the internet; without a network
the browser falls back to another font and the grids drift. Here the font is a
stack of monospace fonts found on the machines that open slides (DejaVu Sans
Mono on Linux, Menlo on macOS, Consolas on Windows), nothing is downloaded
(no @font-face, no @import, no url()), and each run of text is stretched to its
cell width (Rich's textLength), so the columns line up whichever font is there.
"""

from __future__ import annotations

import re
from html import escape

from rich._export_format import CONSOLE_SVG_FORMAT
from rich.console import Console

MONO_STACK = '"DejaVu Sans Mono", Menlo, Consolas, "Liberation Mono", monospace'
SANS_STACK = '"DejaVu Sans", Helvetica, Arial, sans-serif'

# Rich's template without the web font, the credit comment and the named font families
SVG_FORMAT = (
    re.sub(r"@font-face \{\{.*?\}\}\s*", "", CONSOLE_SVG_FORMAT, flags=re.S)
    .replace("<!-- Generated with Rich https://www.textualize.io -->", "")
    .replace("font-family: Fira Code, monospace;", f"font-family: {MONO_STACK};")
    .replace("font-family: arial;", f"font-family: {SANS_STACK};")
)

HTML_FORMAT = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="icon" href="data:,">
<title>{title}</title>
<style>
{{stylesheet}}
body {{{{ color: {{foreground}}; background-color: {{background}}; margin: 0.5rem; }}}}
pre {{{{ font-family: {mono}; overflow-x: auto; }}}}
</style>
</head>
<body>
<pre><code style="font-family:inherit">{{code}}</code></pre>
</body>
</html>
"""

_CLIP = re.compile(r'\s*clip-path="url\(#[^)]*\)"')


def console_svg(console: Console, title: str) -> str:
    """The console's recording (then cleared) as one SVG the size of what was printed."""
    svg = console.export_svg(title=title, code_format=SVG_FORMAT, clear=True)
    # the clip paths only trim overflow; dropping them leaves no url() at all in the picture
    svg = _CLIP.sub("", svg)
    # keep runs of spaces: some SVG renderers (librsvg) drop the leading blanks that align the grids
    return svg.replace("<svg ", '<svg xml:space="preserve" ', 1)


def console_html(console: Console, title: str) -> str:
    """The console's recording (then cleared) as one static HTML page with inline styles."""
    template = HTML_FORMAT.format(title=escape(title), mono=MONO_STACK)
    return console.export_html(code_format=template, inline_styles=False, clear=True)
