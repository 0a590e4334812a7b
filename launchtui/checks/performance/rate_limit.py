"""perf.rate-limit: login, join and invite are rate limited, and say when to retry.

Targets: the login, join and invite flows' URLs. It sends a burst to production, so it runs
only when the sprint opts in ([performance] rate_limit_probe = true); otherwise it is skipped
with what it would send. Hard caps, in code: at most MAX_REQUESTS requests per URL, started at
most RATE per second, one in flight (the URLs are probed one after the other), stopping at the
first 429 or 503.

Each request is a POST of a form (application/x-www-form-urlencoded) for a probe account
that is never a real member's: `email=launchtui-probe-<random>@example.invalid` (RFC 2606's
.invalid never resolves), plus `password=<random, 24 characters>` on login; nothing else.

- pass: limited (429 or 503) with Retry-After or rate-limit fields telling when to retry
  (RateLimit / RateLimit-Policy of draft-ietf-httpapi-ratelimit-headers-10, RateLimit-* and
  X-RateLimit-*; see launchtui.perf.ratelimit)
- warn: limited without telling the client when to retry
- fail: the cap reached and never limited
- error: no answer, a 5xx other than 503, a 404 or 405 (the URL does not take the POST)
"""

from __future__ import annotations

import asyncio
import secrets
import time
from collections import Counter
from typing import TYPE_CHECKING
from urllib.parse import urlencode

from launchtui.model.results import Evidence, Outcome, Status
from launchtui.model.targets import Kind, Target
from launchtui.perf import ratelimit

if TYPE_CHECKING:  # the network stack loads when a check runs
    from launchtui.checks.context import CheckContext

MAX_REQUESTS = 30  # hard cap per URL
RATE = 10.0  # requests started per second, at most
LIMITED = (429, 503)
NOT_THE_ENDPOINT = (404, 405)
BODY_LIMIT = 16 * 1024
FORM = "application/x-www-form-urlencoded"


def flow_of(ctx: CheckContext, url: str) -> str:
    return next((name for name, u in ctx.sprint.flows.items() if u == url), "login")


def body_shape(flow: str) -> str:
    shape = "email=launchtui-probe-<random>@example.invalid"
    return shape + ("&password=<random, 24 characters>" if flow == "login" else "")


def plan(url: str, flow: str) -> str:
    return (
        f"up to {MAX_REQUESTS} POST {url} ({FORM}: {body_shape(flow)}), at most "
        f"{RATE:g} per second, one at a time, stopping at the first 429 or 503"
    )


async def run(ctx: CheckContext, target: Target) -> Outcome:
    if target.kind is Kind.SETTING:
        return Outcome(
            Status.SKIP,
            "no login, join or invite flow declared: no endpoint to probe",
            fix="Declare them in the sprint file's [flows] (login, join, invite URLs), then "
            "run the check again.",
        )
    url = target.value
    flow = flow_of(ctx, url)
    if not ctx.sprint.rate_limit_probe:
        return Outcome(
            Status.SKIP,
            f"not probed: [performance] rate_limit_probe is off; it would send {plan(url, flow)}",
            {"would_send": plan(url, flow)},
            fix="It sends a short burst to production: when that is fine, set\n"
            "[performance]\nrate_limit_probe = true\nand run the check again.",
        )
    probe = f"launchtui-probe-{secrets.token_hex(6)}@example.invalid"
    fields = {"email": probe}
    if flow == "login":
        fields["password"] = secrets.token_urlsafe(18)[:24]
    content = urlencode(fields).encode()
    async with _one_burst_at_a_time(ctx):
        return await _burst(ctx, url, flow, probe, content)


def _one_burst_at_a_time(ctx: CheckContext) -> asyncio.Lock:
    """The run's lock for bursts: login, join and invite are probed one after the other, so
    that one request at most is in flight across them."""
    key = "perf.rate-limit:burst"
    if key not in ctx.shared:
        holder: asyncio.Future[asyncio.Lock] = asyncio.get_running_loop().create_future()
        holder.set_result(asyncio.Lock())
        ctx.shared[key] = holder
    lock: asyncio.Lock = ctx.shared[key].result()
    return lock


async def _burst(ctx: CheckContext, url: str, flow: str, probe: str, content: bytes) -> Outcome:
    statuses: Counter[int] = Counter()
    started = time.monotonic()
    sent = 0
    last = None
    while sent < MAX_REQUESTS:
        due = started + sent / RATE  # an open schedule: never faster than RATE
        wait = due - time.monotonic()
        if wait > 0:
            await asyncio.sleep(wait)
        sent += 1
        last = await ctx.net.http.fetch(
            url, "POST", {"Content-Type": FORM}, max_body=BODY_LIMIT, content=content
        )
        statuses[last.status] += 1
        if last.status in LIMITED or last.status in NOT_THE_ENDPOINT:
            break
        if last.status >= 500:
            break
    elapsed = time.monotonic() - started
    rate = sent / elapsed if elapsed > 0 else float(sent)
    evidence: Evidence = {
        "sent": f"{sent} POST {url} ({FORM}: {body_shape(flow)}) in {elapsed:.1f} s "
        f"({rate:.1f}/s, one at a time)",
        "probe_account": probe,
        "statuses": ", ".join(f"{n}× {s}" for s, n in sorted(statuses.items())),
    }
    assert last is not None
    if last.status in NOT_THE_ENDPOINT or (last.status >= 500 and last.status != 503):
        return Outcome(
            Status.ERROR,
            f"could not check: POST {url} answers {last.status}"
            + (": not the endpoint that takes the form" if last.status < 500 else ""),
            evidence,
            fix=f"Point [flows].{flow} at the URL the {flow} form posts to, then run the "
            "check again.",
        )
    if last.status in LIMITED:
        headers = {name: ", ".join(last.header_all(name)) for name, _ in last.headers}
        signals = ratelimit.read(headers)
        evidence["limited_after"] = sent
        if signals.told:
            evidence["told"] = signals.told
        if signals.problems:
            evidence["header_problems"] = signals.problems
        if signals.tells_when:
            return Outcome(
                Status.PASS,
                f"{url}: limited after {sent} requests ({last.status}), retry in "
                f"{signals.retry_in} s ({signals.told[0]})",
                evidence,
            )
        return Outcome(
            Status.WARN,
            f"{url}: limited after {sent} requests ({last.status}) without saying when to retry",
            evidence,
            fix="Send `Retry-After: <seconds>` with the 429, and the IETF RateLimit fields "
            '(`RateLimit-Policy: "login";q=5;w=60`, `RateLimit: "login";r=0;t=42`) so '
            "clients and members' apps back off instead of retrying blindly.",
        )
    return Outcome(
        Status.FAIL,
        f"{url}: {sent} requests in {elapsed:.1f} s and never limited (no 429 or 503)",
        evidence,
        fix=f"1. Rate limit the {flow} endpoint per account and per client IP (e.g. 5 attempts "
        "a minute; Rack::Attack, django-ratelimit, express-rate-limit, or the CDN's or WAF's "
        "rate limiting rules), answering 429 with Retry-After.\n"
        "2. Verify: run this check again (it sends at most "
        f"{MAX_REQUESTS} requests).",
    )
