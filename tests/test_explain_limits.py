"""`explain` stays small: a huge dilation or stride is refused in one line, quickly, without a traceback.

The commands run as a learner runs them (a subprocess) with a time limit and
an address-space limit, so a regression that builds a giant example fails here
instead of eating the machine.
"""

from __future__ import annotations

import json
import resource
import subprocess
import sys

import numpy as np
import pytest

from convtrace.errors import DataError
from convtrace.teach import explain as model

MEMORY = 1_500_000_000  # bytes of address space: numpy and Rich need a few hundred MB, the old failure 6 GB


def run_limited(*args: str) -> subprocess.CompletedProcess:
    def limit():
        resource.setrlimit(resource.RLIMIT_AS, (MEMORY, MEMORY))

    return subprocess.run([sys.executable, "-m", "convtrace", "explain", *args], capture_output=True, text=True,
                          timeout=60, preexec_fn=limit, env={"COLUMNS": "80", "NO_COLOR": "1", "PATH": ""})


@pytest.mark.parametrize("args", [
    ["--mode", "full", "--dilation", "10000"],
    ["--mode", "dilated", "--dilation", "1000000000"],
    ["--dilation", "10000"],  # the overview of every mode
    ["--mode", "same", "--dilation", "1,40", "--kernel-size", "3"],
])
def test_huge_dilation_is_a_usage_error_in_one_line(args):
    result = run_limited(*args)
    assert result.returncode == 2, result.stderr[-500:]
    assert result.stdout == ""
    error = [line for line in result.stderr.splitlines() if line.startswith("Error")]
    assert len(error) == 1 and "--dilation" in error[0] and "or less" in error[0]
    assert "Traceback" not in result.stderr


def test_largest_dilation_offered_is_accepted():
    # a 3-tap kernel: the message offers --dilation 31, whose span 31*(3-1)+1 = 63 fits the 64-cell cap
    result = run_limited("--mode", "full", "--dilation", "32")
    assert result.returncode == 2 and "use --dilation 31 or less" in result.stderr
    result = run_limited("--mode", "full", "--dilation", "31")
    assert result.returncode == 0, result.stderr[-500:]


def test_huge_stride_is_harmless():
    result = run_limited("--mode", "strided", "--stride", "1000000000")
    assert result.returncode == 0, result.stderr[-500:]
    assert "H' = floor((5 - 2 - 1) / 1000000000) + 1 = 1" in " ".join(result.stdout.split())


def test_document_dilation_is_capped_as_bad_data(tmp_path):
    path = tmp_path / "wide.json"
    path.write_text(json.dumps({"images": [[1, 2, 3], [4, 5, 6], [7, 8, 9]], "kernels": [[1, 0, 1]] * 3,
                                "dilation": 3000}))
    result = run_limited(str(path), "--mode", "full")
    assert result.returncode == 1, result.stderr[-500:]
    assert result.stdout == "" and "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_the_library_refuses_an_example_too_large_to_compute():
    example = model.ramp_example((3, 3), (3, 3))
    settings = model.settings_for("full", None, 2000)  # padded 3 + 2*4000 = 8003 per axis: 64 million cells
    with pytest.raises(DataError, match="the padded example"):
        model.explain(settings, example)
    assert np.all(model.explain(model.settings_for("full", None, 2), example).rows.axis.out == 3 + 4)
