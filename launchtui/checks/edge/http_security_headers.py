"""http.security-headers: the pages members sign in on send the browser's protective headers,
and the cookies they set cannot be read by scripts or sent in clear.

Targets: the canonical home page, the [flows] login page, and the home page of every public
hostname (deduplicated); each is followed through its redirects and the final page is judged.

Headers are read the way browsers read them, so a header that is present but not understood
counts as absent and says so:
- frame protection (WHATWG HTML, "check a navigation response's adherence to
  `X-Frame-Options`"): a frame-ancestors directive in an enforced Content-Security-Policy
  decides alone (CSP3 supersedes X-Frame-Options); otherwise the X-Frame-Options values of all
  fields, split on commas, lower-cased and deduplicated: "deny" or "sameorigin" protect,
  several different values with a valid one among them block all framing ("conflict"), and
  anything else (ALLOW-FROM, ALLOWALL, garbage, several invalid values) is no protection;
- Referrer-Policy (W3C Referrer Policy 8.1): the last recognised token of the comma-separated
  list across all fields; unknown tokens are skipped, and a list without one is no policy;
- X-Content-Type-Options (Fetch, "determine nosniff"): the first value of that list;
- cookies (RFC 6265bis 5.6: draft-ietf-httpbis-rfc6265bis-22, approved and in the RFC Editor
  queue since December 2025, still without an RFC number in October 2026): Secure and HttpOnly
  count by name whatever value follows them, SameSite by its value: only Strict, Lax or None
  (any case) count, anything else is no SameSite.

Status mapping (worst wins):
- fail: no frame protection: the login or checkout page can be framed for clickjacking; a
  cookie without Secure (sent over plain HTTP) or without HttpOnly (readable by any injected
  script: session theft)
- warn: X-Content-Type-Options is not "nosniff"; no Content-Security-Policy; no Referrer-Policy
  (or none browsers recognise), or one that sends full URLs to other sites (unsafe-url,
  no-referrer-when-downgrade); a cookie without a recognised SameSite (browsers default to Lax,
  but older ones send it cross-site) or with SameSite=None (sent cross-site by design)
- pass: all of the above present
- error: the page could not be fetched or did not answer 2xx

Evidence holds each header's value as sent. Cookies are listed by name and attributes only:
their values are session tokens, so they are shown as a length, never the value.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from launchtui.checks.edge.http_mixed_content import fetch_page
from launchtui.model.results import Outcome, Status
from launchtui.model.targets import Target
from launchtui.net.commands import Commands
from launchtui.net.http import Fetched

if TYPE_CHECKING:  # the network stack loads when a check runs
    from launchtui.checks.context import CheckContext

HEADERS = (
    "x-content-type-options",
    "x-frame-options",
    "content-security-policy",
    "referrer-policy",
)
# W3C Referrer Policy 3: the policies a browser knows (any other token is skipped).
REFERRER_POLICIES = frozenset(
    {
        "no-referrer",
        "no-referrer-when-downgrade",
        "same-origin",
        "origin",
        "strict-origin",
        "origin-when-cross-origin",
        "strict-origin-when-cross-origin",
        "unsafe-url",
    }
)
# The two that send the full URL, path and query included, to other sites: unsafe-url to all
# of them (3.7), no-referrer-when-downgrade to every HTTPS one (3.2). The origin-only policies
# pass: they never send a path or query, where session ids and capability URLs live (1.2).
WEAK_REFERRER = frozenset({"unsafe-url", "no-referrer-when-downgrade"})
# A frame-ancestors source that any site matches (CSP3 "host-source" and "scheme-source").
_ANY_ANCESTOR = re.compile(r"\*|[a-z][a-z0-9+.-]*:(//\*)?", re.IGNORECASE)


async def run(ctx: CheckContext, target: Target) -> Outcome:
    url = target.value
    page, evidence = await fetch_page(ctx, url)
    headers = {name: page.header_all(name) for name in HEADERS}
    evidence["headers"] = {name: values for name, values in headers.items() if values}
    cookies = [parse_set_cookie(value) for value in page.header_all("set-cookie")]
    evidence["cookies"] = [cookie.describe() for cookie in cookies]
    protection, fails = _frame_protection(page)
    evidence["frame_protection"] = protection
    warns: list[str] = []
    for cookie in cookies:
        cookie_fails, cookie_warns = cookie.problems()
        fails += cookie_fails
        warns += cookie_warns
    warns += _soft_problems(page)
    if fails or warns:
        problems = fails + warns
        evidence["problems"] = problems
        return Outcome(
            Status.FAIL if fails else Status.WARN,
            f"{page.url}: " + "; ".join(problems),
            evidence,
            fix=_fix(page.url, problems, ctx.net.commands),
        )
    return Outcome(Status.PASS, f"{page.url}: protective headers and cookie flags set", evidence)


def _frame_protection(page: Fetched) -> tuple[str, list[str]]:
    """What keeps the page out of other sites' frames, and the problem when nothing does."""
    ancestors = frame_ancestors(page.header_all("content-security-policy"))
    if ancestors:  # HTML step 2: then X-Frame-Options is not even read
        restrictive = [sources for sources in ancestors if not _allows_any(sources)]
        if restrictive:
            return "CSP frame-ancestors " + (" ".join(restrictive[0]) or "(empty: 'none')"), []
        return "none", [
            f"CSP frame-ancestors {' '.join(ancestors[0])} lets any site frame the page (and "
            "makes browsers ignore X-Frame-Options): no frame protection"
        ]
    values = page.header_all("x-frame-options")
    option = frame_options(values)
    if option in ("deny", "sameorigin"):
        return f"X-Frame-Options {option}", []
    if option == "conflict":
        return "X-Frame-Options with conflicting values: browsers block all framing", []
    if option == "absent":
        return "none", ["no frame protection (X-Frame-Options or CSP frame-ancestors)"]
    return "none", [f"X-Frame-Options: {', '.join(values)} {_unprotective(option)}"]


