"""Draw this lesson's two 8x8 grayscale pictures (every pixel set below, so they can be rebuilt exactly).

    python make_pictures.py

square.png: a white 4x4 square (255) on black (0), rows 2-5 and columns 2-5.
dim.png: the same square in dark gray (102) on darker gray (51).
"""

from pathlib import Path

import numpy as np
from PIL import Image

HERE = Path(__file__).resolve().parent


def square(ground: int, inside: int) -> Image.Image:
    """8 x 8 grayscale ("L"): `ground` everywhere, `inside` on rows 2-5 and columns 2-5."""
    pixels = np.full((8, 8), ground, np.uint8)
    pixels[2:6, 2:6] = inside
    return Image.fromarray(pixels, mode="L")


if __name__ == "__main__":
    square(0, 255).save(HERE / "square.png")
    square(51, 102).save(HERE / "dim.png")
