"""What a lesson traces, and what each of its facts sections is about, as one loader Request.

A lesson names its input in the front matter, and a facts section in its
`[...]` header, in the words `convtrace run` takes:

    input: input.json                                      a document (the default)
    input: --images square.png --kernels sobel-x,sobel-y   a picture and named kernels
    [input.json --stride 2]                                another document, or options
    [--stride 2]      [--images dim.png]                   the lesson's input, changed

Words that start with an option are the lesson's own input with those options
on top: an option the header gives replaces the input's, the others stay
(`[--images dim.png]` keeps the input's kernels and swaps the picture). File
names are read from the lesson's folder, whatever the current directory is.
"""

from __future__ import annotations

import shlex
from dataclasses import fields, replace
from pathlib import Path

from ..errors import ConvtraceError, DataError
from ..source.loader import Request

DEFAULT_INPUT = "input.json"
# Request fields that say where the images, the kernels and the bias come from (an example brings both)
SOURCES = (("file", "images", "random", "example"), ("kernels", "random_kernels", "example"), ("bias",))


def input_setting(lesson) -> str:
    """The front matter's `input:` ('input.json' when it gives none)."""
    return lesson.settings.get("input", DEFAULT_INPUT).strip()


def is_options(text: str) -> bool:
    """True for words that start with an option ('--images a.png'), False for a document ('input.json')."""
    words = text.split()
    return bool(words) and words[0].startswith("-")


def request_for(source: str, lesson, parse_request, where: str | None = None) -> Request:
    """A facts header's words ('' = the lesson's input) -> a Request whose files are in the lesson folder.

    `parse_request` reads words as `convtrace run` would (the command line's parser, passed in,
    because nothing outside the command line imports it). A wrong word is a DataError naming `where`.
    """
    where = where or f"facts section [{source}]"
    try:
        words = shlex.split(source)
        request = parse_request(words)
        if not words or words[0].startswith("-"):
            request = on_top(parse_request(shlex.split(input_setting(lesson))), request)
    except ValueError as err:  # shlex: an unclosed quote
        raise DataError(f"{where}: {err}; close its quotes") from None
    except ConvtraceError as err:
        raise DataError(f"{where}: {err}") from None
    return in_folder(request, Path(lesson.folder))


def on_top(base: Request, head: Request) -> Request:
    """`base` with every setting `head` gives replacing base's (options merge key by key)."""
    default = Request()
    changed = {
        f.name: getattr(head, f.name) for f in fields(Request)
        if f.name != "overrides" and getattr(head, f.name) != getattr(default, f.name)
    }
    # where the images (or kernels) come from is one choice: a header that makes it drops all of the input's
    cleared = {}
    for group in SOURCES:
        if any(name in changed for name in group):
            cleared.update({name: getattr(default, name) for name in group})
    overrides = dict(base.overrides)
    if {"mode", "padding"} & head.overrides.keys():  # either one replaces the other, as on the command line
        overrides.pop("mode", None)
        overrides.pop("padding", None)
    overrides.update(head.overrides)
    return replace(base, **{**cleared, **changed, "overrides": overrides})


def in_folder(request: Request, folder: Path) -> Request:
    """Relative file names -> the lesson folder's files (documents, pictures, arrays; named kernels stay names)."""

    def here(spec: str | None) -> str | None:
        return spec if spec in (None, "-") else str(folder / spec)

    kernels = request.kernels
    if kernels is not None and _is_file(folder, kernels):
        kernels = here(kernels)
    return replace(
        request,
        file=here(request.file),
        images=tuple(here(spec) for spec in request.images),
        kernels=kernels,
        bias=here(request.bias),
    )


def _is_file(folder: Path, spec: str) -> bool:
    """'w.npy' or 'data.npz:w' naming a file in `folder` (not a kernel name like 'sobel-x')."""
    path = spec.rpartition(":")[0] if ":" in spec else spec
    return bool(path) and (folder / path).is_file() or (folder / spec).is_file()
