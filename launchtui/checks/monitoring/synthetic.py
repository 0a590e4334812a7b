"""monitoring.synthetic: each core flow's monitor answers now, judged as the exported
blackbox_exporter module judges it (launchtui.monitoring.judge): one GET, no redirect
followed, within PROBE_TIMEOUT_S, 2xx, and for the health endpoint a body that says up.

Target: one URL per HTTP monitor of the sprint (`[flows]` when it declares none: skipped).

- pass: 2xx (and the body says up) within SLOW_MS
- warn: the same, slower than SLOW_MS: one sample; the exported alert waits for SLOW_FOR of them
- fail: the server answered, wrongly (not 2xx, a redirect included; a health body not up): the
  exported monitor would report it down
- error: no answer (timeout, refused, DNS failure, TLS failure), the reason named
"""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING

from launchtui.model.monitoring import PROBE_TIMEOUT_S, SLOW_FOR, SLOW_MS, Monitor
from launchtui.model.results import Evidence, Outcome, Status
from launchtui.model.targets import Kind, Target
from launchtui.monitoring import judge
from launchtui.net.errors import DnsError, NetError, NetTimeout, Refused, TlsVerificationError

if TYPE_CHECKING:  # the network stack loads when a check runs
    from launchtui.checks.context import CheckContext

VERIFY = "-s -o /dev/null -w '%{http_code} %{time_total}s'"


async def run(ctx: CheckContext, target: Target) -> Outcome:
    if target.kind is Kind.SETTING:
        return Outcome(
            Status.SKIP,
            "no monitor: the sprint declares no [site].canonical nor [flows] URL to watch",
            fix="Declare the site and its core flows in the sprint file, e.g.\n[site]\n"
            'canonical = "https://acme.community/"\n[flows]\n'
            'login = "https://app.acme.community/login"\n'
            'health = "https://app.acme.community/api/health"\nthen run the check again.',
        )
    url = target.value
    monitors = [m for m in ctx.sprint.monitors.http if m.url == url]
    if not monitors:
        return Outcome(
            Status.SKIP, f"{url} is no longer one of the sprint's monitors: nothing to probe"
        )
    monitor = monitors[0]
    name = ", ".join(m.name for m in monitors)
    evidence: Evidence = {"monitor": name, "url": url, "status": None, "elapsed_ms": None}
    if monitor.body_regex:
        evidence["body_matched"] = None
    try:
        async with asyncio.timeout(PROBE_TIMEOUT_S):
            answer = await ctx.net.http.fetch(url)
    except TimeoutError:
        return _unreachable(name, url, "timeout", f"no answer within {PROBE_TIMEOUT_S} s", evidence)
    except NetError as exc:
        return _unreachable(name, url, _kind(exc), str(exc), evidence)
    evidence["status"] = answer.status
    evidence["elapsed_ms"] = answer.elapsed_ms
    if monitor.body_regex:
        evidence["body_matched"] = judge.body_matches(monitor, answer.body)
    down = judge.down_reason(monitor, answer.status, answer.body, answer.header("location"))
    if down is not None:
        return Outcome(
            Status.FAIL,
            f"{name}: {url} {down}: the exported monitor would report it down",
            evidence,
            fix=_fix_down(monitor, ctx),
        )
    said = f"{name}: {url} answered {answer.status} in {answer.elapsed_ms} ms"
    if monitor.body_regex:
        said += ", its body says up"
    if judge.slow(answer.elapsed_ms):
        return Outcome(
            Status.WARN,
            f"{said}, over {SLOW_MS} ms (one sample: the exported alert fires when it stays "
            f"slower for {SLOW_FOR})",
            evidence,
            fix=f"1. Run the check again, or `launchtui perf` for a p95 over many requests: "
            "one slow answer may be a cold cache.\n"
            f"2. If it stays over {SLOW_MS} ms, look at what this page does on the server "
            "(database queries, calls to other services) and at the host's load.\n"
            f"3. Verify: `{ctx.net.commands.curl(VERIFY, url)}`.",
        )
    return Outcome(Status.PASS, said, evidence)


def _kind(exc: NetError) -> str:
    """The reason an answer could not be had, in the words a person uses for it."""
    if isinstance(exc, NetTimeout):
        return "timeout"
    if isinstance(exc, Refused):
        return "connection refused"
    if isinstance(exc, DnsError):
        return "DNS failure"
    if isinstance(exc, TlsVerificationError) or "ssl" in str(exc).lower():
        return "TLS failure"
    return "unreachable"


def _unreachable(name: str, url: str, kind: str, detail: str, evidence: Evidence) -> Outcome:
    evidence |= {"error": kind, "detail": detail}
    return Outcome(
        Status.ERROR,
        f"{name}: could not reach {url}: {kind} ({detail}); the exported monitor would report "
        "it down",
        evidence,
        fix=f"1. Nothing answered: if {url} is down for members too, this is an outage: "
        "follow the incident note (the host's status, the last deploy, rollback).\n"
        "2. If it answers from elsewhere, check what stands between (DNS, firewall, "
        "[network] of the sprint file) and run the check again.",
    )


def _fix_down(monitor: Monitor, ctx: CheckContext) -> str:
    url = monitor.url
    steps = [
        f"Members reaching {url} do not get the {monitor.name} page: the exported monitor "
        "pages after it stays like this for the alert's duration.",
        "A redirect: point the monitor, and [flows] or [site].canonical, at the URL the "
        "redirect ends on (the monitor follows no redirect: a login page that sends "
        "everyone elsewhere is not the login page).",
        "An error status or a health body that is not up: read the app's logs for this "
        "request, fix it or roll back to the last good release.",
        f"Verify: `{ctx.net.commands.curl('-s -i', url)}` shows a 2xx"
        + (" and a body that says up." if monitor.body_regex else "."),
    ]
    return "\n".join(f"{n}. {step}" if n else step for n, step in enumerate(steps))
