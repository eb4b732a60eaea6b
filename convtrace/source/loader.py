"""The one way in: everything a command was told to convolve -> a frozen, validated `Problem`.

    a JSON document (FILE, '-' for stdin, or the built-in example), or --example NAME
      + arrays from options: .npy/.npz files, pictures, named kernels, random tensors
      + geometry from options (--stride, --mode, ...), which replace the document's
      -> problem_from_document, under the size cap -> Problem

Every command (run, grad, compare, explain, bench, lessons, lesson facts) goes
through `load`, so a file error, a picture error or a size error reads the
same everywhere.
"""

from __future__ import annotations

import os
import stat
import sys
from dataclasses import dataclass, field, replace

import numpy as np

from ..errors import DataError, UsageError
from .limits import DEFAULT_MAX_ELEMENTS, check_bytes, max_bytes

BUILTIN = "the built-in example"
NPY_MAGIC, ZIP_MAGIC = b"\x93NUMPY", b"PK\x03\x04"


@dataclass(frozen=True)
class Request:
    """What to convolve, as the command line (or a lesson) said it. Nothing is read until `load`."""

    file: str | None = None  # a JSON document; '-' is stdin; None: the built-in example (or arrays alone)
    overrides: dict = field(default_factory=dict)  # document keys from options: stride, mode, layout, ...
    images: tuple[str, ...] = ()  # one .npy/.npz spec (FILE[:NAME]), or pictures (one or more files)
    kernels: str | None = None  # a .npy/.npz spec, or preset names 'sobel-x,laplace'
    bias: str | None = None  # a .npy/.npz spec
    gray: bool = False  # pictures: convert to grayscale ("L") first
    size: int | tuple[int, int] | None = None  # pictures: the longer side, or (H, W)
    random: tuple[int, int, int, int] | None = None  # random images (N, C, H, W)
    random_kernels: tuple[int, int, int, int] | None = None  # random kernels (K, C, kh, kw)
    seed: int | None = None
    example: str | None = None  # a named example shipped with convtrace
    max_elements: int | None = DEFAULT_MAX_ELEMENTS

    @property
    def name(self) -> str:
        """What the data is called in messages and titles."""
        if self.example:
            return f"the example {self.example!r}"
        if self.file == "-":
            return "standard input"
        if self.file is not None:
            return self.file
        if self.images and not self.random:
            return ", ".join(os.path.basename(i) for i in self.images)
        return "random tensors" if self.random else BUILTIN

    def load(self, *, own_padding: bool = False):
        """Read, validate and return the Problem (see `load`)."""
        return load(self, own_padding=own_padding)


def load(request: Request, *, own_padding: bool = False):
    """Request -> Problem. `own_padding`: the command picks the padding (compare, explain), so the
    document's mode/padding and grad_output are set aside and 'full' padding (which fits any kernel) is used."""
    from .problem import problem_from_document

    request = _with_example(request)
    arrays, extra = _option_arrays(request)
    doc = _document(request, bool(arrays) or "kernel_names" in extra)
    layout = str(request.overrides.get("layout") or doc.get("layout") or "NCHW").upper()
    for key in extra.get("nchw", ()):  # pictures and random tensors are made (N, C, H, W)
        arrays[key] = _in_layout(arrays[key], layout)
    if "kernel_names" in extra:  # presets need the channel count of whichever images will be used
        channels = _channels(arrays.get("images", doc.get("images")), layout)
        arrays["kernels"] = _in_layout(_presets(extra["kernel_names"], channels), layout)
    for key in ("images", "kernels"):
        if key == "kernels" and "pool" in doc:
            continue  # pooling has a window size, not kernels
        if key not in arrays and key not in doc and request.file is None:  # a document says it itself
            raise UsageError(_missing(key))
    overrides = dict(request.overrides)
    if own_padding:
        from .layers import refuse_other_layers

        try:
            refuse_other_layers(doc, "explain and compare")
        except DataError as err:  # point to the explanation these layers do have
            raise DataError(f"{err}; `convtrace explain --groups G`, `--transposed` or `--pool max|avg` "
                            "explain those layers' arithmetic on built-in examples") from None
        doc = {k: v for k, v in doc.items() if k not in ("mode", "padding", "grad_output")}
        overrides = {k: v for k, v in overrides.items() if k not in ("mode", "padding")}
        overrides["mode"] = "full"
    problem = problem_from_document(doc, {**overrides, **arrays}, max_elements=request.max_elements)
    return replace(
        problem,
        title=problem.title or extra.get("title"),
        notes=tuple(extra.get("notes", ())) + problem.notes,
        kernel_names=tuple(extra.get("kernel_names", ())),
        pictures=tuple(extra.get("pictures", ())),
    )


