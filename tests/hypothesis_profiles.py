"""Hypothesis settings for the property-based tests: a bounded `ci` profile (the default: the
whole fuzz set well under two minutes) and a long `fuzz` profile (`./dev fuzz`: 5,000 examples
per property, or LAUNCHTUI_FUZZ_EXAMPLES; with --hypothesis-show-statistics it prints the count
each property ran). Deadlines are
off: a loaded machine must not fail a test for being slow. Failing examples are kept in the
example database under .hypothesis/ and, once found, written into the tests as @example
regressions.

PYTEST_DONT_REWRITE
"""

from __future__ import annotations

import os

from hypothesis import HealthCheck, settings

settings.register_profile(
    "ci",
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    derandomize=True,  # the same examples every run: CI is reproducible
)
settings.register_profile(
    "fuzz",
    max_examples=int(os.environ.get("LAUNCHTUI_FUZZ_EXAMPLES", "5000")),  # ~15 min here
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
settings.load_profile(os.environ.get("LAUNCHTUI_FUZZ_PROFILE", "ci"))
