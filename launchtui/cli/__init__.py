"""The headless command line: one module per command, all views over the same engine."""
