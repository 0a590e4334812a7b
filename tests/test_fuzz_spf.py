"""Property-based tests (issue 19) of the email record parsers that read DNS text: SPF records
and macros (RFC 7208), DMARC records (RFC 9989) and DKIM key records (RFC 6376 3.6.1).

Two kinds per parser: records generated from the grammar parse to what was generated, and
mutated records end in a verdict or the parser's documented error, never another exception.
For SPF, check_host() and the include-tree walk run over generated records through an
in-process DNS stub that refuses (fails the test on) any name dnspython cannot build a query
for: the EmptyLabel / LabelTooLong crashes of issue 19.
"""

from __future__ import annotations

import asyncio
import base64
import ipaddress
from dataclasses import dataclass, field
from types import SimpleNamespace

import dns.name
from hypothesis import example, given
from hypothesis import strategies as st

from launchtui.checks.email.spf import fix_text
from launchtui.email import spf_macros
from launchtui.email.dkim_record import KeyRecordError, parse_key_record
from launchtui.email.dmarc import parse as parse_dmarc
from launchtui.email.spf import SpfResult, check_host, domain_problem
from launchtui.email.spf_macros import Escape, Macro, MacroEnv, MacroError
from launchtui.email.spf_merge import include_target
from launchtui.email.spf_terms import (
    Mechanism,
    Modifier,
    SpfSyntaxError,
    parse_record,
    parse_term,
)
from launchtui.email.spf_tree import literal_name, walk_tree
from launchtui.net.lookup import Answer, Lookup

ISSUE19_RECORDS = (
    "v=spf1 ip4:192.0.2.0/24 include:_spf.xe:_spf..test a mx:mail.x.test exists:.xdir ...",
    "v=spf1 ip4:192.0.2.0/ 24 incx.test a mlude:_spf.x.test a mil.x.test exists:%{i}. ...",
)

# --- generation -----------------------------------------------------------------------------

LABEL = st.from_regex(r"[a-z0-9_]([a-z0-9\-]{0,20}[a-z0-9])?", fullmatch=True)
TOPLABEL = st.from_regex(r"[a-z][a-z0-9]{0,8}|xn--[a-z0-9]{2,8}", fullmatch=True)
ESCAPE_TEXT = {"%": "%%", " ": "%_", "%20": "%-"}


@st.composite
def macros(draw: st.DrawFn) -> str:
    letter = draw(st.sampled_from(sorted(spf_macros.LETTERS)))
    letter = letter.upper() if draw(st.booleans()) else letter
    digits = draw(st.one_of(st.just(""), st.integers(1, 200).map(str)))
    reverse = draw(st.sampled_from(["", "r"]))
    delimiters = draw(st.text(alphabet=".-+,/_=", max_size=3))
    return f"%{{{letter}{digits}{reverse}{delimiters}}}"


@st.composite
def domain_specs(draw: st.DrawFn) -> str:
    """A domain-spec (RFC 7208 7.1): labels, some of them macros, ending in a top label or a
    macro-expand."""
    labels = draw(
        st.lists(
            st.one_of(LABEL, macros(), st.tuples(macros(), LABEL).map("".join)),
            min_size=1,
            max_size=4,
        )
    )
    if draw(st.booleans()):
        spec = ".".join(labels) + "." + draw(TOPLABEL) + draw(st.sampled_from(["", "."]))
    else:
        spec = ".".join(labels) + "." + draw(macros())
    return spec


def render_tokens(tokens: tuple[spf_macros.Token, ...]) -> str:
    """A parsed macro string written back, for comparing with what was generated."""
    out = []
    for token in tokens:
        if isinstance(token, Macro):
            letter = token.letter.upper() if token.escape else token.letter
            digits = str(token.digits) if token.digits else ""
            out.append(f"%{{{letter}{digits}{'r' if token.reverse else ''}{token.delimiters}}}")
        elif isinstance(token, Escape):
            out.append(ESCAPE_TEXT[str(token)])
        else:
            out.append(token)
    return "".join(out)


def normal_macros(spec: str) -> str:
    """`spec` as the parser keeps it: digit counts over 128 become 128 (7.3 keeps 128)."""
    tokens = spf_macros.parse(spec)
    return render_tokens(tokens)


@dataclass(frozen=True)
class Expected:
    text: str
    qualifier: str
    name: str
    domain: str | None = None
    network: str | None = None
    cidr4: int = 32
    cidr6: int = 128


