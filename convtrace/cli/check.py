"""`convtrace check FILE.py:FUNCTION`: grade a learner's own conv2d and name the mistake."""

from __future__ import annotations

import json
import math

import click

from ..source.choices import LAYOUTS

MAX_TIMEOUT = 3600.0  # an hour per call: anything longer is a typo, not a plan


class Seconds(click.ParamType):
    """A time limit in seconds: a finite number above 0 and at most an hour (not inf, nan or 1e300)."""

    name = "seconds"

    def convert(self, value, param, ctx):
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            number = float(value)
        else:
            try:
                number = float(str(value).strip())
            except ValueError:
                self.fail(f"{value!r} is not a number of seconds; write e.g. --timeout 5", param, ctx)
        if not math.isfinite(number):
            self.fail(f"{value!r} is not a finite number of seconds; write e.g. --timeout 5", param, ctx)
        if not 0 < number <= MAX_TIMEOUT:
            self.fail(f"{value!r} must be more than 0 and at most {MAX_TIMEOUT:g} seconds; "
                      f"write e.g. --timeout 5", param, ctx)
        return number

CASES_HELP = ("single_channel, channels, kernels, batch, images_and_kernels, non_square_input, rectangular_kernel, "
              "stride_2, stride_rows, stride_columns, padding_1, full_padding, full_rectangular, dilation_2, bias, "
              "mixed_values, repeat_call, flip")

OPERATIONS = ("conv2d", "depthwise", "conv_transpose2d", "max_pool2d", "conv1d")  # op_cases.OP_BATTERIES too


@click.command(context_settings={"help_option_names": ["-h", "--help"]})
@click.argument("target", metavar="FILE.py:FUNCTION")
@click.option("--layout", type=click.Choice(LAYOUTS, case_sensitive=False), default="NCHW",
              metavar="|".join(LAYOUTS), show_default=True, help="How your function stores arrays: NHWC is images (N, H, W, C), "
                                      "kernels (K, kh, kw, C), output (N, H', W', K).")
@click.option("--flip/--no-flip", default=False, show_default=True,
              help="Grade a true convolution (kernel rotated 180 degrees, like scipy.signal.convolve2d) "
                   "instead of the cross-correlation a CNN layer computes.")
@click.option("--timeout", type=Seconds(), default=5.0, show_default=True, metavar="SECONDS",
              help="Stop a call (or the import of FILE) that runs longer than this; the whole check "
                   "stops after 10 times this.")
@click.option("--case", "cases", multiple=True, metavar="NAME",
              help=f"Run only this case (repeatable): {CASES_HELP} (other --op: see the case names it prints).")
@click.option("--op", "operation", type=click.Choice(OPERATIONS), default="conv2d", show_default=True,
              help="Which layer FUNCTION computes, called as torch.nn.functional does: "
                   "f(x, weight, bias=None, stride=1, ...), or f(x, kernel_size, stride=None, ...) for "
                   "max_pool2d; depthwise passes groups=C when the function takes groups=, conv1d causal=True "
                   "when it takes causal=.")
@click.option("--strict", is_flag=True, help="Count skipped cases as failures (the function must accept "
                                             "stride=, padding=, bias=).")
@click.option("--json", "as_json", is_flag=True, help="Print the report as one JSON object.")
def check(target, layout, flip, timeout, cases, operation, strict, as_json):
    """Grade your own convolution function: run it on small cases, name the mistake.

    \b
    FILE.py:FUNCTION is called as FUNCTION(images, kernels, ...) with
      images   numpy float64 (N, C, H, W)     kernels (K, C, kh, kw)
    and must return a numpy array (N, K, H', W'), the cross-correlation a CNN
    layer computes; with --layout NHWC images (N, H, W, C), kernels
    (K, kh, kw, C) and output (N, H', W', K). stride=, padding=, dilation=
    (ints), mode= ("valid"/"full"), bias= (shape (K,)) and flip= are passed by
    keyword, only when the signature names them; written PyTorch-style
    (stride=(1, 1)), stride, padding and dilation come as (rows, columns)
    pairs. A case the function cannot express is skipped, with the reason. E.g.
    \b
      def conv2d(images, kernels, stride=1, padding=0): ...
    \b
    Your code runs in a separate Python process (and process group): prints are
    captured, messages trimmed, tracebacks trimmed to your file; each call is
    stopped after --timeout seconds, the whole check after 10 times that, and
    anything the code started is ended with it. This is not a sandbox: the code
    can still read and delete your files.
    \b
    A wrong answer is compared with known mistakes (hard-coded 3x3 window,
    square kernel assumed, stride missing or on one axis, padding on one side,
    dilation ignored, rotated or flipped kernel, image n paired with kernel n,
    NCHW/NHWC mixed up or channels read from the wrong axis (the shapes fit
    the other layout), reshape instead of transpose, bias on the wrong axis,
    += into np.empty, ...) and the one that explains it exactly is named.
    \b
    Exit 0 when no case fails or errs; 1 when one does, or when FILE cannot be
    imported or has no FUNCTION; 2 for a wrong command line (missing file, no
    :FUNCTION).
    \b
    Examples:
      convtrace check student.py:conv2d
      convtrace check student.py:conv2d --case stride_2
      convtrace check student.py:conv2d --layout NHWC --timeout 2
      convtrace check student.py:conv2d --json > report.json
      convtrace check student.py:pool --op max_pool2d
    """
    from ..check.runner import run_check

    report = run_check(target, layout=layout.upper(), flip=flip, timeout=timeout, cases=cases, strict=strict,
                       operation=operation)
    if as_json:
        from ..check.report import report_record

        click.echo(json.dumps(report_record(report)))
    else:
        from rich.console import Console

        from ..render.views.check import CheckReport

        Console().print(CheckReport(report))
    raise click.exceptions.Exit(report.exit_code)
