"""The registry of checks.

Each stage package (checks/edge/, checks/email/, ...) declares its checks in its __init__
when imported: id, stage, severity, title and targets, which is all that listing them needs.
What a check does lives in a module of its own, named in the declaration with RunsIn and
imported on the check's first run: that module and the network stack it needs (httpx,
dnspython, cryptography, the parsers in email/ and net/) stay out of start-up.
"""

from __future__ import annotations

import functools
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

# In a stage package, modules whose names start with "_" are shared helpers; every other module
# implements one check, as an async function `run` with the signature of CheckFunction.


@dataclass(frozen=True, slots=True)
class Check:
    id: str
    stage: str
    severity: Severity
    title: str
    targets: TargetFunction
    run: CheckFunction
    audit: bool = False  # also part of the quick audit (stage 1)
    trend: str = ""  # an evidence number worth following over runs (the app draws its history)
    budget: float = 30.0  # seconds for one target, whatever the check does


_REGISTRY: dict[str, Check] = {}


def register(check: Check) -> Check:
    if check.id in _REGISTRY:
        raise ValueError(f"check id {check.id} registered twice")
    _REGISTRY[check.id] = check
    return check


class RunsIn:
    """A check's run function that imports `module` on its first call and awaits its `run`."""

    __slots__ = ("module",)

    def __init__(self, module: str) -> None:
        self.module = module

    async def __call__(self, ctx: CheckContext, target: Target) -> Outcome:
        return await _implementation(self.module)(ctx, target)


@functools.cache
def _implementation(module: str) -> CheckFunction:
    run: CheckFunction = importlib.import_module(module).run
    return run


def all_checks() -> list[Check]:
    """Every registered check, ordered by stage, then id (whatever order stages loaded in)."""
    package = importlib.import_module("launchtui.checks")
    for stage in pkgutil.iter_modules(package.__path__):
        if stage.ispkg:  # not the engine, this registry or shared helpers
            importlib.import_module(f"launchtui.checks.{stage.name}")
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
