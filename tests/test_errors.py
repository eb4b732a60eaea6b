"""Every bad input ends in a clean exit: code 1 (bad data) or 2 (bad usage), one message, no traceback.

The table below is the catalogue of mistakes a learner makes. Each row runs
`convtrace run` in-process and checks the exit code, the key words of the
message (what is wrong, where, how to fix) and that nothing else leaks out.
"""

from __future__ import annotations

import json
import os
import sys
import time

import numpy as np
import pytest
from click.testing import CliRunner

from convtrace.cli import cli
from convtrace.errors import ConvtraceError, DataError, UsageError

OK = {"images": [[1, 2, 3], [4, 5, 6], [7, 8, 9]], "kernels": [[1, 0], [0, -1]]}
RGB = [[[1.0] * 4] * 4] * 3  # (3, 4, 4)


def runner() -> CliRunner:
    """A runner that keeps stderr apart from stdout (the keyword differs across Click versions)."""
    try:
        return CliRunner(mix_stderr=False)
    except TypeError:
        return CliRunner()


def doc(**changes) -> dict:
    """OK with some keys changed; a value of ... deletes the key."""
    result = dict(OK)
    for key, value in changes.items():
        if value is ...:
            result.pop(key, None)
        else:
            result[key] = value
    return result


def nested(depth: int, leaf: str = "1") -> str:
    return "[" * depth + leaf + "]" * depth


