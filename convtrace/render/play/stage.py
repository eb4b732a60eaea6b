"""The classroom player's loop: one page per screen, redrawn in place, driven by single key presses.

    deck (what to show)  --page(i, width, height, channel)-->  Stage  --lines-->  Screen (terminal.py)
                         <--------- keys: next, back, go to, play ... ---------

A deck is any object with the methods of `Deck` below: the trace of `run`
(render/play/player.py) or a list of pages (`grad`, lessons). The stage keeps only
the position, the channel shown and the play state; it draws whatever the deck
hands it, cut to the screen (Up/Down scroll a page taller than the screen).
"""

from __future__ import annotations

from typing import Protocol

from rich.console import Console

from .terminal import Screen

HELP = [
    ("Space  →  n  Enter", "next"),
    ("←  b", "back"),
    ("Home  End", "first / last step"),
    ("g", "go to a step number, or row,col in this map; then Enter"),
    ("p", "play / pause;  + faster, - slower"),
    ("c", "next channel (a frame fitted to a small screen shows one channel)"),
    ("i", "the same position in the next image"),
    ("↑  ↓", "scroll a page taller than the screen"),
    ("?", "this help (any key closes it)"),
    ("q", "quit"),
]
FASTEST, SLOWEST = 0.05, 10.0


class Deck(Protocol):
    def __len__(self) -> int: ...  # pages known so far
    def more(self) -> bool: ...  # fetch one more page; False when there are no more
    def page(self, index: int, width: int, height: int, channel: int): ...  # a renderable
    def label(self, index: int) -> str: ...  # the footer's "[step 3 of 0..17]"
    def first_last(self) -> tuple[int, int]: ...  # indices of the first and last step (Home, End)
    def is_last(self, index: int) -> bool: ...  # the final page (Enter leaves)
    def goto(self, index: int, answer: str) -> int: ...  # 'g' + answer -> an index; ValueError says why not
    def other_image(self, index: int) -> int | None: ...  # 'i': the same position in the next image
    def channels_at(self, index: int) -> int: ...  # the channels 'c' cycles through on this page (1: none)
    def images_at(self, index: int) -> int: ...  # the images 'i' moves between on this page (1: none)


