"""Documents and pictures that ship with convtrace: the built-in example and the named examples (`--example NAME`)."""

from __future__ import annotations

from dataclasses import dataclass
from importlib.resources import files

from ...errors import UsageError


@dataclass(frozen=True)
class PictureExample:
    """A shipped picture and the named kernels to run over it."""

    picture: str  # a file in convtrace/source/examples/pictures/
    kernels: str  # preset names, comma-separated
    about: str
    gray: bool = True
    size: int | None = None

    @property
    def images(self) -> tuple[str, ...]:
        return (str(files(__name__).joinpath("pictures", self.picture)),)


EXAMPLES = {
    "edges": PictureExample("shapes.png", "sobel-x,sobel-y,laplace", "shapes on a dark ground: where edges are"),
    "face": PictureExample("face.png", "box3,sharpen", "a colour face: blurred and sharpened", gray=False),
}


def example(name: str) -> PictureExample:
    """The example called `name`, or a UsageError listing them."""
    key = name.strip().lower()
    if key not in EXAMPLES:
        import difflib

        guess = difflib.get_close_matches(key, list(EXAMPLES), n=1, cutoff=0.5)
        hint = f"did you mean {guess[0]!r}? " if guess else ""
        raise UsageError(f"--example {name!r} is not an example; {hint}the examples are {', '.join(EXAMPLES)}")
    return EXAMPLES[key]
