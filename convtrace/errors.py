"""The two kinds of mistakes convtrace reports: bad data (exit 1) and bad usage (exit 2)."""


class ConvtraceError(Exception):
    """A mistake in what the user gave us, told in one short sentence (no traceback)."""

    exit_code = 1


class DataError(ConvtraceError):
    """The document (or arrays) do not describe a valid convolution."""

    exit_code = 1


class UsageError(ConvtraceError):
    """Options or files on the command line are wrong."""

    exit_code = 2
