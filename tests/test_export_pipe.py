"""An --export is finished whatever happens to stdout: piped into `head -n 1`, or into a pipe nobody reads.

Every case runs the real command in its own process. The file written with
the reader gone is compared with the one the same command writes when its
stdout is /dev/null, and a page's step records are counted against the
engine's own trace of the same document (not against numbers from the page code).
"""

from __future__ import annotations

import json
import os
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from pagedata import page_data, records

pytestmark = [
    pytest.mark.skipif(sys.platform == "win32", reason="POSIX pipes"),
    pytest.mark.skipif(shutil.which("head") is None or not os.path.exists("/bin/sh"), reason="needs sh and head"),
]

CONVTRACE = [sys.executable, "-m", "convtrace"]
TIMEOUT = 120


def _document(images_shape, kernels_shape, **extra) -> dict:
    rng = np.random.default_rng(7)
    return {"images": rng.integers(-3, 4, images_shape).tolist(),
            "kernels": rng.integers(-2, 3, kernels_shape).tolist(), **extra}


# 72 window positions of two channels: well over 64 KiB of frames, more than a pipe holds,
# so the command is still printing when `head` goes away
CONV = _document((1, 2, 8, 8), (2, 2, 3, 3), bias=[1, -1])
GROUPED = _document((1, 4, 8, 8), (4, 2, 3, 3), groups=2)
LESSON = Path(__file__).resolve().parent.parent / "lessons" / "01-one-channel" / "input.json"


@pytest.fixture(scope="module")
def documents(tmp_path_factory) -> dict[str, str]:
    folder = tmp_path_factory.mktemp("pipe-docs")
    paths = {}
    for name, doc in (("conv", CONV), ("grouped", GROUPED)):
        paths[name] = str(folder / f"{name}.json")
        Path(paths[name]).write_text(json.dumps(doc))
    return paths


# (name, the command's arguments with {doc} and {out}, the export's name inside the run's folder)
CASES = {
    "run-page": (["run", "{conv}", "--export", "{out}"], "page.html"),
    "run-layer-page": (["run", "{grouped}", "--export", "{out}"], "page.html"),
    "run-text": (["run", "{conv}", "--export", "{out}"], "frames.txt"),
    "run-svg": (["run", "{conv}", "--limit", "6", "--export", "{out}"], "frame.svg"),
    "run-folder": (["run", "{conv}", "--limit", "6", "--export", "{out}"], "parts/"),
    "grad-page": (["grad", "{conv}", "--export", "{out}"], "grad.html"),
    "grad-text": (["grad", "{conv}", "--export", "{out}"], "grad.txt"),
    "lesson-page": (["lesson", "run", "1", "--export", "{out}"], "lesson.html"),
    "explain-page": (["explain", "--mode", "same", "--export", "{out}"], "explain.html"),
    "compare-svg": (["compare", "--export", "{out}"], "compare.svg"),
    "lesson-show-text": (["lesson", "show", "1", "--export", "{out}"], "lesson.txt"),
}
# the cases whose printing outlasts what a pipe holds: `head -n 1` is sure to leave before they end
LONG = ["run-page", "run-layer-page", "run-text", "run-folder", "grad-page", "grad-text"]


def _env() -> dict:
    env = dict(os.environ, NO_COLOR="1", COLUMNS="80")
    env.pop("CONVTRACE_DEBUG", None)
    return env


def _arguments(case: str, documents: dict, folder: Path) -> tuple[list[str], Path]:
    template, name = CASES[case]
    folder.mkdir(exist_ok=True)
    out = folder / name
    return [part.format(out=str(out) + ("/" if name.endswith("/") else ""), **documents) for part in template], out


def _written(out: Path) -> dict[str, bytes]:
    """Every file the export wrote (several SVGs for FILE.svg and a folder), by name."""
    if out.is_dir():
        return {path.name: path.read_bytes() for path in sorted(out.iterdir())}
    return {path.name: path.read_bytes() for path in sorted(out.parent.glob(out.stem + "*" + out.suffix))}


