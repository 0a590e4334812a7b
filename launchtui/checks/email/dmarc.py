"""email.dmarc: one valid DMARC record (RFC 9989) covers the email domain, with reporting.

Discovery is RFC 9989's (4.10.1): the domain's `_dmarc` name, then the DNS Tree Walk up its
parents; every name asked is in the evidence. What a launch needs, and so what this check
asks for:
- fail: no record of the domain's own (nothing, or only a public suffix domain's psd=y
  policy, whose reports go to the registry), several records at a name (receivers discard
  them all), an invalid record, or p=none without rua: such a record neither protects the
  domain nor tells its owner anything, so it is as good as missing.
- pass: p=none with rua (monitoring, the usual first step; the summary names the next one,
  p=quarantine then p=reject), or p=quarantine/reject.
- warn: a policy in place with a finding: enforcement without rua (no way to see legitimate
  mail failing), testing mode t=y (receivers apply one level below the policy), sp or np
  weaker than p, no p (read as p=none), the historic pct, rf and ri (removed by RFC 9989),
  unknown tags and other parser warnings, or an external report destination that has not
  authorized the reports (RFC 9990 section 4).
- error: a lookup (including an authorization lookup) got no answer.
Where a receiver still following RFC 7489 would act differently (pct, t, np), the evidence
says how under "rfc7489".
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from launchtui.email import dmarc
from launchtui.email.txt import shorten
from launchtui.model.results import Evidence, Outcome, Status
from launchtui.model.targets import Target
from launchtui.net.commands import Commands
from launchtui.net.errors import NetError

if TYPE_CHECKING:  # the network stack loads when a check runs
    from launchtui.checks.context import CheckContext

MAX_SHOWN_RECORDS = 10


def starter_record(domain: str) -> str:
    return f"v=DMARC1; p=none; rua=mailto:dmarc-reports@{domain}"


def suggested_record(record: dmarc.Record, domain: str) -> str:
    """The record with its valid tags kept, an explicit p, sp and np no weaker than p, the
    historic pct, rf and ri and the testing flag t dropped, and an rua added when there is
    none."""
    tags = record.tags
    policy = record.policy or "none"
    parts = ["v=DMARC1", f"p={policy}"]
    for key in ("sp", "np"):
        value = tags.get(key, "").lower()
        if value and not dmarc.weaker(value, policy):
            parts.append(f"{key}={value}")
    parts.append(f"rua={tags.get('rua') or f'mailto:dmarc-reports@{domain}'}")
    parts += [f"{key}={tags[key]}" for key in ("ruf", "adkim", "aspf", "fo") if key in tags]
    return "; ".join(parts)


def rollout(domain: str, current: str = "") -> list[str]:
    """The steps from `current` to p=reject (RFC 9989 5.1.4 to 5.1.7), each naming what to watch
    in the aggregate reports first. No pct: RFC 9989 removed it."""
    steps = {
        "none": "stay at p=none and read the aggregate reports until every legitimate sender "
        f"(your servers, newsletter and ticketing services) passes SPF or DKIM aligned with "
        f"{domain}",
        "quarantine": "p=quarantine once the reports show no legitimate source failing; then "
        "watch them for legitimate mail now failing (it lands in spam)",
        "reject": "p=reject once the quarantine weeks show only unknown sources failing",
    }
    start = dmarc.POLICIES.index(current) + 1 if current else 0
    return [steps[policy] for policy in dmarc.POLICIES[start:]]


def _zone_line(name: str, record: str) -> str:
    return f'{name}. TXT "{record}"'


def _verify(name: str, commands: Commands) -> str:
    return (
        f"Verify: `{commands.dig(name, 'TXT')}` prints exactly one record starting with v=DMARC1."
    )


def _numbered(steps: list[str]) -> str:
    return "\n".join(f"{n}. {step}" for n, step in enumerate(steps, 1))


async def run(ctx: CheckContext, target: Target) -> Outcome:
    domain = target.value
    walk = dmarc.TreeWalk(ctx.net.dns)
    found = await dmarc.discover(ctx.net.dns, domain, walk)
    evidence: Evidence = {
        "resolver": ctx.net.dns.label,
        "walked": [step.name for step in found.walked],
        "queried": list(found.queried),
        "organizational_domain": found.organizational_domain,
    }
    differences = found.rfc7489_differences()
    if differences:
        evidence["rfc7489"] = differences
    if found.ignored:
        evidence["ignored"] = [
            {"name": item["name"], "record": shorten(item["record"])}
            for item in found.ignored[:MAX_SHOWN_RECORDS]
        ]
    if found.several:
        evidence["records"] = [
            shorten(text) for text in found.several[0].records[:MAX_SHOWN_RECORDS]
        ]
        return _several(found, domain, evidence, ctx.net.commands)
    record = found.record
    if record is None or found.public_suffix:
        return _missing(found, domain, evidence, ctx.net.commands)
    evidence["found_at"] = found.found_at
    evidence["record"] = shorten(record.text)
    evidence["tags"] = {key: shorten(value, 512) for key, value in record.tags.items()}
    for key, values in (("warnings", record.warnings), ("notes", record.notes)):
        if values:
            evidence[key] = list(values)
    if not record.valid:
        evidence["errors"] = list(record.errors)
        return _invalid(found, record, domain, evidence, ctx.net.commands)
    try:
        destinations = await dmarc.check_destinations(
            ctx.net.dns, record, found.policy_domain, walk
        )
        exists = not found.inherited or await dmarc.exists(ctx.net.dns, domain)
    except NetError as exc:
        return Outcome(
            Status.ERROR,
            f"could not check: {exc} (asking whether an external report address accepts "
            f"{found.policy_domain}'s reports, or whether {domain} exists)",
            evidence,
            fix="Nothing was verified about the external report destinations. Make DNS "
            "reachable from where launchtui runs, then run the check again.",
        )
    if destinations:
        evidence["external_destinations"] = [d.to_dict() for d in destinations]
    return _judge(found, record, exists, destinations, domain, evidence, ctx.net.commands)


def _missing(
    found: dmarc.Discovery, domain: str, evidence: Evidence, commands: Commands
) -> Outcome:
    walked = [step.name for step in found.walked]
    if found.public_suffix:
        evidence["found_at"] = found.found_at
        summary = (
            f"{domain}: no DMARC record of its own at {' or '.join(walked[:-1])}; only the "
            f"public suffix domain's policy at {found.found_at} (psd=y) applies, and its "
            "reports go to the registry, not to you"
        )
    else:
        summary = f"{domain}: no DMARC record at {' or '.join(walked)}"
    if found.ignored:
        summary += (
            f"; the TXT record at {found.ignored[0]['name']} does not start with v=DMARC1, "
            "so receivers ignore it"
        )
    name = f"_dmarc.{domain}"
    record = starter_record(domain)
    steps = [
        f"At your DNS provider, add: {_zone_line(name, record)}",
        f"Create the mailbox dmarc-reports@{domain} (or use a DMARC report service and put "
        "its address in rua).",
        _verify(name, commands),
        *[f"Then {step}." for step in rollout(domain)],
    ]
    return Outcome(
        Status.FAIL,
        summary,
        evidence,
        fix=(
            f"Without DMARC, anyone can send mail as @{domain} and receivers (Gmail and Yahoo "
            "require DMARC of bulk senders) have no policy to apply. Start with a "
            "monitoring-only policy that sends you aggregate reports (RFC 9989 5.1.4), "
            f"then tighten it step by step:\n{_numbered(steps)}"
        ),
    )


def _several(
    found: dmarc.Discovery, domain: str, evidence: Evidence, commands: Commands
) -> Outcome:
    step = found.several[0]
    if found.record is not None:
        instead = f"{found.found_at}'s policy applies instead"
    else:
        instead = "no DMARC applies"
    return Outcome(
        Status.FAIL,
        f"{domain}: {len(step.records)} DMARC records at {step.name}; receivers discard them "
        f"all (RFC 9989 4.10), so {instead}",
        evidence,
        fix=(
            f"Receivers discard every DMARC record at {step.name} when there is more than "
            "one, so the policy you wrote there is not in effect.\n"
            "1. Merge them into one record (one p, one rua list) and delete the others, e.g.: "
            f"{_zone_line(step.name, starter_record(domain))}\n"
            f"2. {_verify(step.name, commands)}"
        ),
    )


def _invalid(
    found: dmarc.Discovery,
    record: dmarc.Record,
    domain: str,
    evidence: Evidence,
    commands: Commands,
) -> Outcome:
    effective = record.receiver_policy(subdomain=found.inherited)
    if effective == "none" and record.policy != "none":
        consequence = "receivers treat it as p=none because rua is valid (RFC 9989 4.10.1)"
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
            f"The DMARC record at {found.found_at} breaks RFC 9989:\n{errors}\n"
            f"1. Replace it with a valid one, keeping the tags that were right: "
            f"{_zone_line(found.found_at, suggestion)}\n"
            f"2. {_verify(found.found_at, commands)}"
        ),
    )


def _judge(
    found: dmarc.Discovery,
    record: dmarc.Record,
    exists: bool,
    destinations: list[dmarc.Destination],
    domain: str,
    evidence: Evidence,
    commands: Commands,
) -> Outcome:
    # For a subdomain covered by a parent's record, sp (np if it does not exist) applies.
    written = record.receiver_policy(subdomain=found.inherited, exists=exists) or "none"
    applied = dmarc.under_test(written) if record.testing else written
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
    findings = _findings(record, written, destinations)
    findings += [
        f"the TXT record at {item['name']} does not start with v=DMARC1, so receivers ignore "
        f"it and apply {found.found_at} instead"
        for item in found.ignored
    ]
    evidence["findings"] = findings
    shown = f"p={written}" + (
        f" in testing mode (t=y: {applied} applied)" if record.testing else ""
    )
    if findings:
        more = f" (+{len(findings) - 1} more)" if len(findings) > 1 else ""
        return Outcome(
            Status.WARN,
            f"{domain}: DMARC {shown} at {where}, but {findings[0]}{more}",
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
    record: dmarc.Record, written: str, destinations: list[dmarc.Destination]
) -> list[str]:
    findings = []
    if not record.rua:
        findings.append(
            "no rua: nobody receives aggregate reports, so legitimate mail failing DMARC "
            "goes unnoticed"
        )
    if record.testing and written != "none":
        findings.append(
            f"t=y: testing mode, receivers do not apply p={written} but "
            f"p={dmarc.under_test(written)} (RFC 9989 4.7); remove t=y once the aggregate "
            "reports show every legitimate sender aligned"
        )
    policy = record.policy or "none"
    for key, what in (("sp", "subdomains"), ("np", "non-existent subdomains")):
        value = record.tags.get(key, "").lower()
        if value and dmarc.weaker(value, policy):
            findings.append(
                f"{key}={value} is weaker than p={policy}: {what} can be spoofed more easily"
            )
    findings += [
        f"{d.tag} address {d.uri} is not authorized: {d.query} has no v=DMARC1 record, so "
        "receivers send it no reports (RFC 9990 section 4)"
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
    suggestion = suggested_record(record, domain)
    steps = [f"Replace the record: {_zone_line(found.found_at, suggestion)}"]
    steps += [
        f'Ask the report service to publish (or publish, if you run it): {query}. TXT "v=DMARC1;"'
        for query in dict.fromkeys(unauthorized or [])
    ]
    steps.append(_verify(found.found_at, commands))
    steps += [f"Then {step}." for step in rollout(domain, record.policy or "none")]
    return f"{lead}\n{listed}\n{_numbered(steps)}"
