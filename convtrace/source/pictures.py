"""Pictures (`--images photo.png`) -> images (N, C, H, W) of floats in [0, 1].

    bytes (read once) -> Pillow header: size checked against the cap -> decode
    -> mode: "L" (grayscale, C = 1) or "RGB" (C = 3; alpha dropped) -> resize -> pixel / 255

Each file is read exactly once into memory, so named pipes and /dev/stdin
work. Pillow's `Image.open` reads only the header; the picture's width and
height are checked against the size cap before a single pixel is decoded, so
a tiny file announcing 20,000 x 20,000 pixels is refused at once.
"""

from __future__ import annotations

import io
import os
import warnings
from dataclasses import dataclass

import numpy as np

from ..errors import DataError, UsageError
from .limits import RAISE_HINT, check_bytes, check_elements, max_bytes

# Shrinking with BOX averages the input pixels each output pixel covers (an area mean,
# easy to explain); enlarging with BOX repeats pixels, which keeps tiny pictures crisp.
RESIZE_FILTER_NAME = "BOX"
DECODED_BYTES_PER_NUMBER = 8  # a decoded picture may use the memory max_elements float64 numbers would
GRAY_MODES = {"1", "L", "LA", "La", "I", "I;16", "I;16B", "I;16L", "I;16N", "F"}
SUFFIXES = (".png", ".jpg", ".jpeg", ".gif", ".bmp", ".tif", ".tiff", ".webp", ".ppm", ".pgm", ".pbm")


@dataclass(frozen=True)
class Pictures:
    """Pictures made into one batch of images."""

    images: np.ndarray  # (N, C, H, W) float64 in [0, 1]
    names: tuple[str, ...]  # the files, in batch order
    notes: tuple[str, ...]  # how each was read (size, mode, resize), for the summary


def parse_size(text: str) -> tuple[int, int] | int:
    """'64' -> 64 (the longer side, aspect kept); '48x64' -> (48, 64) (rows x columns, exactly)."""
    parts = str(text).lower().replace(" ", "").split("x")
    try:
        numbers = [int(p) for p in parts]
    except ValueError:
        raise ValueError(f"{text!r} is not a size; write N (the longer side) or HxW, e.g. 64 or 48x64") from None
    if len(numbers) not in (1, 2) or min(numbers) < 1:
        raise ValueError(f"{text!r}: write N or HxW with whole numbers >= 1, e.g. 64 or 48x64")
    return numbers[0] if len(numbers) == 1 else (numbers[0], numbers[1])


def read_file(path: str, max_elements: int | None, option: str = "--images") -> bytes:
    """The file's bytes, read once (a pipe cannot be read twice), at most the cap's worth."""
    limit = max_bytes(max_elements)
    try:
        with open(path, "rb") as handle:
            data = handle.read(-1 if limit is None else limit + 1)
    except FileNotFoundError:
        raise UsageError(f"{option}: file {path!r} does not exist; check the path") from None
    except IsADirectoryError:
        raise UsageError(f"{option}: {path!r} is a directory; give a picture (.png, .jpg, ...)") from None
    except OSError as err:
        raise UsageError(f"{option}: cannot read {path!r}: {err.strerror}") from None
    if limit is not None and len(data) > limit:
        check_bytes(len(data), path, max_elements)
    return data


def decode(data: bytes, name: str, *, gray: bool = False, size=None, max_elements: int | None = None):
    """Picture bytes -> (array (C, H, W) float64 in [0, 1], note). Errors name the file and the fix."""
    from PIL import Image, UnidentifiedImageError

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # Pillow's palette/transparency advice is not for our learners
        try:
            picture = Image.open(io.BytesIO(data))
        except UnidentifiedImageError:
            raise DataError(_not_a_picture(data, name)) from None
        except Image.DecompressionBombError as err:
            raise DataError(f"{name}: {str(err).rstrip('.')}; the picture is far too large to trace: "
                            f"shrink it first (e.g. to 64 x 64 pixels)") from None
        except (OSError, ValueError, SyntaxError) as err:  # a damaged header
            raise DataError(f"{name} is not a readable picture ({err}); save it again as PNG") from None
        width, height = picture.size
        _check_decoded(width, height, len(picture.getbands()), name, max_elements)
        try:
            picture.load()
        except (OSError, ValueError, SyntaxError) as err:
            raise DataError(f"{name} is damaged or truncated ({err}); save it again, e.g. as PNG") from None
        mode, array = _pixels(picture, gray)
        if size is not None:
            mode, array = _resize(picture, mode, array, size)
    check_elements(array.size, f"{name} ({' x '.join(map(str, array.shape))})", max_elements,
                   "shrink it with --size (e.g. --size 64)", "holds")
    shown = "grayscale" if mode == "L" else "RGB"
    how = f"{width} x {height} pixels, read as {shown}"
    if picture.mode not in ("L", "RGB"):
        how += f" (stored as Pillow mode {picture.mode}{', alpha dropped' if 'A' in picture.getbands() or 'transparency' in picture.info else ''})"
    if size is not None:
        how += f", resized to {array.shape[2]} x {array.shape[1]} ({RESIZE_FILTER_NAME} filter)"
    return array, how


