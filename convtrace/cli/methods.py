"""`convtrace run --method winograd|fft`: one tile or one channel pair, done the better way.

Called from cli/run.py; picks what to show from --at and hands the engine's
record to its view (render/frames/winograd.py, render/frames/fft.py).
"""

from __future__ import annotations

from ..errors import UsageError

BETTER_WAYS = ("winograd", "fft")


def show_better_way(method: str, source, fmt, limit, at, stepping, delay, export) -> None:
    """Draw `method` on the document: Winograd's tile or FFT's channel pair picked by --at (default: the first)."""
    given = [name for name, value in (("--format " + fmt, fmt != "rich"), ("--limit", limit is not None),
                                      ("--step", stepping), ("--delay", delay is not None), ("--export", export))
             if value]
    if given:
        raise UsageError(f"--method {method} shows one {'tile' if method == 'winograd' else 'channel pair'}, "
                         f"not window steps, so {', '.join(given)} cannot be used with it; "
                         f"drop {'it' if len(given) == 1 else 'them'} or use --method loop")
    if len(at) > 1:
        raise UsageError(f"--method {method} shows one place: give --at once, e.g. --at n=0,k=1"
                         + (",row=2,col=2" if method == "winograd" else ",c=0"))
    from rich.console import Console

    problem = source.load()
    if not problem.is_plain_conv2d:
        raise UsageError(f"--method {method} shows 2-D convolution without groups; this is a {problem.layer} "
                         f"layer with dims {problem.dims} and groups {problem.groups}: use --method loop")
    where = _where(at[0] if at else "", problem, method)
    console = Console(highlight=False)
    if method == "winograd":
        from ..engine.winograd import applies, winograd_tile
        from ..render.frames.winograd import WinogradView

        if not applies(problem.kernel_shape, problem.geometry):
            g = problem.geometry
            raise UsageError(
                f"--method winograd computes F(2x2, 3x3): it needs 3x3 kernels, stride 1 and dilation 1, but this "
                f"input has {problem.kernel_shape[2]}x{problem.kernel_shape[3]} kernels, stride {list(g.stride)} "
                f"and dilation {list(g.dilation)}; use --method fft, im2col or loop")
        tile = (where.get("row", 0) // 2, where.get("col", 0) // 2)
        console.print(WinogradView(problem, winograd_tile(problem, where.get("n", 0), where.get("k", 0), tile)))
    else:
        from ..engine.fft import fft_pair
        from ..render.frames.fft import FftView

        console.print(FftView(problem, fft_pair(problem, where.get("n", 0), where.get("k", 0), where.get("c", 0))))


def _where(spec: str, problem, method: str) -> dict[str, int]:
    """'n=1,k=0,row=2,col=3' (winograd: the tile holding that output) or 'n=1,k=0,c=2' (fft) -> first values."""
    from ..render.play.select import parse_at

    channel = None
    parts = []
    for part in filter(None, (p.strip() for p in spec.split(","))):
        name, _, value = part.partition("=")
        if name.strip().lower() == "c" and method == "fft":
            channels = problem.input_shape[1]
            if not value.strip().isdigit() or int(value) >= channels:
                raise UsageError(f"--at {spec!r}: c must be a channel within 0..{channels - 1}, got {value.strip()!r}")
            channel = int(value)
        else:
            parts.append(part)
    picked = {name: values[0] for name, values in parse_at(",".join(parts), problem).items()} if parts else {}
    if channel is not None:
        picked["c"] = channel
    return picked
