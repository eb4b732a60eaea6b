"""Pictures as input (--images, --gray, --size, batches): the numbers equal the pixels / 255, computed here with NumPy.

Every picture is written by the test with Pillow from known pixel values; the
expected arrays are built from those same values, not from convtrace.
"""

from __future__ import annotations

import json
import os
import struct
import subprocess
import sys
import threading
import time
import zlib

import numpy as np
import pytest
from PIL import Image
from scipy.signal import correlate

from convtrace.source.loader import Request

RNG = np.random.default_rng(3)


def write_png(path, pixels: np.ndarray, mode: str | None = None) -> str:
    Image.fromarray(pixels.astype(np.uint8), mode=mode).save(path) if mode else Image.fromarray(pixels.astype(np.uint8)).save(path)
    return str(path)


def run_json(invoke, args):
    result = invoke(["run", *args, "--json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


# ----------------------------------------------------------------------------- the numbers


def test_rgb_picture_is_pixels_over_255_in_nchw(tmp_path):
    pixels = RNG.integers(0, 256, (4, 5, 3))
    path = write_png(tmp_path / "rgb.png", pixels)
    problem = Request(images=(path,), kernels="identity").load()
    assert problem.input_shape == (1, 3, 4, 5)
    np.testing.assert_array_equal(problem.images[0], pixels.transpose(2, 0, 1) / 255)
    assert problem.images.min() >= 0 and problem.images.max() <= 1


def test_grayscale_picture_has_one_channel(tmp_path):
    pixels = RNG.integers(0, 256, (6, 3))
    problem = Request(images=(write_png(tmp_path / "g.png", pixels),), kernels="box3").load()
    assert problem.input_shape == (1, 1, 6, 3)
    np.testing.assert_array_equal(problem.images[0, 0], pixels / 255)


@pytest.mark.parametrize("mode", ["RGBA", "LA"])
def test_alpha_is_dropped(tmp_path, mode):
    bands = 4 if mode == "RGBA" else 2
    pixels = RNG.integers(0, 256, (3, 4, bands))
    pixels[..., -1] = RNG.integers(0, 256, (3, 4))  # an alpha channel that must not matter
    path = str(tmp_path / "a.png")
    Image.fromarray(pixels.astype(np.uint8), mode=mode).save(path)
    problem = Request(images=(path,), kernels="identity").load()
    assert problem.input_shape[1] == bands - 1
    np.testing.assert_array_equal(problem.images[0], pixels[..., :-1].transpose(2, 0, 1) / 255)


def test_palette_picture_with_transparency_reads_its_colours(tmp_path):
    palette = [255, 0, 0, 0, 128, 255] + [0] * (3 * 254)
    indices = np.array([[0, 1], [1, 0]], dtype=np.uint8)
    image = Image.fromarray(indices, mode="P")
    image.putpalette(palette)
    image.info["transparency"] = 0
    path = str(tmp_path / "p.png")
    image.save(path, transparency=0)
    problem = Request(images=(path,), kernels="identity", overrides={"mode": "same"}).load()
    colours = np.array([[255, 0, 0], [0, 128, 255]])
    np.testing.assert_array_equal(problem.images[0], colours[indices].transpose(2, 0, 1) / 255)


def test_gray_uses_itu_601_luma(tmp_path):
    pixels = RNG.integers(0, 256, (5, 5, 3))
    problem = Request(images=(write_png(tmp_path / "c.png", pixels),), kernels="identity", gray=True).load()
    luma = (pixels[..., 0] * 299 + pixels[..., 1] * 587 + pixels[..., 2] * 114) / 1000
    assert problem.input_shape == (1, 1, 5, 5)
    assert np.abs(problem.images[0, 0] * 255 - luma).max() <= 0.5 + 1e-9  # Pillow rounds to whole levels


def test_size_hxw_averages_boxes(tmp_path):
    pixels = RNG.integers(0, 256, (8, 8))
    problem = Request(images=(write_png(tmp_path / "g.png", pixels),), kernels="identity", size=(4, 2),
                      overrides={"mode": "same"}).load()
    means = (pixels / 255).reshape(4, 2, 2, 4).mean(axis=(1, 3))  # BOX: each output pixel is its block's mean
    np.testing.assert_allclose(problem.images[0, 0], means, atol=1e-6)


def test_size_n_keeps_the_aspect_ratio(tmp_path):
    pixels = RNG.integers(0, 256, (8, 4, 3))
    problem = Request(images=(write_png(tmp_path / "c.png", pixels),), kernels="identity", size=4,
                      overrides={"mode": "same"}).load()
    assert problem.input_shape == (1, 3, 4, 2)


def test_pictures_make_a_batch(invoke, tmp_path):
    a, b = RNG.integers(0, 256, (2, 5, 5))
    out = run_json(invoke, ["--images", write_png(tmp_path / "a.png", a), "--images",
                            write_png(tmp_path / "b.png", b), "--kernels", "sobel-x,laplace"])
    assert out["input_shape"] == [1 * 2, 1, 5, 5] and out["output_shape"] == [2, 2, 3, 3]
    sobel_x = np.array([[-1, 0, 1], [-2, 0, 2], [-1, 0, 1]])
    for n, pixels in enumerate((a, b)):
        want = correlate(pixels / 255, sobel_x, mode="valid")
        np.testing.assert_allclose(out["output"][n][0], want, atol=1e-12)


def test_a_gray_picture_joins_a_colour_batch_as_three_equal_channels(tmp_path):
    gray, rgb = RNG.integers(0, 256, (4, 4)), RNG.integers(0, 256, (4, 4, 3))
    problem = Request(images=(write_png(tmp_path / "g.png", gray), write_png(tmp_path / "c.png", rgb)),
                      kernels="identity").load()
    assert problem.input_shape == (2, 3, 4, 4)
    for c in range(3):
        np.testing.assert_array_equal(problem.images[0, c], gray / 255)


def test_nhwc_layout_reads_pictures_channels_last(invoke, tmp_path):
    pixels = RNG.integers(0, 256, (4, 4, 3))
    path = write_png(tmp_path / "c.png", pixels)
    nchw = run_json(invoke, ["--images", path, "--kernels", "sobel-y"])
    nhwc = run_json(invoke, ["--images", path, "--kernels", "sobel-y", "--layout", "nhwc"])
    assert nhwc["input_shape"] == [1, 4, 4, 3] and nhwc["kernel_shape"] == [1, 3, 3, 3]
    np.testing.assert_allclose(np.array(nhwc["output"]).transpose(0, 3, 1, 2), nchw["output"], atol=1e-12)


# ----------------------------------------------------------------------------- read once: pipes


def test_a_named_pipe_is_read_once(tmp_path):
    pixels = RNG.integers(0, 256, (4, 4))
    source = write_png(tmp_path / "g.png", pixels)
    fifo = str(tmp_path / "pipe.png")
    os.mkfifo(fifo)
    data = open(source, "rb").read()

    def feed():
        with open(fifo, "wb") as handle:  # blocks until the reader opens it; one pass only
            handle.write(data)

    writer = threading.Thread(target=feed, daemon=True)
    writer.start()
    problem = Request(images=(fifo,), kernels="identity").load()
    writer.join(5)
    np.testing.assert_array_equal(problem.images[0, 0], pixels / 255)


def test_dev_stdin_works(tmp_path):
    pixels = RNG.integers(0, 256, (4, 4))
    data = open(write_png(tmp_path / "g.png", pixels), "rb").read()
    result = subprocess.run([sys.executable, "-m", "convtrace", "run", "--images", "/dev/stdin", "--kernels",
                             "identity", "--json"], input=data, capture_output=True, timeout=60)
    assert result.returncode == 0, result.stderr
    np.testing.assert_allclose(json.loads(result.stdout)["output"][0][0], pixels[1:-1, 1:-1] / 255)


# ----------------------------------------------------------------------------- errors


def png_header_only(path, width: int, height: int) -> str:
    """A PNG that announces width x height pixels but holds almost no data (a decompression bomb's header)."""
    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body) & 0xFFFFFFFF)

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    data = b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(b"\0" * 10)) + chunk(b"IEND", b"")
    with open(path, "wb") as handle:
        handle.write(data)
    return str(path)


