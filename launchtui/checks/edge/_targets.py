"""What the edge checks run on: light enough to list the checks (no network stack here)."""

from __future__ import annotations

from urllib.parse import urlsplit

from launchtui.model.sprint import Sprint
from launchtui.model.targets import Target

DEFAULT_PORTS = {"http": 80, "https": 443}
KEY_FLOWS = ("login", "join", "invite", "checkout")
NOT_SET = Target.for_setting("[site].canonical")  # the one target when no canonical URL is set
NONE_DECLARED = Target.for_setting("[site].redirects")  # the one target when no old URL is declared


def origin(url: str) -> str:
    """scheme://host[:port] with the host lower-cased and a default port left out."""
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    host = (parts.hostname or "").lower()
    if ":" in host:
        host = f"[{host}]"
    try:
        port = parts.port
    except ValueError:
        port = None
    if port is None or port == DEFAULT_PORTS.get(scheme):
        return f"{scheme}://{host}"
    return f"{scheme}://{host}:{port}"


def hostnames(sprint: Sprint) -> list[Target]:
    """Every public hostname of the site."""
    return [Target.for_host(host) for host in sprint.site.all_hostnames]


def page_targets(sprint: Sprint, flows: tuple[str, ...]) -> list[Target]:
    """The flow pages named, the canonical home page and each hostname's home page."""
    urls = [sprint.flows[name] for name in flows if sprint.flows.get(name)]
    canonical = urlsplit(sprint.site.canonical).hostname
    hosts = [canonical] if canonical else []
    urls += [f"https://{host}/" for host in [*hosts, *sprint.site.all_hostnames]]
    return [Target.for_url(url) for url in dict.fromkeys(urls)]


def key_flow_pages(sprint: Sprint) -> list[Target]:
    return page_targets(sprint, KEY_FLOWS)


def login_pages(sprint: Sprint) -> list[Target]:
    return page_targets(sprint, ("login",))


def canonical_pairs(sprint: Sprint) -> list[Target]:
    """ "HOST -> CANONICAL" for the hosts that must converge on the canonical origin (the apex,
    www and the canonical host), the other hostnames bare; NOT_SET without a canonical URL."""
    site = sprint.site
    if not site.canonical:
        return [NOT_SET]
    canonical = origin(site.canonical)
    converging = {site.apex, f"www.{site.apex}", urlsplit(canonical).hostname}
    return [
        Target.for_pair(host, canonical) if host in converging else Target.for_host(host)
        for host in site.all_hostnames
    ]


def redirect_pairs(sprint: Sprint) -> list[Target]:
    """Each declared old URL with its new URL; NONE_DECLARED when there are none."""
    redirects = sprint.site.redirects
    return [Target.for_pair(r.from_url, r.to_url) for r in redirects] or [NONE_DECLARED]


def hostnames_and_private_urls(sprint: Sprint) -> list[Target]:
    hosts = hostnames(sprint)
    return [*hosts, *(Target.for_url(url) for url in dict.fromkeys(sprint.private_urls))]
