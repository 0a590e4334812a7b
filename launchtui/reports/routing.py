"""The routing map of the edge stage: hostname -> DNS records -> edge -> final URL.

Built from check results alone (no network): dns.resolve gives the records and CNAME chain,
edge.cloudflare whether the host is proxied (its evidence key "proxied"), and the redirect
checks the hop lists (evidence "hops", "final_url"): http.https-redirect from http://HOST/,
http.canonical from https://HOST/. What no result says is shown as unknown, never guessed.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from launchtui.model.results import Result
from launchtui.model.sprint import Sprint
from launchtui.model.targets import Target
from launchtui.text.literal import literal

UNKNOWN = "unknown"


@dataclass(frozen=True, slots=True)
class RouteEntry:
    hostname: str
    dns: str  # the dns.resolve status, or "not checked"
    records: dict[str, Any] = field(default_factory=dict)  # "A" -> addresses or "nodata"...
    cname_chain: list[str] = field(default_factory=list)
    edge: str = UNKNOWN  # "proxied", "not proxied" or "unknown"
    http_hops: list[str] = field(default_factory=list)  # from http://HOST/
    https_hops: list[str] = field(default_factory=list)  # from https://HOST/
    final_url: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "hostname": self.hostname,
            "dns": self.dns,
            "records": self.records,
            "cname_chain": self.cname_chain,
            "edge": self.edge,
            "http_hops": self.http_hops,
            "https_hops": self.https_hops,
            "final_url": self.final_url,
        }


def build_routing(sprint: Sprint, results: list[Result]) -> list[RouteEntry]:
    """One entry per public hostname of the sprint, apex first."""
    by_check: dict[tuple[str, str], Result] = {}
    for result in results:
        by_check[(result.id, Target.parse(result.target).host)] = result
    return [_entry(host, by_check) for host in sprint.site.all_hostnames]


def _entry(host: str, by_check: dict[tuple[str, str], Result]) -> RouteEntry:
    dns = by_check.get(("dns.resolve", host))
    edge = by_check.get(("edge.cloudflare", host))
    http = by_check.get(("http.https-redirect", host))
    https = by_check.get(("http.canonical", host))
    records: dict[str, Any] = {}
    cnames: list[str] = []
    if dns is not None:
        for rdtype in ("a", "aaaa"):
            if rdtype in dns.evidence:
                records[rdtype.upper()] = dns.evidence[rdtype]
        cnames = list(dns.evidence.get("cname_chain", []))
    final = next(
        (str(r.evidence["final_url"]) for r in (https, http) if r and "final_url" in r.evidence),
        None,
    )
    return RouteEntry(
        hostname=host,
        dns=str(dns.status) if dns is not None else "not checked",
        records=records,
        cname_chain=cnames,
        edge=_edge(edge),
        http_hops=_hops(http),
        https_hops=_hops(https),
        final_url=final,
    )


def _edge(result: Result | None) -> str:
    proxied = result.evidence.get("proxied") if result is not None else None
    if proxied is True:
        return "proxied"
    if proxied is False:
        return "not proxied"
    return UNKNOWN


def _hops(result: Result | None) -> list[str]:
    """The hop lines of a redirect check; its summary when it followed nothing (an error)."""
    if result is None:
        return []
    hops = result.evidence.get("hops")
    if isinstance(hops, list):
        return [str(hop) for hop in hops]
    return [f"{result.status}: {result.summary}"]


def routing_lines(entries: list[RouteEntry]) -> list[str]:
    """The map as text: one arrow line per hostname, then its CNAMEs and hops."""
    lines = ["Routing map (hostname -> records -> edge -> final URL)", ""]
    for entry in entries:
        records = _records(entry)
        final = entry.final_url or UNKNOWN
        lines.append(literal(f"{entry.hostname} -> {records} -> edge {entry.edge} -> {final}"))
        if entry.cname_chain:
            lines.append(literal(f"  CNAME    {' -> '.join([entry.hostname, *entry.cname_chain])}"))
        for label, hops in (("http://", entry.http_hops), ("https://", entry.https_hops)):
            shown = hops or ["not checked"]
            lines.append(literal(f"  {label:<9}{shown[0]}"))
            lines.extend(literal(f"  {'':<9}{hop}") for hop in shown[1:])
        lines.append("")
    return lines


def _records(entry: RouteEntry) -> str:
    if not entry.records:
        return f"DNS {entry.dns}"
    parts = []
    for rdtype, value in entry.records.items():
        shown = ", ".join(str(v) for v in value) if isinstance(value, list) else str(value)
        parts.append(f"{rdtype} {shown}")
    return "; ".join(parts)
