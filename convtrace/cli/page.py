"""`--export page.html` on `run` and `lesson run`: the HTML player, recorded from the steps as they pass."""

from __future__ import annotations

import click


class TracePageExport:
    """Watches a command's steps and writes the player page at the end; says on stderr when it is capped."""

    def __init__(self, path: str, problem, chosen=None, limit: int | None = None):
        from ..errors import UsageError
        from ..render.output.page import TraceRecorder

        try:  # fail before the trace, not after it, when the file cannot be written
            open(path, "a", encoding="utf-8").close()
        except OSError as err:
            raise UsageError(f"--export {path!r}: cannot write it ({err.strerror}); check the folder exists") from None
        self.path = path
        self.recorder = TraceRecorder(problem, chosen or (lambda step: True), limit)

    def watch(self, steps):
        return self.recorder.watch(steps)

    def write(self) -> None:
        from ..render.output.page import write_page

        self.recorder.finish()
        write_page(self.path, self.recorder.data())
        note = self.recorder.cap_note()
        if note:
            click.echo(f"--export {self.path}: {note}", err=True)


class LayerPageExport(TracePageExport):
    """The same page for every other layer (groups, 1-D, 3-D, transposed, pooling), from its LayerSteps."""

    def __init__(self, path: str, problem, chosen=None, limit: int | None = None):
        from ..render.output.page.layer_data import LayerRecorder

        super().__init__(path, problem, chosen, limit)
        self.recorder = LayerRecorder(problem, chosen or (lambda step: True), limit)