# (id, stdin: dict | str | bytes | None, extra args, exit code, key words that must appear in the message)
# "{tmp}" in an argument is the folder holding the .npy fixtures.
CASES = [
    # --- files and text
    ("missing file", None, ["{tmp}/nope.json"], 2, ["nope.json", "does not exist"]),
    ("a directory", None, ["{tmp}"], 2, ["directory"]),
    ("empty file", "", [], 1, ["empty", "JSON object"]),
    ("only spaces", "  \n\t ", [], 1, ["empty"]),
    ("latin-1 bytes", b'{"title": "caf\xe9", "images": [[1]], "kernels": [[1]]}', [], 1,
     ["not UTF-8", "0xe9", "line 1", "UTF-8"]),
    ("UTF-16 file", json.dumps(OK).encode("utf-16"), [], 1, ["UTF-16", "UTF-8"]),
    ("an .npy given as FILE", "{npy}", [], 1, [".npy", "--images"]),
    # --- JSON syntax: line, column, the offending line, and advice
    ("trailing comma in object", '{"images": [[1]], "kernels": [[1]],}', [], 1,
     ["line 1", "column 36", '"kernels": [[1]],}', "^", "remove the comma"]),
    ("trailing comma in list", '{"images": [[1, 2,]], "kernels": [[1]]}', [], 1, ["column 19", "remove the comma"]),
    ("error on line 3", '{\n  "images": [[1, 2]],\n  "kernels": [[1] [2]]\n}', [], 1,
     ["line 3", '"kernels": [[1] [2]]', "comma is missing"]),
    ("single quotes", "{'images': [[1]], 'kernels': [[1]]}", [], 1, ["double quotes"]),
    ("Python True", '{"images": [[1]], "kernels": [[1]], "flip": True}', [], 1, ["lower case", "true"]),
    ("a comment", '{"images": [[1]], // the input\n "kernels": [[1]]}', [], 1, ["line 1", "comments"]),
    ("text ends early", '{"images": [[1, 2]', [], 1, ["ends too early"]),
    ("two objects", '{"images": [[1]], "kernels": [[1]]} {}', [], 1, ["more text after"]),
    ("top level list", "[[1, 2], [3, 4]]", [], 1, ["JSON object", "images", "kernels"]),
    ("top level number", "3", [], 1, ["JSON object"]),
    ("brackets 100000 deep", nested(100000), [], 1, ["levels deep", "line 1"]),
    ("images 500 deep", '{"images": %s, "kernels": [[1]]}' % nested(500), [], 1, ["images", "levels deep"]),
    ("key given twice", '{"images": [[1]], "images": [[2]], "kernels": [[1]]}', [], 1, ["'images'", "twice"]),
    ("5000-digit number", '{"images": [[1%s]], "kernels": [[1]]}' % ("0" * 5000), [], 1, ["digits", "column 14"]),
    # --- keys
    ("no images", doc(images=...), [], 1, ["'images'"]),
    ("no kernels", doc(kernels=...), [], 1, ["'kernels'"]),
    ("strides for stride", doc(strides=2), [], 1, ["'strides'", "did you mean 'stride'"]),
    ("kernel for kernels", {"images": [[1]], "kernel": [[1]]}, [], 1, ["'kernel'", "did you mean 'kernels'"]),
    ("unrelated key", doc(colour="red"), [], 1, ["'colour'", "allowed keys", "padding"]),
    ("mode misspelt", doc(mode="vaild"), [], 1, ["'valid'", "'same'", "'full'", "did you mean 'valid'"]),
    ("mode and padding", doc(mode="same", padding=1), [], 1, ["'mode'", "'padding'", "keep one"]),
    ("padding given a mode name", doc(padding="same"), [], 1, ['"mode"']),
    ("a null setting", doc(stride=None), [], 1, ["stride", "null", "remove the key"]),
    # --- arrays: the JSON path of the fault, and the expected length
    ("ragged row", doc(images=[[1, 2, 3], [4, 5], [7, 8, 9]]), [], 1,
     ["images[1]", "2 elements", "images[0] has 3", "same length (3)", "ragged"]),
    ("ragged deep in kernels", {"images": [RGB], "kernels": [[[[1, 1], [1, 1]], [[1, 1], [1]], [[1, 1], [1, 1]]]]},
     [], 1, ["kernels[0][1][1]", "1 element", "same length (2)"]),
    ("row nested deeper", doc(images=[[1, 2], [3, [4]]]), [], 1, ["images[1][1]", "a number was expected", "depth"]),
    ("number where a row is", doc(images=[[1, 2], 3]), [], 1, ["images[1]", "list of 2"]),
    ("boolean", doc(kernels=[[1, True], [0, 1]]), [], 1, ["kernels[0][1]", "true", "write 1 or 0"]),
    ("quoted number", doc(images=[[1, "2"], [3, 4]]), [], 1, ["images[0][1]", "'2'", "without quotes"]),
    ("word", doc(images=[[1, "two"], [3, 4]]), [], 1, ["images[0][1]", "'two'", "must be a number"]),
    ("null element", doc(images=[[None, 2], [3, 4]]), [], 1, ["images[0][0]", "null"]),
    ("NaN", '{"images": [[1, 2], [3, NaN]], "kernels": [[1]]}', [], 1, ["images[1][1]", "NaN", "finite"]),
    ("Infinity", '{"images": [[1]], "kernels": [[1, 2], [-Infinity, 4]]}', [], 1, ["kernels[1][0]", "-Infinity"]),
    ("1e999 overflows", '{"images": [[1, 2], [3, 1e999]], "kernels": [[1]]}', [], 1, ["images[1][1]", "too large"]),
    ("huge whole number", '{"images": [[1, 2], [3, 1%s]], "kernels": [[1]]}' % ("0" * 400), [], 1,
     ["images[1][1]", "too large"]),
    ("NaN in bias", '{"images": [[1]], "kernels": [[1]], "bias": [NaN]}', [], 1, ["bias[0]", "NaN"]),
    ("NaN in grad_output", '{"images": [[1]], "kernels": [[1]], "grad_output": [[NaN]]}', [], 1, ["grad_output[0][0]"]),
    ("empty images", doc(images=[]), [], 1, ["images", "empty"]),
    ("empty row", doc(images=[[]]), [], 1, ["images[0]", "empty", "at least one number"]),
    ("images is a number", doc(images=3), [], 1, ["images", "nested list"]),
    ("images is a string", doc(images="[[1]]"), [], 1, ["images", "string"]),
    ("images rank 1", doc(images=[1, 2, 3]), [], 1, ["images", "rank 1", "brackets"]),
    ("images rank 5", doc(images=[[[[[1]]]]]), [], 1, ["images", "rank 5", "remove 1 level"]),
    ("kernels rank 1", doc(kernels=[1, 2]), [], 1, ["kernels", "rank 1"]),
    ("bias rank 2", doc(bias=[[1]]), [], 1, ["bias", "rank 2", "1 number"]),
    ("bias a number", doc(bias=3), [], 1, ["bias", "list of 1 number"]),
    ("bias too long", doc(bias=[1, 2]), [], 1, ["bias has 2 numbers", "1 kernel", "one bias per kernel"]),
    ("grad_output wrong shape", doc(grad_output=[[1]]), [], 1, ["grad_output", "(1, 1, 1, 1)", "(1, 1, 2, 2)"]),
    ("grad_output rank 1", doc(grad_output=[1, 2, 3, 4]), [], 1, ["grad_output", "(4,)", "shaped like the output"]),
    # --- geometry
    ("channel mismatch", {"images": RGB, "kernels": [[[1]], [[1]]]}, [], 1,
     ["kernels expect 2 channels, images have 3", "(1, 3, 4, 4)", "(1, 2, 1, 1)"]),
    ("channels-last data", {"images": [[[1, 2, 3]] * 4] * 4, "kernels": [[[[1, 1, 1]] * 2] * 2]}, [], 1,
     ["kernels expect", "layout NHWC"]),
    ("kernel larger than the image", doc(kernels=[[1] * 4] * 4), [], 1,
     ["H' = floor((3 + 0 + 0 - 1*(4-1) - 1) / 1) + 1 = 0", "must be >= 1", "padding"]),
    ("dilated kernel too wide", doc(dilation=[1, 3]), [], 1, ["W' = floor((3 + 0 + 0 - 3*(2-1) - 1) / 1) + 1 = 0"]),
    ("padding not enough", doc(kernels=[[1] * 6] * 6, padding=1), [], 1, ["H' = floor((3 + 1 + 1 - 1*(6-1) - 1)"]),
    ("stride 0", doc(stride=0), [], 1, ["stride", ">= 1", "got 0"]),
    ("stride -1", doc(stride=-1), [], 1, ["stride", ">= 1"]),
    ("stride pair with 0", doc(stride=[1, 0]), [], 1, ["stride[1]", ">= 1"]),
    ("stride three numbers", doc(stride=[1, 2, 3]), [], 1, ["stride", "pair"]),
    ("stride 1.5", doc(stride=1.5), [], 1, ["stride", "whole number"]),
    ("stride 2.0", doc(stride=2.0), [], 1, ["stride", "write 2"]),
    ("stride quoted", doc(stride="2"), [], 1, ["stride", "without quotes"]),
    ("dilation 0", doc(dilation=0), [], 1, ["dilation", ">= 1", "no gaps"]),
    ("negative padding", doc(padding=-1), [], 1, ["padding", ">= 0"]),
    ("negative padding side", doc(padding=[[1, -1], [0, 0]]), [], 1, ["padding[0][1]", ">= 0"]),
    ("padding three numbers", doc(padding=[1, 2, 3]), [], 1, ["padding", "2 entries"]),
    ("layout CHW", doc(layout="CHW"), [], 1, ["'NCHW'", "'NHWC'"]),
    ("flip as a string", doc(flip="true"), [], 1, ["flip", "true or false"]),
    ("title a number", doc(title=3), [], 1, ["title", "string"]),
    ("values overflow", doc(images=[[1e300, 1], [1, 1]], kernels=[[1e10]]), [], 1, ["too large", "float64"]),
    # --- command-line options (exit 2, named option)
    ("--stride -1", OK, ["--stride", "-1"], 2, ["--stride", ">= 1"]),
    ("--stride x", OK, ["--stride", "x"], 2, ["--stride", "whole number"]),
    ("--stride 1,2,3", OK, ["--stride", "1,2,3"], 2, ["--stride", "two"]),
    ("--dilation 0", OK, ["--dilation", "0"], 2, ["--dilation", ">= 1"]),
    ("--padding x", OK, ["--padding", "x"], 2, ["--padding", "whole number"]),
    ("--padding -1", OK, ["--padding", "-1"], 2, ["--padding", ">= 0"]),
    ("--padding 1,2,3", OK, ["--padding", "1,2,3"], 2, ["--padding", "top,bottom,left,right"]),
    ("--mode vaild", OK, ["--mode", "vaild"], 2, ["valid", "same", "full"]),
    ("--mode and --padding", OK, ["--mode", "same", "--padding", "1"], 2, ["--mode", "--padding"]),
    ("--layout CHW", OK, ["--layout", "CHW"], 2, ["--layout", "NCHW", "NHWC"]),
    ("--max-elements 0", OK, ["--max-elements", "0"], 2, ["--max-elements"]),
    # --- the size cap: refused before memory is spent, with how to raise it
    ("padding of ten thousand", doc(padding=10**4), [], 1, ["padded images", "check the padding", "--max-elements"]),
    ("absurd padding", doc(padding=2**64), [], 1, ["padded images", "far more than any memory"]),
    ("inputs over the cap", OK, ["--max-elements", "5"], 1, ["images (3, 3)", "9 numbers", "--max-elements 9"]),
    ("output over the cap", {"images": OK["images"], "kernels": [[[[1]]]] * 4}, ["--max-elements", "20"], 1,
     ["the output (1 x 4 x 3 x 3)", "36 numbers", "--max-elements 36"]),
    ("file over the cap", "{big}", ["--max-elements", "1"], 1, ["MB", "--max-elements"]),
    # --- .npy / .npz inputs: the same checks
    ("npy missing", None, ["--images", "{tmp}/nope.npy", "--kernels", "{tmp}/w.npy"], 2, ["--images", "does not exist"]),
    ("npy only images", None, ["--images", "{tmp}/x.npy"], 2, ["no kernels", "--kernels"]),
    ("npy only kernels", None, ["--kernels", "{tmp}/w.npy"], 2, ["no images", "--images"]),
    ("npy name on an npy", None, ["--images", "{tmp}/x.npy:a", "--kernels", "{tmp}/w.npy"], 2, [".npz"]),
    ("npy holding objects", None, ["--images", "{tmp}/obj.npy", "--kernels", "{tmp}/w.npy"], 1,
     ["dtype object", "allow_pickle=False"]),
    ("npy booleans", None, ["--images", "{tmp}/bool.npy", "--kernels", "{tmp}/w.npy"], 1, ["images", "bool"]),
    ("npy NaN", None, ["--images", "{tmp}/nan.npy", "--kernels", "{tmp}/w.npy"], 1, ["images[0][1]", "NaN"]),
    ("npy strings", None, ["--images", "{tmp}/str.npy", "--kernels", "{tmp}/w.npy"], 1, ["images", "not numbers"]),
    ("npy complex", None, ["--images", "{tmp}/complex.npy", "--kernels", "{tmp}/w.npy"], 1, ["complex"]),
    ("npy empty", None, ["--images", "{tmp}/empty.npy", "--kernels", "{tmp}/w.npy"], 1, ["images", "empty", "(0, 3)"]),
    ("npy scalar", None, ["--images", "{tmp}/scalar.npy", "--kernels", "{tmp}/w.npy"], 1, ["single number"]),
    ("npy rank 1", None, ["--images", "{tmp}/vector.npy", "--kernels", "{tmp}/w.npy"], 1, ["images", "rank 1"]),
    ("npy truncated", None, ["--images", "{tmp}/trunc.npy", "--kernels", "{tmp}/w.npy"], 1, ["trunc.npy", "truncated"]),
    ("npy is JSON", None, ["--images", "{tmp}/fake.npy", "--kernels", "{tmp}/w.npy"], 1, ["not a .npy", "JSON"]),
    ("npy channel mismatch", None, ["--images", "{tmp}/x.npy", "--kernels", "{tmp}/w2.npy"], 1,
     ["kernels expect 2 channels, images have 3"]),
    ("npy over the cap", None, ["--images", "{tmp}/x.npy", "--kernels", "{tmp}/w.npy", "--max-elements", "100"], 1,
     ["images in", "(2, 3, 5, 5)", "150 numbers", "--max-elements 150"]),
    ("npz without images", None, ["--images", "{tmp}/other.npz"], 1, ["no array named 'images'", "a, b", ":a"]),
    ("npz unknown name", None, ["--images", "{tmp}/other.npz:zz", "--kernels", "{tmp}/other.npz:b"], 1,
     ["no array named 'zz'"]),
    ("npz typo kernel", None, ["--images", "{tmp}/typo.npz"], 1, ["'kernel'", "did you mean 'kernels'"]),
    ("npz damaged", None, ["--images", "{tmp}/broken.npz"], 1, ["broken.npz", "npz"]),
]


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    """Arrays and files the table refers to."""
    tmp = tmp_path_factory.mktemp("arrays")
    x = np.arange(2 * 3 * 5 * 5, dtype=np.float32).reshape(2, 3, 5, 5)
    w = np.ones((4, 3, 3, 3))
    np.save(tmp / "x.npy", x)
    np.save(tmp / "w.npy", w)
    np.save(tmp / "w2.npy", np.ones((4, 2, 3, 3)))
    np.save(tmp / "obj.npy", np.array([{"a": 1}], dtype=object), allow_pickle=True)
    np.save(tmp / "bool.npy", np.ones((3, 3), bool))
    np.save(tmp / "nan.npy", np.array([[1.0, np.nan]]))
    np.save(tmp / "str.npy", np.array([["a"]]))
    np.save(tmp / "complex.npy", np.ones((3, 3), complex))
    np.save(tmp / "empty.npy", np.zeros((0, 3)))
    np.save(tmp / "scalar.npy", np.float64(3))
    np.save(tmp / "vector.npy", np.ones(5))
    (tmp / "trunc.npy").write_bytes((tmp / "x.npy").read_bytes()[:300])
    (tmp / "fake.npy").write_text(json.dumps(OK))
    np.savez(tmp / "other.npz", a=x, b=w)
    np.savez(tmp / "typo.npz", images=x, kernel=w)
    (tmp / "broken.npz").write_bytes(b"PK\x03\x04" + b"\0" * 50)
    (tmp / "big.json").write_text(json.dumps(doc(title="x" * 1_100_000)))
    return tmp


