"""The incident response note, drafted from the sprint: stage 6's "simple incident response note".

Who is on call, what to look at first and in which order (the monitors, the health endpoint,
the error tracker), where alerts go, the deploy and rollback steps recorded in stages 1 and 3,
how to tell members, and the first 15 minutes. The engineer edits the draft into the
"Incident response note" task; until then the handover export carries the draft, marked as not
reviewed.

From the sprint file alone (no network, no clock: the same sprint drafts the same note). Every
value from the sprint file is shown literally (launchtui.text.markdown), credentials by name
only, and what the sprint does not say is a TO_FILL placeholder the engineer must replace.
"""

from __future__ import annotations

from collections.abc import Mapping

from launchtui.deploy.health import DEGRADED_WORDS, DOWN_WORDS, UP_WORDS
from launchtui.model.monitoring import (
    CERT_CRITICAL_DAYS,
    CERT_WARN_DAYS,
    DOWN_FOR,
    PROBE_TIMEOUT_S,
    SLOW_FOR,
    SLOW_MS,
)
from launchtui.model.sprint import Sprint
from launchtui.model.tasks import find_task
from launchtui.sprint.tasks_store import TaskState
from launchtui.text.markdown import fenced, inline

INCIDENT_TASK = ("monitoring", "incident-response-note")
TO_FILL = "**TO FILL:**"  # what the sprint cannot say; the engineer replaces each one
# Whose name answers "who is on call", first found: the note's own owner, then whoever owns
# the other monitoring tasks (they set up what pages).
ON_CALL_TASKS = (
    INCIDENT_TASK,
    ("monitoring", "alert-routes-proven"),
    ("monitoring", "uptime-checks-configured"),
    ("monitoring", "error-reporting-configured"),
)
# Where the deploy and the way back were recorded: stage 1's review, then stage 3's tasks.
DEPLOY_TASKS = (
    ("audit", "review-deploy-target-and-rollback"),
    ("deploy", "rollback-tested"),
    ("deploy", "deploy-steps-documented"),
)
ROLLBACK_TASK = ("deploy", "rollback-tested")

States = Mapping[tuple[str, str], TaskState]


def draft_note(sprint: Sprint, states: States, *, level: int = 1) -> str:
    """The drafted note as Markdown; its title is a heading of `level` (1 for a note of its
    own, deeper when it sits inside another document), its parts one level below."""
    title = "#" * level
    part = "#" * (level + 1)
    parts = [
        [f"{title} Incident response: {inline(sprint.name)}"],
        [f"{part} On call", "", *_on_call(sprint, states)],
        [f"{part} Look first, in this order", "", *_look_first(sprint)],
        [f"{part} Where alerts go", "", *_alerts(sprint)],
        [f"{part} Deploy and rollback", "", *_deploy(states)],
        [f"{part} Tell members", "", *_members(sprint)],
        [f"{part} First 15 minutes", "", *FIRST_15_MINUTES],
    ]
    return "\n\n".join("\n".join(lines) for lines in parts) + "\n"


def note_or_draft(sprint: Sprint, states: States, *, level: int = 1) -> tuple[str, bool]:
    """The task's note when the engineer wrote one (True), else the draft (False)."""
    state = states.get(INCIDENT_TASK)
    if state is not None and state.note.strip():
        return state.note, True
    return draft_note(sprint, states, level=level), False


def _on_call(sprint: Sprint, states: States) -> list[str]:
    who = f"{TO_FILL} who is on call"
    for key in ON_CALL_TASKS:
        state = states.get(key)
        task = find_task(*key)
        if state is not None and state.owner.strip() and task is not None:
            who = f"{inline(state.owner)} (owner of the task '{task.title}')"
            break
    else:
        if sprint.engineer.strip():
            who = f"{inline(sprint.engineer)} (the sprint's engineer)"
    return [
        f"- On call: {who}",
        f"- How to reach them: {TO_FILL} phone or chat handle",
        f"- Backup: {TO_FILL} who takes over when they do not answer within 15 minutes",
    ]


