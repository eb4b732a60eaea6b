"""A layer's frame fitted to the screen it is drawn on (the player's pages; printing draws it whole).

    fits           the whole frame, as printed
    too tall       the value line and the sum that makes it stay; the channels that fit are kept
                   (first ones first), and a note says which were left out (their partial sums
                   are still in the sum). When not even one channel fits, its top rows are kept
                   and the note says how many lines were cut
    too wide       every line cut at the right edge, with a note

Built with the Block toolkit (render/toolkit/lines.py) the 2-D frames are fitted with
(render/play/fit.py). Only layout is decided here: the lines come from
LayerFrame.sections, every number from the engine's LayerStep.
"""

from __future__ import annotations

from rich.text import Text

from ...engine.layer_step import LayerStep
from ...source.problem import Problem
from ..frames.layer_frames import DIM, LayerFrame
from ..toolkit.lines import Block, crop, prose, vstack


def _block(lines: list[Text]) -> Block:
    """Rich one-line Texts -> a Block (the style of each line kept)."""
    return Block([[(line.plain, line.style or None)] for line in lines])


def fitted_layer_frame(problem: Problem, step: LayerStep, width: int, height: int | None) -> Block:
    """The layer frame of `step` in width x height cells (height None: no limit); notes say what was left out.

    The most important lines come first to stay: the value (`out[...] = v`), then the sum
    that makes it, then the window line, then the channels in order.
    """
    frame = LayerFrame(problem, step)
    head, groups, tail = frame.sections()
    notes = []
    widest = max(len(line.plain) for line in head + tail + [line for group in groups for line in group])
    if widest > width:
        notes.append(f"cut at {width} columns: the frame is {widest} wide; a wider terminal shows it whole")
    body = [line for group in groups for line in group]
    if height is not None and len(head) + len(body) + len(tail) + _height(notes, width) > height:
        body, note = _fit_groups(frame, groups, height - len(head) - len(tail), width, notes)
        notes.append(note)
        room = height - len(tail) - _height(notes, width)
        if room < len(head) + len(body):  # not even the window line: the value, the sum and the note
            head, body = head[:max(room, 1)], []
    block = vstack([crop(_block(head + body + tail), width)] + [prose(note, width, DIM) for note in notes])
    return block if height is None or block.height <= height else Block(block.lines[:height], block.width)


def _height(notes: list[str], width: int) -> int:
    return sum(prose(note, width).height for note in notes)


def _fit_groups(frame: LayerFrame, groups: list[list[Text]], room: int, width: int,
                notes: list[str]) -> tuple[list[Text], str]:
    """The whole groups (channels) that fit in `room` lines with a note, or the first group's top rows."""
    channels = frame.step.channels if frame.problem.kernels is not None else None
    for keep in range(len(groups) - 1, 0, -1):
        if channels is None:
            break
        first, last = channels[0] + keep, channels[1] - 1
        left_out = f"channel {first}" if first == last else f"channels {first}..{last}"
        note = (f"{left_out} not drawn (no room); {'its partial sum is' if first == last else 'their partial sums are'} "
                f"in the sum above")
        kept = [line for group in groups[:keep] for line in group]
        if len(kept) + _height(notes + [note], width) <= room:
            return kept, note
    lines = [line for group in groups for line in group]
    for shown in range(len(lines) - 1, -1, -1):
        cut = len(lines) - shown
        note = f"{cut} line{'s' * (cut != 1)} of this window not drawn (no room); a taller terminal shows them"
        if shown + _height(notes + [note], width) <= room:
            return lines[:shown], note
    return [], note
