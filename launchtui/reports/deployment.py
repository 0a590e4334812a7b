"""The deployment checklist and the secret handling plan: stage 3's deliverables in the export.

From the sprint file and its saved results, never from the network, and never a value:
- each required environment variable: its kind (declared, or from its name), where production
  sets it (`[deploy].env_source`), and what `deploy.env` last said of it;
- each secret the platform runs on: the secret-kind variables, the credentials of
  `[credentials]`, and every live key `deploy.secrets` found exposed; for each, where it lives,
  who owns it (the "Secret handling plan" task's owner, else the "Key rotation" task's) and how
  to rotate it.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from launchtui.model.env import EnvVar
from launchtui.model.results import Result
from launchtui.model.sprint import Sprint
from launchtui.sprint.tasks_store import TaskState

SECRET_KINDS = ("payment_key", "database_url", "token", "secret")
PLAN_TASK = ("deploy", "secret-handling-plan")
ROTATION_TASK = ("handover", "key-rotation")
NO_OWNER = "not recorded (the 'Secret handling plan' task's owner)"

_ROTATE = {
    "payment_key": (
        "Stripe Dashboard, Developers, API keys: roll the key, giving the old one an expiry so "
        "both work while you deploy; set the new value {where}, deploy, let the old one expire."
    ),
    "database_url": (
        "Give the database user a new password (or create a second user), set the new URL "
        "{where}, deploy, then revoke the old password."
    ),
    "token": (
        "Issue a new token at the provider with the same scope, set it {where}, deploy, then "
        "revoke the old one."
    ),
    "secret": (
        "Generate a new random value (`openssl rand -hex 32`) and set it {where}. A signing "
        "secret (sessions, JWTs) logs everyone out when it changes, unless the app accepts the "
        "old value beside the new one until the old sessions expire."
    ),
}


@dataclass(frozen=True, slots=True)
class EnvRow:
    name: str
    kind: str
    kind_from: str  # "declared" or "from its name"
    where: str  # [deploy].env_source as written, or what is missing
    status: str  # deploy.env's latest verdict on it, or "not checked"
    finding: str  # that verdict's summary (deploy.env never puts a value in it)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True, slots=True)
class SecretRow:
    secret: str  # a variable's or credential's name, or an exposed key (redacted)
    lives: str
    owner: str
    rotate: str
    exposed: bool = False  # found in the code, build output or history: rotate now

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def env_rows(sprint: Sprint, results: list[Result]) -> list[EnvRow]:
    verdicts = {r.target: r for r in results if r.id == "deploy.env"}
    where = sprint.env_source.text if sprint.env_source else "not declared ([deploy].env_source)"
    rows = []
    for var in sprint.env_vars:
        verdict = verdicts.get(var.name)
        rows.append(
            EnvRow(
                name=var.name,
                kind=var.kind,
                kind_from="declared" if var.declared else "from its name",
                where=where,
                status=str(verdict.status) if verdict else "not checked",
                finding=verdict.summary if verdict else "",
            )
        )
    return rows


def secret_rows(
    sprint: Sprint,
    results: list[Result],
    states: dict[tuple[str, str], TaskState],
    credentials: list[tuple[str, str]],
) -> list[SecretRow]:
    """The secret handling plan. `credentials` are (name, where it lives) of [credentials]."""
    owner = _owner(states)
    rows = [_exposed(finding, owner) for finding in _findings(results)]
    for var in sprint.env_vars:
        if var.kind in SECRET_KINDS:
            rows.append(_variable(sprint, var, owner))
    for name, lives in credentials:
        rows.append(
            SecretRow(
                secret=name,
                lives=lives,
                owner=owner,
                rotate="Create a new one at the provider with the same scope, store it with "
                f"`launchtui credentials set SPRINT {name}`, then revoke the old one.",
            )
        )
    return rows


def plan_note(states: dict[tuple[str, str], TaskState]) -> str:
    """What the engineer wrote on the "Secret handling plan" task."""
    state = states.get(PLAN_TASK)
    return state.note if state is not None else ""


def _owner(states: dict[tuple[str, str], TaskState]) -> str:
    for task in (PLAN_TASK, ROTATION_TASK):
        state = states.get(task)
        if state is not None and state.owner:
            return state.owner
    return NO_OWNER


def _variable(sprint: Sprint, var: EnvVar, owner: str) -> SecretRow:
    source = sprint.env_source
    lives = f"{var.name} in {source.text}" if source else f"{var.name}, source not declared"
    where = f"in {source.text}" if source else "where production reads it"
    return SecretRow(
        secret=var.name, lives=lives, owner=owner, rotate=_ROTATE[var.kind].format(where=where)
    )


def _findings(results: list[Result]) -> list[dict[str, Any]]:
    """deploy.secrets' live findings (test keys are not a launch risk), as saved."""
    found = []
    for result in results:
        if result.id != "deploy.secrets":
            continue
        for finding in result.evidence.get("findings", []):
            if isinstance(finding, dict) and finding.get("mode") == "live":
                found.append(finding)
    return found


def _exposed(finding: dict[str, Any], owner: str) -> SecretRow:
    place = f"{finding.get('path', '?')}:{finding.get('line', '?')}"
    if finding.get("commit"):
        place += f" in commit {str(finding['commit'])[:12]}"
    title = str(finding.get("title", "a secret"))
    return SecretRow(
        secret=f"{title} {finding.get('redacted', '')}".strip(),
        lives=f"{place} ({finding.get('risk_label', 'exposed')})",
        owner=owner,
        rotate="Rotate it now at the provider (a key in a bundle or in git history is in "
        "every copy), then load it from the environment and remove it from the code and "
        "build output.",
        exposed=True,
    )