def frame_options(values: list[str]) -> str:
    """What browsers make of the X-Frame-Options fields `values` (WHATWG HTML, "check a
    navigation response's adherence to `X-Frame-Options`", steps 3-10): "absent", "conflict"
    (several values, one of them deny, sameorigin or allowall: all framing is blocked),
    "multiple" (several values, none of those: framing is allowed), else the one value,
    lower-cased, of which only "deny" and "sameorigin" restrict framing."""
    if not values:
        return "absent"
    options = {value.lower() for value in split_header_values(values)}
    if len(options) > 1:
        return "conflict" if options & {"deny", "sameorigin", "allowall"} else "multiple"
    return options.pop()


def _unprotective(option: str) -> str:
    if option.startswith("allow-from"):
        why = "is ignored by browsers (ALLOW-FROM is obsolete: CSP frame-ancestors replaced it)"
    elif option == "allowall":
        why = "lets any site frame the page"
    elif option == "multiple":
        why = "is ignored by browsers (none of its values is DENY or SAMEORIGIN)"
    else:
        why = "is ignored by browsers (only DENY and SAMEORIGIN mean something)"
    return f"{why}: no frame protection"


def frame_ancestors(policies: list[str]) -> list[list[str]]:
    """The source list of each frame-ancestors directive in the enforced policies `policies`.

    CSP3 "parse a response's Content Security Policies": each field holds comma-separated
    policies, each policy ";"-separated directives whose lower-cased name is the first word;
    a repeated directive is ignored (the first one counts)."""
    found = []
    for policy in split_header_values(policies):
        names = set()
        for directive in policy.split(";"):
            words = directive.split()
            if not words or words[0].lower() in names:
                continue
            names.add(words[0].lower())
            if words[0].lower() == "frame-ancestors":
                found.append(words[1:])
    return found


def _allows_any(sources: list[str]) -> bool:
    return any(_ANY_ANCESTOR.fullmatch(source) for source in sources)


def referrer_policy(values: list[str]) -> str:
    """The policy browsers apply from the Referrer-Policy fields `values`: the last token
    that names a policy (W3C Referrer Policy 8.1, "Parse a referrer policy from a
    Referrer-Policy header"); "" when none does, which is the same as no header."""
    policy = ""
    for token in split_header_values(values):
        if token.lower() in REFERRER_POLICIES:
            policy = token.lower()
    return policy


def split_header_values(values: list[str]) -> list[str]:
    """Fetch "get, decode, and split": the fields joined with ", ", split on the commas that
    are not inside a quoted string, each value trimmed of spaces and tabs (empty ones kept)."""
    if not values:
        return []
    parts, current = [], ""
    quoted = escaped = False
    for char in ", ".join(values):
        if escaped:
            escaped = False
        elif quoted and char == "\\":
            escaped = True
        elif char == '"':
            quoted = not quoted
        elif char == "," and not quoted:
            parts.append(current.strip(" \t"))
            current = ""
            continue
        current += char
    parts.append(current.strip(" \t"))
    return parts