def _pixels(picture, gray: bool) -> tuple[str, np.ndarray]:
    """A decoded picture -> (mode, (C, H, W) floats in [0, 1]): 8-bit pixels / 255, 16-bit / 65535."""
    if picture.mode.startswith("I") or picture.mode == "F":  # 16-bit (or float) grayscale
        values = np.asarray(picture, dtype=np.float64) / 65535.0
        return "L", np.clip(values, 0.0, 1.0)[None]
    mode = "L" if gray or picture.mode in GRAY_MODES else "RGB"
    if picture.mode == "P" and mode == "RGB":
        picture = picture.convert("RGBA")  # palette with transparency: resolve it, then drop alpha
    pixels = np.asarray(picture.convert(mode), dtype=np.float64) / 255.0  # "L": ITU-R 601-2 luma
    return mode, (pixels[None] if mode == "L" else pixels.transpose(2, 0, 1))


def _resize(picture, mode: str, array: np.ndarray, size) -> tuple[str, np.ndarray]:
    """(C, H, W) -> (C, H2, W2): N keeps the aspect ratio with N on the longer side; (H2, W2) is exact."""
    from PIL import Image

    _, height, width = array.shape
    if isinstance(size, int):
        scale = size / max(height, width)
        new_h, new_w = max(1, round(height * scale)), max(1, round(width * scale))
    else:
        new_h, new_w = size
    channels = []
    for plane in array:  # resize each channel as a float image: no rounding back to 8 bits
        image = Image.fromarray(plane.astype(np.float32))  # float32 -> Pillow mode "F"
        channels.append(np.asarray(image.resize((new_w, new_h), Image.Resampling.BOX), dtype=np.float64))
    return mode, np.clip(np.stack(channels), 0.0, 1.0)


def _check_decoded(width: int, height: int, bands: int, name: str, max_elements: int | None) -> None:
    """Refuse, before decoding, a picture whose pixels need more memory than the cap allows."""
    if max_elements is None:
        return
    needed = width * height * bands
    allowed = max_elements * DECODED_BYTES_PER_NUMBER
    if needed > allowed:
        raise DataError(
            f"{name} is {width:,} x {height:,} pixels: decoding it takes {needed / 1e6:,.0f} MB, more than the "
            f"{allowed / 1e6:,.0f} MB allowed under the limit of {max_elements:,} numbers; shrink the picture "
            f"first, or {RAISE_HINT.format(n=-(-needed // DECODED_BYTES_PER_NUMBER))}"
        )


def _not_a_picture(data: bytes, name: str) -> str:
    head = data[:8].lstrip()
    if not data:
        return f"{name} is empty; give a picture file (.png, .jpg, ...)"
    if head[:1] in (b"{", b"["):
        return f"{name} is not a picture (it looks like JSON: pass it as FILE, not --images)"
    return f"{name} is not a picture Pillow can read (.png, .jpg, .gif, .bmp, .tif, .webp ...); check the file"


def load_pictures(sources, *, gray: bool = False, size=None, max_elements: int | None = None) -> Pictures:
    """[(name, bytes), ...] -> one batch (N, C, H, W). Every picture must end up the same height and width."""
    arrays, names, notes = [], [], []
    for name, data in sources:
        array, how = decode(data, name, gray=gray, size=size, max_elements=max_elements)
        arrays.append(array)
        names.append(name)
        notes.append(f"images[{len(notes)}] from {os.path.basename(name)}: {how}, pixel values / 255 in [0, 1]")
    if any(a.shape[0] == 3 for a in arrays):  # a colour batch: gray pictures become R = G = B
        arrays = [np.repeat(a, 3, axis=0) if a.shape[0] == 1 else a for a in arrays]
    sizes = {a.shape[1:] for a in arrays}
    if len(sizes) > 1:
        listed = ", ".join(f"{os.path.basename(n)} {a.shape[1]}x{a.shape[2]}" for n, a in zip(names, arrays))
        raise DataError(f"the pictures in one batch must share a size (H x W), but they are {listed}; "
                        f"give --size HxW (e.g. --size 32x32) to resize them all")
    return Pictures(np.stack(arrays), tuple(names), tuple(notes))