def outcome(args, stdin, files):
    """Run `convtrace run [FILE|-] --json ...` in-process -> (exit code, stdout, stderr)."""
    args = [a.replace("{tmp}", str(files)) for a in args]
    if isinstance(stdin, str) and stdin in ("{npy}", "{big}"):
        args = [str(files / ("x.npy" if stdin == "{npy}" else "big.json"))] + args
        stdin = None
    elif isinstance(stdin, dict):
        stdin = json.dumps(stdin)
    if stdin is not None:
        args = ["-"] + args
    result = runner().invoke(cli, ["run", *args, "--json"], input=stdin, env={"CONVTRACE_DEBUG": "1"})
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise result.exception  # an unexpected exception: show its traceback
    return result.exit_code, result.stdout, result.stderr


def check_clean(code, out, err, expected_code, words):
    assert code == expected_code, f"exit {code}, expected {expected_code}; stderr: {err}"
    assert out == "", "an error must print nothing on stdout"
    assert "Traceback" not in err
    assert "Error:" in err
    lowered = err.lower()
    for word in words:
        assert word.lower() in lowered, f"{word!r} not in the message: {err}"
    if expected_code == 1:  # a data error is one message (JSON syntax errors add the line and a caret)
        assert err.startswith("Error: ")
        assert len(err.strip().splitlines()) <= 4


