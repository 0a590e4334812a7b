"""What the deploy checks run on: light enough to list the checks (no network stack here)."""

from __future__ import annotations

from launchtui.model.sprint import Sprint
from launchtui.model.targets import Target

HEALTH_SETTING = "[flows].health"  # the one target when no health URL is declared
REPO_SETTING = "[deploy].repo"  # the one target of the repository checks
EXAMPLE = ".env.example"  # deploy.env's row comparing the repo's example file
NOTHING_REQUIRED = "[deploy].env_required"  # deploy.env's one target when nothing is required


def env(sprint: Sprint) -> list[Target]:
    """One row per required variable (named by it), and the repo's .env.example if any."""
    if not sprint.env_vars:
        return [Target.for_setting(NOTHING_REQUIRED)]
    targets = [Target.for_host(var.name) for var in sprint.env_vars]
    if sprint.deploy_repo is not None:
        targets.append(Target.for_host(EXAMPLE))
    return targets


def health(sprint: Sprint) -> list[Target]:
    url = sprint.flows.get("health")
    return [Target.for_url(url)] if url else [Target.for_setting(HEALTH_SETTING)]


def repo(sprint: Sprint) -> list[Target]:
    """One row whatever the path, so that its key is the same on every machine."""
    return [Target.for_setting(REPO_SETTING)]
