"""The size cap that keeps a mistyped padding or a huge file from eating all memory.

Every array convtrace builds (the inputs, the padded images, the output) must
hold at most `max_elements` numbers; the engines work in bounded blocks, so
nothing larger than these is ever allocated. The default is generous for teaching: dozens of 224 x 224 RGB images.
Files are refused before they are read when they are larger than
`BYTES_PER_NUMBER` bytes per allowed number.
"""

from __future__ import annotations

from ..errors import DataError

DEFAULT_MAX_ELEMENTS = 5_000_000
BYTES_PER_NUMBER = 20  # "-0.12345678901234567, " is 22; most files use far fewer
MAX_SETTABLE = 10**12  # the largest --max-elements accepted (8 TB of float64)
RAISE_HINT = "raise the limit with --max-elements {n} (max_elements={n} in Python)"


def max_bytes(max_elements: int | None) -> int | None:
    """The largest file (in bytes) worth reading under this element limit; None: no limit."""
    return None if max_elements is None else max_elements * BYTES_PER_NUMBER + 1_000_000


def check_elements(count: int, what: str, max_elements: int | None, fix: str = "", verb: str = "would hold") -> None:
    """Raise DataError when `what` would hold more than `max_elements` numbers.

    `fix` names the likely mistake (e.g. "check the padding"); the message
    always says how to raise the limit, for when the size is intended.
    """
    if max_elements is None or count <= max_elements:
        return
    if count > MAX_SETTABLE:  # no memory could hold it: a typo, not a big lesson
        raise DataError(
            f"{what} {verb} about {count:.2g} numbers, far more than any memory holds "
            f"(the limit is {max_elements:,}); {fix or 'check the sizes'}"
        )
    advice = f"{fix}, or " if fix else ""
    raise DataError(
        f"{what} {verb} {count:,} numbers, more than the limit of {max_elements:,}; "
        f"{advice}{RAISE_HINT.format(n=count)}"
    )


def check_bytes(size: int, name: str, max_elements: int | None, *, stream: bool = False) -> None:
    """Raise DataError when a file of `size` bytes is too large to be read under the limit.

    `stream`: `size` is only what was read of a stream that went on (stdin, a pipe).
    """
    limit = max_bytes(max_elements)
    if limit is None or size <= limit:
        return
    if stream:  # its true size is unknown: it may never end (`< /dev/zero`)
        raise DataError(
            f"{name} goes on past {limit / 1e6:,.1f} MB, the most read under the limit of {max_elements:,} "
            f"numbers; give it a JSON document (or raise --max-elements if the document really is that large)"
        )
    needed = (size - 1_000_000) // BYTES_PER_NUMBER + 1
    raise DataError(
        f"{name} is {size / 1e6:,.1f} MB, larger than the {limit / 1e6:,.1f} MB read under the limit of "
        f"{max_elements:,} numbers; {RAISE_HINT.format(n=needed)}"
    )
