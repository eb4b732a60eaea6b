"""Find, load and split the classroom lessons: numbered folders of markdown plus an input document.

A lesson is a folder `NN-some-name/` holding `lesson.md` and its input document
(`input.json` unless the front matter names another file). Where the lessons are:

- installed (wheel): `importlib.resources.files("convtrace") / "lesson_files"`, the
  top-level `lessons/` folder that the build copies into the package;
- source checkout or editable install: the repository's `lessons/` folder, next
  to the `convtrace/` package;
- a teacher's own folder: `--dir PATH` (or the CONVTRACE_LESSONS variable).

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
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import DataError, UsageError

LESSON_FILE = "lesson.md"
DEFAULT_INPUT = "input.json"
FOLDER_NAME = re.compile(r"^(\d+)(?:[-_ ](.*))?$")
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
COMMAND_FENCES = ("console", "bash", "sh", "shell")


@dataclass(frozen=True)
class Section:
    """One `## ` part of a lesson (the part before the first `## ` has kind 'intro')."""

    heading: str
    kind: str  # intro, goal, idea, predict, trace, answer, exercise or other
    markdown: str  # the part's text, heading included


@dataclass(frozen=True)
class Command:
    """A `$ convtrace ...` line of a console block, with the output lines shown under it."""

    line: str  # as written, without the leading '$ '
    args: tuple[str, ...]  # the arguments after 'convtrace'
    shown_output: tuple[str, ...]  # lines the lesson shows as this command's output


@dataclass(frozen=True)
class Lesson:
    """A lesson folder, parsed. `markdown` is what learners read (front matter and facts removed)."""

    number: int
    slug: str
    folder: Path
    title: str
    summary: str
    markdown: str
    sections: tuple[Section, ...]
    settings: dict = field(default_factory=dict)
    facts_text: str | None = None  # body of the ```facts block, if any

    @property
    def input_options(self) -> bool:
        """True when `input:` is options, as `convtrace run` takes them (--images square.png --kernels sobel-x)."""
        from .lesson_input import input_setting, is_options

        return is_options(input_setting(self))

    @property
    def input_path(self) -> Path | None:
        """The document the lesson traces, or None for a lesson without one (or whose input is options)."""
        if self.input_options:
            return None
        path = self.folder / self.settings.get("input", DEFAULT_INPUT)
        return path if path.is_file() else None

    @property
    def has_input(self) -> bool:
        """True when the lesson traces something: a document, or pictures and kernels named by options."""
        return self.input_options or self.input_path is not None

    def load_problem(self, parse_request=None):
        """The lesson's input -> Problem (DataError names the lesson's file).

        An input given as options needs `parse_request`, the command line's parser (teach does not import cli).
        """
        from ..source.loader import Request

        if self.input_options:
            from .lesson_input import request_for

            if parse_request is None:
                raise DataError(f"lesson {self.number}'s input is options ({self.settings['input']}); "
                                f"load it with the command line's parser: load_problem(parse_request)")
            where = f"lesson {self.number}, input"
            try:
                return request_for("", self, parse_request, where=where).load()
            except UsageError as err:  # a picture missing from the lesson's folder is the lesson's mistake
                raise DataError(f"{where}: {err}") from None
        if self.input_path is None:
            raise DataError(f"lesson {self.number} has no input document ({self.folder / self.settings.get('input', DEFAULT_INPUT)})")
        return Request(str(self.input_path)).load()

    def commands(self) -> list[Command]:
        """Every `convtrace ...` command shown in the lesson's console/bash blocks."""
        return extract_commands(self.markdown)

    def section(self, kind: str) -> Section | None:
        return next((s for s in self.sections if s.kind == kind), None)


# ----------------------------------------------------------------------------- finding


def shipped_dir() -> Path | None:
    """The lessons that came with convtrace: inside the installed package, else in the source tree."""
    from importlib.resources import files

    installed = files("convtrace") / "lesson_files"
    if isinstance(installed, Path) and installed.is_dir() and any(installed.glob(f"*/{LESSON_FILE}")):
        return installed
    source = Path(__file__).resolve().parents[2] / "lessons"
    if source.is_dir():
        return source
    return None


def lessons_dir(custom: str | Path | None = None) -> Path:
    """The folder to read lessons from: `custom` when given, else the shipped lessons."""
    if custom is not None:
        folder = Path(custom)
        if not folder.is_dir():
            raise UsageError(f"lesson folder {str(folder)!r} does not exist or is not a folder; check --dir")
        return folder
    folder = shipped_dir()
    if folder is None:
        raise DataError("the lessons that ship with convtrace were not found; reinstall convtrace or use --dir")
    return folder


