"""DMARC (RFC 9989): parse a record, discover it by the DNS Tree Walk, check report destinations.

RFC 9989 (May 2026) obsoletes RFC 7489 and RFC 9091; section numbers below are RFC 9989's.
- `parse(text)` reads one record per 4.7 and 4.8: `v=DMARC1` first (the version is
  case-sensitive, the ABNF spells it with %s), tag names and keyword values case-insensitive,
  every known tag's value checked, each problem an exact message naming the tag. Unknown tags
  are ignored by receivers (4.7) and reported as warnings; so are the historic pct, rf and ri
  (Appendix A.6, C.5.2), which are not validated any more. p may come anywhere after v and may
  be missing: receivers then act as p=none when rua holds a valid URI (4.10.1). Repeated tags:
  receivers differ on which copy wins, so a repeated tag is an error.
- `discover(client, domain)` is policy discovery (4.10.1): `_dmarc.<domain>`, then the DNS Tree
  Walk up the parents (4.10: at most eight lookups), the first name holding exactly one DMARC
  record giving the policy (several at one name are all discarded). `organizational_domain`
  is 4.10.2's tree walk, psd=y and psd=n included: no Public Suffix List any more.
- `check_destinations(client, record, policy_domain)`: a `mailto:` report address outside the
  policy's organizational domain receives reports only if
  `<policy domain>._report._dmarc.<destination host>` publishes a TXT record starting with
  `v=DMARC1` (RFC 9990 section 4).
"""

from __future__ import annotations

import re
import urllib.parse
from dataclasses import dataclass, field

from launchtui.email.messages import capped
from launchtui.email.txt import txt_records
from launchtui.net.dns import Answer, DnsClient

POLICIES = ("none", "quarantine", "reject")  # weakest first
ALIGNMENTS = ("r", "s")
YES_NO = ("y", "n")
PSD_VALUES = ("y", "n", "u")
FAILURE_OPTIONS = ("0", "1", "d", "s")
KNOWN_TAGS = ("v", "p", "sp", "np", "t", "psd", "rua", "ruf", "adkim", "aspf", "fo")
HISTORIC_TAGS = ("pct", "rf", "ri")  # removed by RFC 9989 (Appendix C.5.2)
MAX_LOOKUPS = 8  # names one tree walk asks at most (4.10)
SHORTCUT_LABELS = 7  # a longer name jumps to its last seven labels after the first lookup
MAX_NAME = 253  # characters in a DNS name, without the final dot
MAX_DESTINATIONS = 10  # external report hosts checked per record (URIs: twice that)

_VERSION = re.compile(r"[vV][ \t]*=[ \t]*DMARC1(?=[ \t;]|$)")
_TAG_NAME = re.compile(r"[A-Za-z][A-Za-z0-9_]*")
_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*:")
_SIZE = re.compile(r"[0-9]+[kmgtKMGT]?")
_PCT = re.compile(r"[0-9]{1,3}")
_DOMAIN = re.compile(
    r"(?=.{1,253}$)([A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z0-9-]{1,63}"
)
_WSP = " \t"


def is_dmarc(text: str) -> bool:
    """Whether a TXT record is a DMARC record at all: it starts with v=DMARC1 (4.10 step 2)."""
    return _VERSION.match(text) is not None


def looks_like_dmarc(text: str) -> bool:
    """A TXT record that was probably meant as DMARC but is discarded by receivers."""
    lowered = text.strip().lower()
    return "v=dmarc" in lowered.replace(" ", "") or lowered.startswith(("p=", "rua="))


@dataclass(frozen=True, slots=True)
class ReportUri:
    """One DMARC URI of rua or ruf (4.6): the URI as written and its obsolete size limit."""

    tag: str  # "rua" or "ruf"
    uri: str
    size: str = ""  # "10m" of "!10m": RFC 9989 receivers ignore it (4.8)
    address: str = ""  # the mailbox of a mailto: URI
    host: str = ""  # its domain, lower case

    def to_dict(self) -> dict[str, str]:
        return {"tag": self.tag, "uri": self.uri, "size": self.size, "address": self.address}


