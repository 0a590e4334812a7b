"""tls.certificate: each public hostname presents a trusted, matching, current certificate,
renewed in time: by the CA's suggested window when it publishes ACME Renewal Information
(RFC 9773, net.ari), else by the certificate's own lifetime (model.renewal)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING

from launchtui.model.renewal import Renewal, span
from launchtui.model.results import Outcome, Status
from launchtui.model.targets import Target
from launchtui.net import ari
from launchtui.net import certificate as certs
from launchtui.net.commands import Commands
from launchtui.net.tls import HandshakeFailed, TlsProbe, probe_tls

if TYPE_CHECKING:
    from cryptography import x509  # the network stack loads when a check runs

    from launchtui.checks.context import CheckContext

# OpenSSL X509_V_ERR_* codes that say the chain does not lead to a trusted root.
_UNTRUSTED = {2, 18, 19, 20, 21, 24, 27, 28, 29}
_EXPIRED, _NOT_YET_VALID, _HOSTNAME_MISMATCH = 10, 9, 62


async def run(ctx: CheckContext, target: Target) -> Outcome:
    host = target.value
    try:
        probe = await probe_tls(
            ctx.net.connector, host, 443, ctx.net.trust, ctx.net.timeouts.connect
        )
    except HandshakeFailed as exc:
        return Outcome(
            Status.FAIL,
            f"{host}:443 refused the TLS handshake: {exc}",
            {"trust": ctx.net.trust_label},
            fix=f"Browsers cannot open https://{host}/ at all. Make sure the server or edge "
            f"for {host} listens for HTTPS on port 443 with a certificate for {host} "
            f"(for example by enabling TLS for this hostname at your host or CDN), then "
            f"verify with `{ctx.net.commands.s_client(host)}`.",
        )
    now = datetime.now(UTC)
    window: ari.Window | ari.AriUnavailable | None = None
    cert = probe.certificate
    directory = ari.directory_for(certs.organization(cert.issuer), ctx.net.config.acme_directory)
    if directory and not _problems(probe, cert, now):
        try:
            window = await ari.suggested_window(ctx.net.http, directory, cert)
        except ari.AriUnavailable as exc:
            window = exc
    return judge(probe, ctx.net.trust_label, now, ctx.net.commands, window)


def judge(
    probe: TlsProbe,
    trust_label: str,
    now: datetime,
    commands: Commands,
    window: ari.Window | ari.AriUnavailable | None = None,
) -> Outcome:
    """The verdict on a certificate the server presented, worst problem first; by the CA's
    suggested renewal window when it gave one, else by the certificate's lifetime."""
    cert, host = probe.certificate, probe.host
    evidence = certs.evidence(cert, now) | {
        "trusted": probe.verified,
        "trust": trust_label,
        "connected_to": probe.peer,
        "protocol": probe.protocol,
    }
    if probe.verify_message:
        evidence["verify_error"] = probe.verify_message
    renewal = Renewal(cert.not_valid_before_utc, cert.not_valid_after_utc)
    evidence |= renewal.evidence(now)
    problems = _problems(probe, cert, now)
    if problems:
        return Outcome(
            Status.FAIL,
            f"{host}: " + "; ".join(problems),
            evidence,
            fix=_fix(host, probe, cert, now, commands),
        )
    if isinstance(window, ari.Window):
        return _by_window(host, cert, renewal, window, now, evidence, commands)
    outcome = _by_lifetime(host, cert, renewal, now, evidence, commands)
    if isinstance(window, ari.AriUnavailable):
        outcome.evidence["ari"] = f"unavailable ({window}): judged by the certificate's lifetime"
        if not window.answered:  # the CA saying it has no window for this one is no news
            outcome.summary += " (ACME Renewal Information unavailable: judged by its lifetime)"
    return outcome


def _by_window(
    host: str,
    cert: x509.Certificate,
    renewal: Renewal,
    window: ari.Window,
    now: datetime,
    evidence: dict[str, object],
    commands: Commands,
) -> Outcome:
    """RFC 9773: before the CA's suggested window, pass; inside it a working client has
    renewed, so still serving this certificate warns; past its end, or a window the CA moved
    into the past to ask for an early renewal, fails."""
    evidence |= {
        "ari_window_start": f"{window.start:%Y-%m-%dT%H:%M:%SZ}",
        "ari_window_end": f"{window.end:%Y-%m-%dT%H:%M:%SZ}",
        "ari_url": window.url,
        "ari_explanation_url": window.explanation_url,
        "renewal_due": now >= window.start,
    }
    left = certs.days_left(cert, now)
    start = f"{window.start:%Y-%m-%d %H:%M} UTC"
    why = f" ({window.explanation_url})" if window.explanation_url else ""
    if now >= window.end and window.end < renewal.renew_at:
        return Outcome(
            Status.FAIL,
            f"{host}: the CA asks for this certificate to be renewed early (its renewal window "
            f"ended {span(now - window.end)} ago, {int(left)} days before expiry){why}",
            evidence,
            fix=_renew(host, renewal, commands, ari_window=window),
        )
    if now >= window.end:
        return Outcome(
            Status.FAIL,
            f"{host}: certificate expires in {left:.1f} days; the CA's renewal window ended "
            f"{span(now - window.end)} ago; check the ACME client and its logs{why}",
            evidence,
            fix=_renew(host, renewal, commands, ari_window=window),
        )
    if now >= window.start:
        return Outcome(
            Status.WARN,
            f"{host}: certificate expires in {int(left)} days; the CA's renewal window opened "
            f"{span(now - window.start)} ago and the old certificate is still served; check "
            f"the ACME client and its logs{why}",
            evidence,
            fix=_renew(host, renewal, commands, ari_window=window),
        )
    return Outcome(
        Status.PASS,
        f"{host}: trusted certificate from {certs.issuer_name(cert.issuer)}, {int(left)} days "
        f"left, the CA suggests renewing from {start} (ACME Renewal Information)",
        evidence,
    )