@pytest.mark.parametrize("case", CASES, ids=[case[0] for case in CASES])
def test_bad_input_ends_cleanly(case, files):
    _, stdin, args, expected_code, words = case
    code, out, err = outcome(args, stdin, files)
    check_clean(code, out, err, expected_code, words)


@pytest.mark.skipif(sys.platform == "win32" or (hasattr(os, "geteuid") and os.geteuid() == 0),
                    reason="file permissions do not stop this user")
def test_unreadable_file(tmp_path, files):
    path = tmp_path / "secret.json"
    path.write_text(json.dumps(OK))
    path.chmod(0)
    code, out, err = outcome([str(path)], None, files)
    check_clean(code, out, err, 2, ["cannot read", "secret.json"])


def test_stdin_over_the_cap(files):
    code, out, err = outcome(["--max-elements", "1"], json.dumps(doc(title="x" * 1_100_000)), files)
    check_clean(code, out, err, 1, ["standard input", "MB", "--max-elements"])


def test_the_cap_can_be_raised_by_environment(files):
    result = runner().invoke(cli, ["run", "-", "--json"], input=json.dumps(OK), env={"CONVTRACE_MAX_ELEMENTS": "5"})
    assert result.exit_code == 1 and "--max-elements 9" in result.stderr
    result = runner().invoke(cli, ["run", "-", "--json", "--max-elements", "16"], input=json.dumps(OK))
    assert result.exit_code == 0


