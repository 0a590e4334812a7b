"""monitoring.error-reporting: production errors reach the error tracker. One canary event
goes to the Sentry or GlitchTip project of the DSN credential named by
[monitoring].error_dsn (launchtui.monitoring.sentry), at most once per run and never retried.

Target: [monitoring].error_dsn.

- pass: 200 and the answer's `id` is the event id sent
- fail: 401/403 (the key is rejected: revoked, disabled, or the DSN of another project);
  another 4xx or 5xx (its body shown, bounded); a 200 with no or another id; a DSN that is
  not one; 429: the project or key is over its rate limit or quota. That is a failure, not a
  warning: while it lasts every production exception is dropped as the canary was, which is
  exactly "errors not visible fast". The retry time (Retry-After, X-Sentry-Rate-Limits) is
  named so the rerun can wait for it, and the fix is the quota or the key's rate limit.
- warn: no error_dsn declared (the roadmap wants error reporting: the fix says how)
- error: the credential is declared but not set (how to set it), or could not be read; no
  answer (timeout, refused, TLS, DNS: the reason named by the engine)

The DSN's key is never shown: messages and evidence name scheme://host/project only.
"""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING, cast

from launchtui.credentials import env_var
from launchtui.errors import CredentialError
from launchtui.model.results import Evidence, Outcome, Status
from launchtui.model.targets import Target
from launchtui.monitoring.sentry import Canary, Dsn, DsnError, parse_dsn, send_canary

if TYPE_CHECKING:
    from launchtui.checks.context import CheckContext

BODY_SHOWN = 300  # characters of an error answer in the summary
SHARED = "monitoring.error-reporting canary"
VERIFY = (
    "Verify: `launchtui check <sprint> --stage monitoring` (it sends one canary event, "
    "visible in the project's issues with the tag launchtui=canary)."
)


async def run(ctx: CheckContext, target: Target) -> Outcome:
    name = ctx.sprint.monitoring.error_dsn
    if not name:
        return Outcome(
            Status.WARN,
            "no error tracking declared ([monitoring].error_dsn): production exceptions are "
            "seen only when someone reports them",
            fix="Create a Sentry or GlitchTip project for the app, set its DSN in the app's "
            "environment (SENTRY_DSN), and name a credential holding it:\n[monitoring]\n"
            'error_dsn = "sentry_dsn"\n[credentials]\nsentry_dsn = "Sentry DSN of the app"\n'
            "then `launchtui credentials set <sprint> sentry_dsn`.\n" + VERIFY,
        )
    setting = f"`launchtui credentials set {ctx.sprint.id} {name}` or {env_var(name)}"
    try:
        value = await ctx.credential(name)
    except CredentialError as exc:
        return Outcome(
            Status.ERROR,
            f"could not check: the {name} credential could not be read: {exc}",
            fix=f"Make the keyring readable, or set the DSN with {setting}.",
        )
    if value is None:
        return Outcome(
            Status.ERROR,
            f"could not check: the {name} credential (the error tracker's DSN) is not set",
            fix=f"Set it to the project's DSN (Sentry: Project Settings > Client Keys): {setting}.",
        )
    try:
        dsn = parse_dsn(value)
    except DsnError as exc:
        return Outcome(
            Status.FAIL,
            f"the {name} credential is not a Sentry DSN: {exc}",
            fix="Set it to the DSN the project shows (https://PUBLIC_KEY@HOST/PROJECT_ID) "
            f"with {setting}.",
        )
    canary = await _canary_once(ctx, dsn)
    return _verdict(dsn, canary)


async def _canary_once(ctx: CheckContext, dsn: Dsn) -> Canary:
    """The run's one canary: a second ask in the same run gets the first answer."""
    shared = ctx.shared.get(SHARED)
    if shared is None:
        shared = ctx.shared[SHARED] = asyncio.ensure_future(send_canary(ctx.net.http, dsn))
    return cast(Canary, await asyncio.shield(shared))


def _verdict(dsn: Dsn, canary: Canary) -> Outcome:
    response = canary.response
    status = response.status
    evidence: Evidence = {
        "project": dsn.shown,
        "endpoint": dsn.envelope_url,
        "event_id": canary.event_id,
        "status": status,
        "elapsed_ms": response.elapsed_ms,
    }
    if status == 200:
        returned = canary.returned_id
        evidence["returned_id"] = returned or ""
        if returned == canary.event_id:
            return Outcome(
                Status.PASS,
                f"canary event {canary.event_id} accepted by {dsn.shown}",
                evidence,
            )
        said = f"id {returned!r}" if returned else f"no id ({_body(response.body)!r})"
        return Outcome(
            Status.FAIL,
            f"{dsn.shown} answered 200 with {said}, not the canary's {canary.event_id}: "
            "not a Sentry-compatible ingest, or a proxy in front of it",
            evidence,
            fix="Check the DSN's host: it must be the Sentry or GlitchTip server itself.\n"
            + VERIFY,
        )
    if status == 429:
        retry = response.header("retry-after") or ""
        limits = response.header("x-sentry-rate-limits") or ""
        evidence |= {"retry_after": retry, "rate_limits": limits}
        when = f"retry after {retry} s" if retry.isdigit() else f"retry after {retry}"
        if not retry:
            when = "no retry time given"
        return Outcome(
            Status.FAIL,
            f"{dsn.shown} is rate limiting events (429, {when}"
            f"{'; ' + limits if limits else ''}): production errors are being dropped now",
            evidence,
            fix="Raise the project's quota or the client key's rate limit (Sentry: Project "
            "Settings > Client Keys > Rate Limits; Settings > Subscription), or filter noisy "
            f"events in the app, then {VERIFY[0].lower()}{VERIFY[1:]}",
        )
    body = _body(response.body)
    evidence["body"] = body
    if status in (401, 403):
        return Outcome(
            Status.FAIL,
            f"{dsn.shown} rejected the DSN's key ({status}: {body!r}): revoked, disabled or "
            "the DSN of another project; the app's errors are rejected the same way",
            evidence,
            fix="Copy the project's current DSN (Sentry: Project Settings > Client Keys), set "
            "it in the app's environment and in the credential, then redeploy.\n" + VERIFY,
        )
    return Outcome(
        Status.FAIL,
        f"{dsn.shown} answered {status} to the canary event: {body!r}",
        evidence,
        fix="Check the DSN (host, project id) and the tracker's status, then run the check "
        "again.\n" + VERIFY,
    )


def _body(body: bytes) -> str:
    text = body[:BODY_SHOWN].decode("utf-8", errors="replace")
    return text + ("..." if len(body) > BODY_SHOWN else "")
