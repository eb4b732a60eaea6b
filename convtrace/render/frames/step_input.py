"""The step frame's input part: image n padded, one grid per channel, the window's taps in [ ].

The values are the problem's input images (formatted once per image and kept
while the trace stays on it) and the Step's patch; decided here is only which
cells to mark and which rows and columns fit on screen.
"""

from __future__ import annotations


from ...engine.naive import Step
from ...source.problem import Problem
from ..toolkit import grids
from ..toolkit.grids import PAD, PAD_TAP, PLAIN, TAP
from ..toolkit.lines import Block, flow, prose, vstack
from ...text import Numbers
from ..toolkit.styles import BOLD, NOTE



class InputGrids:
    """The input grids of StepView (render/frames/steps.py), which sets the attributes below."""

    problem: Problem
    fmt: Numbers  # how drawn values are written (--precision)
    max_channels: int
    max_rows: int
    _images: dict[int, tuple[list, int]]  # image n -> its padded cells and their width (one image kept)

    def padded_cells(self, n: int) -> tuple[list[list[list[str]]], int]:
        """Image n, padded, as ready-made cells ' v ' ([c][padded row][padded col]; ' · ' for padding) and their value width."""
        if n not in self._images:
            g = self.problem.geometry
            (top, bottom), (left, right) = g.padding
            data = [
                [[self.fmt(v) for v in row] for row in channel]
                for channel in self.problem.images[n, : self.max_channels].tolist()
            ]
            labels = [str(j) for j in range(max(g.cols.padded, g.rows.padded))]
            w = max(max(len(t) for channel in data for row in channel for t in row), max(len(t) for t in labels))
            pad = f" {grids.PAD_TEXT:>{w}} "
            channels = []
            for channel in data:
                pad_row = [pad] * g.cols.padded
                padded = [pad_row] * top
                padded += [[pad] * left + [f" {t:>{w}} " for t in row] + [pad] * right for row in channel]
                padded += [pad_row] * bottom
                channels.append(padded)
            self._images = {n: (channels, w)}  # one image at a time: memory stays flat
        return self._images[n]

    def input_grids(self, s: Step, width: int, channels: range | None = None, max_rows: int | None = None,
                    caption: bool = True) -> Block:
        """The padded image s.n, one grid per channel (or those in `channels`), the window's taps bracketed.

        `max_rows` limits the grid's height (the viewport keeps the window in view); `caption`
        off leaves only the grids (the compact frame says the rest in its header).
        """
        p = self.problem
        g = p.geometry
        rows, cols = g.rows, g.cols
        (dh, dw) = g.dilation
        cells, w = self.padded_cells(s.n)
        n_channels = p.images.shape[1]
        shown = min(n_channels, self.max_channels)
        channels = range(shown) if channels is None else channels
        kh, kw = g.kernel_size
        patch = s.patch.tolist()

        # labels are padded coordinates, those of x_pad[n, c, top+u, left+v] in the formula above
        all_row_labels = [str(i) for i in range(rows.padded)]
        all_col_labels = [str(j) for j in range(cols.padded)]
        label_w = max(len(t) for t in all_row_labels)
        fit = grids.fitting_columns(cols.padded, w + 2, label_w, width)
        view_rows = grids.view_range(rows.padded, s.top, rows.span, max_rows or self.max_rows)
        view_cols = grids.view_range(cols.padded, s.left, cols.span, fit)
        cut = (
            view_rows.start > 0, view_rows.stop < rows.padded,
            view_cols.start > 0, view_cols.stop < cols.padded,
        )
        row_labels = [all_row_labels[i] for i in view_rows]
        col_labels = [all_col_labels[j] for j in view_cols]

        # the visible columns as runs of one kind: (first, stop, is padding, tap v or None)
        tap_cols = {s.left + v * dw: v for v in range(kw)}
        col_runs = []
        for j in view_cols:
            padding, v = cols.is_padding(j), tap_cols.get(j)
            if col_runs and v is None and col_runs[-1][3] is None and col_runs[-1][2] == padding:
                col_runs[-1][1] = j + 1
            else:
                col_runs.append([j, j + 1, padding, v])
        tap_rows = {s.top + u * dh: u for u in range(kh)}
        styles = grids.STYLES

        blocks = []
        for c in channels:
            image = cells[c]
            lines = []
            for i in view_rows:
                row_cells = image[i]
                u = tap_rows.get(i)
                pad_row = rows.is_padding(i)
                line = []
                for first, stop, padding, v in col_runs:
                    if v is not None and u is not None:
                        if pad_row or padding:
                            line.append((f"[{grids.PAD_TEXT:>{w}}]", styles[PAD_TAP]))
                        else:
                            line.append((f"[{self.fmt(patch[c][u][v]):>{w}}]", styles[TAP]))
                    else:
                        line.append(("".join(row_cells[first:stop]), styles[PAD if (pad_row or padding) else PLAIN]))
                lines.append(line)
            title = Block([[(f"c{c}", BOLD)]])
            blocks.append(vstack([title, grids.grid(lines, row_labels, col_labels, w, cut)]))
        if not caption:
            return flow(blocks, width, gap=4)
        ph, pw = g.padded_size
        taps = f"{kh}x{kw} taps"
        if g.dilation != (1, 1):
            taps += f", {dh} row{'s' * (dh > 1)} and {dw} column{'s' * (dw > 1)} apart (dilation)"
        caption = f"x_pad[{s.n}]: image {s.n} padded to {ph}x{pw}; [ ] = the window's {taps}"
        if rows.before or rows.after or cols.before or cols.after:
            caption += (f"; {grids.PAD_TEXT} = zero padding; rows and columns are counted in x_pad, "
                        f"where the input starts at ({rows.before}, {cols.before})")
        parts = [prose(caption, width, BOLD), flow(blocks, width, gap=4)]
        if any(cut):
            parts.append(prose(
                f"showing rows {row_labels[0]}..{row_labels[-1]}, columns {col_labels[0]}..{col_labels[-1]} "
                f"of {all_row_labels[0]}..{all_row_labels[-1]} x {all_col_labels[0]}..{all_col_labels[-1]} "
                f"({'⋮ …' if cut[0] or cut[1] else '…'} = cut)", width, NOTE))
        if n_channels > shown:
            parts.append(prose(f"... and {n_channels - shown} more channel{'s' * (n_channels - shown > 1)} (c{shown}..c{n_channels - 1}) not drawn", width, NOTE))
        return vstack(parts)
