"""The seed inbox test as text: what `launchtui email-test` prints and the app shows."""

from __future__ import annotations

from launchtui.email.delivery import DeliveryRun, Outcome
from launchtui.email.sender_rules import COMPLAINT_RATE, NA, PASS, PROVIDERS, provider_verdicts
from launchtui.text.literal import literal


def render_text(report: DeliveryRun, saved: str = "") -> str:
    """The delivery test as lines a person reads: one block per message, then the counts."""
    lines = [
        f"Delivery test of {literal(report.sprint_id)} through {literal(report.relay)}"
        + (f" at {report.relay_ip}" if report.relay_ip else ""),
        "",
    ]
    for outcome in report.outcomes:
        lines += _outcome_lines(outcome, report.sending_domain)
    counts: dict[str, int] = {}
    for outcome in report.outcomes:
        counts[outcome.status] = counts.get(outcome.status, 0) + 1
    summary = ", ".join(f"{n} {status}" for status, n in counts.items())
    lines.append(f"{len(report.outcomes)} messages: {summary} ({report.wall_ms / 1000:.1f} s)")
    if any(outcome.sender_rules for outcome in report.outcomes):
        lines.append(f"Not judged here: {COMPLAINT_RATE}")
    if saved:
        lines.append(f"Delivery test log saved in {saved} ([[email_tests]])")
    return "\n".join(lines) + "\n"


def _outcome_lines(outcome: Outcome, domain: str) -> list[str]:
    head = f"{outcome.template} -> {literal(outcome.inbox)}: "
    if not outcome.delivered:
        return [head + f"{outcome.status.upper()}: {literal(outcome.error)}", ""]
    where = "INBOX" if outcome.folder == "inbox" else f"SPAM (folder {literal(outcome.mailbox)})"
    seconds = (outcome.latency_ms or 0) / 1000
    received = " ".join(f"{k}={literal(v)}" for k, v in outcome.authentication_results.items())
    verified = outcome.verified
    dkim = verified.get("dkim", "")
    if verified.get("dkim_domain"):
        dkim += f" (d={literal(verified['dkim_domain'])} s={literal(verified['dkim_selector'])})"
    dmarc = f"{verified.get('dmarc', '')} (aligned: {verified.get('dmarc_aligned', 'none')}"
    dmarc += f"; {literal(verified.get('dmarc_reason', ''))})"
    spf = verified.get("spf", "")
    if verified.get("spf_domain"):
        spf += f" ({verified['spf_domain']})"
    match = "matches" if outcome.from_domain_matches else "does NOT match"
    return [
        head + f"{where} after {seconds:.1f} s",
        f"    receiver {literal(outcome.authserv_id) or '(no Authentication-Results)'}: {received}",
        f"    launchtui: dkim={literal(dkim)}, spf={literal(spf)}, dmarc={dmarc}",
        f'    From: "{literal(outcome.from_name)}" @{literal(outcome.from_domain)} {match} '
        f"the sending domain {literal(domain)}",
        *_sender_rule_lines(outcome),
        "",
    ]


def _sender_rule_lines(outcome: Outcome) -> list[str]:
    """The providers' sender rules on this message: every status on one line, then what was
    seen for one-click unsubscribe, reverse DNS and each rule not met, and the providers."""
    judged = outcome.sender_rules
    if not judged:
        return []
    lines = ["    sender rules: " + ", ".join(f"{rule} {j.status}" for rule, j in judged.items())]
    for rule, j in judged.items():
        if (rule in ("unsubscribe", "rdns") and j.status != NA) or j.status not in (PASS, NA):
            lines.append(f"      {rule}: {literal(j.seen)}")
    verdicts = provider_verdicts(outcome.statuses)
    lines.append("    providers: " + ", ".join(f"{p.title} {verdicts[p.key]}" for p in PROVIDERS))
    return lines
