"""`--export FILE` for the views that are not traces (explain, compare, lesson show) and for `lesson run`."""

from __future__ import annotations

import click

VIEW_HELP = "Also save the view to FILE.txt, FILE.svg (one picture, offline fonts) or FILE.html."


class ExportPath(click.ParamType):
    """A file name whose suffix picks the format: one of `suffixes`."""

    name = "FILE"

    def __init__(self, suffixes: tuple[str, ...]):
        self.suffixes = suffixes

    def convert(self, value, param, ctx):
        from pathlib import Path

        if Path(str(value)).suffix.lower() not in self.suffixes:
            names = ", ".join(s for s in self.suffixes if s != ".htm")
            self.fail(f"{value!r}: the file name must end in {names} (it picks the format)", param, ctx)
        return str(value)


def view_export_option(command):
    return click.option("--export", "export", type=ExportPath((".txt", ".svg", ".html", ".htm")), default=None,
                        metavar="FILE", help=VIEW_HELP)(command)


def save(renderables, export: str | None, title: str) -> None:
    """Save what the command prints (the same renderables) when --export was given.

    Called before the printing, so the file is whole even when stdout's reader goes away (`| head`).
    """
    if export:
        from ..render.output.export import save_view

        save_view(renderables, export, title)
