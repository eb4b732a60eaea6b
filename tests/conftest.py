"""Shared test helpers: the CLI runner and the float tolerance that scales with the sums."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

GOLDEN = Path(__file__).parent / "golden"


def tolerance(images: np.ndarray, kernels: np.ndarray) -> float:
    """Absolute tolerance for a convolution's outputs: scales with sum |x| * sum |w| (so the rounding bound grows with the sums)."""
    return 1e-12 * (1.0 + np.abs(images).sum() * np.abs(kernels).sum())


def golden_cases(name: str) -> list[dict]:
    """The committed torch cases of tests/golden/<name>.json."""
    return json.loads((GOLDEN / f"{name}.json").read_text())["cases"]


@pytest.fixture
def invoke():
    """Run the convtrace CLI in-process: invoke(["run", "--json"], input=None) -> click Result."""
    from convtrace.cli import cli

    runner = CliRunner()

    def run(args, input=None, env=None):
        return runner.invoke(cli, args, input=input, env=env, catch_exceptions=False)

    return run
