"""SPF records parsed into terms (RFC 7208 sections 4.5, 4.6, 5 and 6).

A whole record is parsed before any of it is evaluated: a syntax error anywhere makes
check_host() return permerror without evaluating a single term (4.6). Errors name the term.
"""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass

from launchtui.email import spf_macros
from launchtui.email.spf_macros import Escape, Macro, MacroError, Token

VERSION = "v=spf1"
MECHANISMS = ("all", "include", "a", "mx", "ptr", "ip4", "ip6", "exists")
# The terms that cost one of the ten DNS lookups (4.6.4); the redirect modifier too.
LOOKUP_TERMS = frozenset({"include", "a", "mx", "ptr", "exists", "redirect"})
QUALIFIERS = {"+": "pass", "-": "fail", "~": "softfail", "?": "neutral"}

_TERM = re.compile(r"([+\-~?]?)([A-Za-z][A-Za-z0-9\-_.]*)(.*)", re.DOTALL)
_DUAL_CIDR = re.compile(r"(?:/([0-9]+))?(?://([0-9]+))?\Z")
_CIDR = re.compile(r"0|[1-9][0-9]*")
_TOPLABEL = re.compile(
    r"\.([A-Za-z0-9]*[A-Za-z][A-Za-z0-9]*|[A-Za-z0-9]+-[A-Za-z0-9\-]*[A-Za-z0-9])\.?\Z"
)
_IP4 = re.compile(r"[0-9]{1,3}(?:\.[0-9]{1,3}){3}\Z")


class SpfSyntaxError(ValueError):
    """A record that does not parse; str() names the term and what is wrong with it."""

    def __init__(self, term: str, reason: str) -> None:
        super().__init__(f'syntax error in "{term}": {reason}')
        self.term = term
        self.reason = reason


@dataclass(frozen=True, slots=True)
class Mechanism:
    text: str  # the term as written in the record
    qualifier: str  # "+", "-", "~" or "?"
    name: str  # lower case, one of MECHANISMS
    domain: tuple[Token, ...] | None = None  # the domain-spec; None: the current domain
    network: ipaddress.IPv4Network | ipaddress.IPv6Network | None = None  # ip4 and ip6
    cidr4: int = 32  # a and mx: prefix lengths to compare the client address with
    cidr6: int = 128

    @property
    def result(self) -> str:
        return QUALIFIERS[self.qualifier]


@dataclass(frozen=True, slots=True)
class Modifier:
    text: str
    name: str  # lower case
    value: tuple[Token, ...]


Term = Mechanism | Modifier


@dataclass(frozen=True, slots=True)
class Record:
    text: str
    terms: tuple[Term, ...]

    @property
    def mechanisms(self) -> tuple[Mechanism, ...]:
        return tuple(t for t in self.terms if isinstance(t, Mechanism))

    def modifier(self, name: str) -> Modifier | None:
        return next((t for t in self.terms if isinstance(t, Modifier) and t.name == name), None)


def is_spf(text: str) -> bool:
    """An SPF record: "v=spf1" alone or followed by a space, in any case (4.5)."""
    head = text[: len(VERSION) + 1].lower()
    return head == VERSION or head == VERSION + " "


def counts_lookup(term: Term) -> bool:
    return term.name in LOOKUP_TERMS


def parse_record(text: str) -> Record:
    if not is_spf(text):
        raise SpfSyntaxError(text[:20], 'an SPF record starts with "v=spf1"')
    terms: list[Term] = []
    for word in text[len(VERSION) :].split(" "):
        if word:
            terms.append(parse_term(word))
    for name in ("redirect", "exp"):
        repeats = [t for t in terms if isinstance(t, Modifier) and t.name == name]
        if len(repeats) > 1:
            raise SpfSyntaxError(repeats[1].text, f"the {name}= modifier appears more than once")
    return Record(text, tuple(terms))


def parse_term(word: str) -> Term:
    match = _TERM.fullmatch(word)
    if match is None:
        raise SpfSyntaxError(word, "not a mechanism or a modifier")
    qualifier, name, rest = match.groups()
    if not qualifier and rest.startswith("="):
        return _modifier(word, name.lower(), rest[1:])
    name = name.lower()
    if name not in MECHANISMS:
        raise SpfSyntaxError(word, f"unknown mechanism {name!r}")
    qualifier = qualifier or "+"
    try:
        return _mechanism(word, qualifier, name, rest)
    except MacroError as exc:
        raise SpfSyntaxError(word, str(exc)) from None


def _modifier(word: str, name: str, value: str) -> Modifier:
    try:
        # Unknown modifiers are ignored, but must still be valid macro strings (6).
        tokens = domain_spec(value) if name in ("redirect", "exp") else spf_macros.parse(value)
    except MacroError as exc:
        raise SpfSyntaxError(word, str(exc)) from None
    return Modifier(word, name, tokens)