def _without_pipe(case: str, documents: dict, folder: Path) -> dict[str, bytes]:
    arguments, out = _arguments(case, documents, folder)
    done = subprocess.run(CONVTRACE + arguments, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                          env=_env(), timeout=TIMEOUT)
    assert done.returncode == 0, done.stderr.decode()
    return _written(out)


def _through_head(case: str, documents: dict, folder: Path) -> tuple[int, str, str, Path]:
    """`convtrace ARGS | head -n 1` through /bin/sh: (the command's exit code, head's output, stderr, export)."""
    arguments, out = _arguments(case, documents, folder)
    status = folder / "status"
    command = f"({shlex.join(CONVTRACE + arguments)}; echo $? > {shlex.quote(str(status))}) | head -n 1"
    done = subprocess.run(["/bin/sh", "-c", command], capture_output=True, env=_env(), timeout=TIMEOUT)
    return int(status.read_text()), done.stdout.decode(), done.stderr.decode(), out


def _into_closed_pipe(case: str, documents: dict, folder: Path) -> tuple[int, str, Path]:
    """The command's stdout is a pipe whose reader has already gone: its very first write fails."""
    arguments, out = _arguments(case, documents, folder)
    reader, writer = os.pipe()
    os.close(reader)
    try:
        done = subprocess.run(CONVTRACE + arguments, stdout=writer, stderr=subprocess.PIPE, env=_env(),
                              timeout=TIMEOUT)
    finally:
        os.close(writer)
    return done.returncode, done.stderr.decode(), out


def _assert_quiet(code: int, stderr: str) -> None:
    assert code == 0, stderr
    assert "Traceback" not in stderr and "Broken pipe" not in stderr and "Error" not in stderr, stderr


@pytest.mark.parametrize("case", LONG)
def test_head_closing_the_pipe_leaves_the_export_whole(case, documents, tmp_path):
    expected = _without_pipe(case, documents, tmp_path / "reference")
    code, shown, stderr, out = _through_head(case, documents, tmp_path / "piped")
    _assert_quiet(code, stderr)
    assert len(shown.splitlines()) == 1
    assert _written(out) == expected


@pytest.mark.parametrize("case", sorted(CASES))
def test_a_reader_gone_before_the_first_line_leaves_the_export_whole(case, documents, tmp_path):
    expected = _without_pipe(case, documents, tmp_path / "reference")
    code, stderr, out = _into_closed_pipe(case, documents, tmp_path / "piped")
    _assert_quiet(code, stderr)
    assert _written(out) == expected


def _engine_steps(case: str, documents: dict) -> int:
    """How many window positions the engine's own trace visits for the case's input."""
    import convtrace

    if case == "run-layer-page":
        return sum(1 for _ in convtrace.trace_layer(convtrace.load(documents["grouped"])))
    path = str(LESSON) if case == "lesson-page" else documents["conv"]
    return sum(1 for _ in convtrace.trace(convtrace.load(path)))


@pytest.mark.parametrize("case", ["run-page", "run-layer-page", "lesson-page"])
def test_a_page_written_through_head_holds_every_step(case, documents, tmp_path):
    code, _, stderr, out = _through_head(case, documents, tmp_path)
    _assert_quiet(code, stderr)
    text = out.read_text(encoding="utf-8")
    assert text.rstrip().endswith("</html>")
    data = page_data(out)
    assert len(data["steps"]) == data["total"] == _engine_steps(case, documents)
    if "fields" in data:  # 2-D convolution's page: each record a row of named fields
        assert [record["step"] for record in records(data)] == list(range(data["total"]))


def test_a_page_written_with_the_pipe_closed_is_the_page_written_without_one(documents, tmp_path):
    arguments, plain = _arguments("run-page", documents, tmp_path / "plain")
    subprocess.run(CONVTRACE + arguments, stdout=subprocess.DEVNULL, env=_env(), timeout=TIMEOUT, check=True)
    code, _, stderr, piped = _through_head("run-page", documents, tmp_path / "piped")
    _assert_quiet(code, stderr)
    assert piped.read_bytes() == plain.read_bytes()
