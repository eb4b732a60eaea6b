"""Named kernels, random tensors, `convtrace kernels`, and the one loader's shared options on every command."""

from __future__ import annotations

import json

import numpy as np
import pytest
from scipy.signal import correlate

from convtrace.source.loader import Request

# DESIGN section 6, typed in by hand: the reference the presets must match exactly
WRITTEN = {
    "identity": [[0, 0, 0], [0, 1, 0], [0, 0, 0]],
    "box3": [[1 / 9] * 3] * 3,
    "gauss3": (np.outer([1, 2, 1], [1, 2, 1]) / 16).tolist(),
    "sobel-x": [[-1, 0, 1], [-2, 0, 2], [-1, 0, 1]],
    "sobel-y": [[-1, -2, -1], [0, 0, 0], [1, 2, 1]],
    "laplace": [[0, 1, 0], [1, -4, 1], [0, 1, 0]],
    "sharpen": [[0, -1, 0], [-1, 5, -1], [0, -1, 0]],
    "emboss": [[-2, -1, 0], [-1, 1, 1], [0, 1, 2]],
}
IMAGES = np.arange(2 * 3 * 5 * 6, dtype=float).reshape(2, 3, 5, 6) % 7 - 3


def doc(tmp_path, **extra) -> str:
    path = tmp_path / "doc.json"
    path.write_text(json.dumps({"images": IMAGES.tolist(), "kernels": np.ones((1, 3, 3, 3)).tolist(), **extra}))
    return str(path)


@pytest.mark.parametrize("name", list(WRITTEN))
def test_each_preset_has_the_written_values_in_every_channel(tmp_path, name):
    problem = Request(doc(tmp_path), kernels=name).load()
    assert problem.kernel_shape == (1, 3, 3, 3)
    for c in range(3):
        np.testing.assert_array_equal(problem.kernels[0, c], np.array(WRITTEN[name], dtype=float))
    assert problem.kernel_names == (name,)


def test_several_names_make_k_kernels_and_the_output_matches_scipy(invoke, tmp_path):
    result = invoke(["run", doc(tmp_path), "--kernels", "sobel-x, Laplace,emboss", "--json"])
    assert result.exit_code == 0, result.output
    out = json.loads(result.stdout)
    assert out["kernel_shape"] == [3, 3, 3, 3]
    for k, name in enumerate(("sobel-x", "laplace", "emboss")):
        w = np.repeat(np.array(WRITTEN[name], float)[None], 3, axis=0)
        for n in range(2):
            want = correlate(IMAGES[n], w, mode="valid")[0]  # summed over the channels
            np.testing.assert_allclose(out["output"][n][k], want, atol=1e-12)


def test_presets_follow_a_channels_last_document(tmp_path):
    path = tmp_path / "nhwc.json"
    path.write_text(json.dumps({"images": IMAGES.transpose(0, 2, 3, 1).tolist(), "kernels": [[[[1.0] * 3] * 3] * 3],
                                "layout": "NHWC"}))
    problem = Request(str(path), kernels="sobel-y").load()
    assert problem.kernel_shape == (1, 3, 3, 3)
    np.testing.assert_array_equal(problem.kernels[0, 2], np.array(WRITTEN["sobel-y"], float))


@pytest.mark.parametrize("given, hint", [("sobelx", "did you mean 'sobel-x'"), ("gaus3", "did you mean 'gauss3'"),
                                         ("sobel-x,blur", "'blur'")])
def test_unknown_name_lists_the_presets(invoke, tmp_path, given, hint):
    result = invoke(["run", doc(tmp_path), "--kernels", given, "--json"])
    assert result.exit_code == 2 and result.stdout == ""
    assert hint in result.stderr and "neither a file nor a named kernel" in result.stderr
    for name in WRITTEN:
        assert name in result.stderr


def test_the_frame_header_and_summary_name_the_kernel(invoke, tmp_path):
    result = invoke(["run", doc(tmp_path), "--kernels", "box3,sobel-y", "--at", "k=1", "--limit", "1"],
                    env={"NO_COLOR": "1", "COLUMNS": "100"})
    assert result.exit_code == 0, result.output
    assert "kernel 1: sobel-y" in result.stdout
    assert "0 box3, 1 sobel-y" in result.stdout


def test_kernels_command_lists_names_values_and_uses(invoke):
    result = invoke(["kernels"], env={"NO_COLOR": "1", "COLUMNS": "80"})
    assert result.exit_code == 0
    for name in WRITTEN:
        assert name in result.stdout
    assert "[ -1 -2 -1 ]" in result.stdout and "[ -1  5 -1 ]" in result.stdout and "1/9" in result.stdout
    listed = json.loads(invoke(["kernels", "--json"]).stdout)
    assert list(listed) == list(WRITTEN)
    for name, values in WRITTEN.items():
        np.testing.assert_array_equal(listed[name]["values"], values)


