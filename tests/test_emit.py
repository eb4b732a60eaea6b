"""`convtrace emit`: the emitted scripts, run as a person runs them, against PyTorch and the vectorized engine.

Every NumPy script is run with `python` in a subprocess of its own (several at
a time); its one printed line is compared with the torch-computed golden output
(tests/golden/forward.json for 2-D convolution, tests/golden/layers.json for
groups, 1-D, 3-D, causal, transposed and pooling) and with convtrace's
vectorized engine. The torch scripts run when an
interpreter with torch is at hand: this one, or the one named by
CONVTRACE_TORCH_PYTHON (e.g. CONVTRACE_TORCH_PYTHON=/tmp/torchenv/bin/python);
otherwise those tests are skipped.
"""

from __future__ import annotations

import importlib.util
import json
import os
import re
import runpy
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from convtrace.check import run_check
from convtrace.engine.dispatch import layer_output
from convtrace.source.problem import problem_from_document
from convtrace.teach.emit import emit_script

from conftest import golden_cases, tolerance

CASES = golden_cases("forward")
IDS = [case["name"] for case in CASES]
LAYER_CASES = golden_cases("layers")
ALL = {f"{kind}/{case['name']}": case for kind, cases in (("forward", CASES), ("layers", LAYER_CASES))
       for case in cases}


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
    assert not stdout.startswith("FAILED"), stdout
    lines = stdout.splitlines()
    assert len(lines) == 1 and stdout.endswith("\n"), stdout[:200]
    return json.loads(lines[0])


def engine_output(problem) -> np.ndarray:
    """convtrace's vectorized result in the document's layout: the independent reference."""
    return problem.to_layout(layer_output(problem))


def atol_for(problem) -> float:
    kernels = problem.kernels if problem.kernels is not None else np.ones(1)
    return tolerance(problem.images, kernels)


def torch_python() -> str:
    """An interpreter that can import torch, or skip."""
    if importlib.util.find_spec("torch") is not None:
        return sys.executable
    named = os.environ.get("CONVTRACE_TORCH_PYTHON")
    if named and subprocess.run([named, "-c", "import torch"], capture_output=True).returncode == 0:
        return named
    pytest.skip("torch is not installed (pip install torch, or set CONVTRACE_TORCH_PYTHON)")


# ----------------------------------------------------------------------------- the golden documents


# Starting a Python per script costs more than the script itself, so the golden scripts run in one
# interpreter, each as its own __main__ program with its stdout captured and warnings made errors;
# a sample of them also runs as real `python script.py` processes below.
RUN_EACH = """
import contextlib, io, json, runpy, sys, traceback, warnings
warnings.simplefilter("error")
printed = {}
for path in sys.argv[1:]:
    out = io.StringIO()
    try:
        with contextlib.redirect_stdout(out):
            runpy.run_path(path, run_name="__main__")
        printed[path] = out.getvalue()
    except BaseException:  # one broken script fails its own test, not the batch
        printed[path] = "FAILED " + traceback.format_exc(limit=-2)
print(json.dumps(printed))
"""


