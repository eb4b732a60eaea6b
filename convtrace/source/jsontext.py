"""JSON text -> one dict, with syntax errors a learner can act on.

Python's JSON messages ("Expecting property name enclosed in double quotes")
are exact but cryptic. Here every syntax error names the line and column,
shows the line with a caret under the spot, and, for the usual slips
(a trailing comma, single quotes, True/None, comments), says what to change.
"""

from __future__ import annotations

import json
import re

from ..errors import DataError
from .tensors import NonFinite, describe

SHOWN = 72  # characters of the offending line shown around the error
# Deeper than this the document cannot be a tensor (4 levels) inside an object (1 level).
DEPTH_SHOWN = 64


def parse_json(text: str, source: str = "the document") -> dict:
    """JSON text -> dict. NaN/Infinity are kept as markers so they can be reported by path."""
    if text.startswith("\ufeff"):  # a UTF-8 byte-order mark, as some editors write
        text = text[1:]
    if not text.strip():
        raise DataError(f"{source} is empty; it must hold one JSON object with 'images' and 'kernels'")
    _check_structure(text, source)
    try:
        doc = json.loads(text, parse_constant=NonFinite, object_pairs_hook=_no_duplicates)
    except json.JSONDecodeError as err:
        raise DataError(syntax_message(text, err, source)) from None
    except RecursionError:
        raise DataError(_too_deep_message(text, source)) from None
    except _DuplicateKey as dup:
        raise DataError(
            f"{source} gives the key {dup.key!r} twice; JSON keeps only the last one, so delete the other"
        ) from None
    except ValueError:  # Python refuses to convert integers with more than 4300 digits
        raise DataError(_long_number_message(text, source)) from None
    if not isinstance(doc, dict):
        raise DataError(
            f"{source} must be a JSON object {{...}} with 'images' and 'kernels', not {describe(doc)}; "
            f'wrap it like {{"images": ..., "kernels": ...}}'
        )
    return doc


_NUMBERS = re.compile(rb"-?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?")
# A tensor of n numbers needs fewer than n lists (each innermost list holds at least one number):
# more brackets than this per number is a document of empty lists or objects, refused before
# Python builds them (95 MB of `[[[[]]]],` would otherwise take gigabytes).
BRACKETS_PER_NUMBER = 2
BRACKETS_ALLOWED = 10_000
CHECKED_FROM = 1_000_000  # characters; smaller documents are always parsed: their messages are more precise


def _check_structure(text: str, source: str) -> None:
    """Refuse a big document made mostly of empty lists or objects, before it is parsed."""
    if len(text) < CHECKED_FROM:
        return
    data = text.encode("utf-8", errors="replace")
    brackets = data.count(b"[") + data.count(b"{")
    if brackets <= BRACKETS_ALLOWED:
        return
    numbers = sum(1 for _ in _NUMBERS.finditer(data))
    if brackets > BRACKETS_PER_NUMBER * numbers + BRACKETS_ALLOWED:
        raise DataError(
            f"{source} holds {brackets:,} brackets but only {numbers:,} numbers: it is mostly empty lists "
            f"or objects, which is not a tensor; every innermost list of images and kernels needs numbers"
        )


class _DuplicateKey(Exception):
    def __init__(self, key: str):
        self.key = key


def _no_duplicates(pairs: list) -> dict:
    result = dict(pairs)
    if len(result) != len(pairs):
        seen = set()
        for key, _ in pairs:
            if key in seen:
                raise _DuplicateKey(key)
            seen.add(key)
    return result


def location(text: str, pos: int) -> tuple[int, int]:
    """Character offset -> (line, column), both 1-based."""
    line = text.count("\n", 0, pos) + 1
    return line, pos - (text.rfind("\n", 0, pos) + 1) + 1


