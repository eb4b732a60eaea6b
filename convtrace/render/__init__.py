"""Turning engine events into text: JSON records, plain lines and Rich frames. Nothing here computes."""
