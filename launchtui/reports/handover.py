"""The handover deliverable: what another engineer needs to step in, from the sprint file alone.

Built from a loaded sprint file (no network): the seven handover items with their state, the
risk list and fix order over the saved results, the routing map, the deployment checklist
(each required env var's kind, where it is set and its status, and the secret handling plan:
where each secret lives, its owner, how to rotate it; never a value), the other stages'
manual tasks, open blockers, saved performance and email evidence, the delivery test log
(launchtui email-test), and when each check last ran. `to_data`/`render_json` give it as
JSON; launchtui.reports.handover_markdown as Markdown. A fixed `now` makes the output reproducible.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from launchtui.credentials import SERVICE, CredentialStore, env_var
from launchtui.email.delivery_log import saved_email_tests
from launchtui.email.sender_rules import COMPLAINT_RATE, PROVIDERS, TemplateRules, latest_judged
from launchtui.errors import CredentialError
from launchtui.model.results import Result
from launchtui.model.stages import STAGE_NAMES
from launchtui.model.tasks import Task, all_tasks
from launchtui.reports.deployment import EnvRow, SecretRow, env_rows, plan_note, secret_rows
from launchtui.reports.incident import INCIDENT_TASK, note_or_draft
from launchtui.reports.risks import Risk, fix_order, rank_risks
from launchtui.reports.routing import RouteEntry, build_routing
from launchtui.sprint.history import History, HistoryError, RiskNote
from launchtui.sprint.recorded import latest_results
from launchtui.sprint.store import SprintDocument
from launchtui.sprint.tasks_store import TaskState, saved_tasks

# How the secret handling plan says where a credential lives (the credentials table has more).
_LIVES = {
    "keyring": "the OS keyring of the engineer's machine",
    "environment": "an environment variable",
    "not set": "nowhere yet (not set)",
    "unknown": "unknown: the keyring could not be read",
}

LATENCY = "perf.latency"  # the check whose figures get a baseline (launchtui perf baseline)

DRAFT_MARK = "draft, not yet reviewed by the engineer"

# Stages whose saved results carry figures a successor wants: baselines and delivery logs.
EVIDENCE_STAGES = ("performance", "email")
RISK_NOTES_READ = 7  # days read back to find the latest complete one
NO_RISK_NOTE = "no risk note yet (launchtui logs SPRINT)"


@dataclass(frozen=True, slots=True)
class TaskRow:
    task: Task  # a task added by hand has its id as title and no why/how
    state: TaskState
    in_catalogue: bool = True

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.task.id,
            "stage": self.task.stage,
            "title": self.task.title,
            "in_catalogue": self.in_catalogue,
            "done": self.state.done,
            "owner": self.state.owner,
            "note": self.state.note,
            "evidence": self.state.evidence,
            "updated_at": self.state.updated_at,
        }


@dataclass(frozen=True, slots=True)
class CredentialRow:
    name: str
    purpose: str
    source: str  # "keyring", "environment", "not set" or "unknown"
    where: str  # a reference a person can follow; never the value

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "purpose": self.purpose,
            "source": self.source,
            "where": self.where,
        }


@dataclass(frozen=True, slots=True)
class BaselineRow:
    """A flow's marked baseline (launchtui perf baseline) beside its latest figures."""

    flow: str
    p95_ms: float
    error_rate: float
    marked_at: str
    latest_p95_ms: float | None  # the latest perf.latency result's, if it has figures
    latest_error_rate: float | None

    def to_dict(self) -> dict[str, Any]:
        return {
            "flow": self.flow,
            "p95_ms": self.p95_ms,
            "error_rate": self.error_rate,
            "marked_at": self.marked_at,
            "latest_p95_ms": self.latest_p95_ms,
            "latest_error_rate": self.latest_error_rate,
        }


@dataclass(frozen=True, slots=True)
class Handover:
    document: SprintDocument
    generated_at: str
    handover: list[TaskRow]  # the seven handover items, in catalogue order
    other_tasks: list[TaskRow]  # every other stage's manual tasks, in stage order
    results: list[Result]  # saved results, in stage order
    risks: list[Risk]
    routing: list[RouteEntry]
    credentials: list[CredentialRow]
    ages: dict[tuple[str, str], str]  # (check id, target) -> age of its checked_at
    delivery_log: list[dict[str, Any]]  # the seed inbox test messages, oldest first
    sender_rules: list[TemplateRules]  # each template's latest judged test, providers' rules
    baselines: list[BaselineRow]  # stage 4's deliverable: p95 and error rate per flow
    env_vars: list[EnvRow]  # the deployment checklist's variables
    secret_plan: list[SecretRow]  # per secret: where it lives, owner, how to rotate
    plan_note: str = ""  # the "Secret handling plan" task's note
    incident_note: str = ""  # the "Incident response note" task's note, else the draft
    incident_reviewed: bool = False  # the engineer wrote the note (not the draft)
    keyring_problem: str = ""  # why the keyring could not be read, said once for every row
    risk_note: RiskNote | None = None  # the latest daily risk note (launchtui logs), if any

    @property
    def blockers(self) -> list[Risk]:
        return [risk for risk in self.risks if risk.group == "blocker"]

    def evidence(self, stage: str) -> list[Result]:
        return [result for result in self.results if result.stage == stage]


