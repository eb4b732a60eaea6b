"""The trace page: an HTML player that builds each frame in the browser from the engine's numbers.

    data.py        Steps + Problem -> compact page data (inputs once, one record per step)
    textframes.py  frames already drawn as text (the gradient view) -> page data
    build.py       page data -> one self-contained HTML file (template.html, player.css and
                   helpers.js + frames.js + player.js, inline)
"""

from .build import page_html, write_page
from .data import DEFAULT_PAGE_STEPS, TraceRecorder

__all__ = ["DEFAULT_PAGE_STEPS", "TraceRecorder", "page_html", "write_page"]
