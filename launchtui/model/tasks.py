"""The manual tasks of each stage: what a person must do or confirm, as data.

Checks cover what can be seen from outside; these cover the rest (a rollback tested, who owns
billing). Each task has an id that is stable and unique across stages: the sprint file stores
its state under `[tasks.<stage>.<id>]` (see launchtui.sprint.tasks_store), so an id never
changes once released. `how` says what to do and what to keep as evidence.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Task:
    id: str
    stage: str
    title: str
    why: str
    how: str


def _task(stage: str, task_id: str, title: str, why: str, how: str) -> Task:
    return Task(task_id, stage, title, why, how)


CATALOGUE: tuple[Task, ...] = (
    # 1. Quick audit
    _task(
        "audit",
        "review-deploy-target-and-rollback",
        "Review the deploy target and the rollback path",
        "A launch-day bug needs a way back that someone has already found.",
        "Note where production runs, how a release is deployed and how the previous release "
        "is restored; link the runbook or pipeline as evidence.",
    ),
    _task(
        "audit",
        "inspect-env-and-secret-storage",
        "Inspect env vars and secret storage",
        "A missing or placeholder variable, or a secret in the repo, breaks or leaks production.",
        "List where production reads its configuration and secrets from (host settings, "
        "secret manager); note any secret found in code or build output.",
    ),
    # 2. Domain and edge
    _task(
        "edge",
        "cloudflare-ddos-protection-active",
        "Cloudflare DDoS protection is active",
        "The launch email brings a spike; the edge must absorb abuse, not the app.",
        "In the Cloudflare dashboard confirm the zone is proxied and DDoS managed rules are on "
        "(Security > DDoS); keep a screenshot or the settings page link as evidence.",
    ),
    # 3. Deployment hardening
    _task(
        "deploy",
        "rollback-tested",
        "Rollback tested",
        "An untested rollback fails when it is needed most.",
        "Deploy a non-production release, roll back to the previous one, and record how long "
        "it took and the log or pipeline run.",
    ),
    _task(
        "deploy",
        "background-jobs-start-after-deploy",
        "Background jobs start after a deploy",
        "Invite and receipt emails are usually sent by workers that a deploy can leave stopped.",
        "After a deploy, confirm workers and schedulers are running and a queued job completes; "
        "note the command or dashboard used.",
    ),
    _task(
        "deploy",
        "deploy-steps-documented",
        "Deploy steps documented",
        "A deploy that only one person can do is a launch risk.",
        "Write the exact, repeatable deploy steps (commands, pipeline, approvals) and link them.",
    ),
    _task(
        "deploy",
        "secret-handling-plan",
        "Secret handling plan",
        "Secrets need one home, an owner and a way to rotate them.",
        "Record where each production secret lives, who can read it, and how it is rotated; "
        "never paste a value here.",
    ),
    # 4. Performance guardrails
    _task(
        "performance",
        "expensive-queries-reviewed",
        "Expensive queries reviewed",
        "Post loading and member lists slow down first as members arrive.",
        "Review slow-query logs or query plans for the core flows; note what was fixed or "
        "indexed and the expected impact.",
    ),
    _task(
        "performance",
        "third-party-scripts-reviewed",
        "Third-party scripts reviewed",
        "Analytics, chat and widget scripts slow key pages and can break checkout.",
        "List the third-party scripts on the home, join and checkout pages; remove or defer "
        "what is not needed at launch.",
    ),
    # 5. Email deliverability
    _task(
        "email",
        "test-sends-logged",
        "Test sends logged",
        "Welcome, password-reset, invite and receipt emails must reach inboxes, not spam.",
        "Send each of welcome, password reset, invite and receipt to the seed inboxes and log "
        "where each landed (inbox, spam, missing) with its headers.",
    ),
    _task(
        "email",
        "sender-names-match-domain",
        "Sender names match the domain",
        "A From address on another domain fails DMARC alignment and looks like phishing.",
        "Check the From name and address of every transactional email use the community's "
        "domain; note any that do not.",
    ),
    # 6. Monitoring
    _task(
        "monitoring",
        "uptime-checks-configured",
        "Uptime checks configured",
        "You should know the site is down before members tell you.",
        "Configure uptime checks for the homepage, login, health endpoint and checkout; link "
        "the monitor definitions.",
    ),
    _task(
        "monitoring",
        "alert-routes-proven",
        "Alert routes proven",
        "An alert nobody receives is no alert.",
        "Trigger a test alert and confirm it arrives by email and in Slack; note when and who "
        "received it.",
    ),
    _task(
        "monitoring",
        "error-reporting-configured",
        "Error reporting configured",
        "Errors during the launch must reach a person with a stack trace.",
        "Confirm production errors are reported (Sentry or similar) by raising a test error; "
        "link the event.",
    ),
    _task(
        "monitoring",
        "incident-response-note",
        "Incident response note",
        "During an outage nobody should have to guess who does what.",
        "Write who is on call, how to reach them, and the first steps when the site is down; "
        "link the note.",
    ),
    # 7. Handover: the checklist another engineer receives
    _task(
        "handover",
        "registrar-settings",
        "Registrar settings",
        "Losing the domain loses everything: renewal and transfer lock must be owned.",
        "Record the registrar, the account owner, auto-renewal, the transfer lock and the "
        "expiry date.",
    ),
    _task(
        "handover",
        "cloudflare-access",
        "Cloudflare access",
        "The next engineer needs edge access without sharing one login.",
        "Record who has access to the Cloudflare account, with which roles, and how to request it.",
    ),
    _task(
        "handover",
        "where-secrets-live",
        "Where each secret lives",
        "Secrets must be findable by the next engineer, never copied into documents.",
        "For each production secret, record where it is stored and who can read it; never "
        "its value.",
    ),
    _task(
        "handover",
        "deployment-steps",
        "Deployment steps",
        "The next engineer must be able to deploy and roll back on day one.",
        "Link the documented deploy and rollback steps and say when they were last run.",
    ),
    _task(
        "handover",
        "key-rotation",
        "Key rotation",
        "A leaked key must be replaceable without an outage.",
        "Record how each API key and secret is rotated and in what order services pick up "
        "the new value.",
    ),
    _task(
        "handover",
        "uptime-alerts-howto",
        "How to check uptime alerts",
        "Whoever takes over must see and receive alerts.",
        "Say where the uptime monitors and alert history are, and how to join the alert routes.",
    ),
    _task(
        "handover",
        "billing-owners",
        "Billing owners",
        "An expired card on hosting, email or payments takes the site down.",
        "Record who owns billing for the domain, hosting, email, payments and monitoring, and "
        "which card or account pays.",
    ),
)


def all_tasks() -> list[Task]:
    """Every manual task, in stage order."""
    return list(CATALOGUE)


def tasks_for(stage: str) -> list[Task]:
    """The manual tasks of one stage, in the order to do them."""
    return [task for task in CATALOGUE if task.stage == stage]


def find_task(stage: str, task_id: str) -> Task | None:
    """The catalogue's task `task_id` of `stage`, or None."""
    return next((t for t in CATALOGUE if t.stage == stage and t.id == task_id), None)
