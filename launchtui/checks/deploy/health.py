"""deploy.health: the app's health endpoint is up, every host runs the same release, its
dependencies are up and its background workers beat.

Target: [flows].health (skipped without it). The answer is read by launchtui.deploy.health
(the shapes understood are listed there and in the README).

- fail: the endpoint answers other than 2xx, or reports itself or a dependency down; hosts
  serving the app report different versions or commits (a deploy that reached only some of
  them); a worker's last heartbeat is over an hour old
- warn: a status or dependency degraded or unknown; a heartbeat over 10 minutes old, from the
  future, or unreadable
- pass: up, with a note of what the answer does not report (Rails /up reports nothing more)
- error: no answer (timeout, refusal, TLS), a redirect loop or too many redirects, a body over
  64 KB, JSON that does not parse

Hosts serving the app: every public hostname (apex and [site].hostnames) whose URL with the
health path answers 2xx, without following redirects (a host redirecting to the app host is
not an instance of its own), with a JSON health report. Those that could not be reached are
listed as not compared.
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from typing import TYPE_CHECKING
from urllib.parse import urlsplit, urlunsplit

from launchtui.deploy import health
from launchtui.model.results import Evidence, Outcome, Status
from launchtui.model.targets import Kind, Target
from launchtui.net.errors import NetError
from launchtui.net.fetched import Fetched
from launchtui.net.redirects import End, follow

if TYPE_CHECKING:  # the network stack loads when a check runs
    from launchtui.checks.context import CheckContext

BODY_LIMIT = 64 * 1024  # a health answer is small; a bigger one is not a health answer
VERIFY_STATUS = "-s -o /dev/null -w '%{http_code}'"
_ORDER = {"pass": 0, "warn": 1, "fail": 2}
_KINDS = ("release", "status", "dependency", "worker")
Problem = tuple[str, str, str]  # ("warn" or "fail", what it is about, the text)


async def run(ctx: CheckContext, target: Target) -> Outcome:
    if target.kind is Kind.SETTING:
        return Outcome(
            Status.SKIP,
            "no [flows].health URL declared: the deploy's health is not checked",
            fix="Declare the app's health endpoint in the sprint file, e.g.\n[flows]\n"
            'health = "https://app.example.community/api/health"\nthen run the check again.',
        )
    url = target.value
    chain = await follow(ctx.net.http, url, body_limit=BODY_LIMIT)
    if chain.final is None:
        if chain.end is End.ERROR:
            raise NetError(chain.reason)
        return _could_not(f"{url}: {chain.reason}", {"url": url, "hops": chain.evidence()})
    response = chain.final
    evidence: Evidence = {"url": url, "status": response.status}
    if len(chain.hops) > 1:
        evidence["hops"] = chain.evidence()
    if response.truncated:
        return _could_not(
            f"{url}: the answer is over {BODY_LIMIT // 1024} KB, more than a health report "
            "(not read)",
            evidence,
        )
    evidence["content_type"] = response.header("content-type") or ""
    try:
        report = health.parse(response.body, response.header("content-type"))
    except health.Malformed as exc:
        evidence["body"] = _excerpt(response.body)
        if not 200 <= response.status < 300:
            return _down(url, response, evidence, ctx)
        return _could_not(f"{url}: the health answer is {exc}", evidence)
    _report_evidence(report, evidence)
    if not 200 <= response.status < 300:
        return _down(url, response, evidence, ctx)
    problems: list[Problem] = []
    if report.state == "down":
        problems.append(("fail", "status", f"the app reports status {report.status!r}"))
    elif report.state in ("degraded", "unknown") and report.status:
        problems.append(("warn", "status", f"the app reports status {report.status!r}"))
    for dependency in report.dependencies:
        if dependency.state == "down":
            problems.append(("fail", "dependency", f"{dependency.name} is {dependency.status!r}"))
        elif dependency.state != "up":
            problems.append(
                ("warn", "dependency", f"{dependency.name} reports {dependency.status!r}")
            )
    now = datetime.now(UTC)
    for worker in report.workers:
        stale = health.heartbeat_problem(worker, now)
        if stale is not None:
            problems.append((stale[0], "worker", stale[1]))
    if report.release:
        problems += await _compare_hosts(ctx, url, response, report, evidence)
    return _verdict(url, report, problems, evidence, ctx)


def _report_evidence(report: health.HealthReport, evidence: Evidence) -> None:
    evidence["shape"] = report.shape
    if report.status:
        evidence["reported_status"] = report.status
    if report.version:
        evidence["version"] = report.version
    if report.commit:
        evidence["commit"] = report.commit
    if report.dependencies:
        evidence["dependencies"] = [d.describe() for d in report.dependencies]
    if report.workers:
        evidence["workers"] = [
            f"{w.name}: last heartbeat {w.last_heartbeat or '(none)'}" for w in report.workers
        ]


async def _compare_hosts(
    ctx: CheckContext,
    url: str,
    response: Fetched,
    report: health.HealthReport,
    evidence: Evidence,
) -> list[Problem]:
    """Ask every other public hostname for the same path; those that answer a health report
    with a release are instances of the app and must report the same one."""
    parts = urlsplit(response.url)
    own = (parts.hostname or "").lower()
    others = [h for h in ctx.sprint.site.all_hostnames if h.lower() != own]
    urls = [urlunsplit(("https", h, parts.path, parts.query, "")) for h in others]
    answers = await asyncio.gather(
        *(ctx.net.http.fetch(u, max_body=BODY_LIMIT) for u in urls), return_exceptions=True
    )
    releases = {own: report.release}
    unreachable: list[str] = []
    for host, answer in zip(others, answers, strict=True):
        if isinstance(answer, NetError):
            unreachable.append(f"{host}: {answer}")
            continue
        if isinstance(answer, BaseException):
            raise answer
        if not 200 <= answer.status < 300 or answer.truncated:
            continue  # not serving the app (a redirect, a 404, something else)
        try:
            theirs = health.parse(answer.body, answer.header("content-type"))
        except health.Malformed:
            continue
        if theirs.release:
            releases[host] = theirs.release
    evidence["hosts"] = [f"{host}: {release}" for host, release in releases.items()]
    if unreachable:
        evidence["not_compared"] = unreachable
    if len(set(releases.values())) <= 1:
        return []
    groups: dict[str, list[str]] = {}
    for host, release in releases.items():
        groups.setdefault(release, []).append(host)
    told = "; ".join(f"{', '.join(hosts)}: {release}" for release, hosts in groups.items())
    return [("fail", "release", f"hosts serving the app report different releases ({told})")]


def _verdict(
    url: str,
    report: health.HealthReport,
    problems: list[Problem],
    evidence: Evidence,
    ctx: CheckContext,
) -> Outcome:
    compared = len(evidence.get("hosts", []))
    if problems:
        worst = max(problems, key=lambda p: _ORDER[p[0]])[0]
        # The worst first; among equals, a split release before what one instance reports.
        ranked = sorted(problems, key=lambda p: (-_ORDER[p[0]], _KINDS.index(p[1])))
        shown = [text for _, _, text in ranked]
        evidence["problems"] = [text for _, _, text in problems]
        return Outcome(
            Status.FAIL if worst == "fail" else Status.WARN,
            f"{url}: " + "; ".join(shown[:3]) + ("; …" if len(shown) > 3 else ""),
            evidence,
            fix=_fix(url, problems, ctx),
        )
    found = [f"up ({report.status or 'HTTP 2xx'})"]
    if report.release:
        found.append(
            f"{report.release} on {compared} host{'s' if compared != 1 else ''}"
            if compared > 1
            else report.release
        )
    if report.dependencies:
        found.append(f"{len(report.dependencies)} dependencies up")
    if report.workers:
        found.append(f"{len(report.workers)} workers beating")
    missing = report.unreported()
    note = ""
    if missing:
        note = f" (not reported: {', '.join(missing)})"
        evidence["note"] = (
            f"this {report.shape} answer does not report {', '.join(missing)}; "
            "launchtui's suggested shape does (see the README)"
        )
    if "not_compared" in evidence:
        note += f"; {len(evidence['not_compared'])} other hosts could not be asked"
    return Outcome(Status.PASS, f"{url}: " + ", ".join(found) + note, evidence)


def _down(url: str, response: Fetched, evidence: Evidence, ctx: CheckContext) -> Outcome:
    if "body" not in evidence:
        evidence["body"] = _excerpt(response.body)
    return Outcome(
        Status.FAIL,
        f"{url} answers {response.status}, not 2xx: the app reports itself unhealthy or is "
        "not serving",
        evidence,
        fix=f"1. Read the app's logs for the deploy and the health endpoint ({url}): a 5xx "
        "from a health endpoint usually names the dependency that is down.\n"
        "2. Fix it or roll back to the last good release.\n"
        f"3. Verify: `{ctx.net.commands.curl(VERIFY_STATUS, url)}` prints 200.",
    )


def _could_not(reason: str, evidence: Evidence) -> Outcome:
    return Outcome(
        Status.ERROR,
        f"could not check: {reason}",
        evidence,
        fix="Nothing about the deploy's health was verified. Make the health endpoint answer "
        "one small JSON or text response, without redirects (launchtui's suggested shape is in "
        "the README), then run the check again.",
    )


def _excerpt(body: bytes) -> str:
    text = body[:300].decode("utf-8", errors="replace")
    return text + ("…" if len(body) > 300 else "")


def _fix(url: str, problems: list[Problem], ctx: CheckContext) -> str:
    kinds = {kind for _, kind, _ in problems}
    steps = []
    if "release" in kinds:
        steps.append(
            "The last deploy reached only some hosts: members get different code depending "
            "on where they land. Redeploy to every instance (or region) and check the deploy "
            "log of the ones still on the old release."
        )
    if kinds & {"status", "dependency"}:
        steps.append(
            "A dependency (database, queue, cache) is down or degraded: check its credentials "
            "and address in the production environment (a missed variable is the usual cause "
            "after a deploy) and its provider's status page."
        )
    if "worker" in kinds:
        steps.append(
            "A background worker has not reported recently (older than 10 minutes warns, an "
            "hour fails): invites, receipts and password resets wait in the queue. Make sure "
            "the deploy restarts workers and schedulers (a Procfile `worker:` process, a "
            "separate service) and that they are scaled above zero."
        )
    steps.append(f"Verify: `{ctx.net.commands.curl('-s', url)}` shows the expected report.")
    return "\n".join(f"{n}. {step}" for n, step in enumerate(steps, 1))
