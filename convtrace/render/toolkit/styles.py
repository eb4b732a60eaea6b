"""The few text styles the frames share. Colour only ever adds to what the characters already say."""

from __future__ import annotations

from rich.style import Style

BOLD = Style(bold=True)  # titles and the value a frame computes
DIM = Style(dim=True)  # what is there for reference
NOTE = Style(italic=True, dim=True)  # notes: what is not drawn, and why
RULE = Style(color="cyan", bold=True)  # the line between frames
