"""Traces in Jupyter: `convtrace.show(problem)` plays the trace inline, and the objects the API returns display.

    convtrace.show(problem, at="n=0,k=1")   -> a TracePlayer: the HTML player, then every output map as a picture
    problem (Problem), a Step, a Comparison -> HTML through IPython's formatters (registered on import in IPython)

This module sits beside cli/: it may run the engine and call the renderers;
nothing in source/, engine/, teach/ or render/ imports it.
"""

from __future__ import annotations



class TracePlayer:
    """A trace ready for a notebook: the page data for the chosen steps and the output they fill in.

    output: (N, K, H', W') the values the naive loop produced (cells it did not reach are 0)
    """

    def __init__(self, problem, at=None, limit: int | None = None):
        self.problem = problem
        if not problem.is_plain_conv2d:  # groups, 1-D, 3-D, transposed, pooling: LayerSteps
            self._layer(at, limit)
            return
        from .engine.naive import trace
        from .render.output.page import TraceRecorder

        recorder = TraceRecorder(problem, _chooser(at, problem), limit)
        recorder.record_from(trace(problem))
        self.data = recorder.data()
        self.output = recorder.collector.values
        self.steps_shown = len(recorder.records)

    def _layer(self, at, limit) -> None:
        """Any other layer: its LayerSteps in the player; the output (N, K, *O) from the vectorized engine."""
        from .engine.dispatch import layer_output, trace_layer
        from .render.output.page.layer_data import LayerRecorder

        recorder = LayerRecorder(self.problem, _chooser(at, self.problem), limit)
        recorder.record_from(trace_layer(self.problem))
        self.data = recorder.data()
        self.output = layer_output(self.problem)
        self.steps_shown = len(recorder.records)

    def maps(self) -> MapsView:
        return MapsView(self.output)

    def _repr_html_(self) -> str:
        from .render.output.notebook import maps_html, player_html

        if self.output.ndim != 4:  # 1-D and 3-D outputs have no 2-D maps to draw as pictures
            return player_html(self.data)
        return player_html(self.data) + "<p><b>Output feature maps</b></p>" + maps_html(self.output)

    def __repr__(self) -> str:
        return f"<convtrace trace of {self.problem.steps} positions, {self.steps_shown} in the player>"


class MapsView:
    """(N, K, H', W') output maps shown as pictures (PNG through Pillow when installed, else tables)."""

    def __init__(self, output):
        self.output = output

    def _repr_html_(self) -> str:
        from .render.output.notebook import maps_html

        return maps_html(self.output)


def _chooser(at, problem):
    """at: None (every step), an int (one step number), 'n=0,k=1' or a list of such --at texts."""
    if at is None:
        return lambda step: True
    if isinstance(at, int):
        return lambda step: step.step == at
    if not problem.is_plain_conv2d:
        from .render.play.layer_select import LayerSelection

        return LayerSelection([at] if isinstance(at, str) else list(at), problem)
    from .render.play.select import Selection

    return Selection([at] if isinstance(at, str) else list(at), problem)


def show(problem, at=None, limit: int | None = None) -> TracePlayer:
    """The trace of `problem` (a Problem, or what convtrace.load takes) as a player that Jupyter displays inline.

    at: which positions, as --at takes them ('n=0,k=1', 'row=0..2', a list of those) or one step number;
    limit: at most this many positions in the player (default: the page cap).
    """
    from .source.problem import Problem, load

    if not isinstance(problem, Problem):
        problem = load(problem)
    register()
    return TracePlayer(problem, at, limit)


def register(shell=None) -> bool:
    """Teach IPython's HTML formatter to show a Problem, a Step and a Comparison; False outside IPython."""
    if shell is None:
        try:
            from IPython import get_ipython
        except ImportError:
            return False
        shell = get_ipython()
    if shell is None:
        return False
    from .engine.layer_step import LayerStep
    from .engine.naive import Step
    from .source.problem import Problem
    from .teach.compare import Comparison

    html = shell.display_formatter.formatters["text/html"]
    html.for_type(Problem, _problem_html)
    html.for_type(Step, _step_html)
    html.for_type(LayerStep, _layer_step_html)
    html.for_type(Comparison, _comparison_html)
    return True


def _problem_html(problem) -> str:
    from .render.output.notebook import rich_html
    from .render.frames.summary import ProblemSummary

    if not problem.is_plain_conv2d:
        from .render.frames.layer_frames import LayerSummary

        return rich_html(LayerSummary(problem)) + "<p><i>convtrace.show(problem) plays its trace here.</i></p>"
    return rich_html(ProblemSummary(problem)) + "<p><i>convtrace.show(problem) plays its trace here.</i></p>"


def _step_html(step) -> str:
    from .render.output.notebook import step_html

    return step_html(step)


def _layer_step_html(step) -> str:
    from .render.output.notebook import layer_step_html

    return layer_step_html(step)


def _comparison_html(comparison) -> str:
    from .render.views.compare import CompareView
    from .render.output.notebook import rich_html

    return rich_html(CompareView(comparison))


