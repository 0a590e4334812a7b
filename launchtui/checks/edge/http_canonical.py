"""http.canonical: the apex and www converge on [site].canonical, so the site exists once.

Targets "HOST -> CANONICAL" (the apex, www.<apex> and the canonical host itself) must end,
through redirects, on a working page of the canonical origin (scheme, host and port): if
they serve pages themselves, the site exists twice and search ranking and cookies split.
Other hostnames (bare targets) are usually separate services (status page, forum...):
serving their own pages, or none at all (a 4xx at /), passes with a note; their chain must
still end in a page and never on plain HTTP. Every chain is kept as evidence ("hops",
"final_url") for the routing map.
"""

from __future__ import annotations

from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from launchtui.checks.edge._chains import chain_evidence, final_page, follow_from
from launchtui.checks.edge._targets import origin
from launchtui.model.results import Evidence, Outcome, Status
from launchtui.model.targets import Kind, Target
from launchtui.net.redirects import PERMANENT, Chain

if TYPE_CHECKING:  # the network stack loads when a check runs
    from launchtui.checks.context import CheckContext


async def run(ctx: CheckContext, target: Target) -> Outcome:
    if target.kind is Kind.SETTING:
        return Outcome(
            Status.SKIP,
            "no [site].canonical set: nothing to converge on",
            fix="Choose the one origin the site lives at and set it under [site], e.g. "
            '`canonical = "https://app.example.com"`; the apex and www then must redirect '
            "there.",
        )
    host, canonical = target.value, target.to  # to: "" for a bare host
    chain = await follow_from(ctx.net.http, f"https://{host}/")
    evidence = chain_evidence(chain)
    # What curl -L will follow: the hops launchtui followed, then the canonical origin.
    verify = ctx.net.commands.curl(
        "-sIL", f"https://{host}/", *(hop.url for hop in chain.hops), canonical
    )
    broken = _broken(host, chain, evidence, verify)
    if broken is not None:
        return broken
    if canonical:
        return _converging(host, canonical, chain, evidence | {"canonical": canonical}, verify)
    return _separate(host, chain, evidence, verify)


def _broken(host: str, chain: Chain, evidence: Evidence, verify: str) -> Outcome | None:
    """Chains that fail or could not be followed, whatever the host's role."""
    start = f"https://{host}/"
    final = final_page(chain, start, evidence, lambda why: _fix(host, verify, why))
    if isinstance(final, Outcome):
        return final
    if urlsplit(final.url).scheme != "https":
        return Outcome(
            Status.FAIL,
            f"{start} ends on plain HTTP at {final.url}",
            evidence,
            fix=_fix(host, verify, f"the chain ends on plain HTTP ({final.url})"),
        )
    return None


def _converging(
    host: str, canonical: str, chain: Chain, evidence: Evidence, verify: str
) -> Outcome:
    assert chain.final is not None  # _broken() returned None
    final, start = chain.final, f"https://{host}/"
    lands = origin(final.url)
    if lands == canonical and 200 <= final.status < 300:
        temporary = [str(hop.status) for hop in chain.redirects if hop.status not in PERMANENT]
        if temporary:
            return Outcome(
                Status.WARN,
                f"{start} converges on {canonical}, but with a temporary redirect "
                f"({', '.join(temporary)})",
                evidence,
                fix=_fix(
                    host, verify, "a temporary redirect tells search engines to keep this host"
                ),
            )
        if not chain.redirects:
            return Outcome(Status.PASS, f"{host} is the canonical host: it serves pages", evidence)
        return Outcome(
            Status.PASS,
            f"{start} converges on {canonical} ({final.url}, {final.status})",
            evidence,
        )
    if lands == canonical:
        return Outcome(
            Status.FAIL,
            f"{start} reaches the canonical host, but {final.url} answers {final.status}",
            evidence,
            fix=_fix(
                host, verify, f"{final.url} answers {final.status}: make it serve the home page"
            ),
        )
    if lands == f"https://{host}" and 200 <= final.status < 300:
        return Outcome(
            Status.FAIL,
            f"duplicate site: {start} serves pages itself instead of redirecting to "
            f"{canonical} (split SEO and cookies)",
            evidence,
            fix=_fix(
                host,
                verify,
                "it serves the site itself: search engines index it twice and "
                "members signed in on one host are signed out on the other",
            ),
        )
    return Outcome(
        Status.FAIL,
        f"{start} ends at {final.url} ({final.status}), not on {canonical}",
        evidence,
        fix=_fix(host, verify, f"it lands on {final.url} ({final.status})"),
    )


def _separate(host: str, chain: Chain, evidence: Evidence, verify: str) -> Outcome:
    assert chain.final is not None  # _broken() returned None
    final = chain.final
    if final.status >= 500:
        return Outcome(
            Status.WARN,
            f"https://{host}/ ends in a server error ({final.status} at {final.url})",
            evidence,
            fix=f"{host} is listed as a public hostname but answers {final.status}. Fix the "
            f"service behind it, or redirect it to the canonical host, or remove it from "
            f"[site].hostnames. Verify: `{verify}`.",
        )
    if final.status >= 400:
        return Outcome(
            Status.PASS,
            f"{host} serves no page at / ({final.status}): not a copy of the site",
            evidence,
        )
    if origin(final.url) == f"https://{host}":
        return Outcome(
            Status.PASS,
            f"{host} serves its own pages: a separate service (only the apex and www must "
            "converge)",
            evidence,
        )
    return Outcome(Status.PASS, f"https://{host}/ redirects to {final.url}", evidence)


def _fix(host: str, verify: str, why: str) -> str:
    return (
        f"https://{host}/ must redirect to the canonical host: {why}.\n"
        f"1. On the server or edge for {host}, answer every request with `301 Moved "
        "Permanently` to the same path on the canonical origin ([site].canonical), e.g. nginx "
        "`return 301 https://app.example.com$request_uri;`, or a Cloudflare Single Redirect "
        "with status 301 and 'preserve query string'.\n"
        "2. Make sure the canonical host serves the page itself (no redirect back).\n"
        f"3. Verify: `{verify}` ends in `200` on the canonical host."
    )
