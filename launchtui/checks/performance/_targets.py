"""What the performance checks run on: light enough to list the checks (no network stack)."""

from __future__ import annotations

from launchtui.model.flows import CORE_FLOWS
from launchtui.model.sprint import Sprint
from launchtui.model.targets import Target

# perf.private-cache and perf.rate-limit
PRIVATE_SETTING = "[flows].private"  # the one target when no private page is declared
RATE_LIMIT_FLOWS = ("login", "join", "invite")
RATE_LIMIT_SETTING = "[flows].login"  # the one target when none of those flows is declared


def private_pages(sprint: Sprint) -> list[Target]:
    """Every [flows].private URL, and the posts flow (member-only by nature), once each."""
    urls = list(sprint.private_urls)
    if "posts" in sprint.flows:
        urls.append(sprint.flows["posts"])
    unique = list(dict.fromkeys(urls))
    return [Target.for_url(url) for url in unique] or [Target.for_setting(PRIVATE_SETTING)]


def rate_limited(sprint: Sprint) -> list[Target]:
    """The login, join and invite flows' URLs, once each."""
    urls = dict.fromkeys(sprint.flows[f] for f in RATE_LIMIT_FLOWS if f in sprint.flows)
    return [Target.for_url(url) for url in urls] or [Target.for_setting(RATE_LIMIT_SETTING)]


FLOWS_SETTING = "[flows]"  # perf.latency's one target when no flow is declared


def latency_flows(sprint: Sprint) -> list[Target]:
    """One row per core flow declared (login, join, invite, posts), then every other flow
    declared as a table of steps (a flow written for the probe); named by the flow."""
    specs = sprint.flow_specs
    names = [name for name in CORE_FLOWS if name in specs]
    names += [name for name, flow in specs.items() if name not in CORE_FLOWS and flow.declared]
    if not names:
        return [Target.for_setting(FLOWS_SETTING)]
    return [Target.for_host(name) for name in names]


PAGES_SETTING = "[site].canonical"  # perf.page's one target when no page is declared
PAGE_FLOWS = ("join", "posts")  # besides the home page ([site].canonical)
MAX_PAGES = 5


def pages(sprint: Sprint) -> list[Target]:
    """perf.page: the home page, then the join and posts flows' pages (a flow given as a table
    is read by its `url`, else its first step's), each once, at most MAX_PAGES."""
    urls: list[str] = []
    if sprint.site.canonical:
        urls.append(sprint.site.canonical.rstrip("/") + "/")
    for name in PAGE_FLOWS:
        url = flow_url(sprint.flows.get(name))
        if url and url not in urls:
            urls.append(url)
    if not urls:
        return [Target.for_setting(PAGES_SETTING)]
    return [Target.for_url(url) for url in urls[:MAX_PAGES]]


def flow_url(flow: object) -> str:
    """A flow's page: a URL string, or a table's `url`, or its first step's URL (a step a URL
    or a table with `url`); "" when none is found."""
    if isinstance(flow, str):
        return flow
    if isinstance(flow, dict):
        if isinstance(flow.get("url"), str):
            return str(flow["url"])
        steps = flow.get("steps")
        if isinstance(steps, list) and steps:
            return flow_url(steps[0])
    return ""
