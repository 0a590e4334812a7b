"""http.https-redirect: plain http://HOST/ sends visitors to HTTPS at once and for good.

The first hop must go to https:// on the same host (so that the host's HSTS header is seen,
which preload lists require), permanently; no later hop may fall back to http://.
A first hop straight to https on another host warns: it is safe for visitors, but the
host never gets to set HSTS (http.canonical covers where the chain ends).
"""

from __future__ import annotations

from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from launchtui.checks.edge._chains import (
    chain_evidence,
    follow_from,
    hop_targets,
    stopped,
)
from launchtui.checks.edge._targets import origin
from launchtui.model.results import Outcome, Status
from launchtui.model.targets import Target
from launchtui.net.redirects import PERMANENT, REDIRECT_STATUSES, End

if TYPE_CHECKING:  # the network stack loads when a check runs
    from launchtui.checks.context import CheckContext


async def run(ctx: CheckContext, target: Target) -> Outcome:
    host = target.value
    start = f"http://{host}/"
    chain = await follow_from(ctx.net.http, start)  # port 80 refused or silent: NetError
    evidence = chain_evidence(chain)
    verify = ctx.net.commands.curl("-sI", start)
    first = chain.hops[0]
    if first.status not in REDIRECT_STATUSES:
        return Outcome(
            Status.FAIL,
            f"{start} answers {first.status} over plain HTTP instead of redirecting to HTTPS",
            evidence,
            fix=_fix(
                host,
                verify,
                "it serves pages over plain HTTP, where logins and session cookies "
                "can be read and changed by anyone on the network",
            ),
        )
    targets = hop_targets(chain)
    secure = f"https://{host}"
    if targets[0] is None:
        return Outcome(
            Status.FAIL,
            f"{start}: {first.status} with an unusable Location {first.location!r}",
            evidence,
            fix=_fix(host, verify, "its redirect points nowhere a browser can follow"),
        )
    if urlsplit(targets[0]).scheme != "https":
        return Outcome(
            Status.FAIL,
            f"{start} redirects to {targets[0]}: still plain HTTP",
            evidence,
            fix=_fix(host, verify, "its first redirect stays on plain HTTP"),
        )
    downgrades = [t for t in targets[1:] if t is not None and urlsplit(t).scheme == "http"]
    if downgrades:
        return Outcome(
            Status.FAIL,
            f"{start} reaches HTTPS, then a later redirect drops back to {downgrades[0]}",
            evidence,
            fix=_fix(
                host,
                verify,
                f"a later redirect sends visitors back to plain HTTP "
                f"({downgrades[0]}), undoing the first one",
            ),
        )
    if stopped(chain):
        return Outcome(
            Status.FAIL,
            f"{start} redirects to HTTPS, but the chain never ends in a page: {chain.reason}",
            evidence,
            fix=_fix(host, verify, f"the redirect chain breaks ({chain.reason})"),
        )
    if chain.end is End.ERROR:
        return Outcome(
            Status.ERROR,
            f"could not check: {start} redirects to {targets[0]}, but the chain could not be "
            f"followed: {chain.reason}",
            evidence,
            fix="Nothing after the first hop was verified. Make the HTTPS site reachable "
            "(see the tls.certificate and dns.resolve results), then run the check again.",
        )
    if origin(targets[0]) != secure:
        return Outcome(
            Status.WARN,
            f"{start} redirects straight to another host ({targets[0]}), not to {secure}/",
            evidence,
            fix=_fix(
                host,
                verify,
                f"its first redirect leaves for another host, so {host} never "
                "gets to set its own HSTS header (HSTS preload requires it)",
            ),
        )
    if first.status not in PERMANENT:
        return Outcome(
            Status.WARN,
            f"{start} redirects to {targets[0]} with a temporary {first.status}",
            evidence,
            fix=_fix(
                host,
                verify,
                f"the redirect is temporary ({first.status}): browsers and "
                "search engines keep asking for the plain-HTTP URL",
            ),
        )
    return Outcome(
        Status.PASS,
        f"{start} redirects permanently ({first.status}) to {targets[0]}",
        evidence,
    )


def _fix(host: str, verify: str, why: str) -> str:
    return (
        f"http://{host}/ must send every visitor to HTTPS: {why}.\n"
        f"1. On the server or edge for {host}, answer every plain-HTTP request with "
        f"`301 Moved Permanently` and `Location: https://{host}<same path>` (nginx: "
        f"`return 301 https://$host$request_uri;` in the port-80 server block; Cloudflare: "
        "SSL/TLS > Edge Certificates > Always Use HTTPS = On).\n"
        "2. Make sure no later redirect (app, CDN rule, canonical-host rule) points back to "
        "an http:// URL.\n"
        f"3. Verify: `{verify}` shows `301` and `location: https://{host}/`."
    )
