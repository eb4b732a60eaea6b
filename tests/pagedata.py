"""Reading a trace page back: the embedded JSON data of an exported HTML player."""

from __future__ import annotations

import json
import re
from pathlib import Path


def page_data(path) -> dict:
    """The trace data a page embeds (the JSON in <script id="trace-data">)."""
    html = Path(path).read_text(encoding="utf-8")
    found = re.search(r'<script id="trace-data" type="application/json">(.*?)</script>', html, re.S)
    assert found, "the page has no embedded trace data"
    return json.loads(found.group(1))


def records(data: dict) -> list[dict]:
    """The per-step records as dicts keyed by the page's field names."""
    return [dict(zip(data["fields"], row)) for row in data["steps"]]
