"""Documents and pictures that ship with convtrace: the named examples (`convtrace examples`, `--example NAME`).

One line per example: NAME -> what it teaches and either its JSON document in
this folder or a picture in pictures/ with the named kernels to run over it.
Adding an example is adding its file here and one line below.
"""

from __future__ import annotations

from importlib.resources import files
from typing import NamedTuple

from ...errors import UsageError


class Example(NamedTuple):
    about: str  # one line for `convtrace examples`
    document: str | None = None  # a JSON document in this folder
    picture: str | None = None  # or a picture in pictures/ ...
    kernels: str | None = None  # ... and the preset kernels to run over it, comma-separated
    gray: bool = True
    size: int | None = None

    @property
    def images(self) -> tuple[str, ...]:
        """The picture's path, for the loader (empty for a document example)."""
        return (str(files(__name__).joinpath("pictures", self.picture)),) if self.picture else ()


DEFAULT = "default"  # what every command reads when given neither FILE nor --example

EXAMPLES: dict[str, Example] = {
    "default": Example("2 channels, 2 kernels, a bias: every window differs; --flip shows", "default.json"),
    "question": Example("4 images of 3 channels, kernels of ones and twos: outputs 27 and 54", "question.json"),
    "cs231n": Example("3 channels, 2 filters, stride 2, padding 1, as in the CS231n demo", "cs231n.json"),
    "block": Example("a bright block and Sobel kernels: edges light up, flat areas give 0", "edges.json"),
    "same": Example("'same' padding: windows start half outside; the size is kept", "same.json"),
    "dilation": Example("dilation 2: a 2x2 kernel whose taps sit two cells apart", "dilation.json"),
    "edges": Example("a picture of shapes with Sobel and Laplace kernels: where the edges are",
                     picture="shapes.png", kernels="sobel-x,sobel-y,laplace"),
    "face": Example("a colour picture of a face, blurred (box3) and sharpened",
                    picture="face.png", kernels="box3,sharpen", gray=False),
}


def example(name: str) -> Example:
    """The example called `name`, or a UsageError listing them."""
    key = name.strip().lower()
    if key not in EXAMPLES:
        import difflib

        guess = difflib.get_close_matches(key, list(EXAMPLES), n=1, cutoff=0.5)
        hint = f"did you mean {guess[0]!r}? " if guess else ""
        raise UsageError(f"--example {name!r} is not an example; {hint}the examples are {', '.join(EXAMPLES)}")
    return EXAMPLES[key]


def example_text(name: str) -> str:
    """The JSON text of document example `name` (a key of EXAMPLES)."""
    return files(__name__).joinpath(example(name).document).read_text(encoding="utf-8")
