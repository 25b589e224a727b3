"""The booking rules as plain Python: no I/O, no framework, no SQL."""