def _mechanism(word: str, qualifier: str, name: str, rest: str) -> Mechanism:
    if name == "all":
        if rest:
            raise SpfSyntaxError(word, '"all" takes no argument')
        return Mechanism(word, qualifier, name)
    if name in ("include", "exists"):
        if not rest.startswith(":"):
            raise SpfSyntaxError(word, f'"{name}" needs ":domain"')
        return Mechanism(word, qualifier, name, domain_spec(rest[1:]))
    if name == "ptr":
        if rest and not rest.startswith(":"):
            raise SpfSyntaxError(word, '"ptr" takes an optional ":domain" only')
        return Mechanism(word, qualifier, name, domain_spec(rest[1:]) if rest else None)
    if name in ("ip4", "ip6"):
        return Mechanism(word, qualifier, name, network=_network(word, name, rest))
    # a and mx: [":" domain-spec] [dual-cidr-length]
    cidr = _DUAL_CIDR.search(rest)
    assert cidr is not None  # the pattern matches the empty string at the end
    cidr4 = _prefix(word, cidr.group(1), 32)
    cidr6 = _prefix(word, cidr.group(2), 128)
    spec = rest[: cidr.start()]
    if spec and not spec.startswith(":"):
        raise SpfSyntaxError(word, f'"{name}" takes ":domain" and "/prefix" lengths only')
    domain = domain_spec(spec[1:]) if spec else None
    return Mechanism(word, qualifier, name, domain, cidr4=cidr4, cidr6=cidr6)


def domain_spec(text: str) -> tuple[Token, ...]:
    """A domain-spec: a macro string ending in a macro-expand (a macro, or the escape "%%",
    "%_" or "%-") or in "." and a top label (7.1)."""
    if not text:
        raise MacroError("the domain is empty")
    tokens = spf_macros.parse(text)
    last = tokens[-1]
    if isinstance(last, str) and not isinstance(last, Escape) and not _TOPLABEL.search(last):
        raise MacroError(f"{text!r} is not a domain name with a top-level label")
    problem = _label_problem(tokens)
    if problem:
        raise MacroError(f"{text!r} {problem}")
    return tokens


def _label_problem(tokens: tuple[Token, ...]) -> str:
    """What makes a domain-spec no domain name whatever its macros expand to, or "".

    RFC 7208 7.1 defines domain-spec as a domain name written with macros, and 4.8 leaves a
    target that is no valid domain name undefined; the RFC 7208 test suite accepts permerror
    for one written out (invalid-domain-empty-label, invalid-domain-long), and 4.6 makes a
    syntax error anywhere in the record permerror before any term is evaluated. So labels
    written out in full (no macro in them) are checked here: a zero-length label (only the
    root after a trailing dot may be empty) or one over 63 octets (RFC 1035 2.3.4) can never
    make a DNS name, and the term is a syntax error naming it rather than a query dnspython
    refuses (issue 19). A name over 253 octets is no error: 7.3 drops labels from the left
    of the expanded name until it fits. What macros expand to is judged when the term is
    evaluated (spf.domain_problem: the term does not match).
    """
    labels: list[tuple[str, bool]] = [("", False)]  # (literal text, holds a macro)
    for token in tokens:
        if isinstance(token, Macro):
            labels[-1] = (labels[-1][0], True)
            continue
        parts = token.split(".") if not isinstance(token, Escape) else [str(token)]
        labels[-1] = (labels[-1][0] + parts[0], labels[-1][1])
        labels += [(part, False) for part in parts[1:]]
    if len(labels) > 1 and labels[-1] == ("", False):
        labels.pop()  # the trailing dot of a fully qualified name
    for text, macro in labels:
        if not macro and not text:
            return "has a zero-length label"
        if len(text.encode()) > 63:
            return "has a label longer than 63 characters"
    return ""


def _prefix(word: str, digits: str | None, limit: int) -> int:
    if digits is None:
        return limit
    if not _CIDR.fullmatch(digits) or int(digits) > limit:
        raise SpfSyntaxError(word, f"/{digits} is not a prefix length from 0 to {limit}")
    return int(digits)


def _network(word: str, name: str, rest: str) -> ipaddress.IPv4Network | ipaddress.IPv6Network:
    if not rest.startswith(":") or len(rest) < 2:
        raise SpfSyntaxError(word, f'"{name}" needs ":address"')
    address, slash, digits = rest[1:].partition("/")
    limit = 32 if name == "ip4" else 128
    prefix = _prefix(word, digits if slash else None, limit)
    try:
        if name == "ip4":
            if not _IP4.match(address):
                raise ValueError
            return ipaddress.IPv4Network((ipaddress.IPv4Address(address), prefix), strict=False)
        return ipaddress.IPv6Network((ipaddress.IPv6Address(address), prefix), strict=False)
    except ValueError:
        kind = "IPv4" if name == "ip4" else "IPv6"
        raise SpfSyntaxError(word, f"{address!r} is not an {kind} address") from None
