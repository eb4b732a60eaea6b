"""The step frame's output map: feature map (n, k) filling in, this step's cell in [ ], the rest still to come.

The cells before this step hold the values earlier steps left in the Collector;
this step's cell is the Step's value. Without a Collector only this step's cell is shown.
"""

from __future__ import annotations


from ...engine.naive import Step
from ...engine.tracecheck import Collector
from ...source.problem import Problem
from ..toolkit import grids
from ..toolkit.grids import CURRENT, EMPTY
from ..toolkit.lines import Block, prose, vstack
from ...text import Numbers
from ..toolkit.styles import BOLD



class OutputMap:
    """The output map of StepView (render/frames/steps.py), which sets the attributes below."""

    problem: Problem
    fmt: Numbers  # how drawn values are written (--precision)
    collector: Collector | None  # values of the steps before this one
    max_rows: int
    # the feature map whose cells are kept between frames (see map_cells)
    _map_key: tuple[int, int] | None
    _map_texts: list[str]
    _map_done: int
    _map_width: int
    _map_cells: list[list[str]]
    _map_cells_width: tuple | None

    def map_cells(self, s: Step) -> tuple[list[list[str]], int]:
        """Cells ' v ' of feature map (s.n, s.k) for the positions before s, as earlier steps left them, and their width.

        Kept between frames: each value is formatted once, and the width only grows,
        so the map does not jitter while it fills in.
        """
        h_out, w_out = self.problem.geometry.out_size
        key = (s.n, s.k)
        if self._map_key != key:
            self._map_key, self._map_texts, self._map_done, self._map_width = key, [], 0, len(str(w_out - 1))
        texts = self._map_texts
        current = s.row * w_out + s.col
        if current > self._map_done and self.collector is not None:
            values = self.collector.values[s.n, s.k].reshape(-1)[self._map_done: current].tolist()
            texts.extend(self.fmt.out(x) for x in values)
            self._map_done = current
            self._map_width = max(self._map_width, max(len(t) for t in texts[-len(values):]))
        w = max(self._map_width, len(self.fmt.out(s.value)))
        if self._map_cells_width != (key, w, len(texts)):
            cells = [f" {t:>{w}} " for t in texts]
            self._map_cells = [cells[i * w_out: (i + 1) * w_out] for i in range(h_out)]
            self._map_cells_width = (key, w, len(texts))
        return self._map_cells, w

    def output_map(self, s: Step, width: int, max_rows: int | None = None, caption: bool = True) -> Block:
        """Feature map (s.n, s.k): cells computed before this step, this step's cell in [ ], the rest '.'.

        `caption` off leaves only the grid (a frame short of lines says it in fewer words).
        """
        h_out, w_out = self.problem.geometry.out_size
        cells, w = self.map_cells(s)
        value_text = self.fmt.out(s.value)
        view_rows = grids.view_range(h_out, s.row, 1, max_rows or self.max_rows)
        fit = grids.fitting_columns(w_out, w + 2, len(str(h_out - 1)), width)
        view_cols = grids.view_range(w_out, s.col, 1, fit)
        a, b = view_cols.start, view_cols.stop
        styles = grids.STYLES
        empty = f" {grids.EMPTY_TEXT:>{w}} "
        known = self.collector is not None
        lines = []
        for i in view_rows:
            if i > s.row or (i < s.row and not known):
                lines.append([(empty * (b - a), styles[EMPTY])])
            elif i < s.row:
                lines.append([("".join(cells[i][a:b]), None)])
            else:
                done = "".join(cells[i][a: s.col]) if known else empty * (s.col - a)
                lines.append([
                    (done, None if known else styles[EMPTY]),
                    (f"[{value_text:>{w}}]", styles[CURRENT]),
                    (empty * (b - s.col - 1), styles[EMPTY]),
                ])
        cut = (view_rows.start > 0, view_rows.stop < h_out, a > 0, b < w_out)
        block = grids.grid(lines, [str(i) for i in view_rows], [str(j) for j in view_cols], w, cut)
        if not caption:
            return block
        where = f"out[{s.n},{s.k}]: image {s.n}, kernel {s.k}, {h_out}x{w_out}; [ ] = this step, . = still to come"
        return vstack([prose(where, width, BOLD), block])