# ----------------------------------------------------------------------------- the document


def read_source(file: str | None, max_elements: int | None = DEFAULT_MAX_ELEMENTS) -> tuple[str, str]:
    """FILE, '-' (stdin) or None (the built-in example) -> (JSON text, name for messages).

    At most the size cap's worth of bytes is read, so a huge file or stream cannot fill memory.
    """
    from .jsontext import decode_text

    if file is None:
        from .examples import DEFAULT, example_text

        return example_text(DEFAULT), BUILTIN
    limit = max_bytes(max_elements)
    if file == "-":
        name = "standard input"
        if sys.stdin is not None and sys.stdin.isatty():  # a learner typed `-` by hand: say why nothing happens
            print("Reading the JSON document from the keyboard; end it with Ctrl-D (Windows: Ctrl-Z, Enter).",
                  file=sys.stderr)
        stdin = getattr(sys.stdin, "buffer", sys.stdin)  # bytes: decoded below with a clear message
        data = stdin.read(-1 if limit is None else limit + 1)
    else:
        name = str(file)
        try:
            with open(file, "rb") as handle:
                data = handle.read(-1 if limit is None else limit + 1)
        except FileNotFoundError:
            raise UsageError(f"file {name!r} does not exist; check the path (or use - to read standard input)") from None
        except IsADirectoryError:
            raise UsageError(f"{name!r} is a directory; give a JSON file") from None
        except OSError as err:
            raise UsageError(f"cannot read {name!r}: {err.strerror}") from None
    if limit is not None and len(data) > limit:
        # a file's size is known; a stream's is only what was read before it went past the limit
        size = len(data) if file == "-" else os.path.getsize(file)
        check_bytes(size, name, max_elements, stream=file == "-")
    return decode_text(data, name), name


def _document(request: Request, have_arrays: bool) -> dict:
    """The JSON document as a dict: FILE, stdin, the built-in example, or {} when options give the arrays."""
    from .jsontext import parse_json

    if request.file is None and request.example:
        from .examples import example, example_text

        if example(request.example).document:  # a document example: its JSON, as if it were FILE
            return parse_json(example_text(request.example), f"example {request.example!r}")
        return {}
    if request.file is None and have_arrays:
        return {}
    text, name = read_source(request.file, request.max_elements)
    return parse_json(text, name)


def _missing(key: str) -> str:
    if key == "images":
        return ("no images: give a JSON document with 'images', or --images FILE (a picture or .npy/.npz), "
                "or --random N,C,H,W")
    return ("no kernels: give a JSON document with 'kernels', or --kernels NAMES (e.g. sobel-x,sobel-y; "
            "`convtrace kernels` lists them), --kernels FILE.npy, or --random-kernels K,C,kh,kw")


# ----------------------------------------------------------------------------- arrays from options


def _with_example(request: Request) -> Request:
    """--example NAME: the example's pictures and kernels, unless the command line gives its own."""
    if not request.example:
        return request
    from .examples import example

    if request.file is not None:
        raise UsageError(f"give FILE or --example, not both (got {request.file!r} and --example {request.example})")
    chosen = example(request.example)
    if chosen.document:  # read by _document; options given beside it replace its arrays as they would FILE's
        return request
    return replace(
        request,
        images=request.images or chosen.images,
        kernels=request.kernels or chosen.kernels,
        gray=request.gray or chosen.gray,
        size=request.size or chosen.size,
    )


