"""monitoring.coverage: the team's existing monitors (the files named in
[monitoring].existing) watch every core flow and every public hostname's certificate, and
alert someone by email or Slack.

Target: [monitoring].existing, one row for all the files (what they watch together).

- fail: no file named (nothing known to watch production); a core flow ([site].canonical,
  [flows].login, health, checkout) that no monitor probes; no certificate-expiry alert at
  all; no email or Slack route
- warn: a certificate-expiry alert exists but some hostnames' certificates are not watched
  (named); a core flow the sprint does not declare (not compared); or no email or Slack
  route is in the files of an engine that configures its channels elsewhere (Upptime's
  repository secrets): it may be there, it cannot be seen
- pass: every flow and certificate watched, a certificate alert and an email or Slack route
- error: a named file cannot be read, is not valid JSON/YAML, or is no format launchtui reads
  (named, with the reason)

A monitor covers a flow when its URL is the flow's URL up to the scheme's and host's case, a
default port and a trailing slash: a monitor of https://app.x/login covers the login flow, one
of https://app.x/ does not.
"""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING

from launchtui.model.results import Evidence, Outcome, Status
from launchtui.model.targets import Target
from launchtui.monitoring.existing import read_all
from launchtui.monitoring.watched import ExistingError, Watched, normalise_url

if TYPE_CHECKING:
    from launchtui.checks.context import CheckContext

ALERT_ROUTES = ("email", "slack")
ALERTMANAGER_NOTE = (
    "name the Alertmanager's configuration in [monitoring].existing too, so that its routes "
    "are known"
)
NOTHING_FIX = (
    "Nothing is known to watch production. Either write monitors for the engine you run:\n"
    "`launchtui monitor export <sprint> --to prometheus DIR` (or `--to gatus FILE`), deploy "
    "them, or name the team's existing monitor files in the sprint file:\n[monitoring]\n"
    'existing = ["ops/prometheus.yml", "ops/alertmanager.yml"]\nthen run the check again.'
)


async def run(ctx: CheckContext, target: Target) -> Outcome:
    sprint = ctx.sprint
    paths = sprint.monitoring.existing
    if not paths:
        return Outcome(
            Status.FAIL,
            "no existing monitors named in [monitoring].existing: nothing is known to watch "
            "the core flows, the certificates or alert anyone",
            {"files": []},
            fix=NOTHING_FIX,
        )
    try:
        # local files, but a slow disk or a network mount must not stall the event loop
        watched = await asyncio.to_thread(read_all, paths)
    except ExistingError as exc:
        return Outcome(
            Status.ERROR,
            f"could not check: {exc}",
            {"files": [str(p) for p in paths]},
            fix="Nothing about the existing monitors was verified. Fix the file (or remove it "
            "from [monitoring].existing), then run the check again.",
        )
    return _judge(ctx, watched)


def _judge(ctx: CheckContext, watched: list[Watched]) -> Outcome:
    monitors = ctx.sprint.monitors
    urls = set().union(*(w.urls for w in watched))
    certificates = set().union(*(w.certificates for w in watched))
    routes = set().union(*(w.routes for w in watched))
    cert_alert = any(w.cert_alert for w in watched)
    elsewhere = any(w.routes_elsewhere for w in watched)
    unwatched = [f"{m.name} ({m.url})" for m in monitors.http if normalise_url(m.url) not in urls]
    hostnames = [h.lower() for h in monitors.certificates]
    uncertified = [h for h in hostnames if h not in certificates]
    alerting = sorted(routes & set(ALERT_ROUTES))
    evidence: Evidence = {
        "files": [f"{w.source}: {w.format}" for w in watched],
        "unwatched_flows": unwatched,
        "unwatched_certificates": uncertified,
        "certificate_alert": cert_alert,
        "routes": sorted(routes),
    }
    notes = [f"{w.source}: {note}" for w in watched for note in w.notes]
    if any(w.alertmanager_routes for w in watched) and not any(
        w.format == "Alertmanager" for w in watched
    ):
        notes.append(ALERTMANAGER_NOTE)
    if notes:
        evidence["notes"] = notes
    if monitors.missing:
        evidence["flows_not_declared"] = list(monitors.missing)
    failures: list[str] = []
    if unwatched:
        failures.append(f"core flows not watched: {', '.join(unwatched)}")
    if not cert_alert:
        failures.append("no certificate-expiry alert")
    if not alerting and not elsewhere:
        failures.append(f"no email or Slack route (routes: {', '.join(sorted(routes)) or 'none'})")
    if failures:
        fix = _fix(failures, uncertified)
        if ALERTMANAGER_NOTE in notes:
            fix = f"{fix}\nPrometheus sends its alerts to an Alertmanager: {ALERTMANAGER_NOTE}."
        return Outcome(Status.FAIL, "; ".join(failures), evidence, fix=fix)
    warnings: list[str] = []
    if monitors.missing:  # not compared: no pass for what could not be checked
        warnings.append(f"core flows not declared in the sprint: {', '.join(monitors.missing)}")
    if uncertified:
        warnings.append(f"certificates not watched: {', '.join(uncertified)}")
    if not alerting:
        warnings.append(
            "no email or Slack route in the files (the engine sets its channels elsewhere: "
            "confirm one exists)"
        )
    if warnings:
        return Outcome(Status.WARN, "; ".join(warnings), evidence, fix=_fix(warnings, uncertified))
    return Outcome(
        Status.PASS,
        f"{len(monitors.http)} core flows and {len(hostnames)} certificates watched; "
        f"certificate-expiry alert; alerts routed to {' and '.join(alerting)}",
        evidence,
    )


def _fix(problems: list[str], uncertified: list[str]) -> str:
    steps = [
        "Add to the team's monitors what is missing:",
        *(f"- {problem}" for problem in problems),
        "`launchtui monitor export <sprint> --to prometheus DIR` (or `--to gatus FILE`) writes "
        "monitors for every core flow and certificate, a certificate-expiry alert (14 days "
        "warning, 3 days critical) and email and Slack routes: copy what is missing from it.",
    ]
    if uncertified:
        steps.append(
            "A certificate is watched by an HTTPS probe of its host that alerts on expiry "
            "(blackbox probe_ssl_earliest_cert_expiry, Gatus [CERTIFICATE_EXPIRATION], Uptime "
            "Kuma's certificate expiry notification)."
        )
    steps.append("Verify: `launchtui check <sprint> --stage monitoring`.")
    return "\n".join(steps)
