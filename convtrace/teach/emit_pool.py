"""Max and average pooling -> the NumPy loop and its vectorized twin, as PyTorch computes them.

Max pooling pads with -inf (padding never wins); average pooling divides each
window's sum by the number of cells that count: with count_include_pad the
padding counts, without it only the input's own cells; cells that ceil_mode's
last windows reach past the padded input never count (PyTorch's divisor).
"""

from __future__ import annotations

from ..source.problem import Problem
from .emit_loops import POSITIONS, nest, pad_call, shapes_text, window_slices, window_view


def _overhang(problem: Problem) -> list[int]:
    return [a.overhang for a in problem.geometry.axes]


def max_pool(problem: Problem, name: str) -> list[str]:
    """Max pooling: the largest value under every window; padding is -inf, so it never wins."""
    g, dims = problem.geometry, problem.dims
    pos = POSITIONS[dims]
    extra = _overhang(problem)
    pad = pad_call(problem, extra, ", constant_values=-np.inf")
    why = "padding is -inf: it never wins" + (
        f"; ceil_mode: the last windows run {tuple(extra)} past the end, padded the same way" if any(extra) else "")
    body = [f"out[n, c, {', '.join(pos)}] = x[n, c, {', '.join(window_slices(problem))}].max()"]
    loops = nest(["for n in range(N):", "for c in range(C):"], [])
    loops += nest([f"for {p} in range({o}):" for p, o in zip(pos, g.out_size)], body, depth=3)
    return [
        "", "",
        f"# pool_size {g.kernel_size}, stride {g.stride}, padding {g.padding} (before, after) per axis, "
        f"dilation {g.dilation}, ceil_mode {problem.ceil_mode}",
        f"def {name}_loop(x):",
        f'    """{shapes_text(problem)}: the largest value under each window."""',
        f"    x = {pad}  # {why}",
        "    N, C = x.shape[:2]",
        f"    out = np.zeros((N, C, {', '.join(map(str, g.out_size))}))",
        *loops,
        "    return out",
        "", "",
        f"def {name}_vectorized(x):",
        '    """The same with every window at once: a sliding-window view and one max."""',
        f"    x = {pad}",
        f"    return {window_view(problem)}.max(axis={tuple(range(-dims, 0))})",
    ]


def avg_pool(problem: Problem, name: str) -> list[str]:
    """Average pooling: the window's sum over the number of cells that count (PyTorch's divisor)."""
    g, dims = problem.geometry, problem.dims
    pos = POSITIONS[dims]
    extra = _overhang(problem)
    if problem.count_include_pad:
        counted = (f"np.pad(np.ones({g.padded_size}), {tuple((0, e) for e in extra)})" if any(extra)
                   else f"np.ones({g.padded_size})")
        why = "count_include_pad: the padding counts" + (", not the cells ceil_mode adds past it" if any(extra) else "")
    else:
        pairs = tuple((b, a + e) for (b, a), e in zip(g.padding, extra))
        counted = f"np.pad(np.ones({g.input_size}), {pairs})"
        why = "count_include_pad=False: only the input's own cells count"
    cells = ", ".join(p + "s" for p in pos)
    slices = ", ".join("slice(" + window.replace(":", ", ") + ")" for window in window_slices(problem))
    body = [f"{cells} = {slices}  # the window, per axis",
            f"out[n, c, {', '.join(pos)}] = x[n, c, {cells}].sum() / counted[{cells}].sum()"]
    loops = nest(["for n in range(N):", "for c in range(C):"], [])
    loops += nest([f"for {p} in range({o}):" for p, o in zip(pos, g.out_size)], body, depth=3)
    ceil = f"; ceil_mode: {tuple(extra)} more at the end for the last windows" if any(extra) else ""
    return [
        "", "",
        f"# pool_size {g.kernel_size}, stride {g.stride}, padding {g.padding} (before, after) per axis, "
        f"ceil_mode {problem.ceil_mode}, count_include_pad {problem.count_include_pad}",
        f"def {name}_loop(x):",
        f'    """{shapes_text(problem)}: the mean of each window, as PyTorch divides it."""',
        f"    x = {pad_call(problem, extra)}  # zeros{ceil}",
        f"    # counted: 1 where a cell counts toward the divisor; {why}",
        f"    counted = {counted}",
        "    N, C = x.shape[:2]",
        f"    out = np.zeros((N, C, {', '.join(map(str, g.out_size))}))",
        *loops,
        "    return out",
        "", "",
        f"def {name}_vectorized(x):",
        '    """The same with every window at once: window sums over window counts."""',
        f"    x = {pad_call(problem, extra)}",
        f"    counted = {counted}",
        f"    sums = {window_view(problem)}.sum(axis={tuple(range(-dims, 0))})",
        f"    return sums / {window_view(problem, 'counted', channels=False)}.sum(axis={tuple(range(-dims, 0))})",
    ]
