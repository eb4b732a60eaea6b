"""Input: document text, arrays and pictures -> one validated, frozen `Problem`. Nothing here runs an engine."""
