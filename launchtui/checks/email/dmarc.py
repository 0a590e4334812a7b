"""email.dmarc: one valid DMARC record (RFC 7489) covers the email domain, with reporting.

Discovery follows section 6.6.3 (the domain's `_dmarc` name, then its organizational
domain's). What a launch needs, and so what this check asks for:
- fail: no record, several records (receivers then apply none), an invalid record, or
  p=none without rua: such a record neither protects the domain nor tells its owner
  anything, so it is as good as missing.
- pass: p=none with rua (monitoring, the usual first step; the summary names the next one,
  p=quarantine then p=reject), or p=quarantine/reject.
- warn: a policy in place with a finding: enforcement without rua (no way to see legitimate
  mail failing), pct under 100, sp weaker than p, unknown tags and other parser warnings, or
  an external report destination that has not authorized the reports (section 7.1).
- error: a lookup (including a section 7.1 authorization lookup) got no answer.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from launchtui.checks.registry import Check, register
from launchtui.email import dmarc
from launchtui.email.txt import shorten
from launchtui.model.results import Evidence, Outcome, Severity, Status
from launchtui.model.sprint import Sprint
from launchtui.net.commands import Commands
from launchtui.net.errors import NetError

if TYPE_CHECKING:  # the network stack loads when a check runs
    from launchtui.checks.context import CheckContext

MAX_SHOWN_RECORDS = 10


def _targets(sprint: Sprint) -> list[str]:
    return [sprint.email.domain or sprint.site.apex]


def starter_record(domain: str) -> str:
    return f"v=DMARC1; p=none; rua=mailto:dmarc-reports@{domain}"


def suggested_record(record: dmarc.Record, domain: str) -> str:
    """The record with its valid tags kept, sp no weaker than p, pct dropped (100), and an
    rua added when there is none."""
    tags = record.tags
    policy = record.policy or "none"
    parts = ["v=DMARC1", f"p={policy}"]
    sp = tags.get("sp", "").lower()
    if sp and dmarc.POLICIES.index(sp) >= dmarc.POLICIES.index(policy):
        parts.append(f"sp={sp}")
    parts.append(f"rua={tags.get('rua') or f'mailto:dmarc-reports@{domain}'}")
    parts += [
        f"{key}={tags[key]}" for key in ("ruf", "adkim", "aspf", "fo", "rf", "ri") if key in tags
    ]
    return "; ".join(parts)


def _zone_line(name: str, record: str) -> str:
    return f'{name}. TXT "{record}"'


def _verify(name: str, commands: Commands) -> str:
    return (
        f"Verify: `{commands.dig(name, 'TXT')}` prints exactly one record starting with v=DMARC1."
    )


async def _run(ctx: CheckContext, domain: str) -> Outcome:
    found = await dmarc.discover(ctx.net.dns, domain)
    evidence: Evidence = {
        "resolver": ctx.net.dns.label,
        "queried": list(found.queried),
        "organizational_domain": found.organizational_domain,
    }
    if found.ignored:
        evidence["ignored"] = [
            {"name": item["name"], "record": shorten(item["record"])}
            for item in found.ignored[:MAX_SHOWN_RECORDS]
        ]
    if not found.records:
        return _missing(found, domain, evidence, ctx.net.commands)
    evidence["found_at"] = found.found_at
    if found.record is None:
        evidence["records"] = [shorten(text) for text in found.records[:MAX_SHOWN_RECORDS]]
        return _several(found, domain, evidence, ctx.net.commands)
    record = found.record
    evidence["record"] = shorten(record.text)
    evidence["tags"] = {key: shorten(value, 512) for key, value in record.tags.items()}
    if record.warnings:
        evidence["warnings"] = list(record.warnings)
    if not record.valid:
        evidence["errors"] = list(record.errors)
        return _invalid(found, record, domain, evidence, ctx.net.commands)
    try:
        destinations = await dmarc.check_destinations(ctx.net.dns, record, found.policy_domain)
    except NetError as exc:
        return Outcome(
            Status.ERROR,
            f"could not check: {exc} (asking whether an external report address accepts "
            f"{found.policy_domain}'s reports)",
            evidence,
            fix="Nothing was verified about the external report destinations. Make DNS "
            "reachable from where launchtui runs, then run the check again.",
        )
    if destinations:
        evidence["external_destinations"] = [d.to_dict() for d in destinations]
    return _judge(found, record, destinations, domain, evidence, ctx.net.commands)


def _missing(
    found: dmarc.Discovery, domain: str, evidence: Evidence, commands: Commands
) -> Outcome:
    where = " or ".join(found.queried)
    summary = f"{domain}: no DMARC record at {where}"
    if found.ignored:
        summary += (
            f"; the TXT record at {found.ignored[0]['name']} does not start with v=DMARC1, "
            "so receivers ignore it"
        )
    name = f"_dmarc.{domain}"
    record = starter_record(domain)
    return Outcome(
        Status.FAIL,
        summary,
        evidence,
        fix=(
            f"Without DMARC, anyone can send mail as @{domain} and receivers (Gmail and Yahoo "
            "require DMARC of bulk senders) have no policy to apply. Start with a "
            "monitoring-only policy that sends you aggregate reports:\n"
            f"1. At your DNS provider, add: {_zone_line(name, record)}\n"
            f"2. Create the mailbox dmarc-reports@{domain} (or use a DMARC report service "
            "and put its address in rua).\n"
            "3. Once the reports show every sender passing SPF or DKIM aligned, move to "
            "p=quarantine, then p=reject.\n"
            f"4. {_verify(name, commands)}"
        ),
    )


def _several(
    found: dmarc.Discovery, domain: str, evidence: Evidence, commands: Commands
) -> Outcome:
    return Outcome(
        Status.FAIL,
        f"{domain}: {len(found.records)} DMARC records at {found.found_at}; with more than "
        "one, receivers apply no DMARC at all (RFC 7489 6.6.3)",
        evidence,
        fix=(
            f"Receivers discard every DMARC record at {found.found_at} when there is more than "
            "one, so the domain has no policy in effect.\n"
            "1. Merge them into one record (one p, one rua list) and delete the others, e.g.: "
            f"{_zone_line(found.found_at, starter_record(domain))}\n"
            f"2. {_verify(found.found_at, commands)}"
        ),
    )


def _invalid(
    found: dmarc.Discovery,
    record: dmarc.Record,
    domain: str,
    evidence: Evidence,
    commands: Commands,
) -> Outcome:
    effective = record.receiver_policy()
    if effective == "none" and record.policy != "none":
        consequence = "receivers treat it as p=none because rua is valid (RFC 7489 6.6.3)"
    elif effective is None:
        consequence = "receivers apply no DMARC policy"
    else:
        consequence = f"receivers may read it differently than intended (p={effective})"
    more = f" (+{len(record.errors) - 1} more)" if len(record.errors) > 1 else ""
    errors = "\n".join(f"   - {error}" for error in record.errors)
    suggestion = suggested_record(record, domain)
    return Outcome(
        Status.FAIL,
        f"{domain}: the DMARC record at {found.found_at} is invalid: {record.errors[0]}{more}; "
        f"{consequence}",
        evidence,
        fix=(
            f"The DMARC record at {found.found_at} breaks RFC 7489:\n{errors}\n"
            f"1. Replace it with a valid one, keeping the tags that were right: "
            f"{_zone_line(found.found_at, suggestion)}\n"
            f"2. {_verify(found.found_at, commands)}"
        ),
    )


def _judge(
    found: dmarc.Discovery,
    record: dmarc.Record,
    destinations: list[dmarc.Destination],
    domain: str,
    evidence: Evidence,
    commands: Commands,
) -> Outcome:
    policy = record.policy or "none"
    # For a subdomain covered by its organizational domain's record, sp is what applies.
    applied = record.subdomain_policy if found.inherited else policy
    applied = applied or policy
    evidence["policy"] = applied
    where = f"{found.found_at} (inherited)" if found.inherited else found.found_at
    rua = ", ".join(uri.uri for uri in record.rua)
    if not record.rua and applied == "none":
        return Outcome(
            Status.FAIL,
            f"{domain}: DMARC at {where} is p=none without rua: no policy and no reports, "
            "as good as no DMARC",
            evidence,
            fix=_fix(
                f"A p=none record without rua at {found.found_at} asks receivers for nothing:",
                found,
                record,
                domain,
                ["add rua, so that receivers send you aggregate reports"],
                commands,
            ),
        )
    findings = _findings(record, applied, destinations)
    findings += [
        f"the TXT record at {item['name']} does not start with v=DMARC1, so receivers ignore "
        f"it and apply {found.found_at} instead"
        for item in found.ignored
    ]
    evidence["findings"] = findings
    if findings:
        more = f" (+{len(findings) - 1} more)" if len(findings) > 1 else ""
        return Outcome(
            Status.WARN,
            f"{domain}: DMARC p={applied} at {where}, but {findings[0]}{more}",
            evidence,
            fix=_fix(
                f"The DMARC record at {found.found_at} is in place, but:",
                found,
                record,
                domain,
                findings,
                commands,
                [d.query for d in destinations if not d.authorized],
            ),
        )
    if applied == "none":
        summary = (
            f"{domain}: DMARC p=none at {where} with reports to {rua}: monitoring only, enough "
            "for launch; next step p=quarantine, then p=reject, once the reports show every "
            "sender aligned"
        )
    else:
        summary = f"{domain}: DMARC p={applied} at {where} with reports to {rua}"
    return Outcome(Status.PASS, summary, evidence)


def _findings(
    record: dmarc.Record, applied: str, destinations: list[dmarc.Destination]
) -> list[str]:
    findings = []
    if not record.rua:
        findings.append(
            "no rua: nobody receives aggregate reports, so legitimate mail failing DMARC "
            "goes unnoticed"
        )
    if record.pct < 100:
        findings.append(
            f"pct={record.pct}: "
            + (
                "has no effect under p=none; remove it before moving to quarantine"
                if applied == "none"
                else f"the policy applies to only {record.pct}% of failing mail"
            )
        )
    policy = record.policy or "none"
    sp = record.tags.get("sp", "").lower()
    if sp and dmarc.POLICIES.index(sp) < dmarc.POLICIES.index(policy):
        findings.append(f"sp={sp} is weaker than p={policy}: subdomains can be spoofed more easily")
    findings += [
        f"{d.tag} address {d.uri} is not authorized: {d.query} has no v=DMARC1 record, so "
        "receivers send it no reports (RFC 7489 7.1)"
        for d in destinations
        if not d.authorized
    ]
    findings += record.warnings
    return findings


def _fix(
    lead: str,
    found: dmarc.Discovery,
    record: dmarc.Record,
    domain: str,
    findings: list[str],
    commands: Commands,
    unauthorized: list[str] | None = None,
) -> str:
    listed = "\n".join(f"   - {finding}" for finding in findings)
    steps = [f"Replace the record: {_zone_line(found.found_at, suggested_record(record, domain))}"]
    steps += [
        f'Ask the report service to publish (or publish, if you run it): {query}. TXT "v=DMARC1;"'
        for query in dict.fromkeys(unauthorized or [])
    ]
    steps.append(_verify(found.found_at, commands))
    numbered = "\n".join(f"{n}. {step}" for n, step in enumerate(steps, 1))
    return f"{lead}\n{listed}\n{numbered}"


CHECK = register(
    Check(
        id="email.dmarc",
        stage="email",
        severity=Severity.BLOCKER,
        title="DMARC policy with reporting",
        targets=_targets,
        run=_run,
        audit=True,
    )
)
