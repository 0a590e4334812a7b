"""What the monitoring checks run on: light enough to list the checks (no network stack)."""

from __future__ import annotations

from launchtui.model.sprint import Sprint
from launchtui.model.targets import Target

# monitoring.synthetic and monitoring.cert-expiry
MONITORS_SETTING = "[flows]"  # the one target when the sprint declares no monitor URL
CERTIFICATES_SETTING = "[site] hostnames"  # cert-expiry's one target, all hostnames in it


def http_monitors(sprint: Sprint) -> list[Target]:
    """One target per HTTP monitor (homepage, login, health, checkout), each URL once."""
    urls = dict.fromkeys(monitor.url for monitor in sprint.monitors.http)
    return [Target.for_url(url) for url in urls] or [Target.for_setting(MONITORS_SETTING)]


def certificates(sprint: Sprint) -> list[Target]:
    """One row for every public hostname's certificate: the soonest expiry is what matters."""
    return [Target.for_setting(CERTIFICATES_SETTING)]


EXISTING_SETTING = "[monitoring].existing"  # monitoring.coverage's one target
ERROR_DSN_SETTING = "[monitoring].error_dsn"  # monitoring.error-reporting's one target


def coverage(sprint: Sprint) -> list[Target]:
    """One row for all the files named: coverage is what they watch together."""
    return [Target.for_setting(EXISTING_SETTING)]


def error_reporting(sprint: Sprint) -> list[Target]:
    return [Target.for_setting(ERROR_DSN_SETTING)]