def weaker(policy: str, than: str) -> bool:
    return POLICIES.index(policy) < POLICIES.index(than)


def under_test(policy: str) -> str:
    """The policy a receiver applies under t=y: one level below the one written (4.7 t)."""
    return POLICIES[max(POLICIES.index(policy) - 1, 0)]


@dataclass(slots=True)
class Record:
    text: str
    tags: dict[str, str] = field(default_factory=dict)  # valid tags, name -> value as written
    rua: list[ReportUri] = field(default_factory=list)
    ruf: list[ReportUri] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # accepted, worth knowing, nothing to fix
    historic: dict[str, str] = field(default_factory=dict)  # pct, rf, ri as written
    invalid_tags: set[str] = field(default_factory=set)
    p_follows_v: bool = True  # RFC 7489's grammar wanted p second; RFC 9989's does not

    @property
    def valid(self) -> bool:
        return not self.errors

    def _policy_tag(self, tag: str) -> str | None:
        value = self.tags.get(tag)
        return value.lower() if value is not None else None

    @property
    def policy(self) -> str | None:
        return self._policy_tag("p")

    @property
    def testing(self) -> bool:
        """t=y: the owner is testing its policy; receivers apply one level below (4.7)."""
        return self.tags.get("t", "n").lower() == "y"

    @property
    def psd(self) -> str:
        return self.tags.get("psd", "u").lower()

    def receiver_policy(self, *, subdomain: bool = False, exists: bool = True) -> str | None:
        """The policy RFC 9989 receivers take from this record (4.10.1), t=y not applied yet:
        p for the domain that published it; for a subdomain sp, or np when the subdomain
        does not exist (each falling back to sp, then p). A record without a valid p, or with
        an invalid sp or np, counts as p=none when rua holds a valid URI, else as no DMARC."""
        if {"v", "p", "sp", "np"} & self.invalid_tags or self.policy is None:
            return "none" if self.rua and "v" not in self.invalid_tags else None
        if not subdomain:
            return self.policy
        sp = self._policy_tag("sp") or self.policy
        return sp if exists else self._policy_tag("np") or sp

    def to_dict(self) -> dict[str, object]:
        return {
            "record": self.text,
            "valid": self.valid,
            "tags": dict(self.tags),
            "historic": dict(self.historic),
            "rua": [uri.to_dict() for uri in self.rua],
            "ruf": [uri.to_dict() for uri in self.ruf],
            "errors": list(self.errors),
            "warnings": list(self.warnings),
            "notes": list(self.notes),
        }


def _show(value: str) -> str:
    return f'"{value}"'


def _split(text: str) -> list[tuple[str, str | None]]:
    """(name, value) per tag-spec, value None when there is no "="; empty specs dropped."""
    specs = []
    for raw in text.split(";"):
        spec = raw.strip(_WSP)
        if not spec:
            continue  # the ABNF allows a trailing ";"; an empty one between two is harmless
        name, equals, value = spec.partition("=")
        specs.append((name.strip(_WSP), value.strip(_WSP) if equals else None))
    return specs


