"""perf.latency: each core flow's p95 and error rate, measured on an open-model schedule.

Target: a flow of [flows] (login, join, invite, posts, and any other declared as steps), by
name. The probe (launchtui.perf.probe) sends the flow's last step [performance].requests times
at [performance].rate a second, at most [performance].concurrency in flight (defaults 60, 5/s,
4; capped at 300, 20/s, 10 and 60 s of schedule), each latency counted from its scheduled
start. Earlier steps run once before it (logging in), with the flow's credential presented as
its `auth` says; the value is never in the evidence, summary or fix.

- fail: p95 over 500 ms, or over 1 % errors (non-2xx/3xx answers, timeouts, refusals)
- warn: p95 over 300 ms, or p95 more than 20 % over the baseline (`launchtui perf baseline`)
- pass: otherwise
- error: no request got an answer, a setup step failed, or the credential is not set
- skip: no flow declared

The flows of one run are probed one after another, so that they neither share the server's
attention nor add up to more than one probe's rate.

Evidence keys (fixed; the export and the app read them): flow, requests, rate_per_s,
concurrency, duration_s, p50_ms, p95_ms, p99_ms, max_ms, error_rate (0..1), errors, phases_ms
({dns, connect, tls, ttfb, transfer}: medians; dns, connect and tls over the requests that
opened a connection), baseline_p95_ms (absent without a baseline).
"""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING

from launchtui.errors import CredentialError
from launchtui.model.flows import Flow
from launchtui.model.results import Evidence, Outcome, Status
from launchtui.model.targets import Kind, Target
from launchtui.perf.probe import (
    Plan,
    PlanRefused,
    Prober,
    ProbeResult,
    Request,
    error_kind,
    make_plan,
)

if TYPE_CHECKING:
    from launchtui.checks.context import CheckContext

CHECK_ID = "perf.latency"
FAIL_P95_MS = 500.0
WARN_P95_MS = 300.0
FAIL_ERROR_RATE = 0.01
BASELINE_RISE = 0.20  # warn when p95 rose more than this over the baseline
_LOCK = "perf.latency: one flow at a time"


async def run(ctx: CheckContext, target: Target) -> Outcome:
    if target.kind is Kind.SETTING:
        return Outcome(
            Status.SKIP,
            "no flow declared in [flows]: no latency measured",
            fix="Declare the core flows in the sprint file, e.g.\n[flows]\n"
            'login = "https://app.example.community/login"\n'
            'posts = { steps = ["POST /login", "GET /api/posts"], credential = "member_login", '
            'auth = "form" }\nthen run the check again.',
        )
    flow = ctx.sprint.flow_specs[target.value]
    settings = ctx.sprint.performance
    try:
        plan = make_plan(settings.requests, settings.rate_per_s, settings.concurrency)
    except PlanRefused as exc:
        return Outcome(Status.ERROR, f"could not check: {exc}", {"flow": flow.name})
    what = flow.measured.describe()
    told = plan.describe(what)
    base: Evidence = {"flow": flow.name, "plan": told, "url": flow.measured.url}
    if flow.setup:
        base["setup_steps"] = [step.describe() for step in flow.setup]
    secret = ""
    if flow.credential:
        base["credential"] = f"{flow.credential} ({flow.auth})"
        try:
            value = await ctx.credential(flow.credential)
        except CredentialError as exc:
            return Outcome(
                Status.ERROR,
                f"could not check: {flow.name}: the {flow.credential} credential cannot be read "
                f"({exc})",
                base,
                fix="Make the OS keyring reachable, or set the credential in the environment "
                "as the message says, then run the check again.",
            )
        if not value:
            return Outcome(
                Status.ERROR,
                f"could not check: {flow.name} needs the {flow.credential} credential, not set "
                f"(would send {told})",
                base,
                fix=f"Set it with `launchtui credentials set <sprint> {flow.credential}` "
                "(a test member's session or login, never a real member's), then run again.",
            )
        secret = value
    async with _lock(ctx):
        result = await _probe(ctx, flow, plan, secret, base)
    if isinstance(result, Outcome):
        return result
    baseline = await _baseline(ctx, target)
    return _verdict(flow, result, base, told, baseline)


