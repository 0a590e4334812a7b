"""edge.cloudflare: which hostnames Cloudflare proxies, and (with an API token) whether the
zone is set up safely.

Proxying is read two ways: the host's public addresses against Cloudflare's published ranges
(a dated copy, see launchtui/net/cloudflare.py), and the HTTPS response headers
(`server: cloudflare`, `cf-ray`). Loopback and private addresses say nothing either way
(staging, the lab): then the headers decide. Evidence "proxied" is read by the routing map.

- pass: proxied, both signals agree (and the API, when used, finds nothing off)
- warn: not proxied (no DDoS protection or edge cache); the signals disagree; with the API:
  SSL mode Full (not strict), Always Use HTTPS off, minimum TLS under 1.2, the host's DNS
  record "DNS only" or missing from the zone
- fail: with the API, SSL mode Flexible or Off (Cloudflare talks to the origin in clear)
- error: the host does not resolve or answer

With the `cloudflare_api_token` credential, the zone ([site].apex) is read through the v4 API:
zone settings are judged on the apex's result, each host's own DNS record on its result.
"""

from __future__ import annotations

import ipaddress
from typing import TYPE_CHECKING, Any

from launchtui.errors import CredentialError
from launchtui.model.results import Evidence, Outcome, Status
from launchtui.model.targets import Target
from launchtui.net import cloudflare
from launchtui.net.commands import Commands
from launchtui.net.dns import resolve_addresses

if TYPE_CHECKING:  # the network stack loads when a check runs
    from launchtui.checks.context import CheckContext

CREDENTIAL = "cloudflare_api_token"
GOOD_SSL = ("strict", "origin_pull")  # Full (strict), and its origin-pull variant
TLS_ORDER = ("1.0", "1.1", "1.2", "1.3")


async def run(ctx: CheckContext, target: Target) -> Outcome:
    host = target.value
    addresses = await resolve_addresses(ctx.net.dns, host)
    response = await ctx.net.http.fetch(f"https://{host}/", max_body=1024)
    evidence, warns = judge_proxy(
        addresses, response.header_all("server"), response.header("cf-ray"), cloudflare.ranges()
    )
    fails: list[str] = []
    await _api(ctx, host, evidence, fails, warns)
    if fails or warns:
        return Outcome(
            Status.FAIL if fails else Status.WARN,
            f"{host}: " + "; ".join(fails + warns),
            evidence,
            fix=_fix(host, fails + warns, ctx.net.commands),
        )
    return Outcome(Status.PASS, f"{host}: proxied by Cloudflare", evidence)


def judge_proxy(
    addresses: list[str], servers: list[str], ray: str | None, data: cloudflare.Ranges
) -> tuple[Evidence, list[str]]:
    """Evidence (with "proxied") and warnings from the addresses and response headers."""
    public = [a for a in addresses if ipaddress.ip_address(a).is_global]
    in_ranges = [a for a in public if data.contains(a)]
    by_ip = bool(in_ranges) if public else None
    by_headers = any(s.strip().lower() == "cloudflare" for s in servers) or ray is not None
    proxied = by_headers if by_ip is None else by_ip or by_headers
    evidence: Evidence = {
        "proxied": proxied,
        "addresses": addresses,
        "in_cloudflare_ranges": in_ranges,
        "ranges_date": data.date,
        "server": servers,
        "cf_ray": ray,
    }
    warns: list[str] = []
    if by_ip is None:
        evidence["ranges_note"] = "no public address: judged by the response headers alone"
    elif by_ip != by_headers:
        warns.append(
            "address in Cloudflare's ranges but the response has no Cloudflare headers"
            if by_ip
            else "Cloudflare headers, but no address is in Cloudflare's ranges (DNS may "
            "point elsewhere than where this response came from, or the ranges copy is old)"
        )
    if not proxied:
        warns.append("not proxied by Cloudflare: no DDoS protection or edge cache in front")
    return evidence, warns