def parse(text: str) -> Record:
    record = Record(text)
    specs = _split(text)
    first = specs[0] if specs else ("", None)
    if not is_dmarc(text):
        found = f"{first[0]}={first[1]}" if first[1] is not None else first[0]
        record.errors.append(
            f'v: the record must start with "v=DMARC1" (found {_show(found[:40])}); '
            "receivers ignore a record that does not (RFC 9989 4.7)"
        )
        record.invalid_tags.add("v")
    counts: dict[str, int] = {}
    for name, _ in specs:
        counts[name.lower()] = counts.get(name.lower(), 0) + 1
    record.p_follows_v = len(specs) > 1 and specs[1][0].lower() == "p"
    for name, value in specs:
        key = name.lower()
        if value is None:
            record.errors.append(f'{_show(name)}: tag without "=" (write tag=value; RFC 9989 4.8)')
            continue
        if not _TAG_NAME.fullmatch(name):
            record.errors.append(f"{_show(name)}: not a tag name (letters, digits and _)")
            continue
        if counts[key] > 1:
            if key not in record.invalid_tags:
                record.errors.append(
                    f"{key}: duplicated tag ({counts[key]} times); receivers may read any of them"
                )
                record.invalid_tags.add(key)
            continue
        if key == "v" and "v" in record.invalid_tags:
            continue  # already reported: the record does not start with v=DMARC1
        if key in HISTORIC_TAGS:
            record.historic[key] = value
            record.warnings.append(_historic(key, value))
            continue
        if key not in KNOWN_TAGS:
            record.warnings.append(f"{name}: unknown tag, ignored by receivers (RFC 9989 4.7)")
            continue
        problem = _check_tag(record, key, value)
        if problem and "=" in value and key not in ("rua", "ruf"):
            problem += ' (a missing ";" before the next tag?)'
        if problem:
            record.errors.append(f"{key}: {problem}")
            record.invalid_tags.add(key)
        else:
            record.tags[key] = value
    if "p" not in counts:
        _missing_p(record)
    _advise(record)
    record.errors = capped(record.errors)
    record.warnings = capped(record.warnings)
    return record


def _historic(key: str, value: str) -> str:
    """Why a historic tag does nothing any more (RFC 9989 Appendix A.6, C.5.2)."""
    if key == "pct":
        return (
            f"pct={value}: removed in RFC 9989 (Appendix A.6), receivers ignore it and apply "
            "the policy to all failing mail; for a gradual rollout use t=y (testing) and the "
            "aggregate reports instead"
        )
    if key == "rf":
        return f"rf={value}: removed in RFC 9989, receivers ignore it (failure reports are AFRF)"
    return (
        f"ri={value}: removed in RFC 9989, receivers ignore it (they report at least daily, "
        "section 5.3.8)"
    )


def _missing_p(record: Record) -> None:
    """No p: RFC 9989 receivers act as p=none when rua holds a valid URI, else apply no DMARC
    (4.7 p, 4.10.1)."""
    if record.rua:
        record.warnings.append(
            "p: missing, so receivers act as p=none because rua is valid (RFC 9989 4.10.1); "
            "write p=none explicitly, then move to quarantine and reject"
        )
    else:
        record.errors.append(
            "p: missing and no valid rua, so receivers apply no DMARC at all (RFC 9989 "
            "4.10.1); add p=none and rua to start"
        )


def _check_tag(record: Record, key: str, value: str) -> str:
    """What is wrong with the value of a known tag, "" when nothing is (RFC 9989 4.7, 4.8)."""
    lowered = value.lower()
    if key == "v":
        return "" if value == "DMARC1" else f'{_show(value)} is not the version "DMARC1"'
    if key in ("p", "sp", "np"):
        if lowered in POLICIES:
            return ""
        return f"{_show(value)} is not a policy (none, quarantine or reject; RFC 9989 4.7)"
    if key in ("adkim", "aspf"):
        if lowered in ALIGNMENTS:
            return ""
        return f"{_show(value)} is not an alignment mode (r: relaxed, s: strict; RFC 9989 4.7)"
    if key == "t":
        return "" if lowered in YES_NO else f"{_show(value)} is not y or n (RFC 9989 4.7)"
    if key == "psd":
        if lowered in PSD_VALUES:
            return ""
        return f"{_show(value)} is not y, n or u (RFC 9989 4.7)"
    if key == "fo":
        options = [option.strip(_WSP) for option in value.split(":")]
        bad = next((o for o in options if o.lower() not in FAILURE_OPTIONS), None)
        if bad is None:
            return ""
        return (
            f'{_show(bad)} is not a failure reporting option (0, 1, d or s, separated by ":"; '
            "RFC 9989 4.7)"
        )
    uris, problem = _report_uris(key, value)
    if not problem:
        getattr(record, key).extend(uris)
    return problem