def _option_arrays(request: Request) -> tuple[dict, dict]:
    """Arrays given by options -> ({key: array}, extra: notes, names, which arrays are NCHW-ordered)."""
    from .arrays_io import load_arrays, split_spec

    arrays: dict[str, np.ndarray] = {}
    extra: dict = {"nchw": set(), "notes": []}
    npy: dict[str, str] = {}
    if request.random or request.random_kernels:
        from .randoms import DEFAULT_SEED, random_tensors

        seed = DEFAULT_SEED if request.seed is None else request.seed
        images, kernels = random_tensors(request.random, request.random_kernels, seed)
        for key, array, option in (("images", images, "--random"), ("kernels", kernels, "--random-kernels")):
            if array is not None:
                arrays[key] = array
                extra["nchw"].add(key)
                extra["notes"].append(f"{key} {tuple(array.shape)} are random whole numbers from {option} "
                                      f"(--seed {seed} gives the same ones again)")
    if request.images and request.random:
        raise UsageError("--images and --random both give the images; choose one")
    if request.kernels and request.random_kernels:
        raise UsageError("--kernels and --random-kernels both give the kernels; choose one")
    if request.images:
        _images(request, arrays, extra, npy)
    if request.kernels:
        path, _ = split_spec(request.kernels)
        if os.path.exists(path):
            npy["kernels"] = request.kernels
        else:
            from .presets import parse_names

            extra["kernel_names"] = parse_names(request.kernels)
    if request.bias:
        npy["bias"] = request.bias
    if npy:
        arrays.update(load_arrays(npy, request.max_elements))
    if not extra["notes"]:
        del extra["notes"]
    return arrays, extra


def _images(request: Request, arrays: dict, extra: dict, npy: dict) -> None:
    """--images: one .npy/.npz spec, or pictures. Each picture is read exactly once (a pipe cannot be read twice)."""
    from .pictures import load_pictures, read_file

    specs = request.images
    if len(specs) == 1 and _named_as_array(specs[0]):
        npy["images"] = specs[0]
        return
    sources = []
    for spec in specs:
        data = b"" if _named_as_array(spec) else read_file(spec, request.max_elements)
        if not data or data.startswith(NPY_MAGIC) or data.startswith(ZIP_MAGIC):  # an array file after all
            if len(specs) == 1 and data and stat.S_ISREG(os.stat(spec).st_mode):
                npy["images"] = spec  # a regular file can be opened again by the .npy reader
                return
            if data and len(specs) == 1:
                raise UsageError(f"--images {spec}: .npy/.npz arrays are read from a file, not a pipe; save it first")
            if data or _named_as_array(spec):
                raise UsageError(f"--images {spec}: a .npy/.npz holds a whole batch; give it alone, not with pictures")
        sources.append((spec, data))
    pictures = load_pictures(sources, gray=request.gray, size=request.size, max_elements=request.max_elements)
    arrays["images"] = pictures.images
    extra["nchw"].add("images")
    extra["notes"].extend(pictures.notes)
    extra["pictures"] = pictures.names
    extra["title"] = ", ".join(os.path.basename(n) for n in pictures.names)


def _named_as_array(spec: str) -> bool:
    """True for a spec that names a .npy/.npz (by its suffix, or FILE:NAME of an archive)."""
    from .arrays_io import split_spec

    path, name = split_spec(spec)
    return name is not None or path.lower().endswith((".npy", ".npz"))


def _channels(images, layout: str) -> int:
    """The channel count of images given in `layout` at any rank (1 when it cannot be told: validation will say why)."""
    try:
        shape = np.shape(images)
    except ValueError:  # ragged nested lists
        return 1
    if len(shape) == 4:
        return shape[3] if layout == "NHWC" else shape[1]
    if len(shape) == 3:
        return shape[2] if layout == "NHWC" else shape[0]
    return 1


def _presets(names, channels: int) -> np.ndarray:
    from .presets import preset_kernels

    return preset_kernels(names, channels)


def _in_layout(array: np.ndarray, layout: str) -> np.ndarray:
    """An NCHW-ordered rank-4 array -> the document's layout (the document's arrays are read in it)."""
    return array.transpose(0, 2, 3, 1) if layout == "NHWC" and array.ndim == 4 else array
