"""The adversarial round: each case once ended in a traceback, a hang, a leak or raw escape codes.

Every case runs the installed command in a real process (closed descriptors, encodings and
full devices only exist there) and checks what a person sees: one short message, the exit code.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import zipfile

import numpy as np
import pytest

CONVTRACE = [sys.executable, "-m", "convtrace"]
DOC = {"images": [[[[1, 2, 0], [0, 1, 3], [2, 2, 1]]]], "kernels": [[[[1, 0], [0, -1]]]]}


def run(args, *, stdin=None, env=None, timeout=60, **popen):
    """(exit code, stdout, stderr) of `convtrace ARGS` in its own process."""
    full_env = {**os.environ, "NO_COLOR": "1", "COLUMNS": "80", **(env or {})}
    done = subprocess.run(CONVTRACE + list(args), input=stdin, capture_output=True, env=full_env,
                          timeout=timeout, **popen)
    return done.returncode, done.stdout.decode("utf-8", "replace"), done.stderr.decode("utf-8", "replace")


def assert_clean_error(code, out, err, expected_code, *words):
    assert code == expected_code, err
    assert "Traceback" not in err and "internal error" not in err, err
    assert out == ""
    assert err.startswith("Error:") and len(err.splitlines()) <= 3, err
    for word in words:
        assert word in err, err


@pytest.fixture
def doc_file(tmp_path):
    path = tmp_path / "doc.json"
    path.write_text(json.dumps(DOC))
    return path


# ---------------------------------------------------------------- closed and full outputs

@pytest.mark.parametrize("args", [["--version"], ["run", "--json"], ["run", "--limit", "2"]])
def test_closed_stdout_is_a_message_not_a_traceback(args):
    done = subprocess.run(CONVTRACE + args, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, timeout=60,
                          preexec_fn=lambda: os.close(1))
    err = done.stderr.decode()
    assert done.returncode == 1 and "Traceback" not in err
    assert "standard output is closed" in err


def test_help_into_a_closed_pipe_ends_quietly():
    shell = f"{sys.executable} -m convtrace --help | true; echo ${{PIPESTATUS[0]}}"
    done = subprocess.run(["bash", "-c", shell], capture_output=True, timeout=60)
    assert done.stdout.decode().strip() == "0"
    assert b"Traceback" not in done.stderr


@pytest.mark.skipif(not os.path.exists("/dev/full"), reason="needs /dev/full")
@pytest.mark.parametrize("args", [["run", "--json"], ["run"]])
def test_a_full_disk_is_named(args):
    with open("/dev/full", "wb") as full:
        done = subprocess.run(CONVTRACE + args, stdout=full, stderr=subprocess.PIPE, timeout=60)
    err = done.stderr.decode()
    assert done.returncode == 1, err
    assert "no space left on the device" in err and "bug" not in err


@pytest.mark.parametrize("env", [{"PYTHONIOENCODING": "ascii"}, {"PYTHONIOENCODING": "latin-1"},
                                 {"LC_ALL": "C", "LANG": "C", "PYTHONCOERCECLOCALE": "0", "PYTHONUTF8": "0"}])
@pytest.mark.parametrize("args", [["run", "--limit", "3"], ["run", "--method", "im2col"], ["grad"]])
def test_non_utf8_outputs_draw_in_ascii(env, args):
    code, out, err = run(args, env={**env, "PYTHONIOENCODING": env.get("PYTHONIOENCODING", "")})
    assert code == 0, err
    assert "Traceback" not in err and "UnicodeEncodeError" not in err
    if env.get("PYTHONIOENCODING") != "latin-1":  # latin-1 has its own ·, ×; the others are ASCII
        assert out.isascii()
    assert "out[" in out or "grad" in out.lower()


# ---------------------------------------------------------------- strange documents

def test_stdin_that_never_ends_is_named_as_a_stream():
    code, out, err = run(["run", "-"], stdin=b"{" + b" " * 120_000_000)
    assert_clean_error(code, out, err, 1, "standard input goes on past")
    assert "--max-elements" in err


def test_a_file_of_nul_bytes():
    code, out, err = run(["run", "-"], stdin=b"\x00" * 100)
    assert_clean_error(code, out, err, 1, "zero bytes")


@pytest.mark.parametrize("codec, name", [("utf-16-le", "UTF-16"), ("utf-32-le", "UTF-32"), ("utf-32", "UTF-32")])
def test_wide_encodings_are_named(codec, name):
    code, out, err = run(["run", "-"], stdin=json.dumps(DOC).encode(codec))
    assert_clean_error(code, out, err, 1, name, "UTF-8")


@pytest.mark.parametrize("unit", ["[[[[]]]]", "{}"])
def test_a_big_document_of_empty_lists_is_refused_before_it_is_built(tmp_path, unit):
    path = tmp_path / "empty.json"
    path.write_text('{"images": [' + ",".join([unit] * 1_000_000) + '], "kernels": [[1]]}')
    code, out, err = run(["run", str(path)], timeout=30)
    assert_clean_error(code, out, err, 1, "brackets", "numbers")
    assert "10,555,555" not in err


# ---------------------------------------------------------------- .npy and .npz files

def test_damaged_npz_member(tmp_path):
    path = tmp_path / "d.npz"
    np.savez_compressed(path, images=np.arange(1000.0).reshape(1, 1, 25, 40), kernels=np.ones((1, 1, 2, 2)))
    data = bytearray(path.read_bytes())
    where = data.find(b"images.npy") + 200
    data[where:where + 40] = b"\x00" * 40
    path.write_bytes(bytes(data))
    code, out, err = run(["run", "--images", str(path)])
    assert_clean_error(code, out, err, 1, "damaged")


def test_npz_with_thousands_of_members_names_a_few(tmp_path):
    path = tmp_path / "many.npz"
    np.savez(path, **{f"a{i}": np.zeros(1) for i in range(3000)})
    code, out, err = run(["run", "--images", str(path)])
    assert_clean_error(code, out, err, 1, "2,995 more")
    assert len(err) < 400


def test_empty_npz_is_an_archive_with_no_arrays(tmp_path):
    path = tmp_path / "empty.npz"
    np.savez(path)
    assert zipfile.is_zipfile(path)
    code, out, err = run(["run", "--images", str(path)])
    assert_clean_error(code, out, err, 1, "holds no arrays")


def test_npy_version_3_is_read(tmp_path):
    x, w = tmp_path / "x.npy", tmp_path / "w.npy"
    with open(x, "wb") as handle:
        np.lib.format.write_array(handle, np.array(DOC["images"], float), version=(3, 0))
    np.save(w, np.array(DOC["kernels"], float))
    code, out, err = run(["run", "--images", str(x), "--kernels", str(w), "--json"])
    assert code == 0, err
    want = [[[[1 * 1 - 1 * 1, 2 * 1 - 3 * 1], [0 - 2, 1 - 1]]]]  # hand-worked: x[i,j] - x[i+1,j+1]
    assert json.loads(out)["output"] == want


def test_hostile_npy_header_is_not_echoed(tmp_path):
    path = tmp_path / "h.npy"
    header = b"{'descr': '<f8', 'fortran_order': False, 'shape': foo(1), }"
    header += b" " * (118 - len(header)) + b"\n"
    path.write_bytes(b"\x93NUMPY\x01\x00" + len(header).to_bytes(2, "little") + header)
    code, out, err = run(["run", "--images", str(path), "--kernels", str(path)])
    assert_clean_error(code, out, err, 1, "header")
    assert "ast." not in err and "0x" not in err


def test_longdouble_overflow_is_a_message_without_warnings(tmp_path):
    x = tmp_path / "x.npy"
    np.save(x, np.array([[np.longdouble("1e4000")]]))
    code, out, err = run(["run", "--images", str(x), "--kernels", str(x), "--json"])
    assert_clean_error(code, out, err, 1, "Infinity")
    assert "Warning" not in err


# ---------------------------------------------------------------- unbounded work

HUGE_DILATION = {"images": [[1]], "kernels": [[1, 1], [1, 1]], "padding": 500, "dilation": 1000}


def test_grad_with_a_huge_dilation_and_limit_is_quick(tmp_path):
    path = tmp_path / "g.json"
    path.write_text(json.dumps(HUGE_DILATION))
    code, out, err = run(["grad", str(path), "--limit", "1", "--format", "plain"], timeout=30)
    assert code == 0, err
    assert "more images cell(s) not shown" in out


def test_grad_walk_that_would_take_hours_is_refused(tmp_path):
    path = tmp_path / "g.json"
    path.write_text(json.dumps(HUGE_DILATION))
    code, out, err = run(["grad", str(path), "--format", "jsonl"], timeout=30)
    assert_clean_error(code, out, err, 1, "--limit", "--json")


def test_a_limited_walk_keeps_whole_results():
    """The results after a limited walk equal those of the full walk (which computes them cell by cell)."""
    from convtrace.engine.grad_trace import trace_gradients
    from convtrace.source.problem import build_problem

    rng = np.random.default_rng(3)
    problem = build_problem(rng.integers(-3, 4, (2, 2, 6, 5)), rng.integers(-2, 3, (3, 2, 3, 2)),
                            bias=[1.0, -1.0, 0.5], stride=(2, 1), dilation=(1, 2), padding=1, flip=True)
    whole = [e for e in trace_gradients(problem) if e.event == "result"]
    limited = list(trace_gradients(problem, limit=2))
    assert sum(e.event == "cell" for e in limited) == 2 + 2 + 2
    for a, b in zip(whole, [e for e in limited if e.event == "result"]):
        for name in ("full", "padded", "grad_images", "applied", "grad_kernels", "grad_bias"):
            if hasattr(a, name):
                np.testing.assert_allclose(getattr(b, name), getattr(a, name), atol=1e-9)


# ---------------------------------------------------------------- options and lessons

@pytest.mark.parametrize("args", [["run", "--delay", "nan"], ["run", "--delay", "inf"], ["run", "--delay", "1e308"],
                                  ["bench", "--budget", "nan"], ["bench", "--budget", "-inf"]])
def test_non_finite_and_absurd_seconds_are_usage_errors(args):
    code, out, err = run(args)
    assert code == 2, err
    assert "Traceback" not in err and out == ""
    assert "seconds" in err


def test_json_and_jsonl_together_is_a_usage_error():
    code, out, err = run(["run", "--json", "--format", "jsonl"])
    assert code == 2 and out == "" and "choose one" in err


@pytest.mark.parametrize("args", [["run", "-"], ["run", "--step"], ["run", "--delay", "0"], ["lesson", "run", "1"]])
def test_closed_stdin_never_crashes(args):
    done = subprocess.run(CONVTRACE + args, stdin=subprocess.DEVNULL, capture_output=True, timeout=60,
                          preexec_fn=lambda: os.close(0))
    err = done.stderr.decode()
    assert "Traceback" not in err and "internal error" not in err, err
    assert done.returncode in (0, 1), err


def test_bench_json_has_no_infinity(tmp_path):
    path = tmp_path / "big.json"
    big = {"images": [[[[1e20, 2e20, 3e20], [1e20, 1e20, 1e20], [3e20, 1e20, 2e20]]]],
           "kernels": [[[[1e20, 1e20], [1e20, 1e20]]]]}
    path.write_text(json.dumps(big))
    code, out, err = run(["bench", str(path), "--json", "--dtype", "float32", "--no-torch", "--repeat", "1"])
    assert code == 0, err
    assert "Infinity" not in out and "NaN" not in out
    json.loads(out)  # strict JSON
    assert "Warning" not in err and "site-packages" not in err


def test_title_escape_codes_are_shown_not_obeyed(tmp_path):
    path = tmp_path / "evil.json"
    path.write_text(json.dumps({**DOC, "title": "\u001b[2J\u001b[31mEVIL\u0007"}))
    for args in (["run", str(path), "--limit", "1"], ["run", str(path), "--format", "plain"], ["grad", str(path)]):
        code, out, err = run(args)
        assert code == 0, err
        assert "\x1b" not in out and "\x07" not in out
    code, out, err = run(["run", str(path), "--limit", "1"])
    assert "\\x1b[2J" in out


def test_an_empty_lesson_folder_is_an_error(tmp_path):
    code, out, err = run(["lesson", "list", "--dir", str(tmp_path)])
    assert_clean_error(code, out, err, 1, "holds no lessons")


def _lesson(tmp_path, front: str, body: str = ""):
    folder = tmp_path / "01-x"
    folder.mkdir()
    (folder / "input.json").write_text(json.dumps(DOC))
    (folder / "lesson.md").write_text(f"---\n{front}\n---\n# X\n\n## Goal\nA goal.\n{body}\n")
    return tmp_path


def test_a_huge_trace_range_is_clipped_quickly(tmp_path):
    folder = _lesson(tmp_path, "trace: 0-99999999999999")
    code, out, err = run(["lesson", "run", "1", "--dir", str(folder)], timeout=30)
    assert code == 0, err
    assert "out[0,0,1,1]" in out  # the last of the 4 positions is traced


def test_an_unclosed_quote_in_a_console_block(tmp_path):
    folder = _lesson(tmp_path, "summary: s", "```console\n$ convtrace run 'input.json\n```\n")
    code, out, err = run(["lesson", "verify", "1", "--dir", str(folder)])
    assert code == 1, err
    assert "Traceback" not in err and "close its quotes" in (out + err)


# ---------------------------------------------------------------- the terminal after a signal

@pytest.mark.parametrize("signame", ["SIGTERM", "SIGHUP", "SIGINT"])
def test_signals_during_an_animation_restore_the_terminal(signame):
    import signal

    pexpect = pytest.importorskip("pexpect")
    child = pexpect.spawn(sys.executable, ["-m", "convtrace", "run", "--delay", "0.3"], dimensions=(24, 80),
                          env={**os.environ, "TERM": "xterm-256color"}, timeout=20)
    child.expect("out\\[")  # a frame is on the screen
    child.kill(getattr(signal, signame))
    child.expect(pexpect.EOF)
    child.close()
    shown = child.before.decode("utf-8", "replace") if isinstance(child.before, bytes) else child.before
    hide, show = shown.rfind("\x1b[?25l"), shown.rfind("\x1b[?25h")
    assert show > hide, "the cursor was left hidden"
    assert "Traceback" not in shown
    want = {"SIGTERM": 128 + 15, "SIGHUP": 128 + 1, "SIGINT": 130}[signame]
    assert child.exitstatus == want, (child.exitstatus, child.signalstatus)


# ---------------------------------------------------------------- start-up

@pytest.mark.parametrize("args", [["--help"], ["run", "--help"], ["grad", "--help"], ["check", "--help"]])
def test_help_starts_without_numpy_rich_or_pillow(args):
    """`--help` lists every command: none of them may import the heavy libraries at module level."""
    code = ("import sys, runpy; sys.argv = ['convtrace', *sys.argv[1:]]\n"
            "try:\n    runpy.run_module('convtrace', run_name='__main__')\n"
            "except SystemExit:\n    pass\n"
            "print('LOADED', sorted(m for m in ('numpy', 'rich', 'PIL') if m in sys.modules))")
    done = subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True, timeout=60)
    assert "LOADED []" in done.stdout, done.stdout[-300:]


# ---------------------------------------------------------------- every command on every layer

LAYER_DOCS = {
    "depthwise": {"images": [[[[1, 2, 0], [0, 1, 3], [2, 2, 1]], [[0, 1, 1], [2, 0, 1], [1, 1, 0]]]],
                  "kernels": [[[[1, 0], [0, -1]]], [[[2, 1], [1, 0]]]], "groups": 2},
    "transposed": {"images": [[[[1, 2], [3, 4]]]], "kernels": [[[[1, 0], [0, 1]]]], "transposed": True, "stride": 2},
    "maxpool": {"images": [[[[1, 5, 2, 0], [3, 1, 4, 2], [0, 2, 6, 1], [1, 3, 0, 2]]]], "pool": "max", "pool_size": 2},
    "conv1d": {"images": [[1, 2, 3, 4, 5]], "kernels": [[1, -1]], "dims": 1, "causal": True},
}


@pytest.mark.parametrize("layer", sorted(LAYER_DOCS))
@pytest.mark.parametrize("args", [["run", "--method", "winograd"],
                                  ["run", "--method", "fft"], ["run", "--method", "im2col"], ["explain"], ["compare"]])
def test_commands_that_cover_2d_convolution_only_say_so_for_other_layers(tmp_path, layer, args):
    path = tmp_path / f"{layer}.json"
    path.write_text(json.dumps(LAYER_DOCS[layer]))
    code, out, err = run([*args[:1], str(path), *args[1:]])
    assert code in (1, 2), err
    assert out == "" and err.startswith("Error:") and "internal error" not in err and "Traceback" not in err


@pytest.mark.parametrize("layer", sorted(LAYER_DOCS))
def test_bench_times_every_layer(tmp_path, layer):
    """bench covers every layer: its naive loop, the vectorized engine, and why the 2-D-only methods do not run."""
    path = tmp_path / f"{layer}.json"
    path.write_text(json.dumps(LAYER_DOCS[layer]))
    code, out, err = run(["bench", str(path), "--no-torch", "--repeat", "1", "--budget", "0.2"])
    assert code == 0 and err == "", err
    assert "Fastest: " in out and "FFT: not run, " in out and "Traceback" not in out
