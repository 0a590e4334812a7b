"""What the performance checks run on: light enough to list the checks (no network stack)."""

from __future__ import annotations

from launchtui.model.sprint import Sprint
from launchtui.model.targets import Target

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