QUALIFIER = st.sampled_from(["", "+", "-", "~", "?"])


@st.composite
def mechanisms(draw: st.DrawFn) -> Expected:
    qualifier = draw(QUALIFIER)
    kind = draw(st.sampled_from(["all", "include", "exists", "ptr", "ip4", "ip6", "a", "mx"]))
    q = qualifier or "+"
    if kind == "all":
        return Expected(f"{qualifier}all", q, "all")
    if kind in ("include", "exists"):
        spec = draw(domain_specs())
        return Expected(f"{qualifier}{kind}:{spec}", q, kind, domain=spec)
    if kind == "ptr":
        spec = draw(st.one_of(st.none(), domain_specs()))
        text = f"{qualifier}ptr" + (f":{spec}" if spec else "")
        return Expected(text, q, "ptr", domain=spec)
    if kind in ("ip4", "ip6"):
        if kind == "ip4":
            address: str = str(draw(st.ip_addresses(v=4)))
            limit = 32
        else:
            address = str(draw(st.ip_addresses(v=6)))
            limit = 128
        prefix = draw(st.one_of(st.none(), st.integers(0, limit)))
        cidr = f"/{prefix}" if prefix is not None else ""
        network = str(ipaddress.ip_network(f"{address}/{prefix or limit}", strict=False))
        if prefix == 0:
            network = str(ipaddress.ip_network(f"{address}/0", strict=False))
        return Expected(f"{qualifier}{kind}:{address}{cidr}", q, kind, network=network)
    spec = draw(st.one_of(st.none(), domain_specs()))
    cidr4 = draw(st.one_of(st.none(), st.integers(0, 32)))
    cidr6 = draw(st.one_of(st.none(), st.integers(0, 128)))
    text = f"{qualifier}{kind}" + (f":{spec}" if spec else "")
    text += (f"/{cidr4}" if cidr4 is not None else "") + (f"//{cidr6}" if cidr6 is not None else "")
    return Expected(
        text,
        q,
        kind,
        domain=spec,
        cidr4=32 if cidr4 is None else cidr4,
        cidr6=128 if cidr6 is None else cidr6,
    )


@st.composite
def spf_records(draw: st.DrawFn) -> tuple[str, list[Expected]]:
    terms = draw(st.lists(mechanisms(), max_size=8))
    for name in ("redirect", "exp"):
        if draw(st.booleans()):
            spec = draw(domain_specs())
            terms.insert(
                draw(st.integers(0, len(terms))), Expected(f"{name}={spec}", "", name, spec)
            )
    separator = draw(st.sampled_from([" ", "  "]))
    return "v=spf1" + "".join(separator + t.text for t in terms), terms


# --- mutation -------------------------------------------------------------------------------

NASTY = st.sampled_from(
    [
        "..",
        ".",
        "%",
        "%{",
        "%{i}.",
        ":",
        "/",
        "//",
        "=",
        " ",
        "\x00",
        "\x1b[31m",
        "\\",
        "[bold]",
        "[/]",
        "é",
        "\u200b",
        "x" * 64,
        "x" * 70 + ".",
        ("abcdefgh." * 40),
        "include:",
        "redirect=",
        "exists:%{l}",
        "%{p}",
        "\t",
        "\n",
    ]
)


@st.composite
def mutated(draw: st.DrawFn, valid: st.SearchStrategy[str]) -> str:
    text = draw(valid)
    for _ in range(draw(st.integers(1, 4))):
        position = draw(st.integers(0, len(text)))
        operation = draw(st.sampled_from(["insert", "delete", "replace", "truncate", "double"]))
        if operation == "insert":
            piece = draw(st.one_of(NASTY, st.text(max_size=3)))
            text = text[:position] + piece + text[position:]
        elif operation == "delete":
            text = text[:position] + text[position + draw(st.integers(1, 5)) :]
        elif operation == "replace":
            piece = draw(st.one_of(NASTY, st.characters()))
            text = text[:position] + piece + text[position + 1 :]
        elif operation == "truncate":
            text = text[:position]
        else:
            text = text[:position] + text[position:] + text[position:]
    return text


# --- a DNS stub -----------------------------------------------------------------------------


