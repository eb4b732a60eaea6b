"""Writing a long stream of text lines to stdout in batches: plain and jsonl traces of every command."""

from __future__ import annotations

import sys
from collections.abc import Iterable

BATCH = 256  # lines per write: one system call per batch instead of one per line


def write_lines(lines: Iterable[str]) -> None:
    """Every line, newline-terminated, written in batches (fast for traces of millions of positions)."""
    out, batch = sys.stdout, []
    for line in lines:
        batch.append(line)
        if len(batch) >= BATCH:
            out.write("\n".join(batch) + "\n")
            batch.clear()
    if batch:
        out.write("\n".join(batch) + "\n")
    out.flush()
