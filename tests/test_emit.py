"""`convtrace emit`: the emitted scripts, run as a person runs them, against PyTorch and the vectorized engine.

Every NumPy script is run with `python` in a subprocess; its one printed line
is compared with the torch-computed golden output (tests/golden/forward.json)
and with convtrace's vectorized engine. The torch scripts run when an
interpreter with torch is at hand: this one, or the one named by
CONVTRACE_TORCH_PYTHON (e.g. CONVTRACE_TORCH_PYTHON=/tmp/torchenv/bin/python);
otherwise those tests are skipped.
"""

from __future__ import annotations

import importlib.util
import json
import os
import runpy
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from convtrace.check import run_check
from convtrace.engine.fast import problem_output
from convtrace.source.problem import problem_from_document
from convtrace.teach.emit import emit_script

from conftest import golden_cases, tolerance

CASES = golden_cases("forward")
IDS = [case["name"] for case in CASES]


def run_script(text: str, tmp_path: Path, python: str = sys.executable) -> str:
    """Write `text` to a file, run it with `python`, return its stdout (and fail on any stderr)."""
    path = tmp_path / "script.py"
    path.write_text(text)
    done = subprocess.run([python, str(path)], capture_output=True, text=True, timeout=120, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert done.stderr == "", done.stderr
    return done.stdout


def one_json_line(stdout: str):
    """The script's single line of output, parsed (and checked to be exactly one line)."""
    lines = stdout.splitlines()
    assert len(lines) == 1 and stdout.endswith("\n"), stdout[:200]
    return json.loads(lines[0])


def engine_output(problem) -> np.ndarray:
    """convtrace's vectorized result in the document's layout: the independent reference."""
    return problem.to_layout(problem_output(problem))


def torch_python() -> str:
    """An interpreter that can import torch, or skip."""
    if importlib.util.find_spec("torch") is not None:
        return sys.executable
    named = os.environ.get("CONVTRACE_TORCH_PYTHON")
    if named and subprocess.run([named, "-c", "import torch"], capture_output=True).returncode == 0:
        return named
    pytest.skip("torch is not installed (pip install torch, or set CONVTRACE_TORCH_PYTHON)")


# ----------------------------------------------------------------------------- the golden documents


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_numpy_script_prints_the_torch_output(case, tmp_path):
    problem = problem_from_document(case["doc"])
    got = np.asarray(one_json_line(run_script(emit_script(problem, "numpy"), tmp_path)))
    atol = tolerance(problem.images, problem.kernels)
    assert list(got.shape) == case["expected"]["output_shape"]
    np.testing.assert_allclose(got, np.asarray(case["expected"]["output"]), rtol=0, atol=atol)
    np.testing.assert_allclose(got, engine_output(problem), rtol=0, atol=atol)


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_torch_script_prints_the_torch_output(case, tmp_path):
    python = torch_python()
    problem = problem_from_document(case["doc"])
    got = np.asarray(one_json_line(run_script(emit_script(problem, "torch"), tmp_path, python)))
    assert list(got.shape) == case["expected"]["output_shape"]
    atol = tolerance(problem.images, problem.kernels)
    np.testing.assert_allclose(got, np.asarray(case["expected"]["output"]), rtol=0, atol=atol)
    np.testing.assert_allclose(got, engine_output(problem), rtol=0, atol=atol)


# ----------------------------------------------------------------------------- numbers that must round-trip

AWKWARD = [0.1, 1 / 3, -0.0, 5e-324, 1e-300, 2.0**52 + 1, -7.25, 123456.789, 1e150, np.nextafter(1.0, 2.0)]


def awkward_document(layout: str = "NCHW") -> dict:
    """Values whose text is easy to get wrong (denormals, -0.0, long mantissas), on two channels."""
    rng = np.random.default_rng(7)
    images = rng.choice(AWKWARD, size=(2, 2, 4, 5))
    kernels = rng.choice([0.5, -1 / 7, 1e-150, 3.0, -0.0], size=(3, 2, 2, 3))
    if layout == "NHWC":
        images, kernels = images.transpose(0, 2, 3, 1), kernels.transpose(0, 2, 3, 1)
    return {"images": images.tolist(), "kernels": kernels.tolist(), "bias": [0.1, -1 / 3, 2.5e-8],
            "layout": layout, "padding": [[1, 0], [2, 1]], "stride": [1, 2]}


@pytest.mark.parametrize("to", ["numpy", "torch"])
@pytest.mark.parametrize("layout", ["NCHW", "NHWC"])
def test_the_scripts_tensors_are_the_documents_bit_for_bit(to, layout, tmp_path):
    problem = problem_from_document(awkward_document(layout))
    path = tmp_path / "script.py"
    path.write_text(emit_script(problem, to))
    if to == "torch":  # read the literals without torch: swap the constructor for numpy's
        path.write_text(path.read_text().replace("import torch\n", "import numpy as torch\n")
                        .replace("import torch.nn.functional as F\n", "").replace("torch.tensor(", "torch.array(")
                        .split("\n# PyTorch computes")[0].split("\n# conv2d's padding=")[0])
    names = runpy.run_path(str(path), run_name="not_main")
    for name, want in (("images", problem.to_layout(problem.images)),
                       ("kernels", problem.to_layout(problem.kernels)), ("bias", problem.bias)):
        got = np.asarray(names[name], dtype=np.float64)
        assert got.shape == want.shape
        assert got.tobytes() == np.ascontiguousarray(want).tobytes(), name  # -0.0 and denormals included


@pytest.mark.parametrize("layout", ["NCHW", "NHWC"])
def test_awkward_numbers_give_the_engines_output(layout, tmp_path):
    problem = problem_from_document(awkward_document(layout))
    got = np.asarray(one_json_line(run_script(emit_script(problem, "numpy"), tmp_path)))
    np.testing.assert_allclose(got, engine_output(problem), rtol=1e-12, atol=tolerance(problem.images, problem.kernels))


# ----------------------------------------------------------------------------- the loop is a conv2d `check` accepts


def test_the_emitted_loop_passes_convtrace_check(tmp_path):
    path = tmp_path / "conv.py"
    path.write_text(emit_script(problem_from_document(CASES[0]["doc"]), "numpy"))
    report = run_check(f"{path}:conv2d")
    statuses = {case.name: case.status for case in report.cases}
    assert set(statuses.values()) == {"pass"}, statuses  # stride, padding, 'full', bias and flip included


def test_the_vectorized_line_passes_convtrace_check_too(tmp_path):
    path = tmp_path / "conv.py"
    path.write_text(emit_script(problem_from_document(CASES[0]["doc"]), "numpy"))
    report = run_check(f"{path}:conv2d_vectorized")
    assert {case.status for case in report.cases} == {"pass"}
