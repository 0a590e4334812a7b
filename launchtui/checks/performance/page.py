"""perf.page: what a core page really loads, in a real headless Chromium.

Targets: the home page ([site].canonical), then [flows].join and [flows].posts (at most
MAX_PAGES). Each target is loaded once in a fresh headless Chromium (launchtui.perf.browser),
bounded by PAGE_TIMEOUT, MAX_REQUESTS and MAX_BYTES; the browser's process group is killed
whatever happens. Findings, each with what its fix would save from what was measured:

- fail: the load event took over LOAD_FAIL_MS, or render-blocking resources held the first
  render over BLOCKING_FAIL_MS
- warn: the same API URL fetched more than once on load (N-1 requests and their time saved by
  fetching once); render-blocking resources (their time); a third-party origin's scripts over
  THIRD_PARTY_KB or THIRD_PARTY_MS of main-thread time; the load event over LOAD_WARN_MS
- pass: none of those, with the numbers (requests, bytes, load time)
- error: the browser could not load the page (DNS, TLS, refused, too many redirects), it did
  not finish in PAGE_TIMEOUT, it sent over MAX_BYTES, or Chromium could not be driven

Without Chromium (not on PATH, or LAUNCHTUI_CHROMIUM=none) or without certutil for a sprint's
ca_bundle, the page is fetched with launchtui's own client for a static pass over its HTML:
third-party scripts, render-blocking scripts and stylesheets in <head> (a classic script
without async or defer), and the Server-Timing header's database time where sent; the
summary says it was a static pass and why.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING
from urllib.parse import urljoin

from launchtui.model.results import Evidence, Outcome, Status
from launchtui.model.targets import Kind, Target
from launchtui.net.errors import NetError
from launchtui.net.html import decode, head_resources
from launchtui.net.redirects import End, follow
from launchtui.perf import browser as chromium
from launchtui.perf.page import Analysis, PageError, PageLoad, analyse, is_first_party, origin

if TYPE_CHECKING:  # the network stack loads when a check runs
    from launchtui.checks.context import CheckContext

PAGE_TIMEOUT = 20.0  # seconds for one page, from navigation to the last late fetch
LOAD_WARN_MS, LOAD_FAIL_MS = 2500.0, 5000.0
BLOCKING_FAIL_MS = 1000.0
BLOCKING_WARN_MS = 100.0  # render-blocking first-party resources under this are fine
THIRD_PARTY_KB, THIRD_PARTY_MS = 100.0, 100.0
STATIC_BODY_LIMIT = 2 * 1024 * 1024
SHOWN = 40  # requests listed in the evidence
_DB_NAMES = re.compile(r"db|database|sql|query|queries|postgres|mysql|mongo|redis", re.I)


async def run(ctx: CheckContext, target: Target) -> Outcome:
    if target.kind is Kind.SETTING:
        return Outcome(
            Status.SKIP,
            "no page to load: [site].canonical and [flows].join / [flows].posts are not set",
            fix='Declare the pages, e.g.\n[site]\ncanonical = "https://app.example.community"\n'
            '[flows]\njoin = "https://app.example.community/join"',
        )
    url = target.value
    first_party = {h.lower().rstrip(".") for h in ctx.sprint.site.all_hostnames if h}
    network = ctx.sprint.network
    try:
        executable = chromium.find_browser()
        async with (
            chromium.Browser.launch(executable, network.connect_to, network.ca_bundle) as browser,
            chromium.open_tab(browser) as tab,
        ):
            load = await _load(tab, url)
    except chromium.Unavailable as exc:
        return await _static(ctx, url, first_party, str(exc))
    except (chromium.BrowserError, PageError) as exc:
        return Outcome(
            Status.ERROR,
            f"could not measure the page: {exc}",
            {"url": url},
            fix="Nothing was measured. Open the page in a browser to see what it does (a "
            "redirect loop, a page that never finishes, a certificate error), fix it, then run "
            "the check again.",
        )
    return verdict(load, analyse(load, first_party))


async def _load(tab: chromium.Session, url: str) -> PageLoad:
    from launchtui.perf.page import load

    return await load(tab, url, PAGE_TIMEOUT)


def verdict(load: PageLoad, found: Analysis) -> Outcome:
    """The outcome of a measured load: findings worst first, each with its saving."""
    evidence = _evidence(load, found)
    fails: list[str] = []
    warns: list[str] = []
    fixes: list[str] = []
    if load.load_ms is not None and load.load_ms > LOAD_FAIL_MS:
        fails.append(f"the load event came after {load.load_ms:.0f} ms")
    elif load.load_ms is not None and load.load_ms > LOAD_WARN_MS:
        warns.append(f"the load event came after {load.load_ms:.0f} ms")
    if found.blocking:
        first_party_only = all(r.type == "Stylesheet" for r in found.blocking)
        what = (
            f"{len(found.blocking)} render-blocking resource"
            f"{'s' if len(found.blocking) != 1 else ''} held the first render "
            f"{found.blocking_ms:.0f} ms"
        )
        if found.blocking_ms > BLOCKING_FAIL_MS:
            fails.append(what)
        elif found.blocking_ms > BLOCKING_WARN_MS or not first_party_only:
            warns.append(what)
        sheets = [r for r in found.blocking if r.type == "Stylesheet"]
        if sheets:
            fixes.append(
                f"{len(sheets)} blocking stylesheet{'s' if len(sheets) != 1 else ''} ("
                + ", ".join(r.url for r in sheets[:5])
                + "): inline the CSS the first screen needs and load the rest without "
                "blocking (`media` that does not match yet, or a `preload` switched to a "
                f"stylesheet on load), or serve it faster: up to {found.blocking_ms:.0f} ms "
                "saved before the first render."
            )
        scripts = [r for r in found.blocking if r.type == "Script"]
        if scripts:
            fixes.append(
                f"{len(scripts)} blocking script{'s' if len(scripts) != 1 else ''} ("
                + ", ".join(r.url for r in scripts[:5])
                + f"): add `defer` (or `async`) or move them out of <head>: up to "
                f"{found.blocking_ms:.0f} ms saved before the first render."
            )
    for repeated in found.repeated:
        warns.append(f"{repeated.method} {repeated.url} fetched {repeated.count} times")
        fixes.append(repeated.describe() + ".")
    for third in found.third_party:
        heavy = third.bytes / 1024 > THIRD_PARTY_KB or third.main_thread_ms > THIRD_PARTY_MS
        if heavy:
            warns.append(f"third-party scripts from {third.origin} are heavy")
        fixes.append(
            f"{third.describe()}: "
            + (
                "load it after the page (defer, or on interaction) or drop it: that much "
                "saved from every page view."
                if heavy
                else "within budget; review whether the page needs it."
            )
        )
    if load.load_ms is not None and load.load_ms > LOAD_WARN_MS and load.requests:
        slowest = max(load.requests, key=lambda r: r.duration_ms)
        fixes.insert(
            0,
            f"the load event came after {load.load_ms:.0f} ms; the slowest request is "
            f"{slowest.url} ({slowest.duration_ms:.0f} ms): start there (every request is in "
            "the evidence).",
        )
    numbers = _numbers(load)
    if fails or warns:
        status = Status.FAIL if fails else Status.WARN
        return Outcome(status, "; ".join([*fails, *warns]) + f" ({numbers})", evidence, _fix(fixes))
    return Outcome(Status.PASS, f"loads in a browser without findings ({numbers})", evidence)


def _numbers(load: PageLoad) -> str:
    when = "no load event" if load.load_ms is None else f"load {load.load_ms:.0f} ms"
    return f"{len(load.requests)} requests, {load.total_bytes / 1024:.1f} KB, {when}"


def _fix(fixes: list[str]) -> str:
    return "\n".join(f"- {line}" for line in fixes)


def _evidence(load: PageLoad, found: Analysis) -> Evidence:
    evidence: Evidence = {
        "url": load.url,
        "measured_with": "headless Chromium (DevTools protocol)",
        "requests": len(load.requests),
        "bytes": load.total_bytes,
        "load_ms": round(load.load_ms) if load.load_ms is not None else "no load event",
        "loaded": [
            f"{r.method} {r.url} {r.type} "
            + (f"failed: {r.failed}" if r.failed else f"{r.status or '-'}")
            + f" {r.bytes} B {r.duration_ms:.0f} ms"
            + (" render-blocking" if r.render_blocking else "")
            for r in load.requests[:SHOWN]
        ],
    }
    if load.truncated or len(load.requests) > SHOWN:
        evidence["loaded_note"] = f"first {SHOWN} requests shown"
    if found.repeated:
        evidence["repeated_calls"] = [f"{r.method} {r.url} x{r.count}" for r in found.repeated]
    if found.blocking:
        evidence["render_blocking"] = [r.url for r in found.blocking]
        evidence["render_blocking_ms"] = round(found.blocking_ms)
    if found.third_party:
        evidence["third_party_scripts"] = [t.describe() for t in found.third_party]
    document = load.document
    if document is not None and document.server_timing:
        evidence["server_timing"] = document.server_timing
        database = database_ms(document.server_timing)
        if database is not None:
            evidence["database_ms"] = round(database, 1)
    return evidence


def database_ms(header: str) -> float | None:
    """The database time a Server-Timing header reports (W3C Server Timing: metrics
    `name;dur=ms;desc="..."`), summed over metrics named like a database; None without one."""
    total, seen = 0.0, False
    for metric in header.split(","):
        parts = [p.strip() for p in metric.split(";")]
        name = parts[0]
        desc = next((p.split("=", 1)[1] for p in parts[1:] if p.lower().startswith("desc=")), "")
        if not (_DB_NAMES.search(name) or _DB_NAMES.search(desc)):
            continue
        for param in parts[1:]:
            key, _, value = param.partition("=")
            if key.strip().lower() == "dur":
                try:
                    total += float(value.strip().strip('"'))
                    seen = True
                except ValueError:
                    pass
    return total if seen else None


async def _static(ctx: CheckContext, url: str, first_party: set[str], why: str) -> Outcome:
    """The page's HTML without a browser: third-party and render-blocking resources in
    <head>, and Server-Timing's database time."""
    chain = await follow(ctx.net.http, url, body_limit=STATIC_BODY_LIMIT)
    if chain.final is None:
        if chain.end is End.ERROR:
            raise NetError(chain.reason)
        return Outcome(Status.ERROR, f"{url}: {chain.reason}", {"url": url})
    response = chain.final
    evidence: Evidence = {
        "url": url,
        "measured_with": f"static pass over the HTML ({why})",
        "status": response.status,
    }
    if not 200 <= response.status < 300:
        return Outcome(
            Status.ERROR,
            f"static pass (no browser: {why}): {response.url} answered {response.status}",
            evidence,
        )
    text = decode(response.body, response.header("content-type"))
    head = head_resources(text)
    base = response.url
    blocking = [r for r in head if r.blocking]
    third = [
        r
        for r in head
        if r.tag == "script" and not is_first_party(urljoin(base, r.url), first_party)
    ]
    blocking_scripts = [r for r in blocking if r.tag == "script"]
    warns: list[str] = []
    fixes: list[str] = []
    if blocking_scripts:
        warns.append(
            f"{len(blocking_scripts)} render-blocking script"
            f"{'s' if len(blocking_scripts) != 1 else ''} in <head>"
        )
        fixes.append(
            "add `defer` (or `async`) to "
            + ", ".join(r.url for r in blocking_scripts[:5])
            + ": the parser stops for each; a browser run (install Chromium) measures how long"
        )
    if third:
        origins = sorted({origin(urljoin(base, r.url)) for r in third})
        evidence["third_party_scripts"] = origins
        fixes.append("third-party scripts from " + ", ".join(origins) + ": review each")
    if blocking:
        evidence["render_blocking"] = [f"{r.tag} {r.url}" for r in blocking]
    timing = response.header("server-timing")
    if timing:
        evidence["server_timing"] = timing
        database = database_ms(timing)
        if database is not None:
            evidence["database_ms"] = round(database, 1)
            fixes.append(
                f"the server reports {database:.0f} ms of database time for this page: look at "
                "the queries behind it"
            )
    evidence["elapsed_ms"] = response.elapsed_ms
    prefix = f"static pass (no browser: {why})"
    if "database_ms" in evidence:
        warns_or_pass = f"; the server reports {evidence['database_ms']:.0f} ms of database time"
    else:
        warns_or_pass = ""
    if warns:
        summary = f"{prefix}: " + "; ".join(warns) + warns_or_pass
        return Outcome(Status.WARN, summary, evidence, _fix(fixes))
    summary = f"{prefix}: no render-blocking script in <head>{warns_or_pass}"
    return Outcome(Status.PASS, summary, evidence)
