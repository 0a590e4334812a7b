"""The terminal app: a Textual view over the sprint store, the checks engine and the reports.

Only this package imports Textual; the domain it shows stays usable headless.
"""
