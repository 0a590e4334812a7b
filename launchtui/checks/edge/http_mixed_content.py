"""http.mixed-content: the HTTPS pages of signup and checkout load nothing over plain HTTP.

Targets: the [flows] login, join, invite and checkout pages, the canonical home page, and the
home page of every public hostname (any of them can be where a visitor lands). Each page is
reached through its redirect chain, hop by hop, and the final page is read (up to 2 MB).

- pass: no http:// subresource and no form posting to http://
- warn: passive mixed content only (img, audio, video, source): browsers upgrade or block it,
  but the padlock may show a warning
- fail: active mixed content (script, stylesheet, iframe, object, embed, an http:// <base>)
  or a form whose action is http:// (the password or card form is sent in clear)
- error: the page could not be fetched or did not answer 2xx
"""

from __future__ import annotations

from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from launchtui.checks.edge._chains import chain_evidence
from launchtui.model.results import Evidence, Outcome, Status
from launchtui.model.targets import Target
from launchtui.net import html
from launchtui.net.commands import Commands
from launchtui.net.errors import NetError
from launchtui.net.http import Fetched
from launchtui.net.redirects import follow

if TYPE_CHECKING:  # the network stack loads when a check runs
    from launchtui.checks.context import CheckContext

PAGE_LIMIT = 2 * 1024 * 1024


async def fetch_page(ctx: CheckContext, url: str) -> tuple[Fetched, Evidence]:
    """The page at the end of `url`'s redirect chain, with the chain as evidence. NetError
    when there is no 2xx page to read (a dead end is another check's verdict)."""
    chain = await follow(ctx.net.http, url, body_limit=PAGE_LIMIT)
    final = chain.final
    if final is None:
        raise NetError(chain.reason)
    if not 200 <= final.status < 300:
        raise NetError(f"{url}: the page answered {final.status} ({final.url}); nothing to read")
    return final, chain_evidence(chain)


async def run(ctx: CheckContext, target: Target) -> Outcome:
    url = target.value
    page, evidence = await fetch_page(ctx, url)
    evidence["body_bytes"] = len(page.body)
    evidence["truncated"] = page.truncated
    if page.truncated:
        evidence["note"] = f"only the first {PAGE_LIMIT} bytes of the page were read"
    if urlsplit(page.url).scheme != "https":
        return Outcome(
            Status.FAIL,
            f"{url} ends on a plain-HTTP page: {page.url}",
            evidence,
            fix=f"The page itself is served over plain HTTP, so everything on it (passwords "
            f"too) travels in clear.\n1. Redirect {page.url} to its https:// URL with a 301 "
            "and serve the page only over HTTPS.\n"
            f"2. Verify: `{ctx.net.commands.curl('-sI', page.url)}` answers 301 with an https:// "
            "Location.",
        )
    found = html.resources(html.decode(page.body, page.header("content-type")))
    insecure = [r for r in found.resources if r.url.lower().startswith("http://")]
    active = [r.describe() for r in insecure if not r.passive]
    passive = [r.describe() for r in insecure if r.passive]
    evidence |= {"resources_checked": len(found.resources), "active": active, "passive": passive}
    if not found.complete:
        evidence["resources_note"] = f"only the first {html.MAX_RESOURCES} resources were read"
    if active:
        return Outcome(
            Status.FAIL,
            f"{page.url} loads {len(active)} active resource(s) over plain HTTP: {active[0]}",
            evidence,
            fix=_fix(
                page.url,
                ctx.net.commands,
                active,
                "Browsers block these outright (the page breaks), and "
                "a form posting to http:// sends passwords or card details in clear.",
            ),
        )
    if passive:
        return Outcome(
            Status.WARN,
            f"{page.url} loads {len(passive)} image/media file(s) over plain HTTP: {passive[0]}",
            evidence,
            fix=_fix(
                page.url,
                ctx.net.commands,
                passive,
                "Browsers upgrade or block them and may drop the "
                "padlock, which makes members hesitate on signup and checkout.",
            ),
        )
    return Outcome(
        Status.PASS,
        f"{page.url}: no plain-HTTP resources among {len(found.resources)} found",
        evidence,
    )


def _fix(page: str, commands: Commands, offending: list[str], why: str) -> str:
    listed = "\n".join(f"   {item}" for item in offending[:10])
    return (
        f"{page} is served over HTTPS but references plain-HTTP URLs. {why}\n"
        f"1. Change each of these to https:// (or a relative URL) in the template:\n{listed}\n"
        "2. Where a third party offers no HTTPS, host the file yourself or drop it; as a "
        "safety net add the header `Content-Security-Policy: upgrade-insecure-requests`.\n"
        f"3. Verify: `{commands.curl('-s', page)} | grep -o 'http://[^\"]*'` prints nothing "
        "that is loaded (links in <a href> are fine), and the browser console shows no "
        "mixed-content warning."
    )