def _report_uris(tag: str, value: str) -> tuple[list[ReportUri], str]:
    """The DMARC URIs of rua or ruf (4.6, 4.8), or what is wrong with the first bad one."""
    uris = []
    for raw in value.split(","):
        text = raw.strip(_WSP)
        if not text:
            return [], f"empty URI in {_show(value[:80])} (URIs are separated by one comma)"
        uri, bang, size = text.rpartition("!") if "!" in text else (text, "", "")
        if bang and not _SIZE.fullmatch(size):
            return [], (
                f'{_show(text)} has an invalid size limit {_show(size)} (a "!" inside a URI '
                "must be written %21; RFC 9989 4.8)"
            )
        if not _SCHEME.match(uri):
            hint = f" (write mailto:{uri})" if "@" in uri else ""
            return [], f"{_show(uri)} is not a URI{hint}"
        scheme = uri.split(":", 1)[0].lower()
        if scheme != "mailto":
            uris.append(ReportUri(tag, uri, size.lower()))
            continue
        address = urllib.parse.unquote(uri.split(":", 1)[1].split("?", 1)[0])
        local, at, host = address.rpartition("@")
        if not (at and local and _DOMAIN.fullmatch(host)):
            return [], f"{_show(uri)} has no valid mail address (mailto:name@domain)"
        uris.append(ReportUri(tag, uri, size.lower(), address, host.lower().rstrip(".")))
    return uris, ""


def _advise(record: Record) -> None:
    """Warnings about valid records that will not do what their owner expects, and notes."""
    for tag in ("rua", "ruf"):
        uris: list[ReportUri] = getattr(record, tag)
        for uri in uris:
            if not uri.address:
                record.warnings.append(
                    f"{tag}: {_show(uri.uri)} is not a mailto: URI; receivers only have to "
                    "support mailto: (RFC 9989 4.7)"
                )
            if uri.size:
                record.notes.append(
                    f"{tag}: the size limit !{uri.size} on {_show(uri.uri.split('!')[0])} is "
                    "obsolete syntax; RFC 9989 receivers ignore it (4.8)"
                )
    if "fo" in record.tags and not record.ruf:
        record.warnings.append("fo: has no effect without ruf (failure reports go nowhere)")


def rfc7489_differences(record: Record) -> list[str]:
    """Where a receiver still following RFC 7489 would act differently on this record."""
    lines = []
    pct = record.historic.get("pct", "")
    if record.policy in ("quarantine", "reject") and _PCT.fullmatch(pct) and int(pct) < 100:
        lines.append(
            f"pct={pct}: an RFC 7489 receiver applies p={record.policy} to only {int(pct)}% of "
            "failing mail; RFC 9989 receivers apply it to all"
        )
    if record.policy and not record.p_follows_v:
        lines.append(
            "p is not right after v: RFC 7489's grammar put it there, and strict RFC 7489 "
            "parsers discard the record"
        )
    if record.testing and record.policy in ("quarantine", "reject"):
        lines.append(
            f"t=y: an RFC 7489 receiver does not know t and applies p={record.policy} in full"
        )
    if "np" in record.tags:
        lines.append("np: an RFC 7489 receiver does not know np and applies sp or p instead")
    return lines


def walk_names(domain: str) -> list[str]:
    """The names a DNS Tree Walk asks, in order (4.10 steps 3-7): the domain, then (past eight
    labels) its last seven labels, then one label fewer each time, down to the top level."""
    labels = domain.split(".")
    shortest = min(len(labels) - 1, SHORTCUT_LABELS)
    return [domain] + [".".join(labels[-n:]) for n in range(shortest, 0, -1)]


