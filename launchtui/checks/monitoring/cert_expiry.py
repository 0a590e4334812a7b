"""monitoring.cert-expiry: every public hostname's certificate has at least CERT_WARN_DAYS
left, as the exported certificate alerts judge it (blackbox_exporter's
probe_ssl_earliest_cert_expiry against the 14-day warning and 3-day critical thresholds).

tls.certificate asks a different question of the same certificate: whether it was renewed
when it should have been (launchtui.model.renewal: the renewal point by the certificate's
lifetime, or the CA's ARI window). This check uses the fixed alerting thresholds, the same
for every certificate, so that it says what the on-call person will be paged for.

Target: one row for every hostname ([site] hostnames), the soonest expiry named.

- pass: every certificate trusted, with CERT_WARN_DAYS or more left
- warn: one has fewer than CERT_WARN_DAYS
- fail: one has fewer than CERT_CRITICAL_DAYS, has expired, or is not trusted
- error: a host could not be reached (named) and none failed
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from launchtui.model.monitoring import CERT_CRITICAL_DAYS, CERT_WARN_DAYS
from launchtui.model.results import Outcome, Status
from launchtui.model.targets import Target
from launchtui.monitoring.judge import certificate_level
from launchtui.net import certificate as certs
from launchtui.net.errors import NetError
from launchtui.net.tls import HandshakeFailed, TlsProbe, probe_tls

if TYPE_CHECKING:  # the network stack loads when a check runs
    from launchtui.checks.context import CheckContext

CERT_HANDSHAKES = 4  # handshakes at once: polite to a production edge, quick for a few hosts


@dataclass(frozen=True, slots=True)
class Seen:
    """One hostname's certificate, or why none was read."""

    host: str
    days_left: float | None = None
    not_after: str = ""
    issuer: str = ""
    problem: str = ""  # "critical", "warning", "expired", "untrusted"; "" when fine
    detail: str = ""  # the problem or the error in words
    error: str = ""  # could not be reached

    def evidence(self) -> dict[str, object]:
        if self.error:
            return {"error": self.error}
        shown: dict[str, object] = {
            "days_left": int(self.days_left // 1) if self.days_left is not None else None,
            "not_after": self.not_after,
            "issuer": self.issuer,
        }
        if self.problem:
            shown["problem"] = self.detail
        return shown


async def run(ctx: CheckContext, target: Target) -> Outcome:
    hosts = [host for host in ctx.sprint.monitors.certificates if host]  # an unset apex: ""
    if not hosts:
        return Outcome(
            Status.SKIP,
            "no hostname: the sprint declares no [site] apex or hostnames",
            fix='Declare the site in the sprint file, e.g.\n[site]\napex = "acme.community"\n'
            'hostnames = ["www.acme.community", "app.acme.community"]\nthen run the check again.',
        )
    gate = asyncio.Semaphore(CERT_HANDSHAKES)
    now = datetime.now(UTC)

    async def one(host: str) -> Seen:
        async with gate:
            return await _look(ctx, host, now)

    seen = list(await asyncio.gather(*(one(host) for host in hosts)))
    return _verdict(seen, ctx)


async def _look(ctx: CheckContext, host: str, now: datetime) -> Seen:
    try:
        probe = await probe_tls(
            ctx.net.connector, host, 443, ctx.net.trust, ctx.net.timeouts.connect
        )
    except HandshakeFailed as exc:
        return Seen(host, error=f"TLS handshake failed: {exc}")
    except NetError as exc:
        return Seen(host, error=str(exc))
    return _judge(probe, now)


def _judge(probe: TlsProbe, now: datetime) -> Seen:
    cert = probe.certificate
    left = certs.days_left(cert, now)
    seen = Seen(
        probe.host,
        days_left=left,
        not_after=f"{cert.not_valid_after_utc:%Y-%m-%dT%H:%M:%SZ}",
        issuer=certs.issuer_name(cert.issuer),
    )
    day = f"{cert.not_valid_after_utc:%Y-%m-%d}"
    if left < 0:
        return _with(seen, "expired", f"{probe.host}: certificate expired on {day}")
    if not probe.verified:
        why = probe.verify_message or "unverified"
        return _with(seen, "untrusted", f"{probe.host}: certificate not trusted ({why})")
    level = certificate_level(left)
    if level:
        return _with(seen, level, f"{probe.host}: certificate expires in {left:.1f} days ({day})")
    return seen


def _with(seen: Seen, problem: str, detail: str) -> Seen:
    return Seen(seen.host, seen.days_left, seen.not_after, seen.issuer, problem, detail)


def _verdict(seen: list[Seen], ctx: CheckContext) -> Outcome:
    read = [s for s in seen if s.days_left is not None]
    unreachable = [s for s in seen if s.error]
    evidence: dict[str, object] = {"hosts": {s.host: s.evidence() for s in seen}}
    soonest_text = ""
    if read:
        soonest = min(read, key=lambda s: s.days_left or 0.0)
        days = int((soonest.days_left or 0.0) // 1)
        soonest_text = f"soonest: {soonest.host} in {days} days ({soonest.not_after[:10]})"
        evidence["soonest"] = {"host": soonest.host, "days_left": days}
    failing = [s for s in seen if s.problem in ("critical", "expired", "untrusted")]
    warning = [s for s in seen if s.problem == "warning"]
    not_reached = "; ".join(f"{s.host}: {s.error}" for s in unreachable)
    tail = f"; could not reach {not_reached}" if unreachable else ""
    if failing:
        return Outcome(
            Status.FAIL,
            "; ".join(s.detail for s in failing)
            + f" (under {CERT_CRITICAL_DAYS} days, expired or untrusted: the exported alert is "
            f"critical){tail}",
            evidence,
            fix=_fix([*failing, *warning], ctx),
        )
    if unreachable:
        checked = f"; {len(read)} others read, {soonest_text}" if read else ""
        return Outcome(
            Status.ERROR,
            f"could not check: could not reach {not_reached}{checked}",
            evidence,
            fix="Nothing about these hosts' certificates was verified. Make sure each answers "
            "HTTPS on port 443 from here (DNS, firewall, [network] of the sprint file), then "
            "run the check again.",
        )
    if warning:
        return Outcome(
            Status.WARN,
            "; ".join(s.detail for s in warning)
            + f" (under {CERT_WARN_DAYS} days: the exported alert warns)",
            evidence,
            fix=_fix(warning, ctx),
        )
    count = f"{len(read)} certificate{'s' if len(read) != 1 else ''}"
    return Outcome(
        Status.PASS,
        f"{count} trusted, each with {CERT_WARN_DAYS} days or more left; {soonest_text}",
        evidence,
    )


def _fix(problems: list[Seen], ctx: CheckContext) -> str:
    hosts = ", ".join(s.host for s in problems)
    first = problems[0].host
    return (
        f"1. Renew the certificates of {hosts} now (certbot: `certbot renew`, or your host's "
        "or CDN's managed certificates) and find out why renewal did not happen on its own "
        "(the ACME client's timer and logs; tls.certificate says when it was due).\n"
        "2. An untrusted certificate: serve one from a public CA with its intermediate chain.\n"
        f"3. Verify: `echo | {ctx.net.commands.s_client(first)} 2>/dev/null | openssl x509 "
        "-noout -enddate`."
    )
