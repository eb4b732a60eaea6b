"""Rich renderables for lessons: the header, markdown parts, the trace part and quiz verdicts.

Nothing here computes: the command hands over the engine's Steps (drawn by the
`convtrace run` view) and the verdicts of convtrace.teach.quiz.
"""

from __future__ import annotations

from rich.console import Console, ConsoleOptions, RenderResult
from rich.markdown import Markdown
from rich.rule import Rule
from rich.text import Text

from ..toolkit.lines import Paragraph


class LessonHeader:
    """'Lesson 3' and where its files are (commands in the lesson run from there)."""

    def __init__(self, lesson):
        self.lesson = lesson

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        yield Rule(Text(f"Lesson {self.lesson.number}", style="bold"))
        yield Text("Files (the commands below run from this folder):", style="dim")
        # the path on a line of its own, never wrapped: a path cut in two cannot be copied
        yield Text(f"  {self.lesson.folder}", style="dim", no_wrap=True, overflow="ignore")
        yield Text("")


def lesson_markdown(text: str) -> Markdown:
    """A lesson's markdown (or one part of it) as Rich renders it."""
    return Markdown(text, code_theme="ansi_dark", hyperlinks=False)


class TraceIntro:
    """The rule that opens the trace part, and which window positions it shows."""

    def __init__(self, problem, shown: int):
        self.problem = problem
        self.shown = shown  # how many window positions are drawn

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        total = self.problem.steps
        yield Rule(Text("The trace", style="bold"))
        if self.shown == total:
            yield Text(f"Every window position is drawn ({total}).", style="dim")
        else:
            yield Text(f"{self.shown} of the {total} window positions are drawn; `convtrace run` shows them all.", style="dim")
        yield Text("")


def play_trace(problem, steps, chosen: set[int], console: Console, finish) -> None:
    """The `convtrace run` view (summary, frames, feature maps) of the engine's `steps`, drawing those in `chosen`.

    `finish(collector)` gives the agreement line's numbers once the steps have all passed.
    """
    from ..play.player import Player

    Player(problem, steps, console, chosen=lambda step: step.step in chosen, limit=len(chosen),
           finish=finish).print_all()


def lesson_pages(item, parts, intro=None, trace_pages=None):
    """The lesson as pages for the classroom player: one page per part, the trace as its own pages.

    `parts` come from the command's plan (lists of ("text", section) and ("trace", None));
    `trace_pages()` gives the trace's pages (summary, frames, the end: the 2-D player's or a
    layer's, render/play/player.py or render/frames/layer_frames.py), asked for only when the learner
    reaches the trace; `intro` (a TraceIntro) opens its first page. The trace's frame pages keep
    their fitted form and place, so the player fits them to the screen and `c`/`i` work on them.
    """
    from dataclasses import replace

    from ..play.pages import Page

    total = len(parts)
    for number, part in enumerate(parts):
        label = f"part {number + 1} of {total}"
        shown = [LessonHeader(item)] if number == 0 else []
        for kind, section in part:
            if kind == "text":
                shown.append(lesson_markdown(section.markdown))
                continue
            if shown:
                yield Page(tuple(shown), label)
                shown = []
            for i, page in enumerate(trace_pages()):
                opening = (intro,) if i == 0 and intro is not None else ()
                # the trace's own last page is not the lesson's: the parts after it follow
                yield replace(page, parts=opening + page.parts, where=f"{label}, the trace: {page.where}", last=False,
                              fit=None if opening else page.fit)
        if shown:
            yield Page(tuple(shown), label, last=number == total - 1)


class FoldedAnswer:
    """Where an answer section was left out by `lesson show`, and how to see it."""

    def __init__(self, number, heading: str):
        self.number, self.heading = number, heading

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        yield Rule(Text(f"{self.heading.lstrip('# ').strip()}: folded", style="bold"))
        yield Text(f"Predict first. `convtrace lesson show {self.number} --answers` prints the answer; "
                   f"`convtrace lesson run {self.number}` reaches it after the trace.", style="dim")
        yield Text("")


class VerdictView:
    """A quiz answer: right or wrong (in words, not only colour), what was expected, and why."""

    def __init__(self, verdict):
        self.verdict = verdict

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        v = self.verdict
        if v.right:
            yield Text.assemble(("Right", "bold green"), f": {v.question} is {v.expected}.")
        else:
            yield Text.assemble(("Wrong", "bold red"), f": you said {v.given}, {v.question} is {v.expected}.")
        # wrapped between words, the continuation lines under the reason's first word
        yield Paragraph(f"  Why: {v.reason}", hanging=7)


def _shape(values) -> str:
    return "(" + ", ".join(str(v) for v in values) + ")"
