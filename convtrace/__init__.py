"""convtrace: trace 2-D convolution one window position at a time.

Library use:

    import convtrace
    problem = convtrace.load("input.json")        # or a dict, or a JSON string
    for step in convtrace.trace(problem):         # one Step per window position
        print(step.n, step.k, step.row, step.col, step.value)
    out = convtrace.conv2d(images, kernels, stride=2, padding="same")   # vectorized
    convtrace.show(problem, at="n=0,k=0")         # in Jupyter: the trace player inline

Names are imported on first use so the command line starts quickly.
"""

from __future__ import annotations

__version__ = "0.1.0"

_EXPORTS = {
    "load": "convtrace.source.problem",
    "build_problem": "convtrace.source.problem",
    "Problem": "convtrace.source.problem",
    "trace": "convtrace.engine.naive",
    "Step": "convtrace.engine.naive",
    "naive_output": "convtrace.engine.naive",
    "conv2d": "convtrace.engine.fast",
    "problem_output": "convtrace.engine.fast",
    "gradients": "convtrace.engine.grad",
    "conv2d_grad": "convtrace.engine.grad",
    "trace_gradients": "convtrace.engine.grad_trace",
    "make_geometry": "convtrace.source.geometry",
    "Geometry": "convtrace.source.geometry",
    "conv1d": "convtrace.engine.layer_api",
    "conv3d": "convtrace.engine.layer_api",
    "conv_transpose1d": "convtrace.engine.layer_api",
    "conv_transpose2d": "convtrace.engine.layer_api",
    "conv_transpose3d": "convtrace.engine.layer_api",
    "max_pool1d": "convtrace.engine.layer_api",
    "max_pool2d": "convtrace.engine.layer_api",
    "max_pool3d": "convtrace.engine.layer_api",
    "avg_pool1d": "convtrace.engine.layer_api",
    "avg_pool2d": "convtrace.engine.layer_api",
    "avg_pool3d": "convtrace.engine.layer_api",
    "trace_layer": "convtrace.engine.dispatch",
    "layer_output": "convtrace.engine.dispatch",
    "layer_gradients": "convtrace.engine.dispatch",
    "LayerStep": "convtrace.engine.layer_step",
    "ConvtraceError": "convtrace.errors",
    "DataError": "convtrace.errors",
    "UsageError": "convtrace.errors",
    "show": "convtrace.notebook",
    "TracePlayer": "convtrace.notebook",
}

__all__ = sorted(_EXPORTS) + ["__version__"]


def _register_in_notebook() -> None:
    """In IPython/Jupyter, display a Problem, a Step and a Comparison as HTML (see convtrace.notebook)."""
    import sys

    if "IPython" in sys.modules:  # never import IPython just to find out
        from .notebook import register

        register()


_register_in_notebook()


def __getattr__(name: str):
    if name in _EXPORTS:
        import importlib

        return getattr(importlib.import_module(_EXPORTS[name]), name)
    raise AttributeError(f"module 'convtrace' has no attribute {name!r}")
