"""SPF macro strings (RFC 7208 section 7): parsing, and expansion for one evaluation.

A macro string is parsed once, when its record is parsed (a bad macro is a syntax error of
the record, so permerror before anything is evaluated), and expanded each time its term is
evaluated. Expansion is pure: the caller supplies every value, including %{p} (the validated
domain name of the client, which needs DNS lookups) when `needs_p` says the string uses it.
"""

from __future__ import annotations

import ipaddress
import re
import urllib.parse
from dataclasses import dataclass

# Letters allowed anywhere, and the ones only explanation (exp=) text may use (7.2).
LETTERS = frozenset("slodiphv")
EXP_LETTERS = frozenset("crt")
DELIMITERS = frozenset(".-+,/_=")
ESCAPES = {"%": "%", "_": " ", "-": "%20"}  # "%%", "%_" and "%-" (7.1)
MAX_DIGITS = 128  # a transformer keeps at most this many parts (7.3 asks for at least 127)
MAX_DOMAIN = 253  # an expanded domain longer than this loses labels on the left (7.3)

_MACRO = re.compile(r"%\{([A-Za-z])([0-9]*)(r?)([.\-+,/_=]*)\}", re.IGNORECASE)


class MacroError(ValueError):
    """A malformed macro string; str() names what is wrong."""


@dataclass(frozen=True, slots=True)
class Macro:
    letter: str  # lower case
    escape: bool  # an upper-case letter: URL-escape the value
    digits: int  # 0: keep every part
    reverse: bool
    delimiters: str  # "" means "."


class Escape(str):
    """The text "%%", "%_" or "%-" stands for ("%", " ", "%20"): literal text, but a
    macro-expand in the grammar (7.1), so a domain-spec may end in one."""

    __slots__ = ()


# A parsed macro string: literal text (escapes apart) and macros, in order.
Token = str | Macro


@dataclass(frozen=True, slots=True)
class MacroEnv:
    """The values macros expand to during one check_host() evaluation."""

    sender: str  # <sender>, local-part@domain (postmaster@ when it had no local part)
    domain: str  # the current <domain>
    ip: ipaddress.IPv4Address | ipaddress.IPv6Address
    helo: str = ""
    validated: str = "unknown"  # %{p}, computed by the evaluator when needs_p() said so
    receiver: str = "unknown"  # %{r}
    timestamp: int = 0  # %{t}

    @property
    def local_part(self) -> str:
        return self.sender.rpartition("@")[0] or "postmaster"

    @property
    def sender_domain(self) -> str:
        return self.sender.rpartition("@")[2]


def parse(text: str, *, explanation: bool = False) -> tuple[Token, ...]:
    """Tokens of `text`; MacroError when it is not a valid macro string.

    `explanation`: the text of an exp= record, where c, r and t are allowed and so are spaces.
    """
    tokens: list[Token] = []
    literal: list[str] = []
    index = 0
    while index < len(text):
        char = text[index]
        if char != "%":
            if not 0x21 <= ord(char) <= 0x7E and not (explanation and char == " "):
                raise MacroError(f"character {char!r} is not allowed in a macro string")
            literal.append(char)
            index += 1
            continue
        following = text[index + 1 : index + 2]
        if following in ESCAPES:
            if literal:
                tokens.append("".join(literal))
                literal = []
            tokens.append(Escape(ESCAPES[following]))
            index += 2
            continue
        match = _MACRO.match(text, index)
        if match is None:
            bad = text[index : index + 2] if following != "{" else text[index:]
            raise MacroError(f"malformed macro {bad!r}")
        letter, digits, reverse, delimiters = match.groups()
        lower = letter.lower()
        if lower in EXP_LETTERS and not explanation:
            raise MacroError(f"macro letter {letter!r} is only allowed in exp= text")
        if lower not in LETTERS | EXP_LETTERS:
            raise MacroError(f"unknown macro letter {letter!r}")
        if digits and int(digits) == 0:
            raise MacroError(f"macro {match.group(0)!r} keeps zero parts")
        if literal:
            tokens.append("".join(literal))
            literal = []
        tokens.append(
            Macro(
                letter=lower,
                escape=letter.isupper(),
                digits=min(int(digits), MAX_DIGITS) if digits else 0,
                reverse=bool(reverse),
                delimiters=delimiters,
            )
        )
        index = match.end()
    if literal:
        tokens.append("".join(literal))
    return tuple(tokens)


def needs_p(tokens: tuple[Token, ...]) -> bool:
    return any(isinstance(token, Macro) and token.letter == "p" for token in tokens)


def expand(tokens: tuple[Token, ...], env: MacroEnv) -> str:
    return "".join(t if isinstance(t, str) else _expand_macro(t, env) for t in tokens)


def truncate_domain(name: str) -> str:
    """An expanded domain cut to 253 characters by dropping labels on the left (7.3)."""
    name = name.rstrip(".")
    while len(name) > MAX_DOMAIN and "." in name:
        name = name.split(".", 1)[1]
    return name


def _expand_macro(macro: Macro, env: MacroEnv) -> str:
    value = _value(macro.letter, env)
    if macro.digits or macro.reverse or macro.delimiters:
        pattern = "[" + re.escape(macro.delimiters or ".") + "]"
        parts = re.split(pattern, value)
        if macro.reverse:
            parts.reverse()
        if macro.digits:
            parts = parts[-macro.digits :]
        value = ".".join(parts)
    if macro.escape:
        value = urllib.parse.quote(value, safe="")  # keeps the RFC 3986 unreserved set
    return value


def _value(letter: str, env: MacroEnv) -> str:
    ip = env.ip
    match letter:
        case "s":
            return env.sender
        case "l":
            return env.local_part
        case "o":
            return env.sender_domain
        case "d":
            return env.domain
        case "i":
            if isinstance(ip, ipaddress.IPv6Address):
                # 7.3 leaves the nibbles' case open (DNS names ignore it, RFC 4343); exp= text
                # shows them in upper case, as the RFC 7208 test suite (v-macro-ip6) expects.
                return ".".join(ip.exploded.replace(":", "").upper())
            return str(ip)
        case "p":
            return env.validated
        case "v":
            return "ip6" if isinstance(ip, ipaddress.IPv6Address) else "in-addr"
        case "h":
            return env.helo
        case "c":
            return str(ip)
        case "r":
            return env.receiver
        case "t":
            return str(env.timestamp)
    raise MacroError(f"unknown macro letter {letter!r}")  # parse() lets none through