# ----------------------------------------------------------------------------- accepted inputs


def run_json(args, stdin=None) -> dict:
    result = runner().invoke(cli, ["run", *args, "--json"], input=stdin, env={"CONVTRACE_DEBUG": "1"})
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout)


def correlate(x: np.ndarray, w: np.ndarray) -> np.ndarray:
    """Valid cross-correlation by a direct double loop: (N, C, H, W) x (K, C, kh, kw) -> (N, K, H', W')."""
    n, _, h, wd = x.shape
    k, _, kh, kw = w.shape
    out = np.zeros((n, k, h - kh + 1, wd - kw + 1))
    for i in range(out.shape[2]):
        for j in range(out.shape[3]):
            out[:, :, i, j] = np.einsum("ncuv,kcuv->nk", x[:, :, i:i + kh, j:j + kw], w)
    return out


def test_utf8_bom_is_accepted():
    text = "\ufeff" + json.dumps(OK)
    assert run_json(["-"], text.encode("utf-8"))["output"] == [[[[-4.0, -4.0], [-4.0, -4.0]]]]


def test_npy_inputs_match_the_json_document(files):
    x, w = np.load(files / "x.npy"), np.load(files / "w.npy")
    from_npy = run_json(["--images", str(files / "x.npy"), "--kernels", str(files / "w.npy")])
    from_json = run_json(["-"], json.dumps({"images": x.tolist(), "kernels": w.tolist()}))
    assert from_npy == from_json
    # float32 arrays from files are computed in float64, like JSON values
    assert np.array_equal(np.array(from_npy["output"]), correlate(x.astype(np.float64), w))


