"""Loops as text: the window slices, nested `for` lines, np.pad and sliding_window_view calls the NumPy scripts write."""

from __future__ import annotations

from ..source.problem import Problem
from .emit_text import axes

POSITIONS = {1: ("t",), 2: ("row", "col"), 3: ("dep", "row", "col")}  # output position names per dims


def axis_slice(position: str, stride: int, span: int, dilation: int) -> str:
    """'row * 2:row * 2 + 3:2': the input cells one window reads along an axis (padded coordinates)."""
    start = position if stride == 1 else f"{position} * {stride}"
    return f"{start}:{start} + {span}" + ("" if dilation == 1 else f":{dilation}")


def window_slices(problem: Problem) -> list[str]:
    g = problem.geometry
    return [axis_slice(p, a.stride, a.span, a.dilation) for p, a in zip(POSITIONS[problem.dims], g.axes)]


def nest(loops: list[str], body: list[str], depth: int = 1) -> list[str]:
    """Nested `for` lines, each one level deeper, with `body` inside the last."""
    lines = [("    " * (depth + i)) + loop for i, loop in enumerate(loops)]
    return lines + [("    " * (depth + len(loops))) + line for line in body]


def pad_call(problem: Problem, extra_after=None, value: str = "") -> str:
    """np.pad(x, ...) with the geometry's zeros (and `extra_after` more at the end of each axis)."""
    pairs = [(b, a + (extra_after[i] if extra_after else 0)) for i, (b, a) in enumerate(problem.geometry.padding)]
    return f"np.pad(x, ((0, 0), (0, 0), {', '.join(map(str, pairs))}){value})"


def window_view(problem: Problem, what: str = "x", channels: bool = True) -> str:
    """Every window at once: sliding_window_view with the stride and dilation as slices, no copy."""
    g = problem.geometry
    dims = problem.dims
    first = 2 if channels else 0
    axis = tuple(range(first, first + dims))
    lead = ":, :, " if channels else ""
    strides = ", ".join(f"::{s}" if s > 1 else ":" for s in g.stride)
    dilations = ", ".join(f"::{d}" if d > 1 else ":" for d in g.dilation)
    picked = "" if set(g.stride) | set(g.dilation) == {1} else f"[{lead}{strides}, {dilations}]"
    spans = tuple(a.span for a in g.axes)
    return f"sliding_window_view({what}, {spans}, axis={axis}){picked}"


def shapes_text(problem: Problem) -> str:
    """'(N, C, H, W) x (K, C/groups, kh, kw) -> (N, K, H', W')', channels first."""
    first = axes(problem) if problem.layout != "NHWC" else axes(_channels_first(problem))
    if problem.kernels is None:
        return f"{first['images']} -> {first['output']}"
    return f"{first['images']} x {first['kernels']} -> {first['output']}"


def _channels_first(problem: Problem) -> Problem:
    from dataclasses import replace

    return replace(problem, layout="NCHW")