@dataclass(frozen=True, slots=True)
class Step:
    """One name a tree walk asked: the DMARC records there and the near misses discarded."""

    domain: str
    records: tuple[str, ...] = ()
    ignored: tuple[str, ...] = ()

    @property
    def name(self) -> str:
        return f"_dmarc.{self.domain}"

    @property
    def record(self) -> Record | None:
        """The one DMARC record there; several are all discarded (4.10 step 2)."""
        return parse(self.records[0]) if len(self.records) == 1 else None


class TreeWalk:
    """DMARC lookups for one evaluation, each name asked once, in the order asked."""

    def __init__(self, client: DnsClient) -> None:
        self.client = client
        self.steps: dict[str, Step] = {}

    async def step(self, domain: str) -> Step:
        """NetError when the lookup gets no answer (SERVFAIL, timeout, refusal)."""
        if domain not in self.steps:
            texts = await txt_records(self.client, f"_dmarc.{domain}")
            self.steps[domain] = Step(
                domain,
                tuple(text for text in texts if is_dmarc(text)),
                tuple(text for text in texts if not is_dmarc(text) and looks_like_dmarc(text)),
            )
        return self.steps[domain]

    @property
    def asked(self) -> list[str]:
        return [step.name for step in self.steps.values()]

    async def organizational_domain(self, domain: str) -> str:
        """4.10.2: walk to the top (or to a record with psd=y or psd=n), then, from the
        longest name holding a record to the shortest: psd=n makes that name the
        organizational domain, psd=y (above the start) the name one label below it; else the
        shortest name with a record; with no record at all, the domain itself."""
        domain = domain.rstrip(".").lower()
        found: list[tuple[str, str]] = []  # (name, psd) with exactly one DMARC record
        for name in walk_names(domain):
            record = (await self.step(name)).record
            if record is not None:
                found.append((name, record.psd))
                if record.psd in ("y", "n"):
                    break
        for name, psd in found:
            if psd == "n":
                return name
            if psd == "y" and name != domain:
                return ".".join(domain.split(".")[-len(name.split(".")) - 1 :])
        return found[-1][0] if found else domain

    async def same_organization(self, first: str, second: str) -> bool:
        a, b = first.rstrip(".").lower(), second.rstrip(".").lower()
        if not (a and b):
            return False
        return a == b or await self.organizational_domain(a) == await self.organizational_domain(b)


async def exists(client: DnsClient, domain: str) -> bool:
    """Whether a domain exists for np (RFC 9989 3.2.13): it has an A, AAAA or MX record."""
    for rdtype in ("A", "AAAA", "MX"):
        if (await client.lookup(domain, rdtype)).answer is Answer.FOUND:
            return True
    return False


@dataclass(slots=True)
class Discovery:
    """Where policy discovery (4.10.1) looked and what it found for one domain."""

    domain: str
    organizational_domain: str = ""
    walked: list[Step] = field(default_factory=list)  # policy discovery's names, in order
    queried: list[str] = field(default_factory=list)  # every _dmarc name asked, in order
    found_at: str = ""  # the _dmarc name holding the one DMARC record applied; "" when none
    record: Record | None = None

    @property
    def several(self) -> list[Step]:
        """Names holding more than one DMARC record: receivers discard them all (4.10)."""
        return [step for step in self.walked if len(step.records) > 1]

    @property
    def ignored(self) -> list[dict[str, str]]:
        return [
            {"name": step.name, "record": text} for step in self.walked for text in step.ignored
        ]

    @property
    def policy_domain(self) -> str:
        """The domain the policy was retrieved from (found_at without "_dmarc.")."""
        return self.found_at.removeprefix("_dmarc.")

    @property
    def inherited(self) -> bool:
        """The record is a parent's (organizational or public suffix domain's) (4.10.1)."""
        return bool(self.found_at) and self.policy_domain != self.domain

    @property
    def public_suffix(self) -> bool:
        """The policy is a public suffix domain's (psd=y), not the domain owner's."""
        return self.inherited and self.record is not None and self.record.psd == "y"

    def rfc7489_differences(self) -> list[str]:
        """Where a receiver still following RFC 7489 would find or read the policy differently:
        it stops at several records and never asks a public suffix domain (RFC 9091 aside)."""
        lines = []
        if self.several and self.record is not None:
            lines.append(
                f"several records at {self.several[0].name}: an RFC 7489 receiver stops there "
                f"and applies no DMARC, instead of {self.found_at}'s policy"
            )
        if self.public_suffix:
            lines.append(
                f"psd=y at {self.found_at}: an RFC 7489 receiver does not look at public "
                "suffix domains and applies no DMARC"
            )
        return lines + (rfc7489_differences(self.record) if self.record else [])

    def to_dict(self) -> dict[str, object]:
        return {
            "domain": self.domain,
            "organizational_domain": self.organizational_domain,
            "walked": [step.name for step in self.walked],
            "queried": list(self.queried),
            "found_at": self.found_at,
            "several": {step.name: list(step.records) for step in self.several},
            "ignored": self.ignored,
            **(self.record.to_dict() if self.record else {}),
        }


