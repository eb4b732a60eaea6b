"""`--export maps.png` (or `--export folder/`): the input picture and every output map as images, with Pillow.

One .png: the panels side by side, each labelled with its name and scale.
A folder: one file per panel (input.png, out_0_0.png, ...), each at the
map's own size (one pixel per value), for slides or further work.
Colours follow the terminal heatmaps (render/frames/heatmap.py): diverging blue /
white / red for signed maps, a dark-to-bright ramp otherwise. Every value and
scale comes from the MapPictures; this module only paints.
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np

from ...errors import UsageError
from ...teach.feature_maps import MapPicture
from ..frames.heatmap import COLD, HOT, RAMP, ZERO
from ...text import number

PANEL = 128  # the longer side of each panel in the side-by-side picture, in pixels
GAP, LABEL = 12, 30  # pixels between panels, and under each one for its title and scale
MISSING = (128, 128, 128)  # a value not computed


def is_image_export(path: str) -> bool:
    """True for FILE.png or a folder (an existing one, or a name ending in '/')."""
    return path.lower().endswith(".png") or path.endswith(("/", os.sep)) or os.path.isdir(path)


def colours(m: MapPicture) -> np.ndarray:
    """(H', W') values -> (H', W', 3) uint8 on the map's own scale (the heatmap's palette)."""
    v = m.values
    rgb = np.empty(v.shape + (3,))
    if m.signed:
        t = np.clip(v / max(-m.low, m.high), -1.0, 1.0)
        pos, neg = np.clip(t, 0, 1)[..., None], np.clip(-t, 0, 1)[..., None]
        rgb = np.where(t[..., None] >= 0, ZERO + (np.array(HOT) - ZERO) * pos, ZERO + (np.array(COLD) - ZERO) * neg)
    else:
        t = np.zeros_like(v) if m.high <= m.low else np.clip((v - m.low) / (m.high - m.low), 0, 1)
        position = np.nan_to_num(t) * (len(RAMP) - 1)
        i = np.minimum(position.astype(int), len(RAMP) - 2)
        ramp = np.array(RAMP, dtype=float)
        rgb = ramp[i] + (ramp[i + 1] - ramp[i]) * (position - i)[..., None]
    rgb[np.isnan(v)] = MISSING
    return np.round(rgb).astype(np.uint8)


def _panel(pixels: np.ndarray, size: int):
    """(H, W, 3) uint8 -> a Pillow image scaled by a whole factor (nearest: every value stays a crisp square)."""
    from PIL import Image

    h, w = pixels.shape[:2]
    factor = max(1, size // max(h, w))
    return Image.fromarray(pixels).resize((w * factor, h * factor), Image.Resampling.NEAREST)


def _picture_pixels(picture: np.ndarray) -> np.ndarray:
    """(H, W, C) values in [0, 1] -> (H, W, 3) uint8 (a gray picture repeats its one channel)."""
    rgb = np.repeat(picture, 3, axis=2) if picture.shape[2] == 1 else picture
    return np.round(rgb * 255).astype(np.uint8)


def save_map_images(path: str, maps: list[MapPicture], picture: np.ndarray | None) -> list[str]:
    """Write the panels to FILE.png (side by side) or into a folder (one file each); return the files written."""
    panels = ([("input", _picture_pixels(picture), "input picture")] if picture is not None else [])
    panels += [(f"out_{_slug(m.title)}", colours(m), f"{m.title}\nmin {number(m.low)}  max {number(m.high)}")
               for m in maps]
    try:
        if path.lower().endswith(".png"):
            return [_side_by_side(path, panels)]
        Path(path).mkdir(parents=True, exist_ok=True)
        written = []
        for name, pixels, _ in panels:
            target = os.path.join(path, f"{name}.png")
            _panel(pixels, 1).save(target)
            written.append(target)
        return written
    except OSError as err:
        raise UsageError(f"--export {path!r}: cannot write it ({err.strerror or err}); check the folder exists") from None


def _side_by_side(path: str, panels) -> str:
    from PIL import Image, ImageDraw, ImageFont

    font = ImageFont.load_default()
    measure = ImageDraw.Draw(Image.new("RGB", (1, 1)))
    images = []
    for _, pixels, label in panels:  # each column as wide as its picture or its label, whichever is wider
        image = _panel(pixels, PANEL)
        left, top, right, bottom = measure.multiline_textbbox((0, 0), label, font=font, spacing=2)
        images.append((image, label, max(image.width, right - left), bottom - top))
    width = sum(column for _, _, column, _ in images) + GAP * (len(images) + 1)
    height = max(im.height for im, _, _, _ in images) + max(LABEL, max(h for *_, h in images) + 8) + 2 * GAP
    sheet = Image.new("RGB", (width, height), "white")
    draw = ImageDraw.Draw(sheet)
    x = GAP
    for image, label, column, _ in images:
        sheet.paste(image, (x, GAP))
        draw.multiline_text((x, GAP + image.height + 4), label, fill="black", font=font, spacing=2)
        x += column + GAP
    sheet.save(path)
    return path


def _slug(title: str) -> str:
    """'out[0,1] kernel 1: sobel-y' -> '0_1_sobel-y'."""
    inside = title[title.index("[") + 1: title.index("]")].replace(",", "_") if "[" in title else title
    name = title.split(": ", 1)[1] if ": " in title else ""
    return f"{inside}_{name}" if name else inside