def _by_lifetime(
    host: str,
    cert: x509.Certificate,
    renewal: Renewal,
    now: datetime,
    evidence: dict[str, object],
    commands: Commands,
) -> Outcome:
    """Pass before the renewal point, warn past it, fail near the end (model.renewal)."""
    left = certs.days_left(cert, now)
    expiry = f"({cert.not_valid_after_utc:%Y-%m-%d})"
    overdue = (
        ""
        if renewal.long_lived
        else f"; renewal is overdue: it should have happened {span(now - renewal.renew_at)} "
        "ago; check the ACME client and its logs"
    )
    if now >= renewal.fail_at:
        summary = f"{host}: certificate expires in {left:.1f} days {expiry}{overdue}"
        return Outcome(Status.FAIL, summary, evidence, fix=_renew(host, renewal, commands))
    if renewal.renewal_due(now):
        summary = f"{host}: certificate expires in {int(left)} days {expiry}{overdue}"
        return Outcome(Status.WARN, summary, evidence, fix=_renew(host, renewal, commands))
    renews = "" if renewal.long_lived else f", renews in about {span(renewal.renew_at - now)}"
    return Outcome(
        Status.PASS,
        f"{host}: trusted certificate from {certs.issuer_name(cert.issuer)}, "
        f"{int(left)} days left{renews}",
        evidence,
    )


def _problems(probe: TlsProbe, cert: x509.Certificate, now: datetime) -> list[str]:
    problems = []
    if cert.not_valid_after_utc < now or probe.verify_code == _EXPIRED:
        problems.append(f"certificate expired on {cert.not_valid_after_utc:%Y-%m-%d}")
    if cert.not_valid_before_utc > now or probe.verify_code == _NOT_YET_VALID:
        problems.append(f"certificate not valid before {cert.not_valid_before_utc:%Y-%m-%d}")
    if not certs.matches_hostname(cert, probe.host) or probe.verify_code == _HOSTNAME_MISMATCH:
        names = ", ".join(certs.dns_names(cert)) or "no DNS names"
        problems.append(f"certificate is for {names}, not {probe.host}")
    if probe.verify_code in _UNTRUSTED or (not probe.verified and not problems):
        problems.append(f"certificate is not trusted ({probe.verify_message or 'unverified'})")
    return problems


def _fix(
    host: str, probe: TlsProbe, cert: x509.Certificate, now: datetime, commands: Commands
) -> str:
    steps = [f"Visitors to https://{host}/ see a certificate warning; signup and login break."]
    if cert.not_valid_after_utc < now or probe.verify_code == _EXPIRED:
        steps.append(_renew(host, None, commands))
    if not certs.matches_hostname(cert, probe.host):
        steps.append(
            f"Issue a certificate whose subject alternative names include {host} (or a "
            f"wildcard covering it) and install it where {host} terminates TLS; with "
            "Cloudflare or a managed host, add the hostname to the edge certificate."
        )
    if probe.verify_code in _UNTRUSTED:
        steps.append(
            "Serve a certificate from a public CA (Let's Encrypt or your host's managed "
            "certificates) and include the intermediate chain; a self-signed or private-CA "
            "certificate is trusted by nobody's browser."
        )
    steps.append(
        f"Verify: `{commands.s_client(host, '-verify_return_error', verify=True)} </dev/null` "
        "ends with 'Verify return code: 0 (ok)'."
    )
    return "\n".join(f"{n}. {step}" if n else step for n, step in enumerate(steps))


def _renew(
    host: str,
    renewal: Renewal | None,
    commands: Commands,
    ari_window: ari.Window | None = None,
) -> str:
    if ari_window is not None:
        due = f"from {ari_window.start:%Y-%m-%d %H:%M} UTC, the CA's suggested window"
    elif renewal is not None and not renewal.long_lived:
        due = f"by {renewal.renew_at:%Y-%m-%d %H:%M} UTC ({renewal.rule})"
    else:
        due = ""
    automatic = (
        f"find out why the ACME client did not renew it {due}: check that its timer or cron "
        "job runs and read its logs (certbot: /var/log/letsencrypt/letsencrypt.log, "
        "`certbot renew --dry-run`; an ARI-aware client renews inside the CA's window)"
        if due
        else "make renewal automatic (ACME/certbot timer, or your host's managed certificates)"
    )
    return (
        f"Renew the certificate for {host} now and {automatic}, then check the expiry again: "
        f"`echo | {commands.s_client(host)} 2>/dev/null | openssl x509 -noout -enddate`."
    )
