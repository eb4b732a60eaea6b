"""Option types shared by several commands: numbers that must be finite and sensible."""

from __future__ import annotations

import math

import click


class Seconds(click.ParamType):
    """A duration in seconds between `low` and `high`: nan, inf and 1e308 are refused at the boundary."""

    name = "seconds"

    def __init__(self, low: float, high: float):
        self.low, self.high = low, high

    def convert(self, value, param, ctx) -> float:
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            seconds = float(value)
        else:
            try:
                seconds = float(value)
            except (TypeError, ValueError):
                self.fail(f"{value!r} is not a number of seconds, e.g. 0.5", param, ctx)
        if not math.isfinite(seconds):
            self.fail(f"{value!r} is not a finite number of seconds; give one between {self.low:g} and {self.high:g}",
                      param, ctx)
        if not self.low <= seconds <= self.high:
            self.fail(f"{value!r} is out of range: give a number of seconds between {self.low:g} and {self.high:g}",
                      param, ctx)
        return seconds
