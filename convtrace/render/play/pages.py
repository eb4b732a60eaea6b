"""Showing a sequence of pages: printed in order, stepped through by key, or animated in place.

    pages (lazy) -> print_pages: one after the other
                 -> play_pages:  played in place on the alternate screen (--delay)
                 -> step_pages:  one screen at a time on the alternate screen, single keys (render/play/stage.py)
                 -> an Exporter, when given, records each page once, in order

A page is one or more renderables with a label for the stepping footer.
Pages are pulled from their iterator only when needed, so a long trace is
never held in full: the next frame is computed when the learner asks for it.
Both `convtrace run` and `convtrace grad` show their views through here.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from rich.console import Console


@dataclass(frozen=True)
class FramePlace:
    """Where a 2-D trace frame sits, for the player's `c` and `i` keys.

    n, k, row, col: the output cell out[n, k, row, col] the frame computes
    images:         N, the images in the trace (`i` looks for the same cell in another one)
    channels:       the channels `c` cycles through (a frame fitted to a small screen shows one)
    """

    n: int
    k: int
    row: int
    col: int
    images: int = 1
    channels: int = 1


@dataclass(frozen=True)
class Page:
    """One screen of a view.

    parts: renderables printed one after the other
    where: the stepping footer's label, e.g. "step 2 of 4"
    frame: a frame of the walk: animated in place by --delay, counted against an SVG's frame cap
    last:  the final page (its footer offers to quit)
    fit:   fit(width, height) -> the page drawn to fit a screen of that size, for the player
           (fit(width, height, channel) on a page with a place: the channel `c` picked);
           None: the parts as printed (the player cuts them to the width and scrolls them)
    place: a 2-D trace frame's output cell, images and channels (the `c` and `i` keys); None elsewhere
    """

    parts: tuple
    where: str
    frame: bool = False
    last: bool = False
    fit: Callable[..., object] | None = None
    place: FramePlace | None = None


def interactive(console: Console) -> bool:
    """True when keys can be read and the screen redrawn: stdin and stdout are both terminals."""
    return console.is_terminal and sys.stdin.isatty() and sys.stdout.isatty()


class Frame:
    """A renderable marked as a frame of the walk, so an export can count it (an SVG keeps only the first few)."""

    def __init__(self, renderable):
        self.renderable = renderable

    def __rich_console__(self, console, options):
        yield self.renderable


def _record(exporter, page: Page) -> None:
    if exporter is not None:
        for part in page.parts:
            exporter.add(Frame(part) if page.frame else part)


def print_pages(pages: Iterable[Page], console: Console, *, exporter=None, crop: bool = True) -> None:
    """Every page in order, one after the other (a progress line on stderr when it takes long)."""
    from .busy import Busy

    with Busy("working") as busy:
        for page in pages:
            busy.advance(what=page.where)
            for part in page.parts:
                console.print(part, crop=crop)
            _record(exporter, page)


def _group(parts):
    from rich.console import Group

    return Group(*parts)


class PageDeck:
    """Pages pulled from their iterator as the learner reaches them: a deck for the Stage (render/play/stage.py)."""

    def __init__(self, pages: Iterable[Page], exporter=None):
        self.pending = iter(pages)
        self.exporter = exporter
        self.seen: list[Page] = []  # the pages fetched so far, for going back

    def __len__(self) -> int:
        return len(self.seen)

    def more(self) -> bool:
        page = next(self.pending, None)
        if page is None:
            return False
        self.seen.append(page)
        _record(self.exporter, page)
        return True

    def page(self, index: int, width: int, height: int, channel: int):
        page = self.seen[index]
        if page.fit is None:
            return _group(page.parts)
        return page.fit(width, height, channel) if page.place is not None else page.fit(width, height)

    def channels_at(self, index: int) -> int:
        place = self.seen[index].place
        return place.channels if place is not None else 1

    def images_at(self, index: int) -> int:
        place = self.seen[index].place
        return place.images if place is not None else 1

    def label(self, index: int) -> str:
        return self.seen[index].where

    def first_last(self) -> tuple[int, int]:
        return 0, len(self.seen) - 1

    def is_last(self, index: int) -> bool:
        return self.seen[index].last

    def goto(self, index: int, answer: str) -> int:
        try:
            number = int(answer)
        except ValueError:
            raise ValueError(f"{answer!r} is not a page number") from None
        while len(self.seen) <= number and self.more():
            pass
        if not 0 <= number < len(self.seen):
            raise ValueError(f"there are {len(self.seen)} pages (0..{len(self.seen) - 1})")
        return number

    def other_image(self, index: int) -> int | None:
        """The page of the same output cell in the next image that has one drawn (after n, then from 0), or None."""
        here = self.seen[index].place
        if here is None or here.images == 1:
            return None
        while self.seen[-1].place is not None and self.more():
            pass  # the trace's frames come one after the other: fetch them up to its first other page
        found = {}
        for i, page in enumerate(self.seen):
            place = page.place
            if place is not None and (place.k, place.row, place.col) == (here.k, here.row, here.col):
                found.setdefault(place.n, i)
        later = sorted(n for n in found if n > here.n) or sorted(n for n in found if n < here.n)
        return found[later[0]] if later else None


def step_pages(pages: Iterable[Page], console: Console, *, exporter=None) -> None:
    """Classroom stepping on the alternate screen: one page per screen, single keys (q quits, ? help)."""
    from .stage import Stage
    from .terminal import Screen

    deck = PageDeck(pages, exporter)
    if not deck.more():
        return
    with Screen() as screen:
        Stage(screen, console).run(deck)


def play_pages(pages: Iterable[Page], console: Console, delay: float, *, exporter=None) -> None:
    """--delay in a terminal: every page played in place on the alternate screen, `delay` seconds apart;
    then the pages that are not frames (preparations, results, explanations) stay on the normal screen."""
    from .stage import Stage
    from .terminal import Screen

    deck = PageDeck(pages, exporter)
    if not deck.more():
        return
    with Screen() as screen:
        ended = Stage(screen, console).run(deck, playing=True, delay=delay, leave_at_end=True)
    if ended == "end":
        for page in deck.seen:
            if not page.frame:
                for part in page.parts:
                    console.print(part)


def show_pages(pages: Iterable[Page], console: Console, *, stepping: bool = False, delay: float | None = None,
               exporter=None, crop: bool = True) -> None:
    """Show pages the way the options ask; stepping and animation only in a terminal (else plain printing).

    The exporter, when given, is closed at the end, however the showing ends.
    """
    live = interactive(console)
    try:
        if stepping and live:
            step_pages(pages, console, exporter=exporter)
        elif delay is not None and live:
            play_pages(pages, console, delay, exporter=exporter)
        else:
            print_pages(pages, console, exporter=exporter, crop=crop)
    finally:
        if exporter is not None:
            exporter.close()
