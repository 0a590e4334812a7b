"""What a page really loads, measured in a headless Chromium (launchtui.perf.browser), and what
fixing it would save.

`load(session, url, ...)` navigates one tab and records, from the DevTools events: every
request with its type, status, bytes on the wire (Network.loadingFinished encodedDataLength)
and start/end times; whether it blocked rendering (the trace's ResourceSendRequest
renderBlocking: "blocking" or "in_body_parser_blocking"); main-thread time per script URL (the
trace's EvaluateScript, FunctionCall and v8 compile events, nested ones counted once); and the
load time (navigation start to Page.loadEventFired). It is bounded: at most MAX_REQUESTS kept,
MAX_BYTES on the wire, and `timeout` seconds in all; past any of them the load stops and
raises PageError.

`analyse(load, first_party)` turns it into findings with what a fix would save, from the
numbers measured: repeated calls (the same method and URL more than once: N-1 requests and
their time), render-blocking resources (the time they held the first render: the union of
their intervals), third-party scripts by origin (bytes and main-thread time).
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from launchtui.perf.browser import BrowserError, Session

MAX_REQUESTS = 500
MAX_BYTES = 25 * 1024 * 1024
# After the load event, the page's late calls (its API fetches) are waited for until the
# network is quiet for QUIET seconds, at most SETTLE_MAX seconds after the load event.
QUIET, SETTLE_MAX = 0.5, 3.0
BLOCKING = ("blocking", "in_body_parser_blocking")
SCRIPT_EVENTS = ("EvaluateScript", "FunctionCall", "v8.compile", "v8.compileModule")
TRACE_CATEGORIES = ["devtools.timeline", "disabled-by-default-devtools.timeline", "v8"]


class PageError(Exception):
    """The page could not be loaded or measured; the text says why (shown as an error)."""


@dataclass(slots=True)
class Request:
    id: str
    url: str
    method: str
    type: str  # Document, Script, Stylesheet, Fetch, XHR, Image...
    start: float  # seconds (the browser's monotonic clock)
    end: float | None = None
    status: int | None = None
    bytes: int = 0
    failed: str = ""
    render_blocking: bool = False
    server_timing: str = ""

    @property
    def duration_ms(self) -> float:
        return 0.0 if self.end is None else max(0.0, (self.end - self.start) * 1000)


@dataclass(slots=True)
class PageLoad:
    url: str
    requests: list[Request] = field(default_factory=list)
    load_ms: float | None = None
    script_ms: dict[str, float] = field(default_factory=dict)  # script URL -> main thread
    truncated: bool = False  # requests beyond MAX_REQUESTS were not kept

    @property
    def document(self) -> Request | None:
        return next((r for r in self.requests if r.type == "Document"), None)

    @property
    def total_bytes(self) -> int:
        return sum(r.bytes for r in self.requests)


async def load(session: Session, url: str, timeout: float) -> PageLoad:
    """Load `url` in the tab of `session` and measure it. Raises PageError, BrowserError."""
    page = PageLoad(url)
    try:
        async with asyncio.timeout(timeout):
            await _load(session, page)
    except TimeoutError:
        await _abort(session)
        seen = len(page.requests)
        raise PageError(
            f"{url} did not finish loading in {timeout:g} s ({seen} requests so far)"
        ) from None
    except PageError:
        await _abort(session)
        raise
    return page


async def _abort(session: Session) -> None:
    """Stop the load and the trace (a trace left running slows the browser's next one)."""
    for method in ("Page.stopLoading", "Tracing.end"):
        with contextlib.suppress(BrowserError, TimeoutError):
            await asyncio.wait_for(session.send(method), 1.0)


async def _load(session: Session, page: PageLoad) -> None:
    await session.send("Network.enable")
    await session.send("Page.enable")
    await session.send("Network.setCacheDisabled", {"cacheDisabled": True})  # a first visit
    await session.send(
        "Tracing.start",
        {"transferMode": "ReportEvents", "traceConfig": {"includedCategories": TRACE_CATEGORIES}},
    )
    by_id: dict[str, Request] = {}
    trace: list[dict[str, Any]] = []
    started: float | None = None
    answer = await session.send("Page.navigate", {"url": page.url})
    if answer.get("errorText"):
        raise PageError(f"{page.url}: the browser could not load it ({answer['errorText']})")
    loaded_at: float | None = None
    settle_until: float | None = None  # the monotonic time to stop: quiet, or SETTLE_MAX
    settle_max = 0.0
    while True:
        wait = None if settle_until is None else max(0.0, settle_until - time.monotonic())
        try:
            event = await asyncio.wait_for(session.events.get(), wait)
        except TimeoutError:
            break
        method, params = event.get("method"), event.get("params") or {}
        if method == "launchtui.closed":
            raise BrowserError(str(params.get("reason", "the browser went away")))
        if settle_until is not None and str(method).startswith("Network."):
            settle_until = min(settle_max, time.monotonic() + QUIET)
        if method == "Network.requestWillBeSent":
            request = params.get("request") or {}
            rid = str(params.get("requestId"))
            redirected = params.get("redirectResponse")
            if rid in by_id and redirected:  # a redirect: the hop ends, the same id goes on
                hop = by_id[rid]
                hop.end, hop.status = float(params.get("timestamp", 0)), redirected.get("status")
                by_id[rid] = _request(params, request, rid)
                _keep(page, by_id[rid])
                if sum(1 for r in page.requests if r.type == "Document") > 20:
                    raise PageError(f"{page.url}: more than 20 redirects")
                continue
            new = _request(params, request, rid)
            if started is None:
                started = new.start
            by_id[rid] = new
            _keep(page, new)
        elif method == "Network.responseReceived":
            found = by_id.get(str(params.get("requestId")))
            response = params.get("response") or {}
            if found is not None:
                found.status = response.get("status")
                # a body the page never reads has no loadingFinished: the response is the end
                found.end = float(params.get("timestamp", 0))
                found.bytes = int(response.get("encodedDataLength") or 0)
                headers = response.get("headers") or {}
                found.server_timing = next(
                    (str(v) for k, v in headers.items() if k.lower() == "server-timing"), ""
                )
        elif method == "Network.loadingFinished":
            found = by_id.get(str(params.get("requestId")))
            if found is not None:
                found.end = float(params.get("timestamp", 0))
                found.bytes = int(params.get("encodedDataLength", 0))
            if page.total_bytes > MAX_BYTES:
                await _stop(session)
                raise PageError(
                    f"{page.url}: over {MAX_BYTES // (1024 * 1024)} MB on the wire "
                    "(the load was stopped)"
                )
        elif method == "Network.loadingFailed":
            found = by_id.get(str(params.get("requestId")))
            if found is not None:
                found.end = float(params.get("timestamp", 0))
                found.failed = str(params.get("errorText", "failed"))
        elif method == "Page.loadEventFired" and loaded_at is None:
            loaded_at = float(params.get("timestamp", 0))
            settle_max = time.monotonic() + SETTLE_MAX
            settle_until = time.monotonic() + QUIET
        elif method == "Tracing.dataCollected":
            trace.extend(e for e in params.get("value", []) if isinstance(e, dict))
    document = page.document
    if document is not None and document.failed and document.status is None:
        raise PageError(f"{page.url}: the browser could not load it ({document.failed})")
    if loaded_at is not None and started is not None:
        page.load_ms = max(0.0, (loaded_at - started) * 1000)
    await _stop_tracing(session, trace)
    _read_trace(page, by_id, trace)


def _request(params: dict[str, Any], request: dict[str, Any], rid: str) -> Request:
    return Request(
        id=rid,
        url=str(request.get("url", "")),
        method=str(request.get("method", "GET")),
        type=str(params.get("type", "Other")),
        start=float(params.get("timestamp", 0)),
    )


def _keep(page: PageLoad, request: Request) -> None:
    if len(page.requests) >= MAX_REQUESTS:
        page.truncated = True
        return
    page.requests.append(request)


async def _stop(session: Session) -> None:
    with contextlib.suppress(BrowserError, TimeoutError):
        await asyncio.wait_for(session.send("Page.stopLoading"), 2)


async def _stop_tracing(session: Session, trace: list[dict[str, Any]]) -> None:
    await session.send("Tracing.end")
    while True:
        event = await session.events.get()
        method, params = event.get("method"), event.get("params") or {}
        if method == "Tracing.dataCollected":
            trace.extend(e for e in params.get("value", []) if isinstance(e, dict))
        elif method == "Tracing.tracingComplete":
            return
        elif method == "launchtui.closed":
            raise BrowserError(str(params.get("reason", "the browser went away")))


def _read_trace(page: PageLoad, by_id: dict[str, Request], trace: list[dict[str, Any]]) -> None:
    by_url: dict[str, list[Request]] = defaultdict(list)
    for request in page.requests:
        by_url[request.url].append(request)
    spans: dict[tuple[Any, Any], list[tuple[float, float, str]]] = defaultdict(list)
    for event in trace:
        data = (event.get("args") or {}).get("data") or {}
        name = event.get("name")
        if name == "ResourceSendRequest":
            if data.get("renderBlocking") in BLOCKING:
                found = by_id.get(str(data.get("requestId")))
                for request in [found] if found else by_url.get(str(data.get("url")), []):
                    request.render_blocking = True
        elif name in SCRIPT_EVENTS and event.get("ph") == "X":
            url = str(data.get("url") or (event.get("args") or {}).get("fileName") or "")
            if url.startswith(("http://", "https://")):
                start = float(event.get("ts", 0))
                spans[(event.get("pid"), event.get("tid"))].append(
                    (start, start + float(event.get("dur", 0)), url)
                )
    for thread in spans.values():
        thread.sort()
        end = float("-inf")
        for start, stop, url in thread:
            if start < end:  # nested in one already counted
                continue
            page.script_ms[url] = page.script_ms.get(url, 0.0) + (stop - start) / 1000
            end = stop


# --- analysis -------------------------------------------------------------------------------


def origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}".lower()


