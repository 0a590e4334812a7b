"""email.sender-rules: the messages the seed inbox test delivered meet the big mailbox providers'
bulk-sender rules (Gmail and Yahoo since February 2024, Outlook.com since May 2025).

It reads the delivery log ([[email_tests]] in the sprint file), where the seed inbox test wrote
each delivered message's rules as judged from its headers as received (email.sender_rules), and
takes each template's latest test. It sends nothing itself: the test sends real mail, so a person
starts it (`launchtui email-test`, or `t` in the app).
- fail: a rule is not met by some template's message (the fix says what to add or ask for).
- warn: only warnings (a mailto:-only unsubscribe, a DKIM domain that does not align, a sender
  name other than [email].from); the launch announcement was not among the messages judged, so
  its one-click unsubscribe is unknown; a template whose latest test delivered nothing; or the
  latest test is over STALE_DAYS old.
- error: a rule could not be judged (no reverse DNS answer), or no message of the latest test
  was delivered and judged.
- manual: no delivery test logged yet. skip: no seed inbox test configured.
The spam-complaint rate Gmail and Yahoo require cannot be seen in a message: the evidence
names where to watch it, and it never counts as met.
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from launchtui.model.results import Evidence, Outcome, Status
from launchtui.model.targets import Target

if TYPE_CHECKING:
    from launchtui.checks.context import CheckContext
    from launchtui.email.sender_rules import TemplateRules

STALE_DAYS = 30  # a test older than this no longer says much about today's records


async def run(ctx: CheckContext, target: Target) -> Outcome:
    from launchtui.email.delivery_log import saved_email_tests
    from launchtui.email.sender_rules import COMPLAINT_RATE, PROVIDERS, latest_judged
    from launchtui.email.templates import MARKETING
    from launchtui.errors import SprintFileError
    from launchtui.sprint.store import load

    sprint = ctx.sprint
    if sprint.email.smtp is None or not sprint.email.seed_inboxes:
        return Outcome(
            Status.SKIP,
            "no seed inbox test configured: the rules are judged on messages it delivers "
            "([email].smtp and [email].seed_inboxes)",
            fix="Declare the relay the platform sends through ([email].smtp) and one or more "
            "seed inboxes at the big providers ([email].seed_inboxes), then run the seed inbox "
            "test (`launchtui email-test`).",
        )
    try:
        entries = await asyncio.to_thread(lambda: saved_email_tests(load(sprint.path)))
    except SprintFileError as exc:
        return Outcome(
            Status.ERROR,
            f"could not read the delivery log: {exc}",
            fix="Correct the sprint file where the error says, then run this check again.",
        )
    command = f"launchtui email-test {sprint.path.name}"
    again = f"Run `{command}` (t in the app) again, then this check."

    if not entries:
        return Outcome(
            Status.MANUAL,
            f"no delivery test logged yet: run `{command}` (or t in the app); the rules are "
            "judged on the messages it delivers",
            fix=f"Run `{command}` (t in the app): it sends every template, the launch "
            "announcement included, to the seed inboxes and logs each message's rules; then "
            "run this check again.",
        )
    templates, not_judged = latest_judged(entries)
    judged = {t.template: t.rules for t in templates}
    fixes: dict[str, str] = {}
    for rated in templates:
        for rule, text in rated.fixes.items():
            fixes.setdefault(rule, text)
    tested_at = max([t.at for t in templates], default="")
    evidence: Evidence = {
        "tested_at": tested_at,
        "templates": {
            t.template: {
                "messages": t.messages,
                "rules": t.rules,
                "seen": t.seen,
                "providers": t.providers,
            }
            for t in templates
        },
        "providers": {
            p.key: {"title": p.title, "since": p.since, "page": p.page} for p in PROVIDERS
        },
        "not_measured": COMPLAINT_RATE,
    }
    if not_judged:
        evidence["not_judged"] = not_judged
    if not judged:
        return Outcome(
            Status.ERROR,
            f"could not check: no message of the latest delivery test was delivered and judged "
            f"({', '.join(not_judged)}); run `{command}` again",
            evidence,
            again + " The delivery log says why each message did not arrive.",
        )
    failing = _rules_with(judged, "fail")
    unknown = _rules_with(judged, "unknown")
    warning = _rules_with(judged, "warn")
    verdict = _provider_summary(templates)
    fix = "\n\n".join(f"{rule}: {fixes[rule]}" for rule in failing | warning if rule in fixes)
    if failing:
        named = _named(failing, len(judged))
        return Outcome(Status.FAIL, f"{verdict}; failing: {named}", evidence, fix)
    if unknown:
        named = _named(unknown, len(judged))
        return Outcome(
            Status.ERROR,
            f"could not judge {named}: run the test again",
            evidence,
            again + " A rule is unknown when DNS did not answer or a header was missing.",
        )
    notes = [f"warning: {_named(warning, len(judged))}"] if warning else []
    steps = [fix] if fix else []
    if not MARKETING & judged.keys():
        notes.append(
            "the launch announcement was not tested, so its one-click unsubscribe is unknown"
        )
        steps.append(f"Run `{command} --template launch-announcement`, then this check.")
    if not_judged:
        notes.append(f"not judged: {', '.join(not_judged)} (nothing delivered in its latest test)")
        steps.append(again)
    age = _age_days(tested_at)
    if age is not None and age > STALE_DAYS:
        notes.append(f"the latest test is {age} days old: run it again")
        steps.append(again)
    if notes:
        return Outcome(Status.WARN, f"{verdict}; {'; '.join(notes)}", evidence, "\n\n".join(steps))
    return Outcome(Status.PASS, f"{verdict} (tested {tested_at})", evidence)


def _rules_with(judged: dict[str, dict[str, str]], status: str) -> dict[str, list[str]]:
    """rule -> the templates whose message has `status` for it, rules in RULES order."""
    from launchtui.email.sender_rules import RULES

    found: dict[str, list[str]] = {}
    for rule in RULES:
        names = [template for template, rules in judged.items() if rules.get(rule) == status]
        if names:
            found[rule] = names
    return found


def _named(rules: dict[str, list[str]], templates: int) -> str:
    """'rdns (every template); unsubscribe (launch-announcement)'."""
    return "; ".join(
        f"{rule} ({'every template' if len(names) == templates > 1 else ', '.join(names)})"
        for rule, names in rules.items()
    )


def _provider_summary(templates: list[TemplateRules]) -> str:
    """'Gmail NOT met, Yahoo NOT met, Outlook.com met (5 templates judged)'."""
    from launchtui.email.sender_rules import PROVIDERS

    parts = []
    for provider in PROVIDERS:
        met = all(t.providers[provider.key] == "meets" for t in templates)
        parts.append(f"{provider.title} {'met' if met else 'NOT met'}")
    return f"{', '.join(parts)} ({len(templates)} templates judged)"


def _age_days(at: str) -> int | None:
    try:
        when = datetime.strptime(at, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)
    except ValueError:
        return None
    return (datetime.now(UTC) - when).days
