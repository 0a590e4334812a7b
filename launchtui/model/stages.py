"""The seven sprint stages, in the order the sprint walks them."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Stage:
    name: str
    number: int
    title: str
    goal: str


STAGES: tuple[Stage, ...] = (
    Stage("audit", 1, "Quick audit", "Find the launch blockers in under half a day."),
    Stage("edge", 2, "Domain and edge", "Make the public surface stable before traffic arrives."),
    Stage("deploy", 3, "Deployment hardening", "Make the app run the same way every deploy."),
    Stage("performance", 4, "Performance guardrails", "Keep first traffic from slowing it down."),
    Stage("email", 5, "Email deliverability", "Make community mail reach inboxes, not spam."),
    Stage("monitoring", 6, "Monitoring", "Know something broke before members tell you."),
    Stage("handover", 7, "Handover", "Let another engineer step in without guessing."),
)

STAGE_NAMES: tuple[str, ...] = tuple(stage.name for stage in STAGES)


def stage(name: str) -> Stage:
    for candidate in STAGES:
        if candidate.name == name:
            return candidate
    raise KeyError(name)