def build(
    document: SprintDocument,
    *,
    now: datetime | None = None,
    credentials: CredentialStore | None = None,
) -> Handover:
    """The handover of a loaded sprint file as of `now` (default: the current time);
    `credentials` defaults to the sprint's own store."""
    now = now or datetime.now(UTC)
    sprint = document.sprint
    results = sorted(
        latest_results(document)[0].values(),
        key=lambda r: (STAGE_NAMES.index(r.stage), r.id, r.target),
    )
    states = saved_tasks(document)
    rows = _task_rows(states)
    store = credentials or CredentialStore(sprint.id)
    credential_rows, keyring_problem = _credentials(store, sprint.credentials)
    lives = [(row.name, _LIVES.get(row.source, row.source)) for row in credential_rows]
    incident_note, incident_reviewed = note_or_draft(sprint, states)
    delivery_log = saved_email_tests(document)
    return Handover(
        document=document,
        generated_at=_iso(now),
        handover=[row for row in rows if row.task.stage == "handover"],
        other_tasks=[row for row in rows if row.task.stage != "handover"],
        results=results,
        risks=rank_risks(results),
        routing=build_routing(sprint, results),
        credentials=credential_rows,
        ages={(r.id, r.target): age(r.checked_at, now) for r in results},
        delivery_log=delivery_log,
        sender_rules=latest_judged(delivery_log)[0],
        baselines=_baselines(document, results),
        env_vars=env_rows(sprint, results),
        secret_plan=secret_rows(sprint, results, states, lives),
        plan_note=plan_note(states),
        incident_note=incident_note,
        incident_reviewed=incident_reviewed,
        keyring_problem=keyring_problem,
        risk_note=_risk_note(document),
    )


def to_data(
    document: SprintDocument,
    *,
    now: datetime | None = None,
    credentials: CredentialStore | None = None,
) -> dict[str, Any]:
    handover = build(document, now=now, credentials=credentials)
    sprint = document.sprint
    return {
        "sprint": {
            "id": sprint.id,
            "name": sprint.name,
            "client": sprint.client,
            "engineer": sprint.engineer,
            "apex": sprint.site.apex,
            "path": str(sprint.path),
        },
        "generated_at": handover.generated_at,
        "handover": [row.to_dict() for row in handover.handover],
        "blockers": [risk.rank for risk in handover.blockers],
        "risks": [risk.to_dict() for risk in handover.risks],
        "fix_order": fix_order(handover.risks),
        "routing": [entry.to_dict() for entry in handover.routing],
        "deployment": {
            "env_required": list(sprint.env_required),
            "env_source": sprint.env_source.text if sprint.env_source else None,
            "env_vars": [row.to_dict() for row in handover.env_vars],
            "secret_plan": [row.to_dict() for row in handover.secret_plan],
            "plan_note": handover.plan_note,
            "credentials": [row.to_dict() for row in handover.credentials],
            "keyring_problem": handover.keyring_problem,
        },
        "incident_response": _incident(handover),
        "performance_baselines": [row.to_dict() for row in handover.baselines],
        "daily_risk_note": _risk_note_data(handover.risk_note),
        "tasks": [row.to_dict() for row in handover.other_tasks],
        "evidence": {
            stage: [_evidence(r) for r in handover.evidence(stage)] for stage in EVIDENCE_STAGES
        },
        "delivery_log": handover.delivery_log,
        "sender_rules": {
            "providers": [
                {
                    "key": p.key,
                    "title": p.title,
                    "since": p.since,
                    "page": p.page,
                    "rules": list(p.rules),
                }
                for p in PROVIDERS
            ],
            "templates": [
                {
                    "template": t.template,
                    "tested_at": t.at,
                    "messages": t.messages,
                    "rules": t.rules,
                    "providers": t.providers,
                    "fixes": t.fixes,
                }
                for t in handover.sender_rules
            ],
            "not_measured": COMPLAINT_RATE,
        },
        "checks": [
            {
                "id": r.id,
                "stage": r.stage,
                "target": r.target,
                "status": str(r.status),
                "severity": str(r.severity),
                "checked_at": r.checked_at,
                "age": handover.ages[(r.id, r.target)],
            }
            for r in handover.results
        ],
    }


def render_json(
    document: SprintDocument,
    *,
    now: datetime | None = None,
    credentials: CredentialStore | None = None,
) -> str:
    # ensure_ascii: every control character stays a \u escape, inert on a terminal.
    data = to_data(document, now=now, credentials=credentials)
    return json.dumps(data, indent=2, ensure_ascii=True) + "\n"


