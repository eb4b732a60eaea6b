"""The frames written out: --json, jsonl and plain records, exports (text, SVG, pictures), the HTML page, notebooks."""
