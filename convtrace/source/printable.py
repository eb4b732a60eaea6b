"""Text from a document or a learner, made safe to show: control characters become visible escapes.

A title such as "\\x1b[2J" would clear the learner's screen if printed as it is; every view and
export shows it as the six characters `\\x1b[2J` instead. Line breaks and tabs stay.
"""

from __future__ import annotations

KEPT = "\n\t"


def printable(text: str) -> str:
    """'a\\x1b[2Jb' -> 'a\\\\x1b[2Jb': C0/C1 control characters (and DEL) written as escapes."""
    if text.isprintable() or all(ch.isprintable() or ch in KEPT for ch in text):
        return text
    return "".join(ch if ch.isprintable() or ch in KEPT else _escape(ch) for ch in text)


def _escape(ch: str) -> str:
    code = ord(ch)
    if code < 0x100:
        return f"\\x{code:02x}"
    return f"\\u{code:04x}" if code < 0x10000 else f"\\U{code:08x}"