# ----------------------------------------------------------------------------- random tensors


def test_random_tensors_are_small_integers_and_repeatable(invoke):
    args = ["run", "--random", "2,3,5,5", "--random-kernels", "4,3,3,3", "--seed", "11", "--json"]
    first, again = invoke(args), invoke(args)
    assert first.exit_code == 0, first.output
    assert first.stdout == again.stdout
    other = invoke(args[:-2] + ["12", "--json"])
    assert other.stdout != first.stdout
    out = json.loads(first.stdout)
    assert out["input_shape"] == [2, 3, 5, 5] and out["kernel_shape"] == [4, 3, 3, 3]
    problem = Request(random=(2, 3, 5, 5), random_kernels=(4, 3, 3, 3), seed=11).load()
    x, w = np.asarray(problem.images), np.asarray(problem.kernels)
    assert set(np.unique(x)) <= set(range(-3, 4)) and set(np.unique(w)) <= set(range(-2, 3))
    want = np.array([[correlate(x[n], w[k], mode="valid")[0] for k in range(4)] for n in range(2)])
    np.testing.assert_allclose(out["output"], want, atol=1e-12)


def test_random_images_with_named_kernels(invoke):
    result = invoke(["run", "--random", "1,2,4,4", "--kernels", "laplace", "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["kernel_shape"] == [1, 2, 3, 3]


@pytest.mark.parametrize("args, words", [
    (["--random", "1,2,3"], ["--random", "four"]),
    (["--random", "1,0,3,3"], ["--random", "at least 1"]),
    (["--random", "1,1,4,4", "--random-kernels", "a,b,c,d"], ["--random-kernels", "not a shape"]),
    (["--random", "1,1,4,4"], ["no kernels"]),
    (["--random", "1,1,4,4", "--random-kernels", "1,2,3,3"], ["channels"]),
])
def test_bad_random_options(invoke, args, words):
    result = invoke(["run", *args, "--json"])
    assert result.exit_code in (1, 2) and result.stdout == "" and "Traceback" not in result.stderr
    for word in words:
        assert word in result.stderr


# ----------------------------------------------------------------------------- one loader, one set of options


@pytest.mark.parametrize("command", [["run", "--json"], ["grad", "--json"], ["compare", "--json"],
                                     ["explain", "--mode", "same"], ["bench", "--json", "--budget", "0.01",
                                                                     "--repeat", "1", "--no-torch"]])
def test_every_command_takes_the_same_data_options(invoke, command):
    result = invoke([*command, "--random", "1,1,5,5", "--random-kernels", "1,1,3,3", "--seed", "2",
                     "--layout", "nchw"], env={"NO_COLOR": "1"})
    assert result.exit_code == 0, result.output


def test_compare_takes_stride_and_mode(invoke, tmp_path):
    out = json.loads(invoke(["compare", doc(tmp_path), "--stride", "2", "--json"]).stdout)
    assert [(r["mode"], r["stride"]) for r in out["runs"]] == [("valid", [2, 2]), ("same", [2, 2]), ("full", [2, 2])]
    out = json.loads(invoke(["compare", doc(tmp_path), "--mode", "SAME", "--json"]).stdout)
    assert [r["mode"] for r in out["runs"]] == ["same", "same"]


@pytest.mark.parametrize("args, words", [(["--padding", "1"], ["--padding", "--modes"]),
                                         (["--stride", "2,1"], ["--stride", "one number"]),
                                         (["--mode", "same", "--modes", "full"], ["--mode and --modes"])])
def test_compare_explains_options_it_cannot_use(invoke, tmp_path, args, words):
    result = invoke(["compare", doc(tmp_path), *args])
    assert result.exit_code == 2 and result.stdout == ""
    for word in words:
        assert word in result.stderr


def test_compare_reads_npy_and_respects_max_elements(invoke, tmp_path):
    np.save(tmp_path / "x.npy", IMAGES)
    np.save(tmp_path / "w.npy", np.ones((2, 3, 3, 3)))
    result = invoke(["compare", "--images", str(tmp_path / "x.npy"), "--kernels", str(tmp_path / "w.npy"), "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["input_shape"] == [2, 3, 5, 6]
    small = invoke(["compare", "--images", str(tmp_path / "x.npy"), "--kernels", "box3", "--max-elements", "50"])
    assert small.exit_code == 1 and "--max-elements" in small.stderr


def test_modes_and_layouts_are_case_insensitive(invoke, tmp_path):
    lower = invoke(["run", doc(tmp_path), "--mode", "same", "--json"]).stdout
    upper = invoke(["run", doc(tmp_path), "--mode", "SAME", "--json"]).stdout
    assert lower == upper and json.loads(lower)["output_shape"] == [2, 1, 5, 6]