async def _api(
    ctx: CheckContext, host: str, evidence: Evidence, fails: list[str], warns: list[str]
) -> None:
    """Add the zone's settings and the host's DNS record to the verdict, if a token is set."""
    # Imported here: the keyring is loaded only when a credential is read, not when the
    # registry loads this module (as opening the app does).
    from launchtui.credentials import env_var

    apex = ctx.sprint.site.apex
    try:
        token = await ctx.credential(CREDENTIAL)
    except CredentialError as exc:
        evidence["api"] = f"not used: the {CREDENTIAL} credential could not be read: {exc}"
        return
    if token is None:
        evidence["api"] = (
            f"not used: set the {CREDENTIAL} credential (Zone read) with `launchtui "
            f"credentials set <sprint> {CREDENTIAL}` or {env_var(CREDENTIAL)} to also check "
            "SSL mode, Always Use HTTPS, minimum TLS and DNS proxy status"
        )
        return
    api = cloudflare.CloudflareApi(ctx.net.http, token)
    evidence["api"] = api.base
    zone = await api.zone(apex)
    if zone is None:
        warns.append(f"the API token sees no Cloudflare zone named {apex}")
        return
    zone_id = str(zone.get("id", ""))
    evidence["zone"] = {"name": zone.get("name"), "status": zone.get("status")}
    if host == apex:
        await _settings(api, zone_id, evidence, fails, warns)
    records = await api.dns_records(zone_id, host)
    evidence["dns_records"] = [_record(r) for r in records]
    if not records:
        warns.append(f"no DNS record for {host} in the Cloudflare zone")
    elif not all(r.get("proxied") is True for r in records if r.get("type") in _PROXIABLE):
        warns.append(f"the DNS record of {host} is 'DNS only' (not proxied)")


_PROXIABLE = ("A", "AAAA", "CNAME")


async def _settings(
    api: cloudflare.CloudflareApi,
    zone_id: str,
    evidence: Evidence,
    fails: list[str],
    warns: list[str],
) -> None:
    ssl = await api.setting(zone_id, "ssl")
    https = await api.setting(zone_id, "always_use_https")
    tls = await api.setting(zone_id, "min_tls_version")
    evidence["settings"] = {"ssl": ssl, "always_use_https": https, "min_tls_version": tls}
    if ssl in ("off", "flexible"):
        fails.append(f"SSL/TLS mode is {ssl}: Cloudflare reaches the origin over plain HTTP")
    elif ssl not in GOOD_SSL:
        warns.append(f"SSL/TLS mode is {ssl}, not Full (strict): the origin is not verified")
    if https != "on":
        warns.append(f"Always Use HTTPS is {https}")
    if tls not in TLS_ORDER or TLS_ORDER.index(tls) < TLS_ORDER.index("1.2"):
        warns.append(f"minimum TLS version is {tls}, under 1.2")


def _record(record: dict[str, Any]) -> dict[str, Any]:
    return {key: record.get(key) for key in ("type", "name", "content", "proxied")}


def _fix(host: str, problems: list[str], commands: Commands) -> str:
    listed = "\n".join(f"   - {problem}" for problem in problems)
    return (
        f"{host}:\n{listed}\n"
        f"1. In the Cloudflare dashboard (DNS > Records), set the A/AAAA/CNAME record of "
        f"{host} to 'Proxied' (orange cloud), so the launch traffic meets Cloudflare's "
        "DDoS protection and cache first.\n"
        "2. SSL/TLS > Overview: mode Full (strict), with a valid certificate on the origin "
        "(a free Cloudflare Origin CA certificate works); SSL/TLS > Edge Certificates: "
        "Always Use HTTPS on, Minimum TLS Version 1.2.\n"
        f"3. Verify: `{commands.curl('-sI', f'https://{host}/')}` shows `server: cloudflare` "
        f"and a `cf-ray` header, and `{commands.dig(host)}` returns addresses from "
        "https://www.cloudflare.com/ips/."
    )