def excerpt(text: str, pos: int) -> str:
    """The line holding `pos`, trimmed around it, with a caret under it (two lines, indented)."""
    start = text.rfind("\n", 0, pos) + 1
    end = text.find("\n", pos)
    line = text[start: len(text) if end < 0 else end].rstrip("\r")
    col = pos - start
    left = max(0, min(col - SHOWN // 2, len(line) - SHOWN))
    shown = line[left: left + SHOWN]
    prefix = "..." if left > 0 else ""
    suffix = "..." if left + SHOWN < len(line) else ""
    # control characters would garble the terminal or shift the caret: show them as spaces
    shown = "".join(ch if ch.isprintable() else " " for ch in shown)
    caret = " " * (len(prefix) + col - left) + "^"
    return f"    {prefix}{shown}{suffix}\n    {caret}"


def syntax_message(text: str, err: json.JSONDecodeError, source: str) -> str:
    """A JSONDecodeError -> 'FILE is not valid JSON: line L, column C: what' + the line + a hint."""
    hint = _hint(text, err.pos, err.msg)
    return (
        f"{source} is not valid JSON: line {err.lineno}, column {err.colno}: {err.msg}\n"
        f"{excerpt(text, err.pos)}" + (f"\n  {hint}" if hint else "")
    )


def _hint(text: str, pos: int, msg: str) -> str:
    """What usually causes this JSON error at this spot, as advice."""
    here = text[pos:pos + 1]
    before = text[:pos].rstrip()[-1:]
    if pos >= len(text.rstrip()) and msg != "Extra data":
        return "the text ends too early: a closing ] or } (or a value) is missing"
    if before == "," and here and here in "]}" and msg.startswith(("Expecting value", "Expecting property name")):
        return f"remove the comma before {here}: JSON allows no comma after the last item"
    if here == "'":
        return "JSON needs double quotes: write \"name\", not 'name'"
    if text.startswith(("//", "/*", "#"), pos):
        return "JSON has no comments; delete them (a \"description\" key can hold notes)"
    for python, json_word in (("True", "true"), ("False", "false"), ("None", "null")):
        if text.startswith(python, pos):
            return f"JSON writes {json_word} in lower case (not {python})"
    if msg.startswith("Expecting property name"):
        return 'keys must be strings in double quotes, like "images"'
    if text.startswith(("nan", "inf", "-inf"), pos):
        return "write numbers as JSON numbers; NaN and Infinity are not allowed in tensors anyway"
    if msg.startswith("Expecting ',' delimiter"):
        return "a comma is missing between two items (or a bracket is missing or extra)"
    if msg.startswith("Expecting ':' delimiter"):
        return 'each key needs a colon before its value, like "stride": 2'
    if msg == "Extra data":
        return "there is more text after the object ends; a document holds exactly one {...} (is a bracket extra?)"
    if msg.startswith("Unterminated string"):
        return "a string is missing its closing double quote"
    if msg.startswith("Invalid control character"):
        return "a string holds a line break or tab; keep each string on one line (write \\n for a line break)"
    if msg.startswith("Invalid \\escape"):
        return "a backslash in a string must be doubled (\\\\) or start an escape like \\n"
    return ""


_TOKENS = re.compile(r'"(?:[^"\\]|\\.)*"|[\[\]{}]', re.DOTALL)


def _too_deep_message(text: str, source: str) -> str:
    """Where brackets first nest more than DEPTH_SHOWN deep (only computed when parsing already failed)."""
    depth = 0
    for match in _TOKENS.finditer(text):
        token = match.group()
        if token in "[{":
            depth += 1
            if depth > DEPTH_SHOWN:
                line, col = location(text, match.start())
                return (
                    f"{source} nests brackets more than {DEPTH_SHOWN} levels deep (line {line}, column {col}); "
                    f"a tensor needs at most 4 levels of lists, so check the brackets"
                )
        elif token in "]}":
            depth -= 1
    return f"{source} nests brackets too deeply; a tensor needs at most 4 levels of lists"


def _long_number_message(text: str, source: str) -> str:
    match = re.search(r"\d{1000,}", text)
    where = ""
    if match:
        line, col = location(text, match.start())
        where = f" (line {line}, column {col})"
    return (
        f"{source} holds a number with thousands of digits{where}; "
        f"float64 cannot hold it (the largest is about 1.8e308): use a smaller value"
    )


def decode_text(data: bytes, name: str) -> str:
    """File bytes -> text. Only UTF-8 is read; the message says what the file looks like instead."""
    if data and not data.strip(b"\x00"):
        raise DataError(f"{name} holds only zero bytes (NUL), not text; it must hold one JSON object")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as err:
        if data.startswith((b"\xff\xfe\x00\x00", b"\x00\x00\xfe\xff")):
            found = "UTF-32 text"
        elif data.startswith((b"\xff\xfe", b"\xfe\xff")):
            found = "UTF-16 text (Windows PowerShell's > writes it)"
        elif data.startswith(b"\x93NUMPY"):
            raise DataError(
                f"{name} is not a JSON document but a NumPy .npy file; pass it as --images {name} (or --kernels)"
            ) from None
        elif data.startswith(b"PK\x03\x04"):
            raise DataError(
                f"{name} is not a JSON document but a zip archive (an .npz?); pass an .npz as --images {name}"
            ) from None
        else:
            text = data[: err.start].decode("utf-8", errors="replace")
            line, col = location(text, len(text))
            found = f"not UTF-8 (byte 0x{data[err.start]:02x} at line {line}, column {col})"
        raise DataError(f"{name} is {found}; save it as UTF-8 (most editors: Save with Encoding > UTF-8)") from None
    if "\x00" in text:
        # UTF-16 or UTF-32 without a byte-order mark decodes as "UTF-8" with a NUL beside every character
        wide = "UTF-32" if "\x00\x00\x00" in text else "UTF-16"
        raise DataError(
            f"{name} holds zero bytes (NUL) between its characters: it looks like {wide} text without a "
            f"byte-order mark; save it as UTF-8 (most editors: Save with Encoding > UTF-8)"
        )
    return text
