"""edge.static-cache: static assets are cached for a day or more, pages and member-only URLs
never land in a shared cache.

Targets: each public hostname (its home page, followed through redirects, and up to 10
same-site scripts, stylesheets and images it links), and each [flows].private URL (that one
response, not followed: a redirect to /login is what a cache would keep).

- site, fail: the HTML page is shared-cacheable (`public`, or s-maxage, or a CDN-only header
  below that caches): one member's page may be served to everyone
- site, warn: an asset is not cacheable for a day (no Cache-Control, no-store, no-cache,
  private, or max-age/s-maxage under 86400 without immutable), or a linked asset is missing
- private URL, fail: public, s-maxage or max-age without private/no-store, or a CDN-only
  header (CDN-Cache-Control, Cloudflare-CDN-Cache-Control, Surrogate-Control) that caches
- private URL, warn: no Cache-Control (shared caches may apply heuristics) or only no-cache
- error: the page (or an asset, when nothing else is wrong) could not be fetched
"""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING
from urllib.parse import urljoin, urlsplit

from launchtui.checks.edge.http_mixed_content import PAGE_LIMIT, fetch_page
from launchtui.model.results import Evidence, Outcome, Status
from launchtui.model.targets import Kind, Target
from launchtui.net import html
from launchtui.net.commands import Commands
from launchtui.net.errors import NetError
from launchtui.net.http import Fetched

if TYPE_CHECKING:  # the network stack loads when a check runs
    from launchtui.checks.context import CheckContext

DAY = 86400
MAX_ASSETS = 10
ASSET_BODY_LIMIT = 16 * 1024  # only headers matter
ASSET_TAGS = frozenset({"script", "stylesheet", "img"})
# Read by CDNs in place of Cache-Control (RFC 9213; Cloudflare's own; Fastly/Akamai).
CDN_HEADERS = ("cdn-cache-control", "cloudflare-cdn-cache-control", "surrogate-control")


async def run(ctx: CheckContext, target: Target) -> Outcome:
    if target.kind is Kind.URL:
        return await _private(ctx, target.value)
    return await _site(ctx, target.value)


def cache_control(response: Fetched, header: str = "cache-control") -> dict[str, str]:
    """Directive (lower case) -> value ("" for a bare directive), all headers joined."""
    directives: dict[str, str] = {}
    for part in ",".join(response.header_all(header)).split(","):
        name, _, value = part.partition("=")
        if name.strip():
            directives[name.strip().lower()] = value.strip().strip('"')
    return directives


def _seconds(value: str | None) -> int:
    try:
        return int(value or "0")
    except ValueError:
        return 0


def _cdn_stores(response: Fetched) -> str:
    """The CDN-only cache header telling a CDN to keep this response, as sent, or ""."""
    for header in CDN_HEADERS:
        cc = cache_control(response, header)
        if cc and (_shared_cacheable(cc) or _seconds(cc.get("max-age")) > 0):
            return f"{header}: {', '.join(response.header_all(header))}"
    return ""


def _shared_cacheable(cc: dict[str, str]) -> bool:
    if "private" in cc or "no-store" in cc:
        return False
    return "public" in cc or _seconds(cc.get("s-maxage")) > 0


async def _site(ctx: CheckContext, host: str) -> Outcome:
    page, evidence = await fetch_page(ctx, f"https://{host}/")
    page_cc = cache_control(page)
    evidence["page_cache_control"] = page.header_all("cache-control")
    problems: list[str] = []
    fail = False
    if "html" in (page.header("content-type") or "") and _shared_cacheable(page_cc):
        fail = True
        problems.append(f"the HTML page {page.url} is shared-cacheable")
    elif cdn := _cdn_stores(page):
        fail = True
        problems.append(f"the HTML page {page.url} is cached by the CDN ({cdn})")
    assets = _assets(page)
    evidence["assets"] = []
    unchecked: list[str] = []
    results = await asyncio.gather(
        *(ctx.net.http.fetch(url, max_body=ASSET_BODY_LIMIT) for url in assets),
        return_exceptions=True,
    )
    for url, result in zip(assets, results, strict=True):
        if isinstance(result, NetError):
            evidence["assets"].append(f"{url}: not fetched: {result}")
            unchecked.append(url)
        elif isinstance(result, BaseException):
            raise result
        else:
            verdict = _asset_problem(result)
            sent = ", ".join(result.header_all("cache-control")) or "(none)"
            evidence["assets"].append(f"{url}: {result.status}, Cache-Control: {sent}")
            if verdict:
                problems.append(f"{url}: {verdict}")
    if problems:
        evidence["problems"] = problems
        return Outcome(
            Status.FAIL if fail else Status.WARN,
            f"{host}: " + "; ".join(problems[:3]) + ("; …" if len(problems) > 3 else ""),
            evidence,
            fix=_site_fix(host, fail, ctx.net.commands),
        )
    if unchecked:
        return Outcome(
            Status.ERROR,
            f"could not check: {len(unchecked)} of {len(assets)} assets of {host} not fetched",
            evidence,
            fix="Nothing was verified for those assets. Make them reachable from here, then "
            "run the check again.",
        )
    found = (
        f"{len(assets)} static asset(s) cacheable for a day or more"
        if assets
        else ("no same-site static assets linked")
    )
    return Outcome(Status.PASS, f"{host}: HTML not shared-cacheable; {found}", evidence)