def test_npz_as_a_whole_document(tmp_path, files):
    x, w = np.load(files / "x.npy"), np.load(files / "w.npy")
    bias = np.array([1.0, 2.0, 3.0, 4.0])
    np.savez(tmp_path / "d.npz", images=x, kernels=w, bias=bias)
    result = run_json(["--images", str(tmp_path / "d.npz")])
    expected = correlate(x.astype(np.float64), w) + bias[None, :, None, None]
    assert np.array_equal(np.array(result["output"]), expected)
    # arrays picked by name, and a document's settings still apply
    named = run_json(["--images", f"{tmp_path / 'd.npz'}:images", "--kernels", f"{tmp_path / 'd.npz'}:kernels",
                      "--stride", "2"])
    assert named["output_shape"] == [2, 4, 2, 2]


def test_npy_replaces_the_documents_images(tmp_path):
    np.save(tmp_path / "ones.npy", np.ones((3, 3)))
    result = run_json(["-", "--images", str(tmp_path / "ones.npy")], json.dumps(OK))
    assert result["output"] == [[[[0.0, 0.0], [0.0, 0.0]]]]


def test_npy_channels_last(tmp_path, files):
    x, w = np.load(files / "x.npy"), np.load(files / "w.npy")
    np.save(tmp_path / "x.npy", x.transpose(0, 2, 3, 1))
    np.save(tmp_path / "w.npy", w.transpose(0, 2, 3, 1))
    result = run_json(["--images", str(tmp_path / "x.npy"), "--kernels", str(tmp_path / "w.npy"), "--layout", "nhwc"])
    expected = correlate(x.astype(np.float64), w).transpose(0, 2, 3, 1)
    assert np.array_equal(np.array(result["output"]), expected)


