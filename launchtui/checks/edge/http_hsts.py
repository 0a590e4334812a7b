"""http.hsts: the first HTTPS response of every host carries a lasting Strict-Transport-Security.

Browsers honour HSTS only from the host that sent it, so the header is read from the very
first HTTPS response of https://HOST/, redirect or not. RFC 6797 decides what counts: a browser
processes only the first Strict-Transport-Security header field (8.1), and ignores a field whole
when it breaks the 6.1 grammar or repeats any directive (6.1, requirements 2, 4 and 5).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from launchtui.model.results import Evidence, Outcome, Status
from launchtui.model.targets import Target
from launchtui.net.commands import Commands

if TYPE_CHECKING:  # the network stack loads when a check runs
    from launchtui.checks.context import CheckContext

MIN_MAX_AGE = 15552000  # 180 days
PRELOAD_MAX_AGE = 31536000  # a year: what hstspreload.org requires
HEADER = "Strict-Transport-Security"
_TOKEN = re.compile(r"[!#$%&'*+.^_`|~0-9A-Za-z-]+")
# quoted-string (RFC 6797 6.1 takes it from RFC 2616 2.2; RFC 9110 5.6.4 today), on the
# latin-1 text of the header: group 1 is the content, quoted-pairs still escaped.
_QUOTED = re.compile(r'"((?:[\t \x21\x23-\x5b\x5d-\x7e\x80-\xff]|\\[\t \x21-\x7e\x80-\xff])*)"')
_QUOTED_PAIR = re.compile(r"\\(.)")


# A max-age beyond this reads as this: far more than any browser keeps (Chrome: one year).
MAX_AGE_CAP = 2**63 - 1


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


def directives(value: str) -> dict[str, str | None]:
    """The directives of one header value by lower-cased name (None: given without a value).

    RFC 6797 6.1: `[ directive ] *( ";" [ directive ] )`, where `directive = directive-name
    [ "=" directive-value ]`, the name is a token and the value a token or a quoted-string
    (whose ";" is data, not a separator), with optional whitespace around each part. Names
    are case-insensitive and all directives MUST appear only once, unknown ones included
    (requirement 5 processes unknown directives only in a field that meets requirements 1-4).
    Malformed says where the value breaks that grammar.
    """
    found: dict[str, str | None] = {}
    pos = 0
    while True:
        start = pos = _skip_ows(value, pos)
        name = _TOKEN.match(value, pos)
        if name:
            pos = _skip_ows(value, name.end())
            argument = None
            if value.startswith("=", pos):
                argument, pos = _directive_value(value, _skip_ows(value, pos + 1), name.group())
            key = name.group().lower()
            if key in found:
                raise Malformed(f"the {key} directive appears twice")
            found[key] = argument
        if pos == len(value):
            return found
        if value[pos] != ";":
            raise Malformed(f"{_up_to_separator(value, start)!r} is not a directive name")
        pos += 1


def _directive_value(value: str, pos: int, name: str) -> tuple[str, int]:
    """The value of directive `name` starting at `pos`, unquoted, and where the next ";" may be."""
    quoted = _QUOTED.match(value, pos)
    token = _TOKEN.match(value, pos)
    found = quoted or token
    after = _skip_ows(value, found.end()) if found else pos
    if found is None or (after < len(value) and value[after] != ";"):
        raw = _up_to_separator(value, pos)
        raise Malformed(f"the value of {name} ({raw!r}) is not a token or quoted string")
    text = _QUOTED_PAIR.sub(r"\1", quoted.group(1)) if quoted else found.group()
    return text, after


def _skip_ows(value: str, pos: int) -> int:
    while pos < len(value) and value[pos] in " \t":
        pos += 1
    return pos


def _up_to_separator(value: str, pos: int) -> str:
    """The text from `pos` to the next ";", for saying what did not parse."""
    return value[pos:].split(";")[0].strip(" \t")


def parse(value: str) -> Policy:
    """The policy of one header value (RFC 6797 6.1); Malformed says why there is none."""
    found = directives(value)
    if "max-age" not in found:
        raise Malformed("there is no max-age directive")
    age = found["max-age"]  # 6.1.1: delta-seconds, optionally quoted
    if age is None or not age.isdigit() or not age.isascii():
        raise Malformed(f"max-age must be a number of seconds, not {age!r}")
    if found.get("includesubdomains") is not None:  # 6.1.2: a name alone, no value
        raise Malformed("includeSubDomains takes no value")
    digits = age.lstrip("0") or "0"  # int() refuses over 4300 digits: such an age is huge
    seconds = MAX_AGE_CAP if len(digits) > len(str(MAX_AGE_CAP)) else min(int(digits), MAX_AGE_CAP)
    return Policy(seconds, "includesubdomains" in found, "preload" in found)


async def run(ctx: CheckContext, target: Target) -> Outcome:
    host = target.value
    response = await ctx.net.http.fetch(f"https://{host}/", max_body=0)
    values = response.header_all(HEADER)
    evidence: Evidence = {"url": response.url, "status": response.status}
    if not values:
        return Outcome(
            Status.FAIL,
            f"{host}: no {HEADER} header on the HTTPS response ({response.status})",
            evidence,
            fix=_fix(
                host,
                "there is no HSTS header, so a visitor's first plain-HTTP request "
                "can be intercepted and kept on HTTP (SSL stripping)",
                ctx.net.commands,
            ),
        )
    evidence["header"] = values[0]
    first = _judge(host, values[0], evidence, len(values), ctx.net.commands)
    if len(values) == 1:
        return first
    evidence["ignored_headers"] = values[1:]
    return _duplicated(host, first, values, ctx.net.commands)


def _judge(host: str, value: str, evidence: Evidence, count: int, commands: Commands) -> Outcome:
    """The verdict on the header value browsers process, one of `count` header fields."""
    try:
        policy = parse(value)
    except Malformed as exc:
        return Outcome(
            Status.FAIL,
            f"{host}: malformed {HEADER} header ({exc}): browsers ignore it",
            evidence,
            fix=_fix(host, f"browsers ignore a malformed header ({exc})", commands, count),
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
            fix=_fix(host, "max-age=0 switches HSTS off", commands, count),
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
                commands,
                count,
            ),
        )
    ready = ", preload-ready" if policy.preload_ready else ""
    subdomains = ", includeSubDomains" if policy.include_subdomains else ""
    return Outcome(
        Status.PASS,
        f"{host}: HSTS max-age {_days(policy.max_age)}{subdomains}{ready}",
        evidence,
    )


def _duplicated(host: str, first: Outcome, values: list[str], commands: Commands) -> Outcome:
    """`first`, the verdict on values[0], once the later header fields are known: a host sends
    only one (RFC 6797 7.1) and browsers process only the first (8.1), so a later field never
    helps; the fix names the field to keep."""
    only_first = f"browsers read only the first of the {len(values)} {HEADER} headers"
    if first.status is Status.PASS:
        why = (
            f"{only_first} (RFC 6797 8.1), and a proxy that folds them into one line makes a "
            "header that browsers ignore whole"
        )
        return Outcome(
            Status.WARN,
            f"{first.summary}; {only_first}",
            first.evidence,
            fix=_one_header_fix(host, values[0], why, commands),
        )
    better = next((value for value in values[1:] if _passes(value)), None)
    if better is None:
        return Outcome(first.status, f"{first.summary}; {only_first}", first.evidence, first.fix)
    why = (
        f"{only_first} (RFC 6797 8.1), so `{better}` is ignored because it comes after "
        f"`{values[0]}`"
    )
    return Outcome(
        first.status,
        f"{first.summary}; the later `{better}` is ignored: {only_first}",
        first.evidence,
        fix=_one_header_fix(host, better, why, commands),
    )


def _passes(value: str) -> bool:
    try:
        return parse(value).max_age >= MIN_MAX_AGE
    except Malformed:
        return False


def _days(seconds: int) -> str:
    if seconds < 86400:
        return f"{seconds} s"
    days = seconds // 86400
    return f"{days} day{'s' if days != 1 else ''}"


def _fix(host: str, why: str, commands: Commands, count: int = 1) -> str:
    once = (
        f", once (browsers read only the first of the {count} headers sent now)"
        if count > 1
        else ""
    )
    return (
        f"https://{host}/ must tell browsers to use HTTPS only: {why}.\n"
        f"1. Send on every HTTPS response of {host} (redirects included){once}: "
        "`Strict-Transport-Security: max-age=31536000; includeSubDomains` (nginx: "
        '`add_header Strict-Transport-Security "max-age=31536000; includeSubDomains" '
        "always;`; Cloudflare: SSL/TLS > Edge Certificates > HSTS). Add includeSubDomains "
        "only once every subdomain serves HTTPS; add `preload` for the apex once you mean "
        "to submit it to hstspreload.org.\n"
        f"2. Verify: `{commands.curl('-sI', f'https://{host}/')} | grep -i "
        "strict-transport-security`."
    )


def _one_header_fix(host: str, keep: str, why: str, commands: Commands) -> str:
    return (
        f"https://{host}/ sends more than one {HEADER} header: {why}.\n"
        f"1. Remove the duplicate: send exactly one on every HTTPS response of {host}, "
        f"`{HEADER}: {keep}`. Two usually means two layers each add it (the app and nginx "
        "`add_header`, or the app and a Cloudflare rule): keep it in one of them.\n"
        f"2. Verify: `{commands.curl('-sI', f'https://{host}/')} | grep -ci "
        "strict-transport-security` prints 1."
    )
