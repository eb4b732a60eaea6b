"""`convtrace examples`: the named examples every command can read with --example NAME."""

from __future__ import annotations

import click


@click.command(context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--show", "show", default=None, metavar="NAME", help="Print example NAME's JSON document.")
def examples(show) -> None:
    """List the examples that ship with convtrace: NAME, then what it shows.

    \b
    Examples:
      convtrace examples                   the list
      convtrace run --example edges        trace one of them
      convtrace run --example cs231n --step
      convtrace examples --show edges > edges.json   a copy to edit
    """
    from ..source.examples import DEFAULT, EXAMPLES, example_text

    if show is not None:
        if show not in EXAMPLES:
            raise click.BadParameter(f"{show!r} is not an example; choose one of {', '.join(EXAMPLES)}",
                                     param_hint="--show")
        chosen = EXAMPLES[show]
        if chosen.document is None:  # a picture: say where it is and what runs over it
            click.echo(f"{chosen.images[0]}\nkernels: {chosen.kernels}{' (gray)' if chosen.gray else ''}")
            return
        click.echo(example_text(show), nl=False)
        return
    width = max(len(name) for name in EXAMPLES)
    for name, example in EXAMPLES.items():
        click.echo(f"{name:<{width}}  {example.about}")
    click.echo(f"\nrun --example NAME (any command that reads a document); without FILE: {DEFAULT}")
