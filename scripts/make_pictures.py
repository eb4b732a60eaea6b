"""Draw the small pictures that ship in convtrace/source/examples/pictures/ (made here, free to reuse).

    python scripts/make_pictures.py

Every pixel is set by the arithmetic below, so the pictures can be rebuilt exactly.
"""

from pathlib import Path

import numpy as np
from PIL import Image

OUT = Path(__file__).resolve().parent.parent / "convtrace" / "source" / "examples" / "pictures"


def shapes() -> Image.Image:
    """32 x 32 grayscale: a bright square, a mid-gray disc and a light triangle on a dark ground."""
    y, x = np.mgrid[0:32, 0:32]
    pixels = np.full((32, 32), 30, np.uint8)
    pixels[4:14, 4:14] = 230  # square: straight vertical and horizontal edges
    pixels[(y - 22) ** 2 + (x - 9) ** 2 <= 36] = 140  # disc: edges in every direction
    triangle = (y >= 6) & (y <= 26) & (np.abs(x - 23) <= (y - 6) // 2)
    pixels[triangle] = 200  # triangle: slanted edges
    return Image.fromarray(pixels, mode="L")


def checker() -> Image.Image:
    """24 x 24 grayscale checkerboard of 4 x 4 squares, black and white."""
    y, x = np.mgrid[0:24, 0:24]
    return Image.fromarray(np.where((y // 4 + x // 4) % 2 == 0, 255, 0).astype(np.uint8), mode="L")


def face() -> Image.Image:
    """32 x 32 colour: a yellow face with dark eyes and a red mouth on a blue ground."""
    y, x = np.mgrid[0:32, 0:32]
    rgb = np.zeros((32, 32, 3), np.uint8)
    rgb[:] = (40, 80, 160)
    rgb[(y - 16) ** 2 + (x - 16) ** 2 <= 13 ** 2] = (240, 200, 40)
    for cx in (11, 21):
        rgb[(y - 12) ** 2 + (x - cx) ** 2 <= 4] = (30, 30, 30)
    mouth = ((y - 16) ** 2 + (x - 16) ** 2 <= 8 ** 2) & ((y - 16) ** 2 + (x - 16) ** 2 >= 6 ** 2) & (y >= 19)
    rgb[mouth] = (200, 30, 30)
    return Image.fromarray(rgb, mode="RGB")


if __name__ == "__main__":
    OUT.mkdir(parents=True, exist_ok=True)
    for name, draw in (("shapes", shapes), ("checker", checker), ("face", face)):
        draw().save(OUT / f"{name}.png", optimize=True)
        print(OUT / f"{name}.png")