def age(checked_at: str, now: datetime) -> str:
    """How long ago an ISO 8601 time was, roughly: "just now", "5 min", "3 h", "2 days"."""
    try:
        then = datetime.fromisoformat(checked_at)
    except ValueError:
        return "unknown"
    if then.tzinfo is None:
        then = then.replace(tzinfo=UTC)
    minutes = int((now - then).total_seconds() // 60)
    if minutes < 0:
        return "in the future"
    if minutes < 1:
        return "just now"
    if minutes < 60:
        return f"{minutes} min"
    if minutes < 48 * 60:
        return f"{minutes // 60} h"
    return f"{minutes // (24 * 60)} days"


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _task_rows(states: dict[tuple[str, str], TaskState]) -> list[TaskRow]:
    """Every catalogue task, then tasks added by hand, each stage's together."""
    rows = [TaskRow(task, states.get((task.stage, task.id), TaskState())) for task in all_tasks()]
    catalogue = {(task.stage, task.id) for task in all_tasks()}
    rows += [
        TaskRow(Task(task_id, stage, task_id, "", ""), state, in_catalogue=False)
        for (stage, task_id), state in states.items()
        if (stage, task_id) not in catalogue
    ]
    return sorted(rows, key=lambda row: STAGE_NAMES.index(row.task.stage))


KEYRING_UNREACHABLE = "unavailable: keyring not reachable"


def _credentials(
    store: CredentialStore, declared: dict[str, str]
) -> tuple[list[CredentialRow], str]:
    """A row per declared credential, and the keyring's problem if it could not be read: said
    once, not repeated in every row (a D-Bus error runs to a few hundred characters)."""
    rows, problem = [], ""
    for name, purpose in declared.items():
        try:
            rows.append(_credential(store, name, purpose))
        except CredentialError as exc:
            problem = problem or " ".join(str(exc).split())
            where = f"{KEYRING_UNREACHABLE} (or set {env_var(name)})"
            rows.append(CredentialRow(name, purpose, "unknown", where))
    return rows, problem


def _credential(store: CredentialStore, name: str, purpose: str) -> CredentialRow:
    """Raises CredentialError when the keyring cannot be read."""
    source = store.source(name)
    if source == "keyring":
        where = f"OS keyring (service {SERVICE}, user {store.username(name)})"
    elif source == "environment":
        where = f"environment variable {env_var(name)}"
    else:
        where = (
            f"not set: store it with launchtui credentials set SPRINT {name}, "
            f"or set {env_var(name)}"
        )
    return CredentialRow(name, purpose, source or "not set", where)


def _incident(handover: Handover) -> dict[str, Any]:
    state = saved_tasks(handover.document).get(INCIDENT_TASK, TaskState())
    return {
        "task": {"stage": INCIDENT_TASK[0], "id": INCIDENT_TASK[1]},
        "reviewed": handover.incident_reviewed,
        "status": "written by the engineer" if handover.incident_reviewed else DRAFT_MARK,
        "note": handover.incident_note,
        "owner": state.owner,
        "done": state.done,
        "updated_at": state.updated_at,
    }


def _risk_note(document: SprintDocument) -> RiskNote | None:
    """The daily risk note to hand over: the latest complete day's kept in the run history
    (launchtui logs, or l on the monitoring screen); None without one or without a usable
    history (the export still goes out)."""
    from launchtui.logs.pipeline import shown_note

    try:
        return shown_note(History(document.path).risk_notes(limit=RISK_NOTES_READ))
    except HistoryError:
        return None


def _risk_note_data(note: RiskNote | None) -> dict[str, Any] | None:
    if note is None:
        return None
    return {
        "day": note.day.isoformat(),
        "unusual": note.unusual,
        "recurring": note.recurring,
        "new": note.new,
        "partial": bool(note.figures.get("partial")),
        "created_at": note.created_at,
        "markdown": note.markdown,
    }


def _baselines(document: SprintDocument, results: list[Result]) -> list[BaselineRow]:
    """The marked perf.latency baselines, each beside its flow's latest figures (none when the
    run history cannot be read: the export still goes out)."""
    try:
        marked = History(document.path).baselines(LATENCY)
    except HistoryError:
        return []
    latest = {r.target: r.evidence for r in results if r.id == LATENCY}
    rows = []
    for (_, flow), baseline in sorted(marked.items()):
        figures = latest.get(flow, {})
        p95, errors = figures.get("p95_ms"), figures.get("error_rate")
        rows.append(
            BaselineRow(
                flow=flow,
                p95_ms=baseline.p95_ms,
                error_rate=baseline.error_rate,
                marked_at=baseline.marked_at,
                latest_p95_ms=float(p95) if isinstance(p95, int | float) else None,
                latest_error_rate=float(errors) if isinstance(errors, int | float) else None,
            )
        )
    return rows


def _evidence(result: Result) -> dict[str, Any]:
    return {
        "id": result.id,
        "target": result.target,
        "status": str(result.status),
        "summary": result.summary,
        "evidence": result.evidence,
        "checked_at": result.checked_at,
    }
