"""The trace page: an HTML player that builds each frame in the browser from the engine's numbers.

    data.py        Steps + Problem -> compact page data (inputs once, one record per step)
    layer_data.py  LayerSteps (groups, 1-D, 3-D, transposed, pooling) -> page data, one record per output value
    textframes.py  frames already drawn as text (the gradient view) -> page data
    build.py       page data -> one self-contained HTML file (template.html, player.css and
                   helpers.js + frames.js + layerframes.js + player.js, inline)
"""

from .build import page_html, write_page
from .data import DEFAULT_PAGE_STEPS, TraceRecorder

__all__ = ["DEFAULT_PAGE_STEPS", "TraceRecorder", "page_html", "write_page"]
