"""Find and load the classroom lessons: numbered folders of markdown plus an input document.

A lesson is a folder `NN-some-name/` holding `lesson.md` and its input document
(`input.json` unless the front matter names another file). Where the lessons are:

- installed (wheel): `importlib.resources.files("convtrace") / "lesson_files"`, the
  top-level `lessons/` folder that the build copies into the package;
- source checkout or editable install: the repository's `lessons/` folder, next
  to the `convtrace/` package;
- a teacher's own folder: `--dir PATH` (or the CONVTRACE_LESSONS variable).

How `lesson.md` is written and cut into parts is in lesson_markdown.py; the
commands its console blocks show, in lesson_commands.py.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import DataError, UsageError
from .lesson_commands import Command, extract_commands
from .lesson_markdown import Section, first_sentence, split_facts, split_front_matter, split_sections

LESSON_FILE = "lesson.md"
DEFAULT_INPUT = "input.json"
FOLDER_NAME = re.compile(r"^(\d+)(?:[-_ ](.*))?$")


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
    summary = settings.get("summary") or first_sentence(sections)
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