def check_error(invoke, args, code, words):
    result = invoke(["run", *args, "--json"])
    assert result.exit_code == code, result.output
    assert result.stdout == "" and "Traceback" not in result.stderr
    for word in words:
        assert word.lower() in result.stderr.lower(), result.stderr
    return result.stderr


def test_not_a_picture(invoke, tmp_path):
    path = tmp_path / "notes.png"
    path.write_text("hello, this is text")
    check_error(invoke, ["--images", str(path), "--kernels", "box3"], 1, ["notes.png", "not a picture"])


def test_truncated_picture(invoke, tmp_path):
    pixels = RNG.integers(0, 256, (64, 64, 3))
    data = open(write_png(tmp_path / "full.png", pixels), "rb").read()
    path = tmp_path / "cut.png"
    path.write_bytes(data[: len(data) // 2])
    check_error(invoke, ["--images", str(path), "--kernels", "box3"], 1, ["cut.png", "truncated"])


def test_a_huge_picture_is_refused_before_decoding(invoke, tmp_path):
    path = png_header_only(tmp_path / "huge.png", 20_000, 20_000)
    start = time.perf_counter()
    message = check_error(invoke, ["--images", path, "--kernels", "box3"], 1, ["huge.png"])
    assert time.perf_counter() - start < 5  # nothing was decoded
    assert "20,000" in message or "pixels" in message


def test_a_picture_over_the_cap_says_how_to_raise_it(invoke, tmp_path):
    path = png_header_only(tmp_path / "big.png", 3000, 3000)
    message = check_error(invoke, ["--images", path, "--kernels", "box3", "--max-elements", "100000"], 1,
                          ["big.png", "3,000 x 3,000", "--max-elements"])
    assert "shrink" in message


def test_pictures_of_different_sizes(invoke, tmp_path):
    a = write_png(tmp_path / "a.png", RNG.integers(0, 256, (4, 4)))
    b = write_png(tmp_path / "b.png", RNG.integers(0, 256, (5, 4)))
    check_error(invoke, ["--images", a, "--images", b, "--kernels", "box3"], 1, ["a.png 4x4", "b.png 5x4", "--size"])
    out = run_json(invoke, ["--images", a, "--images", b, "--kernels", "box3", "--size", "4x4"])
    assert out["input_shape"] == [2, 1, 4, 4]


def test_missing_picture_is_a_usage_error(invoke, tmp_path):
    check_error(invoke, ["--images", str(tmp_path / "nope.png"), "--kernels", "box3"], 2, ["--images", "nope.png"])


@pytest.mark.parametrize("size, words", [("0", ["--size", ">= 1"]), ("4x", ["--size", "HxW"]), ("big", ["--size"])])
def test_bad_size_option(invoke, tmp_path, size, words):
    path = write_png(tmp_path / "g.png", RNG.integers(0, 256, (4, 4)))
    check_error(invoke, ["--images", path, "--kernels", "box3", "--size", size], 2, words)


def test_pictures_without_kernels_say_how_to_give_them(invoke, tmp_path):
    path = write_png(tmp_path / "g.png", RNG.integers(0, 256, (4, 4)))
    check_error(invoke, ["--images", path], 2, ["no kernels", "--kernels", "convtrace kernels"])


def test_a_picture_file_is_opened_once(tmp_path, monkeypatch):
    import builtins

    path = write_png(tmp_path / "g.png", RNG.integers(0, 256, (4, 4)))
    opened = []
    real_open = builtins.open

    def counting_open(file, *args, **kwargs):
        if str(file) == path:
            opened.append(file)
        return real_open(file, *args, **kwargs)

    monkeypatch.setattr(builtins, "open", counting_open)
    Request(images=(path,), kernels="identity").load()
    assert len(opened) == 1


def test_an_array_file_without_its_suffix_is_still_read_as_an_array(tmp_path):
    x = RNG.integers(-3, 4, (1, 2, 4, 4)).astype(float)
    path = tmp_path / "x.data"
    with open(path, "wb") as handle:
        np.save(handle, x)
    problem = Request(images=(str(path),), kernels="box3").load()
    np.testing.assert_array_equal(problem.images, x)