def run_each(documents: dict, to: str, folder: Path, python: str) -> dict:
    """Name -> what the `to` script of each document printed, all run by one `python`."""
    paths = {}
    for name, doc in documents.items():
        paths[name] = folder / (name.replace("/", "_") + ".py")
        paths[name].write_text(emit_script(problem_from_document(doc), to))
    done = subprocess.run([python, "-c", RUN_EACH, *map(str, paths.values())],
                          capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr
    assert done.stderr == "", done.stderr  # no warnings (PyTorch warns about padding="same" with even kernels)
    printed = json.loads(done.stdout)
    return {name: printed[str(path)] for name, path in paths.items()}


@pytest.fixture(scope="module")
def numpy_printed(tmp_path_factory):
    """Golden case id ('forward/NAME', 'layers/NAME') -> what its NumPy script printed."""
    return run_each({name: case["doc"] for name, case in ALL.items()}, "numpy",
                    tmp_path_factory.mktemp("numpy_scripts"), sys.executable)


@pytest.mark.parametrize("name", list(ALL))
def test_numpy_script_prints_the_torch_output(name, numpy_printed):
    case = ALL[name]
    problem = problem_from_document(case["doc"])
    got = np.asarray(one_json_line(numpy_printed[name]))
    atol = atol_for(problem)
    assert list(got.shape) == case["expected"]["output_shape"]
    np.testing.assert_allclose(got, np.asarray(case["expected"]["output"]), rtol=0, atol=atol)
    np.testing.assert_allclose(got, engine_output(problem), rtol=0, atol=atol)


@pytest.fixture(scope="module")
def torch_printed(tmp_path_factory):
    """Document name (golden case ids, awkward_NCHW, awkward_NHWC) -> what its torch script printed."""
    return run_each(torch_documents(), "torch", tmp_path_factory.mktemp("torch_scripts"), torch_python())


SAMPLE = ["forward/combo_nhwc_same_s3_dilated_even_flip", "layers/grp_nhwc_depthwise_bias_same_s2",
          "layers/d1_causal_groups_2", "layers/d3_tr_groups_padding_output_padding",
          "layers/maxpool_nhwc_padding_ceil", "layers/d3_avgpool_ceil_include"]


@pytest.mark.parametrize("name", SAMPLE)
def test_numpy_script_runs_as_a_program(name, tmp_path):
    """`python script.py` in its own process: one line on stdout, nothing on stderr."""
    problem = problem_from_document(ALL[name]["doc"])
    got = np.asarray(one_json_line(run_script(emit_script(problem, "numpy"), tmp_path)))
    np.testing.assert_allclose(got, engine_output(problem), rtol=0, atol=atol_for(problem))


@pytest.mark.parametrize("name", list(ALL))
def test_torch_script_prints_the_torch_output(name, torch_printed):
    case = ALL[name]
    problem = problem_from_document(case["doc"])
    got = np.asarray(one_json_line(torch_printed[name]))
    assert list(got.shape) == case["expected"]["output_shape"]
    atol = atol_for(problem)
    np.testing.assert_allclose(got, np.asarray(case["expected"]["output"]), rtol=0, atol=atol)
    np.testing.assert_allclose(got, engine_output(problem), rtol=0, atol=atol)


@pytest.mark.parametrize("layout", ["NCHW", "NHWC"])
def test_torch_script_of_awkward_numbers(layout, torch_printed):
    problem = problem_from_document(awkward_document(layout))
    got = np.asarray(one_json_line(torch_printed[f"awkward_{layout}"]))
    np.testing.assert_allclose(got, engine_output(problem), rtol=1e-12, atol=atol_for(problem))


@pytest.mark.parametrize("name", ["forward/nhwc_bias_same_stride_2", "layers/tr_nhwc_groups_bias_padding"])
def test_torch_script_runs_as_a_program(name, tmp_path):
    """`python script.py` in its own process: one line on stdout, nothing on stderr (no warnings)."""
    case = ALL[name]
    problem = problem_from_document(case["doc"])
    got = np.asarray(one_json_line(run_script(emit_script(problem, "torch"), tmp_path, torch_python())))
    np.testing.assert_allclose(got, engine_output(problem), rtol=0, atol=atol_for(problem))


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


def torch_documents() -> dict[str, dict]:
    """Every document whose torch script the batch runs."""
    return {**{name: case["doc"] for name, case in ALL.items()},
            **{f"awkward_{layout}": awkward_document(layout) for layout in ("NCHW", "NHWC")}}


@pytest.mark.parametrize("to", ["numpy", "torch"])
@pytest.mark.parametrize("layout", ["NCHW", "NHWC"])
def test_the_scripts_tensors_are_the_documents_bit_for_bit(to, layout, tmp_path):
    problem = problem_from_document(awkward_document(layout))
    text = emit_script(problem, to)
    tensors = text[: text.index("\n\n", text.index("\nkernels = "))]  # imports, images, kernels, bias
    if to == "torch":  # read the literals without torch: numpy takes the same nested lists and dtype
        tensors = tensors.replace("import torch.nn.functional as F\n", "").replace("import torch\n", "")
        tensors = tensors.replace("torch.tensor(", "np.array(").replace("torch.float64", "np.float64")
        tensors = "import numpy as np\n" + tensors
    path = tmp_path / "tensors.py"
    path.write_text(tensors)
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
    np.testing.assert_allclose(got, engine_output(problem), rtol=1e-12, atol=atol_for(problem))


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


# ----------------------------------------------------------------------------- what the torch script says


def torch_text(doc: dict) -> str:
    return emit_script(problem_from_document(doc), "torch")


def square(n: int) -> list:
    return np.arange(n * n, dtype=float).reshape(n, n).tolist()


def test_torch_uses_pytorch_names_for_valid_and_stride_1_same():
    assert 'padding="valid"' in torch_text({"images": square(4), "kernels": square(3)})
    same = torch_text({"images": square(5), "kernels": square(3), "mode": "same"})
    assert 'padding="same"' in same and "F.pad" not in same


def test_torch_pads_asymmetric_same_at_stride_2_and_says_why():
    text = torch_text({"images": square(6), "kernels": square(3), "mode": "same", "stride": 2})
    # TensorFlow's rule: out 3, total (3-1)*2 + 3 - 6 = 1 zero, after: bottom and right
    assert "x = F.pad(images, (0, 1, 0, 1))" in text
    assert 'padding="same" works at stride 1 only' in text
    assert "stride=(2, 2), padding=0" in text


def test_torch_names_full_padding_numbers_and_flips_with_torch_flip():
    text = torch_text({"images": square(4), "kernels": square(3), "mode": "full", "dilation": 2, "flip": True})
    assert "padding=(4, 4)" in text and "dilation=(2, 2)" in text  # d*(k-1) = 2*2
    assert "w = torch.flip(kernels, dims=(2, 3))" in text


def test_torch_permutes_nhwc_in_and_out():
    text = torch_text({"images": [[[1.0, 2.0]] * 3] * 3, "kernels": [[[1.0, 0.0]] * 2] * 2, "layout": "NHWC"})
    assert "images.permute(0, 3, 1, 2)" in text and "kernels.permute(0, 3, 1, 2)" in text
    assert "out = out.permute(0, 2, 3, 1)" in text


# ----------------------------------------------------------------------------- the command


def test_emit_command_options_override_the_document(invoke, tmp_path):
    doc = tmp_path / "doc.json"
    doc.write_text(json.dumps({"images": square(6), "kernels": square(3), "bias": [1.5]}))
    options = ["--stride", "2,1", "--padding", "1,0,0,2", "--dilation", "1,2", "--flip"]
    result = invoke(["emit", str(doc), "--to", "numpy", *options])
    assert result.exit_code == 0, result.output
    assert "stride = (2, 1)" in result.output and "padding = ((1, 0), (0, 2))" in result.output
    assert f"convtrace emit {doc} --padding 1,0,0,2 --stride 2,1 --dilation 1,2 --flip --to numpy" in result.output
    got = np.asarray(one_json_line(run_script(result.output, tmp_path)))
    problem = problem_from_document(json.loads(doc.read_text()),
                                    {"stride": [2, 1], "padding": [[1, 0], [0, 2]], "dilation": [1, 2], "flip": True})
    np.testing.assert_array_equal(got, engine_output(problem))  # small integers: exact


def test_emit_reads_stdin_the_builtin_example_and_npy_arrays(invoke, tmp_path):
    builtin = invoke(["emit"])
    assert builtin.exit_code == 0 and "Sliding and flipping" in builtin.output  # the built-in example's title
    assert one_json_line(run_script(builtin.output, tmp_path)) == json.loads(invoke(["run", "--json"]).output)["output"]
    piped = invoke(["emit", "-", "--to", "torch"], input=json.dumps({"images": square(3), "kernels": square(2)}))
    assert piped.exit_code == 0 and "F.conv2d(images, kernels, None" in piped.output
    np.save(tmp_path / "x.npy", np.arange(32.0).reshape(1, 2, 4, 4) / 8)
    np.save(tmp_path / "w.npy", np.ones((3, 2, 2, 2)))
    arrays = invoke(["emit", "--images", str(tmp_path / "x.npy"), "--kernels", str(tmp_path / "w.npy")])
    assert arrays.exit_code == 0, arrays.output
    want = np.arange(32.0).reshape(1, 2, 4, 4) / 8
    got = one_json_line(run_script(arrays.output, tmp_path))
    np.testing.assert_allclose(got, [[[[sum(want[0, c, i + u, j + v] for c in range(2) for u in range(2)
                                            for v in range(2)) for j in range(3)] for i in range(3)]] * 3],
                               rtol=1e-12)


@pytest.mark.parametrize("args, code, words", [
    (["--to", "fortran"], 2, "'fortran' is not one of 'numpy', 'torch'"),
    (["--stride", "0"], 2, "--stride"),
    (["missing.json"], 2, "does not exist"),
])
def test_emit_usage_errors_are_one_message(args, code, words):
    from click.testing import CliRunner

    from convtrace.cli import cli

    result = CliRunner().invoke(cli, ["emit", *args])
    assert result.exit_code == code and words in result.output and "Traceback" not in result.output


def test_emit_bad_data_exits_1_naming_the_path(tmp_path):
    doc = tmp_path / "bad.json"
    doc.write_text('{"images": [[1, 2], [3, true]], "kernels": [[1]]}')
    done = subprocess.run([sys.executable, "-m", "convtrace", "emit", str(doc)], capture_output=True, text=True)
    assert done.returncode == 1 and done.stdout == ""
    assert "images[1][1]" in done.stderr and "Traceback" not in done.stderr


# ----------------------------------------------------------------------------- `run` points here


def run_in_terminal(*args: str) -> str:
    """What `convtrace run ARGS` shows in an 80x24 terminal, escape codes removed."""
    pexpect = pytest.importorskip("pexpect")
    env = {key: value for key, value in os.environ.items() if key not in ("FORCE_COLOR", "COLUMNS", "LINES")}
    env.update(TERM="xterm-256color", NO_COLOR="1")
    child = pexpect.spawn(sys.executable, ["-m", "convtrace", "run", *args], env=env, encoding="utf-8",
                          timeout=30, dimensions=(24, 80))
    shown = child.read()
    child.close()
    assert child.exitstatus == 0, shown
    return re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", shown).replace("\r\n", "\n")


def test_run_rich_view_ends_with_the_emit_command(tmp_path):
    doc = tmp_path / "doc.json"
    doc.write_text(json.dumps({"images": square(4), "kernels": square(3)}))
    shown = run_in_terminal(str(doc), "--stride", "2", "--no-flip")
    assert shown.rstrip().splitlines()[-1] == f"see this as code: convtrace emit {doc} --stride 2 --no-flip --to torch"
    assert run_in_terminal().rstrip().splitlines()[-1] == "see this as code: convtrace emit --to torch"


@pytest.mark.parametrize("view", [["--json"], ["--format", "jsonl"], ["--format", "plain"]])
def test_run_data_views_do_not_mention_emit(view):
    assert "emit" not in run_in_terminal(*view)


def test_run_in_a_pipe_keeps_the_trace_alone(invoke):
    """Piped or captured (golden renders, exports, `| less`), the step view is the trace only."""
    assert "see this as code" not in invoke(["run"]).output


# ----------------------------------------------------------------------------- the other layers, in words


def layer_text(name: str, to: str = "torch") -> str:
    return emit_script(problem_from_document(ALL[f"layers/{name}"]["doc"]), to)


def test_torch_layers_use_their_functional_calls_and_argument_names():
    transposed = layer_text("tr_groups_2_bias_s2")
    assert ("F.conv_transpose2d(images, kernels, bias, stride=(2, 2), padding=(1, 1), output_padding=(1, 1), "
            "groups=2, dilation=(1, 1))") in transposed
    assert "F.max_pool2d(images, kernel_size=(2, 2), stride=(2, 2), padding=(1, 1), dilation=(1, 1), " \
           "ceil_mode=True)" in layer_text("maxpool_ceil_last_window_dropped")
    assert "count_include_pad=False" in layer_text("avgpool_ceil_padding_exclude")
    assert "F.conv3d(" in layer_text("d3_groups_2_bias") and "groups=2" in layer_text("d3_groups_2_bias")


def test_torch_causal_pads_the_left_only_and_says_why():
    text = layer_text("d1_causal_dilation_2")
    k = problem_from_document(ALL["layers/d1_causal_dilation_2"]["doc"]).kernels.shape[-1]  # the kernel's taps
    assert f"x = F.pad(images, ({2 * (k - 1)}, 0))" in text and "F.conv1d(x, kernels" in text
    assert "causal: d*(k-1) zeros on the left only" in text


def test_numpy_layers_spell_out_groups_and_pool_divisors():
    depthwise = layer_text("grp_depthwise", "numpy")
    assert "c0 = k // 1 * 1  # kernel k is in group k // 1, which reads channel c0" in depthwise
    exclude = layer_text("avgpool_ceil_padding_exclude", "numpy")
    assert "count_include_pad=False: only the input's own cells count" in exclude
    assert "constant_values=-np.inf" in layer_text("maxpool_padding_1", "numpy")


def test_emit_command_on_a_layer_document_with_an_override(invoke, tmp_path):
    doc = tmp_path / "pool.json"
    doc.write_text(json.dumps({"images": square(7), "pool": "max", "pool_size": 3}))
    result = invoke(["emit", str(doc), "--stride", "2"])
    assert result.exit_code == 0, result.output
    assert "def max_pool2d_loop(x):" in result.output
    want = np.array(square(7))[[[0], [2], [4]], [0, 2, 4]] + 16  # each 3x3 window's max is its bottom-right cell
    np.testing.assert_array_equal(one_json_line(run_script(result.output, tmp_path)), [[want.tolist()]])


def test_run_rich_view_of_a_layer_ends_with_the_emit_command(tmp_path):
    doc = tmp_path / "pool.json"
    doc.write_text(json.dumps({"images": square(4), "pool": "avg", "pool_size": 2}))
    assert run_in_terminal(str(doc)).rstrip().splitlines()[-1] == f"see this as code: convtrace emit {doc} --to torch"