@dataclass
class StubDns:
    """An in-process resolver for check_host() and walk_tree(): answers from `txt` (and an A
    record for names in `addresses`), NXDOMAIN otherwise. A name dnspython cannot turn into
    a query is recorded in `refused`: the real client would have crashed on it."""

    txt: dict[str, list[str]]
    addresses: dict[str, list[str]] = field(default_factory=dict)
    refused: list[str] = field(default_factory=list)
    asked: int = 0

    async def lookup(self, name: str, rdtype: str) -> Lookup:
        self.asked += 1
        try:
            dns.name.from_text(name)
        except Exception as exc:
            self.refused.append(f"{name!r} {rdtype}: {type(exc).__name__}")
            raise AssertionError(self.refused[-1]) from None
        key = name.rstrip(".").lower()
        if rdtype == "TXT" and key in self.txt:
            return Lookup(name, rdtype, Answer.FOUND, tuple(self.txt[key]))
        if rdtype == "A" and key in self.addresses:
            return Lookup(name, rdtype, Answer.FOUND, tuple(self.addresses[key]))
        return Lookup(name, rdtype, Answer.NXDOMAIN)


def run_both(record: str, ip: str = "192.0.2.1", sender: str = "user@top.test") -> None:
    """check_host() and the include-tree walk over `record` at top.test (and at the targets
    of its literal includes, so that they are followed): no exception, no bad query."""
    txt = {"top.test": [record]}
    for word in record.split(" "):
        try:
            term = parse_term(word)
        except SpfSyntaxError:
            continue
        if term.name == "include":
            name = literal_name(include_target(term))
            if name:
                txt.setdefault(name, ["v=spf1 -all"])
    stub = StubDns(txt, {"top.test": ["192.0.2.1"]})
    outcome = asyncio.run(check_host(stub, ip, sender, budget=5))  # type: ignore[arg-type]
    assert isinstance(outcome.result, SpfResult)
    assert "internal error" not in outcome.reason
    tree = asyncio.run(walk_tree(stub, "top.test"))  # type: ignore[arg-type]
    # the email.spf check's fix: the merged record, its includes walked for their cost
    ctx = SimpleNamespace(net=SimpleNamespace(dns=stub, commands=_Commands()))
    fix = asyncio.run(fix_text(ctx, "top.test", tree, ()))  # type: ignore[arg-type]
    assert fix.startswith("Publish exactly one SPF record")
    assert not stub.refused


class _Commands:
    def launchtui(self, args: str) -> str:
        return f"launchtui {args}"

    def dig(self, name: str, rdtype: str) -> str:
        return f"dig {name} {rdtype}"


# --- SPF properties -------------------------------------------------------------------------


@given(spf_records())
def test_fuzz_spf_generated_records_parse_to_their_terms(
    generated: tuple[str, list[Expected]],
) -> None:
    text, expected = generated
    record = parse_record(text)
    assert [t.text for t in record.terms] == [e.text for e in expected]
    for term, want in zip(record.terms, expected, strict=True):
        assert term.name == want.name
        if isinstance(term, Modifier):
            assert want.domain is not None
            assert render_tokens(term.value) == normal_macros(want.domain)
            continue
        assert isinstance(term, Mechanism)
        assert term.qualifier == want.qualifier
        if want.domain is None:
            assert term.domain is None
        else:
            assert term.domain is not None
            assert render_tokens(term.domain) == normal_macros(want.domain)
        if want.network is not None:
            assert str(term.network) == want.network
        assert (term.cidr4, term.cidr6) == (want.cidr4, want.cidr6)


@given(mutated(spf_records().map(lambda generated: generated[0])))
@example(ISSUE19_RECORDS[0])
@example(ISSUE19_RECORDS[1])
@example("")
@example("v=spf1 include:" + "x" * 64 + ".test -all")
@example("v=spf1 include:%{l}" + "x" * 63 + ".test -all")
@example("v=spf1 a:" + "abcdefgh." * 40 + "test -all")
def test_fuzz_spf_mutated_records_parse_or_raise_the_syntax_error(text: str) -> None:
    try:
        record = parse_record(text)
    except SpfSyntaxError as exc:
        # the error names the term (the record's start when there is no "v=spf1"; found by
        # the long run: an empty record has an empty start, and still a reason)
        assert exc.reason and f'"{exc.term}"' in str(exc)
        assert exc.term in text
        return
    # A record that parses names only domains a query can be built from, as written or once
    # macros are expanded and the name cut (7.3) and checked (domain_problem).
    for term in record.terms:
        if term.name == "include":
            name = literal_name(include_target(term))
            if name is not None:
                dns.name.from_text(name)


