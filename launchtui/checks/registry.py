"""The registry of checks. Check modules register themselves when imported."""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from launchtui.model.results import Outcome, Severity
from launchtui.model.sprint import Sprint
from launchtui.model.stages import STAGE_NAMES
from launchtui.model.targets import Target

if TYPE_CHECKING:  # the network stack loads when a check runs, not to list the checks
    from launchtui.checks.context import CheckContext

CheckFunction = Callable[["CheckContext", Target], Awaitable[Outcome]]
TargetFunction = Callable[[Sprint], list[Target]]

# Check modules live in one package per stage (checks/edge/, checks/email/, ...) and register
# themselves on import; modules whose names start with "_" are shared helpers.


@dataclass(frozen=True, slots=True)
class Check:
    id: str
    stage: str
    severity: Severity
    title: str
    targets: TargetFunction
    run: CheckFunction
    audit: bool = False  # also part of the quick audit (stage 1)
    budget: float = 30.0  # seconds for one target, whatever the check does


_REGISTRY: dict[str, Check] = {}


def register(check: Check) -> Check:
    if check.id in _REGISTRY:
        raise ValueError(f"check id {check.id} registered twice")
    _REGISTRY[check.id] = check
    return check


def all_checks() -> list[Check]:
    """Every registered check, ordered by stage, then id (whatever order modules loaded in)."""
    package = importlib.import_module("launchtui.checks")
    for stage in pkgutil.iter_modules(package.__path__):
        if not stage.ispkg:
            continue  # the engine, this registry and shared helpers
        stage_package = importlib.import_module(f"launchtui.checks.{stage.name}")
        for module in pkgutil.iter_modules(stage_package.__path__):
            if not module.name.startswith("_"):
                importlib.import_module(f"launchtui.checks.{stage.name}.{module.name}")
    return sorted(_REGISTRY.values(), key=lambda check: (STAGE_NAMES.index(check.stage), check.id))


def checks_for_stages(stages: list[str]) -> list[Check]:
    """Checks of the given stages; "audit" selects every check marked for the quick audit.

    No stages at all means every check.
    """
    checks = all_checks()
    if not stages:
        return checks
    wanted = set(stages)
    return [c for c in checks if c.stage in wanted or ("audit" in wanted and c.audit)]
