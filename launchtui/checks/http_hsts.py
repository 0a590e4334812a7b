"""http.hsts: the first HTTPS response of every host carries a lasting Strict-Transport-Security.

Browsers honour HSTS only from the host that sent it, so the header is read from the very
first HTTPS response of https://HOST/, redirect or not (RFC 6797: only the first header
counts, and a header with a repeated or malformed directive is ignored whole).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from launchtui.checks.model import Outcome, Severity, Status
from launchtui.checks.registry import Check, register
from launchtui.net.commands import Commands
from launchtui.net.context import NetworkContext
from launchtui.sprint.model import Sprint

MIN_MAX_AGE = 15552000  # 180 days
PRELOAD_MAX_AGE = 31536000  # a year: what hstspreload.org requires
HEADER = "Strict-Transport-Security"
_TOKEN = re.compile(r"[!#$%&'*+.^_`|~0-9A-Za-z-]+")
_QUOTED = re.compile(r'"(?:[^"\\]|\\.)*"')


class Malformed(ValueError):
    pass


@dataclass(frozen=True, slots=True)
class Policy:
    max_age: int
    include_subdomains: bool
    preload: bool

    @property
    def preload_ready(self) -> bool:
        return self.max_age >= PRELOAD_MAX_AGE and self.include_subdomains and self.preload


def parse(value: str) -> Policy:
    """The policy of one header value (RFC 6797 section 6.1); Malformed says why not."""
    directives: dict[str, str | None] = {}
    for part in value.split(";"):
        part = part.strip(" \t")
        if not part:
            continue
        name, eq, raw = part.partition("=")
        name, raw = name.strip(" \t").lower(), raw.strip(" \t")
        if not _TOKEN.fullmatch(name):
            raise Malformed(f"{name!r} is not a directive name")
        if name in directives:
            raise Malformed(f"the {name} directive appears twice")
        if eq and _QUOTED.fullmatch(raw):
            raw = re.sub(r"\\(.)", r"\1", raw[1:-1])
        elif eq and not _TOKEN.fullmatch(raw):
            raise Malformed(f"the value of {name} is not a token or quoted string")
        directives[name] = raw if eq else None
    if "max-age" not in directives:
        raise Malformed("there is no max-age directive")
    age = directives["max-age"]
    if age is None or not age.isdigit() or not age.isascii():
        raise Malformed(f"max-age must be a number of seconds, not {age!r}")
    return Policy(int(age), "includesubdomains" in directives, "preload" in directives)


def _targets(sprint: Sprint) -> list[str]:
    return list(sprint.site.all_hostnames)


async def _run(ctx: NetworkContext, host: str) -> Outcome:
    response = await ctx.http.fetch(f"https://{host}/", max_body=0)
    values = response.header_all(HEADER)
    evidence: dict[str, object] = {"url": response.url, "status": response.status}
    if not values:
        return Outcome(
            Status.FAIL,
            f"{host}: no {HEADER} header on the HTTPS response ({response.status})",
            evidence,
            fix=_fix(
                host,
                "there is no HSTS header, so a visitor's first plain-HTTP request "
                "can be intercepted and kept on HTTP (SSL stripping)",
                ctx.commands,
            ),
        )
    evidence["header"] = values[0]
    if len(values) > 1:
        evidence["ignored_headers"] = values[1:]
    try:
        policy = parse(values[0])
    except Malformed as exc:
        return Outcome(
            Status.FAIL,
            f"{host}: malformed {HEADER} header ({exc}): browsers ignore it",
            evidence,
            fix=_fix(host, f"browsers ignore a malformed header ({exc})", ctx.commands),
        )
    evidence |= {
        "max_age": policy.max_age,
        "max_age_days": policy.max_age // 86400,
        "include_subdomains": policy.include_subdomains,
        "preload": policy.preload,
        "preload_ready": policy.preload_ready,
    }
    if policy.max_age == 0:
        return Outcome(
            Status.FAIL,
            f"{host}: max-age=0 tells browsers to forget HSTS",
            evidence,
            fix=_fix(host, "max-age=0 switches HSTS off", ctx.commands),
        )
    if policy.max_age < MIN_MAX_AGE:
        return Outcome(
            Status.WARN,
            f"{host}: HSTS max-age is {_days(policy.max_age)}, under 180 days",
            evidence,
            fix=_fix(
                host,
                f"a max-age of {_days(policy.max_age)} lapses quickly for "
                "visitors who come back less often",
                ctx.commands,
            ),
        )
    ready = ", preload-ready" if policy.preload_ready else ""
    subdomains = ", includeSubDomains" if policy.include_subdomains else ""
    return Outcome(
        Status.PASS,
        f"{host}: HSTS max-age {_days(policy.max_age)}{subdomains}{ready}",
        evidence,
    )


def _days(seconds: int) -> str:
    if seconds < 86400:
        return f"{seconds} s"
    days = seconds // 86400
    return f"{days} day{'s' if days != 1 else ''}"


def _fix(host: str, why: str, commands: Commands) -> str:
    return (
        f"https://{host}/ must tell browsers to use HTTPS only: {why}.\n"
        f"1. Send on every HTTPS response of {host} (redirects included): "
        "`Strict-Transport-Security: max-age=31536000; includeSubDomains` (nginx: "
        '`add_header Strict-Transport-Security "max-age=31536000; includeSubDomains" '
        "always;`; Cloudflare: SSL/TLS > Edge Certificates > HSTS). Add includeSubDomains "
        "only once every subdomain serves HTTPS; add `preload` for the apex once you mean "
        "to submit it to hstspreload.org.\n"
        f"2. Verify: `{commands.curl('-sI', f'https://{host}/')} | grep -i "
        "strict-transport-security`."
    )


CHECK = register(
    Check(
        id="http.hsts",
        stage="edge",
        severity=Severity.MEDIUM,
        title="HSTS on every HTTPS host",
        targets=_targets,
        run=_run,
    )
)