def is_first_party(url: str, first_party: set[str]) -> bool:
    """A URL whose host is one of `first_party` (the sprint's apex and hostnames) or under
    the apex."""
    host = (urlsplit(url).hostname or "").lower().rstrip(".")
    return any(host == name or host.endswith("." + name) for name in first_party)


@dataclass(frozen=True, slots=True)
class Repeated:
    method: str
    url: str
    count: int
    extra_ms: float  # the time of the calls after the first

    def describe(self) -> str:
        return (
            f"{self.method} {self.url} fetched {self.count} times: {self.count - 1} "
            f"request{'s' if self.count > 2 else ''} and {self.extra_ms:.0f} ms of loading "
            "saved by fetching it once (share the answer, or cache it for the page)"
        )


@dataclass(frozen=True, slots=True)
class ThirdParty:
    origin: str
    scripts: int
    bytes: int
    main_thread_ms: float

    def describe(self) -> str:
        return (
            f"{self.origin}: {self.scripts} script{'s' if self.scripts != 1 else ''}, "
            f"{self.bytes / 1024:.1f} KB, {self.main_thread_ms:.0f} ms on the main thread"
        )


@dataclass(slots=True)
class Analysis:
    repeated: list[Repeated]
    blocking: list[Request]
    blocking_ms: float  # the union of the blocking resources' load intervals
    third_party: list[ThirdParty]


