"""http.redirects: each declared old URL ([site].redirects) reaches its new URL, in few
permanent hops, and lands on a page that works."""

from __future__ import annotations

from typing import TYPE_CHECKING

from launchtui.checks.edge._chains import chain_evidence, final_page, follow_from, same_url
from launchtui.model.results import Outcome, Status
from launchtui.model.targets import Kind, Target
from launchtui.net.redirects import PERMANENT

if TYPE_CHECKING:  # the network stack loads when a check runs
    from launchtui.checks.context import CheckContext

MAX_GOOD_HOPS = 3  # more than this costs every visitor a round trip per hop


async def run(ctx: CheckContext, target: Target) -> Outcome:
    if target.kind is not Kind.PAIR:
        return Outcome(
            Status.SKIP,
            "no old URLs declared in [site].redirects: nothing to check",
            fix="If the site moved (an old domain, old paths from a previous platform, links "
            "in sent emails), declare each old URL and where it must land, e.g. "
            '`redirects = [ { from = "http://example.com/join", to = '
            '"https://app.example.com/join" } ]` under [site].',
        )
    old, new = target.value, target.to
    chain = await follow_from(ctx.net.http, old)
    evidence = chain_evidence(chain) | {"expected": new}
    verify = ctx.net.commands.curl("-sIL", old, *(hop.url for hop in chain.hops), new)
    hops = len(chain.redirects)
    final = final_page(chain, old, evidence, lambda why: _fix(old, new, verify, why))
    if isinstance(final, Outcome):
        return final
    if not same_url(final.url, new):
        return Outcome(
            Status.FAIL,
            f"{old} ends at {final.url} ({final.status}), not at {new}",
            evidence,
            fix=_fix(old, new, verify, f"it lands on {final.url} instead"),
        )
    if not 200 <= final.status < 300:
        return Outcome(
            Status.FAIL,
            f"{old} reaches {new}, which answers {final.status}",
            evidence,
            fix=_fix(
                old,
                new,
                verify,
                f"the new URL itself answers {final.status}; fix that page "
                "first (or point the redirect at a page that exists)",
            ),
        )
    temporary = [hop for hop in chain.redirects if hop.status not in PERMANENT]
    if temporary:
        codes = ", ".join(str(hop.status) for hop in temporary)
        return Outcome(
            Status.WARN,
            f"{old} reaches {new}, but through a temporary redirect ({codes})",
            evidence,
            fix=_fix(
                old,
                new,
                verify,
                f"a temporary redirect ({codes}) tells search engines and "
                "browsers to keep using the old URL",
            ),
        )
    if hops > MAX_GOOD_HOPS:
        return Outcome(
            Status.WARN,
            f"{old} reaches {new} in {hops} redirects (more than {MAX_GOOD_HOPS})",
            evidence,
            fix=_fix(old, new, verify, f"{hops} hops cost every visitor a round trip each"),
        )
    return Outcome(
        Status.PASS,
        f"{old} reaches {new} in {hops} permanent redirect{'s' if hops != 1 else ''}",
        evidence,
    )


def _fix(old: str, new: str, verify: str, why: str) -> str:
    return (
        f"Old links to {old} (bookmarks, emails, search results) must land on {new}: {why}.\n"
        f"1. Make {old} answer `301 Moved Permanently` with `Location: {new}` in one hop "
        "(server or edge redirect rule; on Cloudflare a Single Redirect or Page Rule with "
        "status 301).\n"
        "2. Remove older rules that send the URL elsewhere or back (loops), and make sure the "
        "new URL answers 200.\n"
        f"3. Verify: `{verify}` shows 301 hops ending in `200` at {new}."
    )
