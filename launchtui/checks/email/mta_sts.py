"""email.mta-sts: MTA-STS (RFC 8461) and TLS-RPT (RFC 8460) for the email domain.

MTA-STS makes senders require TLS with a valid certificate when they deliver to the
domain's MX hosts; TLS-RPT tells the owner when that fails. Neither blocks a launch, so the
check is low severity:
- warn: no `_mta-sts` record (MTA-STS not deployed), no `_smtp._tls` record, a policy in
  mode none, mode testing whose mx patterns miss an MX host, a max_age under a day, a
  policy served as another type than text/plain, or policy warnings (unknown keys...).
- fail: a record or policy that is invalid, several records at one name (senders then
  ignore them all), the policy file missing or redirected (senders do not follow
  redirects), or mode enforce with an MX host no mx pattern allows (senders refuse to
  deliver there).
  A policy host whose certificate does not verify fails too: it was reached, and senders
  must reject what it serves.
- error: a lookup got no answer, or the policy host could not be reached (no address,
  connection refused, timeout).
The policy is fetched with the sprint's HTTP client (its [network] connect_to and trust
anchors), without following redirects and reading at most 64 KB.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from launchtui.checks.email.mx import parse_mx
from launchtui.email import mta_sts
from launchtui.email.txt import shorten, txt_records
from launchtui.model.results import Evidence, Outcome, Status
from launchtui.model.targets import Target
from launchtui.net.commands import Commands
from launchtui.net.errors import NetError, TlsVerificationError

if TYPE_CHECKING:  # the network stack loads when a check runs
    from launchtui.checks.context import CheckContext

ONE_DAY = 86400
MAX_SHOWN_RECORDS = 10
_KINDS = {
    "mta_sts": (mta_sts.STS_VERSION, "MTA-STS"),
    "tls_rpt": (mta_sts.TLSRPT_VERSION, "TLS-RPT"),
}


def policy_url(domain: str) -> str:
    return f"https://mta-sts.{domain}/.well-known/mta-sts.txt"


class _Verdict:
    """Failures and findings collected across the records and the policy."""

    def __init__(self) -> None:
        self.failures: list[str] = []
        self.findings: list[str] = []


def _one_record(
    texts: list[str], name: str, key: str, verdict: _Verdict, evidence: Evidence
) -> mta_sts.TxtRecord | None:
    """The single record at `name` of the kind `key` ("mta_sts" or "tls_rpt"), parsed; None
    when there is none or it cannot be used (the reason goes into `verdict`).

    A record in the wrong case ("v=stsv1") counts: senders discard it, and saying it is
    invalid helps more than saying nothing is there."""
    version, what = _KINDS[key]
    candidates = [t for t in texts if t.lower().startswith(version.lower())]
    if not candidates:
        return None
    evidence[f"{key}_records"] = [shorten(t) for t in candidates[:MAX_SHOWN_RECORDS]]
    if len(candidates) > 1:
        verdict.failures.append(
            f"{len(candidates)} {what} records at {name}; senders ignore them all when there "
            "is more than one"
        )
        return None
    parse = mta_sts.parse_sts_record if key == "mta_sts" else mta_sts.parse_tlsrpt_record
    record = parse(candidates[0])
    if not record.valid:
        evidence[f"{key}_errors"] = list(record.errors)
        verdict.failures.append(f"the {what} record at {name} is invalid: {record.errors[0]}")
        return None
    return record


async def run(ctx: CheckContext, target: Target) -> Outcome:
    domain = target.value
    sts_name, tlsrpt_name = f"_mta-sts.{domain}", f"_smtp._tls.{domain}"
    evidence: Evidence = {"resolver": ctx.net.dns.label}
    verdict = _Verdict()
    sts = _one_record(
        await txt_records(ctx.net.dns, sts_name), sts_name, "mta_sts", verdict, evidence
    )
    tls = _one_record(
        await txt_records(ctx.net.dns, tlsrpt_name), tlsrpt_name, "tls_rpt", verdict, evidence
    )
    if "mta_sts_records" not in evidence:
        verdict.findings.append(f"no MTA-STS record at {sts_name}: MTA-STS is not deployed")
    if "tls_rpt_records" not in evidence:
        verdict.findings.append(
            f"no TLS-RPT record at {tlsrpt_name}: nobody hears when senders fail TLS to you"
        )
    hosts: list[str] = []
    if sts is not None:
        evidence["mta_sts_id"] = sts.fields.get("id", "")
        try:
            hosts = await _mx_hosts(ctx, domain)
            await _check_policy(ctx, domain, hosts, verdict, evidence)
        except TlsVerificationError as exc:
            # Reached, and definitely unusable: senders must reject what it serves.
            verdict.failures.append(
                f"the certificate of mta-sts.{domain} does not verify, so senders reject the "
                f"policy (RFC 8461 3.3): {exc}"
            )
        except NetError as exc:
            return Outcome(
                Status.ERROR,
                f"could not check: {exc}",
                evidence,
                fix=f"Nothing was verified about the policy. Make {policy_url(domain)} and "
                "DNS reachable from where launchtui runs, then run the check again.",
            )
    if tls is not None:
        evidence["tls_rpt_rua"] = tls.fields.get("rua", "")
    return _judge(domain, verdict, evidence, hosts, ctx.net.commands)


async def _mx_hosts(ctx: CheckContext, domain: str) -> list[str]:
    lookup = await ctx.net.dns.lookup(domain, "MX")
    return [e.name for e in map(parse_mx, lookup.records) if e.name]


async def _check_policy(
    ctx: CheckContext, domain: str, hosts: list[str], verdict: _Verdict, evidence: Evidence
) -> None:
    url = policy_url(domain)
    evidence["policy_url"] = url
    fetched = await ctx.net.http.fetch(url, max_body=mta_sts.MAX_POLICY_BYTES)
    evidence["policy_status"] = fetched.status
    if fetched.status != 200:
        location = fetched.header("location")
        reason = (
            f"redirects to {location}; senders do not follow redirects (RFC 8461 3.3)"
            if 300 <= fetched.status < 400
            else "senders need 200"
        )
        verdict.failures.append(f"{url} answered HTTP {fetched.status}: {reason}")
        return
    if fetched.truncated:
        verdict.failures.append(f"{url} is larger than 64 KB; senders may refuse it")
        return
    content_type = fetched.header("content-type") or ""
    evidence["policy_content_type"] = content_type
    if content_type.split(";")[0].strip().lower() != "text/plain":
        verdict.findings.append(
            f"the policy is served as {content_type or 'no Content-Type'}; RFC 8461 asks for "
            "text/plain, and strict senders ignore anything else"
        )
    text = fetched.body.decode("utf-8", "backslashreplace")
    evidence["policy"] = shorten(text)
    policy = mta_sts.parse_policy(text)
    evidence["policy_mode"] = policy.mode
    evidence["policy_mx"] = list(policy.mx[: MAX_SHOWN_RECORDS * 2])
    evidence["mx_hosts"] = list(hosts)
    if policy.warnings:
        evidence["policy_warnings"] = list(policy.warnings)
    if not policy.valid:
        evidence["policy_errors"] = list(policy.errors)
        verdict.failures.append(f"the policy at {url} is invalid: {policy.errors[0]}")
        return
    _judge_policy(policy, hosts, verdict, evidence)


def _judge_policy(
    policy: mta_sts.Policy, hosts: list[str], verdict: _Verdict, evidence: Evidence
) -> None:
    unmatched = [h for h in hosts if not any(mta_sts.mx_matches(p, h) for p in policy.mx)]
    evidence["mx_not_allowed"] = unmatched
    if policy.mode == "none":
        verdict.findings.append("the policy is in mode none: senders do not apply it")
    elif unmatched:
        problem = f"MX host {unmatched[0]} matches no mx line of the policy"
        if policy.mode == "enforce":
            verdict.failures.append(f"{problem}: senders enforcing it refuse to deliver there")
        else:
            verdict.findings.append(f"{problem}: enforce mode would refuse delivery there")
    if policy.max_age < ONE_DAY and policy.mode != "none":
        verdict.findings.append(
            f"max_age={policy.max_age}: under a day, the policy lapses from senders' caches "
            "almost at once (weeks are usual)"
        )
    verdict.findings += [f"policy: {warning}" for warning in policy.warnings]


def _judge(
    domain: str, verdict: _Verdict, evidence: Evidence, hosts: list[str], commands: Commands
) -> Outcome:
    problems = verdict.failures + verdict.findings
    if problems:
        status = Status.FAIL if verdict.failures else Status.WARN
        more = f" (+{len(problems) - 1} more)" if len(problems) > 1 else ""
        return Outcome(
            status,
            f"{domain}: {problems[0]}{more}",
            evidence,
            fix=_fix(domain, problems, hosts, commands),
        )
    mode = evidence.get("policy_mode", "")
    summary = (
        f"{domain}: MTA-STS policy in mode {mode} allows every MX host, TLS-RPT reports go to "
        f"{evidence.get('tls_rpt_rua', '')}"
    )
    if mode == "testing":
        summary += "; next step: mode enforce once the TLS reports are clean"
    return Outcome(Status.PASS, summary, evidence)


def _fix(domain: str, problems: list[str], hosts: list[str], commands: Commands) -> str:
    listed = "\n".join(f"   - {problem}" for problem in problems)
    mx_lines = "\n".join(f"   mx: {host}" for host in hosts) or "   mx: <each MX host>"
    return (
        f"MTA-STS for {domain} needs attention:\n{listed}\n"
        "A working setup has three parts:\n"
        f'1. DNS: _mta-sts.{domain}. TXT "v=STSv1; id=<a new value on every policy change>"\n'
        f'2. DNS: _smtp._tls.{domain}. TXT "v=TLSRPTv1; rua=mailto:tls-reports@{domain}"\n'
        f"3. HTTPS (a valid certificate for mta-sts.{domain}, Content-Type text/plain, no "
        f"redirect): {policy_url(domain)} serving\n"
        f"   version: STSv1\n   mode: testing\n{mx_lines}\n   max_age: 604800\n"
        "   Switch mode to enforce once the TLS reports show no failures.\n"
        f"4. Verify: `{commands.dig(f'_mta-sts.{domain}', 'TXT')}` and "
        f"`{commands.curl('-s', policy_url(domain))}`."
    )