async def discover(client: DnsClient, domain: str, walk: TreeWalk | None = None) -> Discovery:
    """Policy discovery by the DNS Tree Walk (4.10.1), then the domain's organizational domain
    (4.10.2) through the same lookups. NetError when a lookup gets no answer (SERVFAIL...)."""
    walk = walk or TreeWalk(client)
    found = Discovery(domain.rstrip(".").lower())
    for name in walk_names(found.domain):
        step = await walk.step(name)
        found.walked.append(step)
        if step.record is not None:
            found.found_at, found.record = step.name, step.record
            break
    found.organizational_domain = await walk.organizational_domain(found.domain)
    found.queried = walk.asked
    return found


@dataclass(frozen=True, slots=True)
class Destination:
    """An external report address and whether its domain agreed to receive reports (RFC 9990
    section 4)."""

    uri: str
    tag: str
    host: str
    query: str
    authorized: bool
    records: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, object]:
        return {
            "tag": self.tag,
            "uri": self.uri,
            "host": self.host,
            "query": self.query,
            "authorized": self.authorized,
            "records": list(self.records),
        }


async def external_uris(walk: TreeWalk, record: Record, policy_domain: str) -> list[ReportUri]:
    """mailto: report URIs whose host is outside the policy domain's organization (4.10.2):
    the first 2 * MAX_DESTINATIONS, walking at most that many distinct hosts."""
    outside: dict[str, bool] = {}
    found = []
    for uri in [*record.rua, *record.ruf]:
        if not uri.host:
            continue
        if uri.host not in outside:
            if len(outside) >= 2 * MAX_DESTINATIONS:
                break  # a hostile record's hundreds of hosts cost no more lookups than this
            outside[uri.host] = not await walk.same_organization(uri.host, policy_domain)
        if outside[uri.host]:
            found.append(uri)
            if len(found) == 2 * MAX_DESTINATIONS:
                break
    return found


async def check_destinations(
    client: DnsClient, record: Record, policy_domain: str, walk: TreeWalk | None = None
) -> list[Destination]:
    """RFC 9990 section 4 for each external destination host (the first MAX_DESTINATIONS)."""
    checked: dict[str, tuple[bool, tuple[str, ...], str]] = {}
    destinations = []
    for uri in await external_uris(walk or TreeWalk(client), record, policy_domain):
        if uri.host not in checked:
            if len(checked) >= MAX_DESTINATIONS:
                continue
            query = f"{policy_domain}._report._dmarc.{uri.host}"
            # A name too long for DNS cannot be asked: the destination cannot be authorized.
            texts = tuple(await txt_records(client, query)) if len(query) <= MAX_NAME else ()
            checked[uri.host] = (any(is_dmarc(t) for t in texts), texts, query)
        authorized, texts, query = checked[uri.host]
        destinations.append(Destination(uri.uri, uri.tag, uri.host, query, authorized, texts))
    return destinations