def _soft_problems(page: Fetched) -> list[str]:
    problems = []
    nosniff = split_header_values(page.header_all("x-content-type-options"))
    if not nosniff or nosniff[0].lower() != "nosniff":
        problems.append("X-Content-Type-Options is not nosniff")
    if not page.header_all("content-security-policy"):
        problems.append("no Content-Security-Policy")
    sent = page.header_all("referrer-policy")
    policy = referrer_policy(sent)
    if not sent:
        problems.append("no Referrer-Policy")
    elif not policy:
        problems.append(
            f"Referrer-Policy: {', '.join(sent)} is ignored by browsers (it names no policy "
            "they know), as if there were none"
        )
    elif policy in WEAK_REFERRER:
        problems.append(f"Referrer-Policy {policy} leaks full URLs to other sites")
    return problems


class SetCookie:
    """A Set-Cookie header split by hand on ';' (http.cookies drops what it cannot parse), as
    RFC 6265bis 5.6 does: no quoting, so a ';' inside quotes still ends the value."""

    def __init__(self, name: str, value_length: int, attributes: list[str]) -> None:
        self.name = name
        self.value_length = value_length
        self.raw_attributes = attributes  # as sent, surrounding spaces removed
        # Lower-case attribute name -> value ("" for flags like Secure); a repeated attribute
        # keeps its last value, as the cookie store does (6265bis 5.7).
        self.attributes = {
            key.strip().lower(): value.strip()
            for key, _, value in (a.partition("=") for a in attributes)
        }

    @property
    def same_site(self) -> str | None:
        """The enforcement browsers apply (RFC 6265bis 5.6.7): "strict", "lax" or "none" for
        those values in any case, "default" (as good as none) for any other, None without
        the attribute."""
        if "samesite" not in self.attributes:
            return None
        value = self.attributes["samesite"].lower()
        return value if value in ("strict", "lax", "none") else "default"

    def missing(self) -> list[str]:
        """The protective attributes browsers will not apply. Secure and HttpOnly count by
        name, a value after them being ignored (6265bis 5.6.5, 5.6.6); SameSite counts only
        with a value browsers recognise (5.6.7)."""
        applied = {
            "Secure": "secure" in self.attributes,
            "HttpOnly": "httponly" in self.attributes,
            "SameSite": self.same_site not in (None, "default"),
        }
        return [label for label, present in applied.items() if not present]

    def problems(self) -> tuple[list[str], list[str]]:
        """(fails, warns): no Secure or HttpOnly fails; no recognised SameSite, or
        SameSite=None, warns."""
        missing = self.missing()
        fails: list[str] = []
        warns: list[str] = []
        if missing:
            lacks = f"cookie {self.name} lacks {', '.join(missing)}{self._same_site_remark()}"
            (fails if "Secure" in missing or "HttpOnly" in missing else warns).append(lacks)
        if self.same_site == "none" and "Secure" not in missing:
            warns.append(
                f"cookie {self.name} has SameSite=None: browsers send it with cross-site requests"
            )
        return fails, warns

    def _same_site_remark(self) -> str:
        if self.same_site == "default":
            return (
                f" (SameSite={self.attributes['samesite']} is not Strict, Lax or None: "
                "browsers ignore the value, as if SameSite were not there)"
            )
        if self.same_site == "none" and "secure" not in self.attributes:
            return " (Chrome and Edge reject a SameSite=None cookie without Secure outright)"
        return ""

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
        "server config), once each:\n"
        "   X-Content-Type-Options: nosniff\n"
        "   X-Frame-Options: DENY\n"
        "   Referrer-Policy: strict-origin-when-cross-origin\n"
        "   Content-Security-Policy: default-src 'self'; frame-ancestors 'none' "
        "(start with Content-Security-Policy-Report-Only and widen it for your scripts)\n"
        "2. Set session and login cookies with `; Secure; HttpOnly; SameSite=Lax`.\n"
        f"3. Verify: `{commands.curl('-sI', url)}` shows each header and every Set-Cookie "
        "line ends with those attributes."
    )