def _look_first(sprint: Sprint) -> list[str]:
    monitors = sprint.monitors
    by_name = {monitor.name: monitor for monitor in monitors.http}
    lines = [
        f"1. The monitors (one failing for {_duration(DOWN_FOR)} pages; a core flow slower "
        f"than {SLOW_MS} ms for {_duration(SLOW_FOR)} warns): which one fails says where.",
    ]
    for monitor in monitors.http:
        lines.append(f"   - {monitor.name}: {inline(monitor.url)}")
    for name in monitors.missing:
        lines.append(f"   - {name}: not declared ([flows].{name}): {TO_FILL} its URL")
    if monitors.certificates:
        hosts = ", ".join(inline(host) for host in monitors.certificates)
        lines.append(
            f"   - certificates ({CERT_WARN_DAYS} days left warns, {CERT_CRITICAL_DAYS} is "
            f"critical): {hosts}"
        )
    health = by_name.get("health")
    where = inline(health.url) if health else f"not declared ([flows].health): {TO_FILL} its URL"
    lines += [
        f"2. The health endpoint: {where}",
        f"   - Up: a 2xx answer within {PROBE_TIMEOUT_S} s whose status is one of "
        f"{_words(UP_WORDS)}.",
        f"   - Degraded ({_words(DEGRADED_WORDS)}): a dependency is failing; pages may still "
        "load. Its checks (database, queue) and workers' heartbeats name the part.",
        f"   - Down ({_words(DOWN_WORDS)}), another status, or no answer: the app itself is "
        "failing. Compare its version or commit with the last deploy.",
    ]
    dsn = sprint.monitoring.error_dsn
    tracker = (
        f"the project of the DSN stored as credential `{dsn}`{_purpose(sprint, dsn)}: the "
        "newest issues first, and any first seen since the last deploy"
        if dsn
        else f"none declared ([monitoring].error_dsn): {TO_FILL} where production errors go"
    )
    lines.append(f"3. The error tracker: {tracker}")
    return lines


def _alerts(sprint: Sprint) -> list[str]:
    config = sprint.monitoring
    email = inline(config.alert_email) if config.alert_email else None
    slack = config.slack_webhook
    lines = [
        "- Email: " + (email or f"not set ([monitoring].alert_email): {TO_FILL} who is emailed"),
        "- Slack: "
        + (
            f"the incoming webhook stored as credential `{slack}`{_purpose(sprint, slack)}; "
            f"{TO_FILL} the channel it posts to"
            if slack
            else f"not set ([monitoring].slack_webhook): {TO_FILL} the channel, if any"
        ),
    ]
    if config.alertmanager:
        lines.append(f"- Alertmanager (silences, alert history): {inline(config.alertmanager)}")
    lines.append("- Secrets are never written here: each is named by its credential.")
    return lines


def _deploy(states: States) -> list[str]:
    lines: list[str] = []
    for key in DEPLOY_TASKS:
        state = states.get(key)
        task = find_task(*key)
        if task is None or state is None or not (state.note.strip() or state.evidence.strip()):
            continue
        done = "done" if state.done else "not done"
        owner = f", owner {inline(state.owner)}" if state.owner.strip() else ""
        lines += ["", f"{task.title} ({done}{owner}):"]
        if state.note.strip():
            lines += ["", *fenced(state.note)]
        if state.evidence.strip():
            lines += ["", f"Evidence: {inline(state.evidence)}"]
    if not lines:
        return [
            f"{TO_FILL} how a release is deployed and how the previous one is restored "
            "(record them on stage 3's tasks 'Rollback tested' and 'Deploy steps documented')."
        ]
    rollback = states.get(ROLLBACK_TASK)
    if rollback is None or not rollback.done:
        lines = [
            "The rollback is not marked tested (stage 3): try it before relying on it.",
            *lines,
        ]
    return ["If the outage began with a deploy, roll back first and investigate after.", *lines]


def _members(sprint: Sprint) -> list[str]:
    site = inline(sprint.site.apex) if sprint.site.apex else "the site"
    return [
        f"- Where: {TO_FILL} the status page, community announcement or email members read",
        f'- First post: "We know {site} is not working as it should and we are on it. Next '
        'update within 30 minutes."',
        "- Then: an update every 30 minutes until resolved, and one when it is.",
    ]


FIRST_15_MINUTES = [
    "1. Acknowledge the alert where it arrived, so nobody else starts on it alone.",
    "2. Open the failing monitor's URL and the health endpoint yourself; note the time.",
    "3. Read the error tracker's newest issues.",
    "4. A deploy in the last hour? Roll back now.",
    "5. A certificate alert? Renew it, or check the automatic renewal's log.",
    "6. Post the first status update to members, even before the cause is known.",
    "7. Write down what you saw and did, with times, for the write-up.",
]


def _duration(text: str) -> str:
    """A Prometheus duration ("2m") as people write it ("2 min")."""
    units = {"s": " s", "m": " min", "h": " h"}
    return text[:-1] + units[text[-1]] if text[-1:] in units else text


def _words(words: frozenset[str]) -> str:
    return ", ".join(sorted(words))


def _purpose(sprint: Sprint, name: str) -> str:
    purpose = sprint.credentials.get(name, "").strip()
    return f" ({inline(purpose)})" if purpose else ""
