"""Which way wins on the layer at hand, and why: the sentences under `convtrace bench`'s table.

Counts come from the shapes (engine/choice.py's work estimates, Winograd's 16
multiplications per tile), times from the bench result; render/views/bench.py only
prints what `verdict` returns.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..engine.choice import direct_work, fft_work
from ..engine.fast import SMALL_PROBLEM
from ..engine.fft import grid_size
from ..engine.winograd import DIRECT_MULTIPLICATIONS, MULTIPLICATIONS, OUT, applies
from .bench import LABELS, CaseResult


@dataclass(frozen=True)
class Verdict:
    """The fastest method that agrees with the float64 result, by how much, and why."""

    winner: str  # a method name of teach/bench.py
    seconds: float
    runner_up: str | None
    factor: float | None  # runner-up's time / winner's time
    reasons: tuple[str, ...]

    @property
    def label(self) -> str:
        return LABELS[self.winner]


def finished(result: CaseResult) -> list:
    """The timings that ran to the end and agree with the float64 result, fastest first."""
    return sorted((t for t in result.timings if t.seconds and not t.estimated and t.agrees), key=lambda t: t.seconds)


def verdict(result: CaseResult) -> Verdict | None:
    """None when no method finished (all estimated, not run, or disagreeing).

    Layers other than plain 2-D convolution get their reasons from teach/verdict_layers.py.
    """
    if not result.case.problem.is_plain_conv2d:
        from .verdict_layers import layer_verdict

        return layer_verdict(result)
    ranked = finished(result)
    if not ranked:
        return None
    strategy = _engine_strategy(result)

    def way(method: str) -> str:  # the engine running Winograd or FFT is that way, not another one
        return strategy if method == "engine" and strategy in ("winograd", "fft") else method

    best = ranked[0]
    winning = way(best.method)
    second = next((t for t in ranked[1:] if way(t.method) != winning), None)
    factor = second.seconds / best.seconds if second else None
    reasons = [why(winning, result)]
    if best.method != "engine" and strategy:
        reasons.append(f"convtrace.conv2d picks {strategy!r} for this shape (engine/choice.py).")
    for method in ("winograd", "fft"):
        timing = result.timing(method)
        if timing is not None and method != winning and (timing.seconds or method == "winograd"):
            reasons.append(why_not(method, result))
    return Verdict(best.method, best.seconds, second.method if second else None, factor, tuple(reasons))


def _engine_strategy(result: CaseResult) -> str | None:
    engine = result.timing("engine")
    if engine is None or not engine.note.startswith("strategy "):
        return None
    return engine.note.split(" ", 1)[1].strip("'")


def _counts(result: CaseResult) -> dict:
    p = result.case.problem
    n, c, _, _ = p.input_shape
    k, _, kh, kw = p.kernel_shape
    h_out, w_out = p.geometry.out_size
    tiles = -(-h_out // OUT) * -(-w_out // OUT)
    return {
        "n": n, "c": c, "k": k, "kh": kh, "kw": kw,
        "direct": direct_work(p.input_shape, p.kernel_shape, p.geometry),
        "winograd": n * k * c * tiles * MULTIPLICATIONS,
        "fft": fft_work(p.input_shape, p.kernel_shape, p.geometry),
        "grid": grid_size(p.geometry),
        "steps": p.steps,
    }


def why(method: str, result: CaseResult) -> str:
    """Why `method` is fast on this case, with its numbers."""
    q = _counts(result)
    if method == "winograd":
        return (f"Winograd: {q['kh']}x{q['kw']} kernels at stride 1, {MULTIPLICATIONS} multiplications per 2x2 "
                f"tile and channel instead of {DIRECT_MULTIPLICATIONS}: {q['winograd']:,} in all instead of "
                f"{q['direct']:,} ({q['direct'] / q['winograd']:.2f}x fewer); with C = {q['c']} and K = {q['k']} "
                f"the 16 matrix products outweigh the transforms.")
    if method == "fft":
        return (f"FFT: its work (about {q['fft']:.3g} operations for {q['grid'][0]}x{q['grid'][1]} grids) does not "
                f"grow with the kernel, while the direct method's {q['direct']:,} multiply-adds grow with "
                f"its {q['kh']}x{q['kw']} taps.")
    if method in ("im2col", "engine") and q["direct"] < SMALL_PROBLEM:
        return (f"{LABELS[method]}: the problem is small ({q['direct']:,} multiply-adds): the method with the "
                "fewest NumPy calls wins, whatever it computes.")
    if method in ("im2col", "engine"):
        return (f"{LABELS[method]}: the {q['direct']:,} multiply-adds run as large matrix products, which BLAS "
                f"computes near the machine's peak; no Python between the positions.")
    if method == "torch":
        return "PyTorch: compiled, vectorized convolution kernels, no Python between the steps."
    return (f"{LABELS[method]}: the problem is tiny ({q['steps']:,} window positions): setting up matrices "
            "costs more than the loop's few small products.")


def why_not(method: str, result: CaseResult) -> str:
    """Why Winograd or FFT loses on this case."""
    q = _counts(result)
    p = result.case.problem
    if method == "winograd":
        if not applies(p.kernel_shape, p.geometry):
            return "Winograd F(2x2, 3x3) does not apply: it needs 3x3 kernels, stride 1 and dilation 1."
        return (f"Winograd loses here: {q['direct'] / q['winograd']:.2f}x fewer multiplications do not pay for "
                f"transforming every tile of C = {q['c']} channels and K = {q['k']} outputs.")
    return (f"FFT loses here: transforms of whole {q['grid'][0]}x{q['grid'][1]} maps (about {q['fft']:.3g} "
            f"operations) cost more than the direct method's {q['direct']:,} multiply-adds with "
            f"{q['kh']}x{q['kw']} kernels.")
