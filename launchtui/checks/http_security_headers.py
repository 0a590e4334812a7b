"""http.security-headers: the pages members sign in on send the browser's protective headers,
and the cookies they set cannot be read by scripts or sent in clear.

Targets: the canonical home page, the [flows] login page, and the home page of every public
hostname (deduplicated); each is followed through its redirects and the final page is judged.

Status mapping (worst wins):
- fail: no frame protection (X-Frame-Options DENY/SAMEORIGIN, or CSP frame-ancestors): the
  login or checkout page can be framed for clickjacking; a cookie without Secure (sent over
  plain HTTP) or without HttpOnly (readable by any injected script: session theft)
- warn: X-Content-Type-Options is not "nosniff"; no Content-Security-Policy; no
  Referrer-Policy or "unsafe-url"; a cookie without SameSite (browsers default to Lax, but
  older ones send it cross-site)
- pass: all of the above present
- error: the page could not be fetched or did not answer 2xx

Evidence holds each header's value as sent. Cookies are listed by name and attributes only:
their values are session tokens, so they are shown as a length, never the value.
"""

from __future__ import annotations

from launchtui.checks.http_mixed_content import fetch_page, page_targets
from launchtui.checks.model import Outcome, Severity, Status
from launchtui.checks.registry import Check, register
from launchtui.net.commands import Commands
from launchtui.net.context import NetworkContext
from launchtui.net.http import Fetched
from launchtui.sprint.model import Sprint

HEADERS = (
    "x-content-type-options",
    "x-frame-options",
    "content-security-policy",
    "referrer-policy",
)
WEAK_REFERRER = {"unsafe-url"}


def _targets(sprint: Sprint) -> list[str]:
    return page_targets(sprint, ("login",))


async def _run(ctx: NetworkContext, url: str) -> Outcome:
    page, evidence = await fetch_page(ctx, url)
    headers = {name: page.header_all(name) for name in HEADERS}
    evidence["headers"] = {name: values for name, values in headers.items() if values}
    cookies = [parse_set_cookie(value) for value in page.header_all("set-cookie")]
    evidence["cookies"] = [cookie.describe() for cookie in cookies]
    fails, warns = _header_problems(page), []
    for cookie in cookies:
        missing = cookie.missing()
        if "Secure" in missing or "HttpOnly" in missing:
            fails.append(f"cookie {cookie.name} lacks {', '.join(missing)}")
        elif missing:
            warns.append(f"cookie {cookie.name} lacks {', '.join(missing)}")
    warns += _soft_problems(page)
    if fails or warns:
        problems = fails + warns
        evidence["problems"] = problems
        return Outcome(
            Status.FAIL if fails else Status.WARN,
            f"{page.url}: " + "; ".join(problems),
            evidence,
            fix=_fix(page.url, problems, ctx.commands),
        )
    return Outcome(Status.PASS, f"{page.url}: protective headers and cookie flags set", evidence)


def _header_problems(page: Fetched) -> list[str]:
    frame = [v.strip().upper() for v in page.header_all("x-frame-options")]
    if not (frame and all(v in ("DENY", "SAMEORIGIN") for v in frame)) and not _frame_ancestors(
        page
    ):
        return ["no frame protection (X-Frame-Options or CSP frame-ancestors)"]
    return []


def _soft_problems(page: Fetched) -> list[str]:
    problems = []
    if (page.header("x-content-type-options") or "").strip().lower() != "nosniff":
        problems.append("X-Content-Type-Options is not nosniff")
    if not page.header_all("content-security-policy"):
        problems.append("no Content-Security-Policy")
    referrer = [p.strip().lower() for p in ",".join(page.header_all("referrer-policy")).split(",")]
    if not any(referrer):
        problems.append("no Referrer-Policy")
    elif referrer[-1] in WEAK_REFERRER:  # the last policy a browser understands wins
        problems.append(f"Referrer-Policy {referrer[-1]} leaks full URLs to other sites")
    return problems


def _frame_ancestors(page: Fetched) -> bool:
    for policy in page.header_all("content-security-policy"):
        for directive in policy.split(";"):
            if directive.split()[:1] == ["frame-ancestors"]:
                return True
    return False


class SetCookie:
    """A Set-Cookie header split by hand on ';' (http.cookies drops what it cannot parse)."""

    def __init__(self, name: str, value_length: int, attributes: list[str]) -> None:
        self.name = name
        self.value_length = value_length
        self.raw_attributes = attributes  # as sent, surrounding spaces removed
        # Lower-case attribute name -> value ("" for flags like Secure).
        self.attributes = {
            key.strip().lower(): value.strip()
            for key, _, value in (a.partition("=") for a in attributes)
        }

    def missing(self) -> list[str]:
        wanted = {"secure": "Secure", "httponly": "HttpOnly", "samesite": "SameSite"}
        return [label for key, label in wanted.items() if key not in self.attributes]

    def describe(self) -> str:
        """The header with its value replaced by its length."""
        return f"{self.name}=<{self.value_length} chars>" + "".join(
            f"; {a}" for a in self.raw_attributes
        )


def parse_set_cookie(header: str) -> SetCookie:
    pair, *attributes = header.split(";")
    name, _, value = pair.partition("=")
    kept = [a.strip() for a in attributes if a.strip()]
    return SetCookie(name.strip(), len(value.strip()), kept)


def _fix(url: str, problems: list[str], commands: Commands) -> str:
    listed = "\n".join(f"   - {problem}" for problem in problems)
    return (
        f"{url} is missing protections members rely on when they sign in or pay:\n{listed}\n"
        "1. Send on every HTML response (in the app, or as a Cloudflare Transform Rule / "
        "server config):\n"
        "   X-Content-Type-Options: nosniff\n"
        "   X-Frame-Options: DENY\n"
        "   Referrer-Policy: strict-origin-when-cross-origin\n"
        "   Content-Security-Policy: default-src 'self'; frame-ancestors 'none' "
        "(start with Content-Security-Policy-Report-Only and widen it for your scripts)\n"
        "2. Set session and login cookies with `; Secure; HttpOnly; SameSite=Lax`.\n"
        f"3. Verify: `{commands.curl('-sI', url)}` shows each header and every Set-Cookie "
        "line ends with those attributes."
    )


CHECK = register(
    Check(
        id="http.security-headers",
        stage="edge",
        severity=Severity.MEDIUM,
        title="Security headers and cookie flags on key pages",
        targets=_targets,
        run=_run,
    )
)
