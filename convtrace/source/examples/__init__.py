"""Documents that ship with convtrace (the built-in example)."""
