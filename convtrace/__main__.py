"""`python -m convtrace` runs the command line."""

from .cli import main

main()