def _assets(page: Fetched) -> list[str]:
    """Up to MAX_ASSETS https URLs of scripts, stylesheets and images on the page's site."""
    found = html.resources(html.decode(page.body[:PAGE_LIMIT], page.header("content-type")))
    site = _site_of(urlsplit(page.url).hostname or "")
    urls = []
    for resource in found.resources:
        if resource.tag not in ASSET_TAGS:
            continue
        url = urljoin(page.url, resource.url)
        parts = urlsplit(url)
        if parts.scheme == "https" and _site_of(parts.hostname or "") == site:
            urls.append(url.split("#", 1)[0])
    return list(dict.fromkeys(urls))[:MAX_ASSETS]


def _site_of(host: str) -> str:
    """The last two labels: the page's own domain and its subdomains count as same-site."""
    return ".".join(host.lower().rstrip(".").split(".")[-2:])


def _asset_problem(response: Fetched) -> str:
    if not 200 <= response.status < 300:
        return f"answers {response.status}"
    cc = cache_control(response)
    if not cc:
        return "no Cache-Control"
    blocking = [d for d in ("no-store", "no-cache", "private") if d in cc]
    if blocking:
        return f"Cache-Control {', '.join(blocking)}"
    age = max(_seconds(cc.get("max-age")), _seconds(cc.get("s-maxage")))
    if age < DAY and "immutable" not in cc:
        return f"cached for {age} s only (under a day)"
    return ""


async def _private(ctx: CheckContext, url: str) -> Outcome:
    response = await ctx.net.http.fetch(url, max_body=ASSET_BODY_LIMIT)
    cc = cache_control(response)
    evidence: Evidence = {
        "url": url,
        "status": response.status,
        "cache_control": response.header_all("cache-control"),
    }
    cdn = _cdn_stores(response)  # overrides Cache-Control at the CDN, so it comes first
    if cdn:
        evidence["cdn_cache_control"] = cdn
        return Outcome(
            Status.FAIL,
            f"{url} is member-only but the CDN is told to cache it ({cdn})",
            evidence,
            fix=_private_fix(
                url,
                "the CDN keeps it and may serve one member's data to others",
                ctx.net.commands,
            ),
        )
    if "private" in cc or "no-store" in cc:
        return Outcome(Status.PASS, f"{url}: kept out of shared caches ({', '.join(cc)})", evidence)
    if _shared_cacheable(cc) or _seconds(cc.get("max-age")) > 0:
        return Outcome(
            Status.FAIL,
            f"{url} is member-only but shared-cacheable ({', '.join(cc)})",
            evidence,
            fix=_private_fix(
                url,
                "a CDN or proxy may store it and serve one member's data "
                "to other visitors, logged in or not",
                ctx.net.commands,
            ),
        )
    reason = "no Cache-Control" if not cc else f"only {', '.join(cc)}"
    return Outcome(
        Status.WARN,
        f"{url} is member-only and says {reason}: a shared cache may still keep it",
        evidence,
        fix=_private_fix(
            url, "without an explicit `private` caches fall back to heuristics", ctx.net.commands
        ),
    )


def _site_fix(host: str, page_public: bool, commands: Commands) -> str:
    steps = []
    if page_public:
        steps.append(
            "Send HTML pages with `Cache-Control: private, no-cache` (or no-store for "
            "member pages) instead of public/s-maxage: a shared cache keeps one rendering "
            "(with whoever was logged in) and serves it to everyone. In Cloudflare, make sure "
            "no Cache Rule sets 'Cache Everything' on HTML."
        )
    steps.append(
        "Serve fingerprinted static files (app.3f9c.js) with `Cache-Control: public, "
        "max-age=31536000, immutable`, so the launch-day spike is served from caches."
    )
    page = f"https://{host}/"
    steps.append(
        f"Verify: `{commands.curl('-sI', page)}` and `{commands.curl('-sI', '<asset URL>', page)}` "
        "show those headers."
    )
    return "\n".join(f"{n}. {step}" for n, step in enumerate(steps, 1))


def _private_fix(url: str, why: str, commands: Commands) -> str:
    return (
        f"{url} is declared member-only in [flows].private; {why}.\n"
        "1. Send `Cache-Control: private, no-store` on it (and on every member-only response).\n"
        "2. In Cloudflare, exclude the path from any 'Cache Everything' rule (Cache Rules: "
        "bypass cache for /api/ and member pages).\n"
        f"3. Verify: `{commands.curl('-sI', url)}` shows `cache-control: private, no-store` and no "
        "`cf-cache-status: HIT`."
    )