@given(mutated(spf_records().map(lambda generated: generated[0])))
@example(ISSUE19_RECORDS[0])
@example(ISSUE19_RECORDS[1])
@example("v=spf1 include:%{l}" + "x" * 63 + ".test -all")
@example("v=spf1 include:" + "abcdefgh." * 40 + "test -all")
@example("v=spf1 exists:%{l}.%{l}.%{l}.%{l}.%{l}.test -all")
def test_fuzz_spf_check_host_and_tree_never_crash(text: str) -> None:
    run_both(text, sender=("x" * 70) + "@top.test")


@given(
    spf_records().map(lambda generated: generated[0]), st.sampled_from(["192.0.2.1", "2001:db8::1"])
)
def test_fuzz_spf_check_host_over_valid_records(text: str, ip: str) -> None:
    run_both(text, ip=ip)


IDENTITY = st.one_of(
    st.text(max_size=80),
    st.from_regex(r"[a-z0-9.+_-]{1,70}@[a-z0-9.-]{1,80}", fullmatch=True),
)


@given(
    st.lists(st.one_of(macros(), st.sampled_from(["%%", "%_", "%-", ".", "-"]), LABEL), max_size=8),
    IDENTITY,
    IDENTITY,
    st.ip_addresses(),
)
@example(["%{l}", ".", "x" * 63], "y" * 64 + "@x.test", "", ipaddress.ip_address("192.0.2.1"))
@example(["%{i}", "."], "@", "..", ipaddress.ip_address("2001:db8::1"))
def test_fuzz_spf_macro_expansion_never_raises(
    pieces: list[str],
    sender: str,
    helo: str,
    ip: ipaddress.IPv4Address | ipaddress.IPv6Address,
) -> None:
    text = "".join(pieces)
    tokens = spf_macros.parse(text)
    env = MacroEnv(sender, sender.rpartition("@")[2], ip, helo)
    expanded = spf_macros.expand(tokens, env)
    name = spf_macros.truncate_domain(expanded)
    assert len(name) <= spf_macros.MAX_DOMAIN or "." not in name
    if not domain_problem(name):
        dns.name.from_text(name)  # what the evaluator then queries


@given(st.text(max_size=40))
@example("%{")
@example("%{x}")
@example("%{i0}")
def test_fuzz_spf_macro_parse_raises_only_macro_error(text: str) -> None:
    try:
        tokens = spf_macros.parse(text)
    except MacroError as exc:
        assert str(exc)
        return
    assert "".join(map(str, tokens)) or not text


# --- DMARC ----------------------------------------------------------------------------------

MAILTO = st.builds(
    lambda local, host, size: f"mailto:{local}@{host}.test{size}",
    st.from_regex(r"[a-z0-9._+-]{1,20}", fullmatch=True),
    st.from_regex(r"[a-z0-9]([a-z0-9-]{0,10}[a-z0-9])?", fullmatch=True),
    st.sampled_from(["", "!10m", "!500k", "!1"]),
)
DMARC_OPTIONAL = {
    "sp": st.sampled_from(["none", "quarantine", "reject", "Reject"]),
    "np": st.sampled_from(["none", "quarantine", "reject"]),
    "adkim": st.sampled_from(["r", "s"]),
    "aspf": st.sampled_from(["r", "s", "S"]),
    "t": st.sampled_from(["y", "n"]),
    "psd": st.sampled_from(["y", "n", "u"]),
    "fo": st.lists(st.sampled_from(["0", "1", "d", "s"]), min_size=1, max_size=4).map(":".join),
    "rua": st.lists(MAILTO, min_size=1, max_size=3).map(",".join),
    "ruf": st.lists(MAILTO, min_size=1, max_size=2).map(",".join),
}


@st.composite
def dmarc_records(draw: st.DrawFn) -> tuple[str, dict[str, str]]:
    tags = {"p": draw(st.sampled_from(["none", "quarantine", "reject"]))}
    names = draw(st.lists(st.sampled_from(sorted(DMARC_OPTIONAL)), unique=True, max_size=9))
    for name in names:
        tags[name] = draw(DMARC_OPTIONAL[name])
    space = draw(st.sampled_from(["", " ", "\t"]))
    text = f";{space}".join(["v=DMARC1", *(f"{k}={v}" for k, v in tags.items())])
    text += draw(st.sampled_from(["", ";", "; "]))
    return text, {"v": "DMARC1", **tags}