def test_new_options_reach_every_command_with_problem_options():
    import importlib.util

    from convtrace.cli import COMMANDS

    for name in ("run", "grad", "compare"):
        if importlib.util.find_spec(COMMANDS[name].split(":")[0]) is None:
            continue
        command = cli.get_command(None, name)
        if "padding" not in {param.name for param in command.params}:
            continue  # a command that does not take the shared problem options
        help_text = runner().invoke(cli, [name, "--help"]).stdout
        for option in ("--images", "--kernels", "--bias", "--max-elements"):
            assert option in help_text, f"{name} --help lacks {option}"
        bad = runner().invoke(cli, [name, "-"], input=json.dumps(doc(strides=2)))
        assert bad.exit_code == 1 and "did you mean 'stride'" in bad.stderr and "Traceback" not in bad.stderr


# ----------------------------------------------------------------------------- the group's last resorts


@pytest.mark.parametrize("raised, code, words", [
    (KeyboardInterrupt(), 130, ["Interrupted."]),
    (BrokenPipeError(), 0, []),
    (MemoryError(), 1, ["memory", "--max-elements"]),
    (RuntimeError("boom"), 70, ["internal error", "RuntimeError: boom", "report", "CONVTRACE_DEBUG=1"]),
])
def test_unexpected_events_end_cleanly(monkeypatch, raised, code, words):
    from convtrace.source import loader

    def fail(self):
        raise raised

    monkeypatch.setattr(loader.Request, "load", fail)
    result = runner().invoke(cli, ["run", "--json"])
    assert result.exit_code == code
    assert "Traceback" not in result.stderr and result.stdout == ""
    for word in words:
        assert word in result.stderr
    if code == 0:
        assert result.stderr == ""


def test_debug_lets_the_traceback_through(monkeypatch):
    from convtrace.source import loader

    def fail(self):
        raise RuntimeError("boom")

    monkeypatch.setattr(loader.Request, "load", fail)
    result = runner().invoke(cli, ["run", "--json"], env={"CONVTRACE_DEBUG": "1"})
    assert isinstance(result.exception, RuntimeError)


# ----------------------------------------------------------------------------- the library


def test_library_raises_typed_errors(tmp_path):
    import convtrace
    from convtrace.source.problem import build_problem, problem_from_document

    with pytest.raises(UsageError, match="does not exist"):
        convtrace.load(tmp_path / "nope.json")
    with pytest.raises(DataError, match=r"kernels\[0\]\[1\]"):
        problem_from_document({"images": [[1]], "kernels": [[1, False]]})
    with pytest.raises(DataError, match="rank 4"):
        build_problem(np.ones((3, 3)), np.ones((1, 1, 1, 1)))
    with pytest.raises(DataError, match=r"images\[0\]\[0\]\[1\]\[0\]"):
        build_problem(np.array([[[[1.0], [np.inf]]]]), np.ones((1, 1, 1, 1)))
    with pytest.raises(DataError, match="bias has 2 numbers"):
        build_problem(np.ones((1, 1, 3, 3)), np.ones((1, 1, 1, 1)), bias=[1.0, 2.0])
    with pytest.raises(DataError, match="max_elements=9"):
        problem_from_document(OK, max_elements=8)
    assert issubclass(DataError, ConvtraceError) and DataError.exit_code == 1 and UsageError.exit_code == 2
    # no limit at all when asked for
    assert problem_from_document(doc(padding=300), max_elements=None).output_shape == (1, 1, 602, 602)


def test_a_224_image_parses_and_validates_quickly():
    """A (1, 3, 224, 224) image document (150,528 numbers) must not make a learner wait."""
    from convtrace.source.jsontext import parse_json
    from convtrace.source.problem import problem_from_document

    rng = np.random.default_rng(0)
    text = json.dumps({"images": rng.standard_normal((1, 3, 224, 224)).round(4).tolist(),
                       "kernels": rng.standard_normal((8, 3, 3, 3)).tolist(), "mode": "same"})
    start = time.perf_counter()
    problem = problem_from_document(parse_json(text))
    elapsed = time.perf_counter() - start
    assert problem.output_shape == (1, 8, 224, 224)
    assert elapsed < 2.0, f"{elapsed:.2f} s"  # about 0.1 s on a slow laptop; generous for shared CI