def find_lessons(folder: str | Path | None = None) -> list[Lesson]:
    """Every lesson in `folder` (default: the shipped ones), in number order."""
    root = lessons_dir(folder)
    found: dict[int, Lesson] = {}
    for entry in sorted(root.iterdir()):
        match = FOLDER_NAME.match(entry.name)
        if not (entry.is_dir() and match and (entry / LESSON_FILE).is_file()):
            continue
        lesson = read_lesson(entry)
        if lesson.number in found:
            raise DataError(
                f"two lessons have number {lesson.number} in {root}: "
                f"{found[lesson.number].folder.name} and {entry.name}; renumber one"
            )
        found[lesson.number] = lesson
    if not found:
        raise DataError(
            f"{root} holds no lessons: a lesson is a folder named like 01-name holding {LESSON_FILE}"
        )
    return [found[n] for n in sorted(found)]


def get_lesson(key: str | int, folder: str | Path | None = None) -> Lesson:
    """A lesson by number (`3`, `03`) or by the name after the number (`several-kernels`)."""
    lessons = find_lessons(folder)
    text = str(key).strip()
    for lesson in lessons:
        if (text.isdigit() and int(text) == lesson.number) or text == lesson.slug or text == lesson.folder.name:
            return lesson
    if not lessons:
        raise UsageError(f"no lessons in {lessons_dir(folder)}; a lesson is a folder like 01-name/ holding {LESSON_FILE}")
    numbers = ", ".join(str(lesson.number) for lesson in lessons)
    raise UsageError(f"no lesson {text!r}; the lessons are {numbers} (see `convtrace lesson list`)")


# ----------------------------------------------------------------------------- parsing


def read_lesson(folder: Path) -> Lesson:
    """Parse `folder/lesson.md` into a Lesson."""
    match = FOLDER_NAME.match(folder.name)
    if match is None:
        raise DataError(f"lesson folder {folder.name!r} must start with its number, like 01-one-channel")
    try:
        text = (folder / LESSON_FILE).read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise DataError(f"{folder / LESSON_FILE} is not UTF-8 text; save it as UTF-8") from None
    return parse_lesson(text, folder, int(match.group(1)), match.group(2) or "")


def parse_lesson(text: str, folder: Path, number: int, slug: str = "") -> Lesson:
    """Markdown text -> Lesson: front matter, title, sections and the facts block pulled apart."""
    where = folder / LESSON_FILE
    settings, body = split_front_matter(text.replace("\r\n", "\n"), where)
    body, facts_text = split_facts(body)
    title_match = re.search(r"^# +(.+?)\s*$", body, flags=re.MULTILINE)
    if title_match is None:
        raise DataError(f"{where} has no title; start it with a line like '# One channel, one kernel'")
    sections = split_sections(body)
    summary = settings.get("summary") or _first_sentence(sections)
    return Lesson(
        number=number,
        slug=slug,
        folder=folder,
        title=title_match.group(1),
        summary=summary,
        markdown=body.strip() + "\n",
        sections=tuple(sections),
        settings=settings,
        facts_text=facts_text,
    )


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


def _first_sentence(sections: list[Section]) -> str:
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


def extract_commands(markdown: str) -> list[Command]:
    """`$ convtrace ...` (or bare `convtrace ...`) lines of console/bash blocks, with their shown output."""
    import shlex

    commands: list[Command] = []
    fence, current = None, None
    for line in markdown.splitlines():
        if line.startswith("```"):
            if fence is None:
                fence = line[3:].strip().lower()
            else:
                fence, current = None, None
            continue
        if fence not in COMMAND_FENCES:
            continue
        stripped = line.strip()
        # console blocks: '$ ' starts a command, other lines are its output; bash blocks: commands only
        is_command = stripped.startswith("$ ") or (fence != "console" and bool(stripped))
        if is_command:
            words = stripped[2:] if stripped.startswith("$ ") else stripped
            current = None
            if words.split(" ", 1)[0] == "convtrace":
                try:
                    args = tuple(shlex.split(words)[1:])
                except ValueError as err:  # an unclosed quote: say which line, as for any lesson mistake
                    raise DataError(f"the command {words!r} in a console block cannot be read ({err}); "
                                    f"close its quotes") from None
                current = Command(words, args, ())
                commands.append(current)
        elif current is not None and stripped:
            commands[-1] = current = Command(current.line, current.args, current.shown_output + (stripped,))
    return commands


def parse_trace_setting(value: str | None, total: int) -> list[int]:
    """'all' -> every step; '4' -> the first 4; '0-3, 12' -> those steps (0-based), within range."""
    if value is None or value.strip().lower() in ("", "all"):
        return list(range(total))
    text = value.strip()
    if text.isdigit() and "," not in text:
        return list(range(min(int(text), total)))
    chosen: list[int] = []
    taken: set[int] = set()
    for part in text.split(","):
        first, sep, last = part.strip().partition("-")
        try:
            start = int(first)
            stop = int(last) if sep else start
        except ValueError:
            raise DataError(f"trace: {value!r} is not 'all', a count, or steps like '0-3, 12'") from None
        # clipped to the trace before counting: `0-99999999999999` must not walk a hundred trillion numbers
        chosen.extend(i for i in range(max(start, 0), min(stop, total - 1) + 1) if i not in taken)
        taken.update(chosen)
    return chosen