@given(dmarc_records())
def test_fuzz_dmarc_generated_records_parse_to_their_tags(
    generated: tuple[str, dict[str, str]],
) -> None:
    text, tags = generated
    record = parse_dmarc(text)
    assert record.errors == []
    assert record.tags == tags
    assert record.policy == tags["p"]
    assert len(record.rua) == (tags["rua"].count(",") + 1 if "rua" in tags else 0)


@given(mutated(dmarc_records().map(lambda generated: generated[0])))
@example("v=DMARC1; p=reject; rua=mailto:a@" + "x" * 64 + ".test")
@example("v=DMARC1; p=reject; rua=mailto:%40@..")
@example("v=DMARC1; p=;;; rua=,")
def test_fuzz_dmarc_mutated_records_give_a_verdict(text: str) -> None:
    record = parse_dmarc(text)  # documented: never raises, problems are in record.errors
    assert record.valid == (not record.errors)
    record.to_dict()
    for uri in record.rua + record.ruf:
        if uri.host:
            dns.name.from_text(uri.host)  # a report host the check may query


# --- DKIM key records -----------------------------------------------------------------------

KEY_BYTES = st.binary(min_size=0, max_size=300)


@st.composite
def dkim_records(draw: st.DrawFn) -> tuple[str, dict[str, object]]:
    key = draw(KEY_BYTES)
    parts: list[str] = []
    version = draw(st.booleans())
    if version:
        parts.append("v=DKIM1")
    key_type = draw(st.sampled_from([None, "rsa", "ed25519"]))
    optional = {
        "k": key_type,
        "h": draw(st.sampled_from([None, "sha256", "sha1:sha256"])),
        "s": draw(st.sampled_from([None, "*", "email", "email:*"])),
        "t": draw(st.sampled_from([None, "y", "s", "y:s"])),
        "n": draw(st.one_of(st.none(), st.from_regex(r"[a-zA-Z0-9 ]{0,20}", fullmatch=True))),
    }
    for name in draw(st.permutations([k for k, v in optional.items() if v is not None])):
        parts.append(f"{name}={optional[name]}")
    encoded = base64.b64encode(key).decode()
    # white space may be folded into base64 (RFC 6376 3.6.1 p=)
    if encoded and draw(st.booleans()):
        encoded = " ".join(encoded[i : i + 16] for i in range(0, len(encoded), 16))
    parts.insert(draw(st.integers(1 if version else 0, len(parts))), f"p={encoded}")
    text = draw(st.sampled_from(["; ", ";", " ; "])).join(parts)
    return text, {
        "key": key,
        "key_type": key_type or "rsa",
        "version": "DKIM1" if version else None,
        **optional,
    }


@given(dkim_records())
def test_fuzz_dkim_generated_key_records_parse_to_their_tags(
    generated: tuple[str, dict[str, object]],
) -> None:
    text, want = generated
    record = parse_key_record(text)
    assert record.public_key == want["key"]
    assert record.key_type == want["key_type"]
    assert record.version == want["version"]
    assert record.revoked == (want["key"] == b"")
    if want["t"] is not None:
        assert record.flags == tuple(str(want["t"]).split(":"))
    if want["s"] is not None:
        assert record.service_types == tuple(str(want["s"]).split(":"))
    if want["h"] is not None:
        assert record.hash_algorithms == tuple(str(want["h"]).split(":"))


@given(mutated(dkim_records().map(lambda generated: generated[0])))
@example("v=DKIM1; p=" + "A" * 5)
@example("p==; p=")
@example("v=DKIM1; k=rsa; p=\x00")
def test_fuzz_dkim_mutated_key_records_give_a_record_or_the_error(text: str) -> None:
    try:
        parse_key_record(text)
    except KeyRecordError as exc:
        assert str(exc)


def test_fuzz_the_issue_records_names_every_bad_term() -> None:
    for text in ISSUE19_RECORDS:
        try:
            parse_record(text)
        except SpfSyntaxError as exc:
            assert exc.term in text
        else:  # pragma: no cover - both records have syntax errors
            raise AssertionError(text)
