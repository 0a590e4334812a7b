"""What the monitoring checks run on: light enough to list the checks (no network stack)."""

from __future__ import annotations

from launchtui.model.sprint import Sprint
from launchtui.model.targets import Target

EXISTING_SETTING = "[monitoring].existing"  # monitoring.coverage's one target
ERROR_DSN_SETTING = "[monitoring].error_dsn"  # monitoring.error-reporting's one target


def coverage(sprint: Sprint) -> list[Target]:
    """One row for all the files named: coverage is what they watch together."""
    return [Target.for_setting(EXISTING_SETTING)]


def error_reporting(sprint: Sprint) -> list[Target]:
    return [Target.for_setting(ERROR_DSN_SETTING)]
