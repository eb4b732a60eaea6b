"""Cut a lesson's markdown into its parts: front matter, title, `## ` sections, the facts block.

`lesson.md` is ordinary markdown with three additions, all optional (the
full format is in lessons/README.md):

    ---
    summary: one line for `convtrace lesson list`
    quiz: out[0,0,1,0]
    trace: 0-3, 12
    ---
    # Title
    ## Goal, ## The idea, ## Predict, ## What to look at in the trace, ## Answer, ## Exercise
    ```facts
    output_shape = (1, 1, 2, 2)
    ```

The front matter names the quiz's cell and the steps `lesson run` draws; the
facts block lists the numbers the lesson states (checked by convtrace.teach.facts).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ..errors import DataError

FRONT_KEYS = ("summary", "quiz", "quiz_grad", "trace", "input")
# Section kinds, recognised by how the `## ` heading starts (case does not matter).
SECTION_KINDS = (
    ("goal", ("goal",)),
    ("idea", ("the idea", "idea")),
    ("predict", ("predict", "question")),
    ("trace", ("what to look at", "in the trace", "trace")),
    ("answer", ("answer",)),
    ("exercise", ("exercise",)),
)


@dataclass(frozen=True)
class Section:
    """One `## ` part of a lesson (the part before the first `## ` has kind 'intro')."""

    heading: str
    kind: str  # intro, goal, idea, predict, trace, answer, exercise or other
    markdown: str  # the part's text, heading included


def split_front_matter(text: str, where) -> tuple[dict, str]:
    """'---\\nkey: value\\n---\\nbody' -> ({key: value}, body). No front matter: ({}, text)."""
    if not text.startswith("---\n"):
        return {}, text
    end = text.find("\n---", 4)
    if end < 0:
        raise DataError(f"{where}: the front matter that starts with '---' has no closing '---' line")
    settings = {}
    for number, line in enumerate(text[4:end].splitlines(), start=2):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        key, sep, value = line.partition(":")
        key = key.strip()
        if not sep or key not in FRONT_KEYS:
            raise DataError(
                f"{where}, line {number}: {line.strip()!r} is not a front-matter setting; "
                f"write 'key: value' with key one of {', '.join(FRONT_KEYS)}"
            )
        value = value.strip()
        if len(value) >= 2 and value[0] == value[-1] and value[0] in "\"'":
            value = value[1:-1]
        settings[key] = value
    rest = text[end + 4:]
    return settings, rest[1:] if rest.startswith("\n") else rest


FACTS_BLOCK = re.compile(r"^```facts[ \t]*\n(.*?)^```[ \t]*$\n?", flags=re.MULTILINE | re.DOTALL)


def split_facts(body: str) -> tuple[str, str | None]:
    """Remove the ```facts block from the markdown; return (markdown, the block's text or None)."""
    blocks = FACTS_BLOCK.findall(body)
    if not blocks:
        return body, None
    return FACTS_BLOCK.sub("", body), "\n".join(blocks)


def split_sections(body: str) -> list[Section]:
    """Cut the markdown at every `## ` heading outside code blocks."""
    sections: list[Section] = []
    heading, kind, lines = "", "intro", []
    in_code = False
    for line in body.splitlines():
        if line.startswith("```"):
            in_code = not in_code
        if not in_code and line.startswith("## "):
            if "".join(lines).strip():
                sections.append(Section(heading, kind, "\n".join(lines).strip() + "\n"))
            heading = line[3:].strip()
            kind, lines = section_kind(heading), [line]
        else:
            lines.append(line)
    if "".join(lines).strip():
        sections.append(Section(heading, kind, "\n".join(lines).strip() + "\n"))
    return sections


def section_kind(heading: str) -> str:
    """'What to look at in the trace' -> 'trace'; unknown headings -> 'other'."""
    lowered = heading.lower().strip()
    for kind, starts in SECTION_KINDS:
        if any(lowered.startswith(start) for start in starts):
            return kind
    return "other"


def first_sentence(sections: list[Section]) -> str:
    """The summary when the front matter gives none: the first sentence of the Goal (or first) part."""
    source = next((s for s in sections if s.kind == "goal"), sections[0] if sections else None)
    if source is None:
        return ""
    text = " ".join(
        line.strip() for line in source.markdown.splitlines()
        if line.strip() and not line.startswith("#") and not line.startswith("```")
    )
    sentence = re.split(r"(?<=[.!?])\s", text, maxsplit=1)[0]
    return sentence.replace("`", "").replace("*", "")
