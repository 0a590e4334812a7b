"""What the deploy checks run on: light enough to list the checks (no network stack here)."""

from __future__ import annotations

from launchtui.model.sprint import Sprint
from launchtui.model.targets import Target

HEALTH_SETTING = "[flows].health"  # the one target when no health URL is declared
REPO_SETTING = "[deploy].repo"  # the one target of the repository checks


def health(sprint: Sprint) -> list[Target]:
    url = sprint.flows.get("health")
    return [Target.for_url(url)] if url else [Target.for_setting(HEALTH_SETTING)]


def repo(sprint: Sprint) -> list[Target]:
    """One row whatever the path, so that its key is the same on every machine."""
    return [Target.for_setting(REPO_SETTING)]
