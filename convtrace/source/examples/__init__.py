"""Documents that ship with convtrace: the named examples (`convtrace examples`, `run --example NAME`).

One line per example: NAME -> what it teaches and its JSON document in this
folder. Adding an example is adding its document here and one line below.
"""

from __future__ import annotations

from importlib.resources import files
from typing import NamedTuple


class Example(NamedTuple):
    about: str  # one line for `convtrace examples`
    document: str  # a JSON document in this folder


DEFAULT = "default"  # what every command reads when given neither FILE nor --example

EXAMPLES: dict[str, Example] = {
    "default": Example("2 channels, 2 kernels, a bias: every window differs; --flip shows", "default.json"),
    "question": Example("4 images of 3 channels, kernels of ones and twos: outputs 27 and 54", "question.json"),
    "cs231n": Example("3 channels, 2 filters, stride 2, padding 1, as in the CS231n demo", "cs231n.json"),
    "edges": Example("a bright block and Sobel kernels: edges light up, flat areas give 0", "edges.json"),
    "same": Example("'same' padding: windows start half outside; the size is kept", "same.json"),
    "dilation": Example("dilation 2: a 2x2 kernel whose taps sit two cells apart", "dilation.json"),
}


def example_text(name: str) -> str:
    """The JSON text of example `name` (a key of EXAMPLES)."""
    return files(__name__).joinpath(EXAMPLES[name].document).read_text(encoding="utf-8")
