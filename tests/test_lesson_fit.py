"""Every trace frame of every 2-D lesson, in every channel, fits an 80x24 player screen (23 lines and the footer).

The tmux tests (test_lesson_screen.py) step through a few frames of each lesson
the way a learner does; this one draws all of them as the player does (the
lesson's pages, the deck, the lines the stage would draw), which takes well
under a second. The printed trace must stay exactly as it was: full frames.
"""

from __future__ import annotations

import pytest
from rich.console import Console

from convtrace.cli.lesson_run import chosen_steps, conv2d_trace_pages, plan_parts
from convtrace.cli.options import parse_request
from convtrace.render.views.lesson import TraceIntro, lesson_pages
from convtrace.render.play.pages import PageDeck
from convtrace.render.play.stage import Stage
from convtrace.teach.lessons import get_lesson

TWO_D = [str(n) for n in (*range(1, 16), 19, 20, 21)]


def lesson_deck(number: str, console: Console) -> PageDeck:
    """Lesson `number` as the player's deck, every page fetched."""
    item = get_lesson(number, None)
    problem = item.load_problem(parse_request)
    chosen = chosen_steps(item, problem, None)
    pages = lesson_pages(item, plan_parts(item, False, True), TraceIntro(problem, len(chosen)),
                         lambda: conv2d_trace_pages(problem, chosen, console))
    deck = PageDeck(pages)
    while deck.more():
        pass
    return deck


@pytest.mark.parametrize("number", TWO_D)
def test_every_2d_lesson_frame_fits_80x24_in_every_channel(number):
    console = Console(width=80, no_color=True)
    deck = lesson_deck(number, console)
    stage = Stage(None, console)
    frames = [i for i in range(len(deck)) if deck.seen[i].frame]
    assert frames and all(deck.label(i).startswith("part ") and ", the trace: step " in deck.label(i) for i in frames)
    for index in frames:
        assert deck.channels_at(index) == min(deck.seen[index].place.channels, 4) >= 1
        for channel in range(deck.channels_at(index)):
            lines = stage.lines(deck.page(index, 80, 23, channel), 80)
            assert len(lines) <= 23 and max(len(line) for line in lines) <= 80, (deck.label(index), channel)
    # the text parts have no channels or images for c and i to move between
    texts = [i for i in range(len(deck)) if not deck.seen[i].frame]
    assert all(deck.channels_at(i) == 1 and deck.images_at(i) == 1 and deck.other_image(i) is None for i in texts)