API_TYPES = ("Fetch", "XHR", "EventSource")


def analyse(page: PageLoad, first_party: set[str]) -> Analysis:
    calls: dict[tuple[str, str], list[Request]] = defaultdict(list)
    for request in page.requests:
        if request.type in API_TYPES or (request.type == "Other" and "/api/" in request.url):
            calls[(request.method, request.url)].append(request)
    repeated = [
        Repeated(method, url, len(found), sum(r.duration_ms for r in found[1:]))
        for (method, url), found in calls.items()
        if len(found) > 1
    ]
    blocking = [r for r in page.requests if r.render_blocking]
    third: dict[str, list[Request]] = defaultdict(list)
    for request in page.requests:
        if request.type == "Script" and not is_first_party(request.url, first_party):
            third[origin(request.url)].append(request)
    third_party = []
    for name, scripts in sorted(third.items()):
        urls = {r.url for r in scripts}
        main = sum(ms for url, ms in page.script_ms.items() if url in urls)
        third_party.append(ThirdParty(name, len(scripts), sum(r.bytes for r in scripts), main))
    return Analysis(repeated, blocking, _union_ms(blocking), third_party)


def _union_ms(requests: list[Request]) -> float:
    spans = sorted((r.start, r.end) for r in requests if r.end is not None)
    total, current_start, current_end = 0.0, None, None
    for start, end in spans:
        if current_end is None or start > current_end:
            if current_end is not None and current_start is not None:
                total += current_end - current_start
            current_start, current_end = start, end
        else:
            current_end = max(current_end, end)
    if current_end is not None and current_start is not None:
        total += current_end - current_start
    return total * 1000