async def _probe(
    ctx: CheckContext, flow: Flow, plan: Plan, secret: str, base: Evidence
) -> ProbeResult | Outcome:
    headers = _auth_headers(flow, secret)
    async with Prober(
        ctx.net.trust,
        concurrency=plan.concurrency,
        timeout=ctx.net.timeouts.request,
        resolve=ctx.net.connector.endpoints,
    ) as prober:
        cookies: dict[str, str] = {}
        for step in flow.setup:
            request = _request(flow, step.method, step.url, headers, cookies, secret)
            answer = await prober.send(request)  # NetError: the engine's error result
            if not 200 <= answer.status < 400:
                return Outcome(
                    Status.ERROR,
                    f"could not check: {flow.name}: the setup step {step.describe()} answered "
                    f"{answer.status}, so {flow.measured.describe()} was not measured",
                    {**base, "setup_status": answer.status},
                    fix="Make the setup steps succeed for the probe's test member (is the "
                    "credential current?), then run the check again.",
                )
            cookies.update(answer.cookies)
        measured = _request(flow, flow.measured.method, flow.measured.url, headers, cookies, secret)
        result = await prober.run(measured, plan)
    if not result.answered:
        first = result.first_errors(1)
        reason = first[0] if first else "no answer"
        raise error_kind(reason)(f"{flow.measured.describe()}: {reason}")
    return result


def _auth_headers(flow: Flow, secret: str) -> dict[str, str]:
    if not secret:
        return {}
    if flow.auth == "bearer":
        return {"Authorization": f"Bearer {secret}"}
    if flow.auth.startswith("cookie:"):
        return {"Cookie": f"{flow.auth.removeprefix('cookie:')}={secret}"}
    return {}


def _request(
    flow: Flow,
    method: str,
    url: str,
    headers: dict[str, str],
    cookies: dict[str, str],
    secret: str,
) -> Request:
    merged = dict(headers)
    if cookies:
        jar = "; ".join(f"{name}={value}" for name, value in cookies.items())
        merged["Cookie"] = f"{merged['Cookie']}; {jar}" if "Cookie" in merged else jar
    content = None
    if flow.auth == "form" and secret and method == "POST":
        content = secret.encode()
        merged["Content-Type"] = "application/x-www-form-urlencoded"
    return Request(method, url, merged, content)


class _lock:
    """The run's one-flow-at-a-time lock (made on first use, in ctx.shared)."""

    def __init__(self, ctx: CheckContext) -> None:
        shared = ctx.shared.get(_LOCK)
        if shared is None:
            shared = asyncio.get_running_loop().create_future()
            shared.set_result(asyncio.Lock())
            ctx.shared[_LOCK] = shared
        self._lock: asyncio.Lock = shared.result()

    async def __aenter__(self) -> None:
        await self._lock.acquire()

    async def __aexit__(self, *exc: object) -> None:
        self._lock.release()


async def _baseline(ctx: CheckContext, target: Target) -> float | None:
    from launchtui.sprint.history import History, HistoryError

    def read() -> float | None:
        found = History(ctx.sprint.path).baselines(CHECK_ID).get((CHECK_ID, str(target)))
        return None if found is None else found.p95_ms

    try:
        return await asyncio.to_thread(read)
    except HistoryError:
        return None  # no readable history: no baseline to compare with


def evidence_of(result: ProbeResult, flow: str, baseline: float | None) -> Evidence:
    evidence: Evidence = {
        "flow": flow,
        "requests": len(result.samples),
        "rate_per_s": result.plan.rate_per_s,
        "concurrency": result.plan.concurrency,
        "duration_s": round(result.duration_s, 2),
        "p50_ms": round(result.percentile(50), 1),
        "p95_ms": round(result.percentile(95), 1),
        "p99_ms": round(result.percentile(99), 1),
        "max_ms": round(result.max_ms, 1),
        "error_rate": round(result.error_rate, 4),
        "errors": result.errors,
        "phases_ms": result.phase_medians(),
    }
    if baseline is not None:
        evidence["baseline_p95_ms"] = baseline
    new = result.new_connections
    evidence["connections"] = {"new": new, "reused": len(result.samples) - new}
    if new and new < len(result.samples):
        evidence["phases_new_ms"] = result.phase_medians(new=True)
        evidence["phases_reused_ms"] = result.phase_medians(new=False)
    if result.errors:
        evidence["first_errors"] = result.first_errors()
    return evidence


