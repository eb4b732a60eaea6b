"""A scatter frame fitted to the screen it is drawn on (the player's pages; printing draws it whole).

    fits          the whole frame
    too tall      the stamp line, the input map and the output channels that fit stay (first ones
                  first); a note names the channels left out. When not even one fits, the top lines
                  are kept and the note says how many were cut
    too wide      every line cut at the right edge, with a note

Only layout is decided here: the blocks come from ScatterFrame.sections, every number from the
engine's ScatterStep.
"""

from __future__ import annotations

from ...engine.naive_scatter import ScatterStep
from ...source.problem import Problem
from ..toolkit.lines import Block, crop, prose, vstack
from ..frames.scatter_frames import DIM, ScatterFrame


def fitted_scatter_frame(problem: Problem, step: ScatterStep, total: int, width: int, height: int | None) -> Block:
    """The frame of `step` in width x height cells (height None: no limit); notes say what was left out."""
    head, groups, tail = ScatterFrame(problem, step, total).sections(width)
    notes = []
    widest = max(block.width for block in [head, *groups, tail])
    if widest > width:
        notes.append(f"cut at {width} columns: the frame is {widest} wide; a wider terminal shows it whole")
    kept = groups
    if height is not None and _height([head, *groups, tail], notes, width) > height:
        kept = []
        for keep in range(len(groups) - 1, 0, -1):
            k0, k1 = step.outputs
            first, last = k0 + keep, k1 - 1
            left_out = f"output channel {first}" if first == last else f"output channels {first}..{last}"
            note = f"{left_out} not drawn (no room); a taller terminal shows them"
            if _height([head, *groups[:keep], tail], notes + [note], width) <= height:
                kept = groups[:keep]
                notes.append(note)
                break
        else:
            lines = vstack([head, *groups, tail]).lines
            cut_note = "lines of this stamp not drawn (no room); a taller terminal shows them"
            room = height - _height([], notes + [cut_note], width)
            notes.append(f"{len(lines) - max(room, 1)} {cut_note}")
            head, kept, tail = Block(lines[:max(room, 1)]), [], Block([])
    block = vstack([crop(vstack([head, *kept, tail]), width)] + [prose(note, width, DIM) for note in notes])
    return block if height is None or block.height <= height else Block(block.lines[:height], block.width)


def _height(blocks: list[Block], notes: list[str], width: int) -> int:
    return sum(b.height for b in blocks) + sum(prose(note, width).height for note in notes)