class Stage:
    """Shows a deck on a Screen until q, the end, or Ctrl-C; returns how it ended ('quit', 'end', 'eof')."""

    def __init__(self, screen: Screen, console: Console):
        self.screen = screen
        self.console = console
        self._drawn: list[str] | None = None

    def run(self, deck: Deck, start: int = 0, playing: bool = False, delay: float = 1.0,
            leave_at_end: bool = False) -> str:
        index, scroll, channel, message = start, 0, 0, ""
        prompt: str | None = None  # the text typed after 'g'
        helping = False
        while True:
            width, height = self.screen.size()
            if helping:
                body = help_lines(width)
            else:
                body = self.lines(deck.page(index, width, height - 1, channel), width)
            scroll = max(0, min(scroll, len(body) - (height - 1)))
            shown = body[scroll: scroll + height - 1]
            shown += [""] * (height - 1 - len(shown))
            more = "  ↓ more" if scroll + height - 1 < len(body) else ""
            if prompt is not None:
                status = f"go to: step number, or row,col; Enter goes, Esc cancels: {prompt}"
            else:
                state = f"playing {delay:g}s" if playing else ""
                lead = " ".join(part for part in (f"[{deck.label(index)}]{more}", state, message) if part)
                status = lead + " " + footer_keys(deck, index, width - 1 - len(lead) - 1)
            self.draw(shown + [footer(status, width)])
            key = self.screen.key(delay if playing else 0.5)
            message = ""
            if key is None:
                if not playing:
                    continue  # a pause to notice a resized terminal
                if index + 1 < len(deck) or deck.more():
                    index, scroll = index + 1, 0
                elif leave_at_end:
                    return "end"  # the last frame stayed one delay: the animation is over
                else:
                    playing = False
                continue
            if key == "eof":
                return "eof"
            if helping:
                helping = False
                continue
            if prompt is not None:
                if key == "enter":
                    try:
                        index, scroll = deck.goto(index, prompt.strip()), 0
                    except ValueError as err:
                        message = str(err)
                    prompt = None
                elif key == "escape":
                    prompt = None
                elif key == "backspace":
                    prompt = prompt[:-1]
                elif len(key) == 1 and (key.isdigit() or key in ", "):
                    prompt += key
                continue
            if key in ("q", "Q"):
                return "quit"
            if key in (" ", "n", "right", "enter", "pagedown"):
                if index + 1 < len(deck) or deck.more():
                    index, scroll = index + 1, 0
                elif key == "enter" or key == " ":
                    return "end"  # past the last page: Enter or Space leaves, as on a slide deck
            elif key in ("b", "left", "pageup", "backspace"):
                index, scroll = max(index - 1, 0), 0
            elif key == "home":
                index, scroll = deck.first_last()[0], 0
            elif key == "end":
                while deck.more():
                    pass
                index, scroll = deck.first_last()[1], 0
            elif key == "down":
                scroll += 1
            elif key == "up":
                scroll = max(scroll - 1, 0)
            elif key == "g":
                prompt = ""
            elif key == "p":
                playing = not playing
            elif key == "+":
                delay = max(delay / 1.5, FASTEST)
            elif key == "-":
                delay = min(delay * 1.5, SLOWEST)
            elif key == "c":
                count = deck.channels_at(index)
                if count > 1:
                    channel = (channel + 1) % count
                    message = f"channel c{channel}"
                else:
                    message = "one channel on this page"
            elif key == "i":
                other = deck.other_image(index)
                if other is not None:
                    index, scroll = other, 0
                elif deck.images_at(index) > 1:
                    message = "this position is not drawn for another image"
                else:
                    message = "one image on this page"
            elif key == "?":
                helping = True

    def lines(self, renderable, width: int) -> list[str]:
        """A renderable as the lines (with the console's styles) it takes at `width` columns."""
        with self.console.capture() as captured:
            self.console.print(renderable, width=width, crop=True)
        return captured.get().rstrip("\n").split("\n")

    def draw(self, lines: list[str]) -> None:
        if lines != self._drawn:  # unchanged: no redraw, no flicker
            self.screen.draw(lines)
            self._drawn = lines


# the keys the footer names, in order; when the line is short of room, those first in DROPPED go first
KEYS = ("→ next", "← back", "c channel", "i image", "g go to", "p play", "? help", "q quit")
DROPPED = ("p play", "g go to", "← back", "→ next", "i image")


def footer_keys(deck: Deck, index: int, room: int) -> str:
    """The keys for this page in `room` columns: `c` and `i` where the page has channels or images to move
    between (a 2-D frame), the least needed ones left out when the label leaves too little room."""
    if deck.is_last(index):
        return "Enter/space: quit  ← back  q quit"
    keys = [key for key in KEYS if not (key == "c channel" and deck.channels_at(index) < 2
                                        or key == "i image" and deck.images_at(index) < 2)]
    for dropped in DROPPED:
        if len("  ".join(keys)) <= room:
            break
        if dropped in keys:
            keys.remove(dropped)
    return "  ".join(keys)


def footer(status: str, width: int) -> str:
    """The bottom line in reverse video, one column short of the edge (the terminal must not scroll)."""
    room = max(width - 1, 1)
    return "\x1b[7m" + status[:room].ljust(room) + "\x1b[0m"


def help_lines(width: int) -> list[str]:
    keys = max(len(k) for k, _ in HELP)
    lines = ["Keys (no Enter needed):", ""]
    lines += [f"  {k:<{keys}}  {what}"[:width] for k, what in HELP]
    return lines