def _verdict(
    flow: Flow, result: ProbeResult, base: Evidence, told: str, baseline: float | None
) -> Outcome:
    evidence = {**base, **evidence_of(result, flow.name, baseline)}
    p95 = evidence["p95_ms"]
    rate = result.error_rate
    figures = (
        f"p95 {p95:.0f} ms (p50 {evidence['p50_ms']:.0f}, p99 {evidence['p99_ms']:.0f}, "
        f"max {evidence['max_ms']:.0f}), {result.errors} errors of {len(result.samples)} "
        f"({rate:.1%})"
    )
    problems: list[str] = []
    status = Status.PASS
    if p95 > FAIL_P95_MS or rate > FAIL_ERROR_RATE:
        status = Status.FAIL
        if p95 > FAIL_P95_MS:
            problems.append(f"p95 over {FAIL_P95_MS:.0f} ms")
        if rate > FAIL_ERROR_RATE:
            problems.append(f"errors over {FAIL_ERROR_RATE:.0%}")
    if p95 > WARN_P95_MS and status is Status.PASS:
        status = Status.WARN
        problems.append(f"p95 over {WARN_P95_MS:.0f} ms")
    if baseline is not None and baseline > 0 and p95 > baseline * (1 + BASELINE_RISE):
        rise = p95 / baseline - 1
        problems.append(f"p95 up {rise:.0%} on the baseline's {baseline:.0f} ms")
        if status is Status.PASS:
            status = Status.WARN
    summary = f"{flow.name}: {figures}"
    if problems:
        summary += ": " + "; ".join(problems)
    summary += f" [{told}]"
    if status is Status.PASS:
        return Outcome(status, summary, evidence)
    return Outcome(status, summary, evidence, fix=_fix(flow, result, evidence))


def _fix(flow: Flow, result: ProbeResult, evidence: Evidence) -> str:
    """What to change, each with what fixing it would save, from what was measured."""
    steps: list[str] = []
    what = flow.measured.describe()
    p50 = evidence["p50_ms"]
    p95 = evidence["p95_ms"]
    new = evidence["connections"]["new"]
    total = len(result.samples)
    phases_new = result.phase_medians(new=True) if new else {}
    tls = phases_new.get("tls", 0.0)
    setup = tls + phases_new.get("connect", 0.0) + phases_new.get("dns", 0.0)
    if new and setup >= 50:
        steps.append(
            f"Connection set-up costs {setup:.0f} ms (TLS {tls:.0f} ms, connect "
            f"{phases_new.get('connect', 0.0):.0f} ms, DNS {phases_new.get('dns', 0.0):.0f} ms) "
            f"on each of the {new} of {total} requests that opened a connection: keep-alive "
            "(a longer idle timeout at the load balancer) and TLS session resumption would save "
            f"about {setup:.0f} ms on each of them."
        )
    ttfb = result.phase_medians()["ttfb"]
    if p50 and ttfb >= 0.6 * p50 and ttfb >= 100:
        steps.append(
            f"{ttfb:.0f} ms of the median {p50:.0f} ms is waiting for the first byte: server "
            f"work. Look at the queries behind {what} (N+1 queries, a missing index; a "
            "`Server-Timing: db;dur=...` header shows the database's share); cutting it is "
            f"what brings p95 ({p95:.0f} ms) under {FAIL_P95_MS:.0f} ms."
        )
    if p50 and evidence["p99_ms"] > 3 * max(p50, 1.0) and evidence["p99_ms"] > WARN_P95_MS:
        slow = sum(1 for s in result.samples if s.latency_ms > 3 * max(p50, 1.0))
        steps.append(
            f"{slow} of {total} requests took over three times the median ({p50:.0f} ms), up "
            f"to {evidence['max_ms']:.0f} ms: a periodic stall (a cron job, garbage collection, "
            "a lock, a cold cache, a worker pool too small for a burst). Removing it would "
            f"bring p99 from {evidence['p99_ms']:.0f} ms near the median."
        )
    if result.errors:
        steps.append(
            f"{result.errors} of {total} requests failed ({', '.join(result.first_errors())}): "
            "read the app's logs for them; errors at this gentle rate will be worse with the "
            "first members."
        )
    if "baseline_p95_ms" in evidence and p95 > evidence["baseline_p95_ms"] * (1 + BASELINE_RISE):
        steps.append(
            f"p95 rose from the baseline's {evidence['baseline_p95_ms']:.0f} ms to {p95:.0f} ms: "
            "compare what was deployed since the baseline was marked; once the change is "
            "understood, `launchtui perf baseline <sprint>` marks the new figures."
        )
    if not steps:
        steps.append(
            f"p95 is {p95:.0f} ms with no single phase to blame: profile {what} on the server."
        )
    steps.append("Verify: run the check again (`launchtui check <sprint> --stage performance`).")
    return "\n".join(f"{n}. {step}" for n, step in enumerate(steps, 1))
