"""DMARC (RFC 7489): parse and validate a record, discover it, check report destinations.

- `parse(text)` reads one record per section 6.3/6.4: `v=DMARC1` first (the version is
  case-sensitive, the ABNF spells it with %x), tag names and keyword values case-insensitive,
  every tag's value checked, and each problem an exact message naming the tag. Unknown tags
  are ignored by receivers (6.3) and reported as warnings. RFC 7489 says nothing of repeated
  tags; receivers differ on which copy wins, so a repeated tag is an error.
- `discover(client, domain)` is the policy discovery of section 6.6.3: `_dmarc.<domain>`,
  then `_dmarc.<organizational domain>` when the first holds no DMARC record; TXT records
  that do not start with `v=DMARC1` are discarded, and more than one record at a name means
  receivers apply no DMARC at all.
- `check_destinations(client, record, policy_domain)` is section 7.1: a `mailto:` report
  address outside the policy's organizational domain receives reports only if
  `<policy domain>._report._dmarc.<destination host>` publishes a TXT record starting with
  `v=DMARC1`.
"""

from __future__ import annotations

import re
import urllib.parse
from dataclasses import dataclass, field

from launchtui.email.messages import capped
from launchtui.email.orgdomain import organizational_domain, same_organization
from launchtui.email.txt import txt_records
from launchtui.net.dns import DnsClient

POLICIES = ("none", "quarantine", "reject")  # weakest first
ALIGNMENTS = ("r", "s")
FAILURE_OPTIONS = ("0", "1", "d", "s")
REPORT_FORMATS = ("afrf",)  # the IANA registry of section 11.4
KNOWN_TAGS = ("v", "p", "sp", "pct", "rua", "ruf", "adkim", "aspf", "fo", "rf", "ri")
MAX_RI = 2**32 - 1  # ri is a 32-bit unsigned integer
MAX_NAME = 253  # characters in a DNS name, without the final dot
MIN_REPORT_URIS = 2  # receivers must report to at least this many URIs (6.2)
MAX_DESTINATIONS = 10  # external report hosts checked per record (URIs: twice that)

_VERSION = re.compile(r"[vV][ \t]*=[ \t]*DMARC1(?=[ \t;]|$)")
_TAG_NAME = re.compile(r"[A-Za-z][A-Za-z0-9_]*")
_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*:")
_SIZE = re.compile(r"[0-9]+[kmgtKMGT]?")
_DOMAIN = re.compile(
    r"(?=.{1,253}$)([A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z0-9-]{1,63}"
)
_WSP = " \t"


def is_dmarc(text: str) -> bool:
    """Whether a TXT record is a DMARC record at all: it starts with v=DMARC1 (6.6.3)."""
    return _VERSION.match(text) is not None


def looks_like_dmarc(text: str) -> bool:
    """A TXT record that was probably meant as DMARC but is discarded by receivers."""
    lowered = text.strip().lower()
    return "v=dmarc" in lowered.replace(" ", "") or lowered.startswith(("p=", "rua="))


@dataclass(frozen=True, slots=True)
class ReportUri:
    """One DMARC URI of rua or ruf (6.2): the URI as written and its optional size limit."""

    tag: str  # "rua" or "ruf"
    uri: str
    size: str = ""  # "10m" of "!10m"
    address: str = ""  # the mailbox of a mailto: URI
    host: str = ""  # its domain, lower case

    def to_dict(self) -> dict[str, str]:
        return {"tag": self.tag, "uri": self.uri, "size": self.size, "address": self.address}


@dataclass(slots=True)
class Record:
    text: str
    tags: dict[str, str] = field(default_factory=dict)  # valid tags, name -> value as written
    rua: list[ReportUri] = field(default_factory=list)
    ruf: list[ReportUri] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    invalid_tags: set[str] = field(default_factory=set)

    @property
    def valid(self) -> bool:
        return not self.errors

    @property
    def policy(self) -> str | None:
        value = self.tags.get("p")
        return value.lower() if value is not None else None

    @property
    def subdomain_policy(self) -> str | None:
        """sp, or p when there is no sp (6.3)."""
        value = self.tags.get("sp")
        return value.lower() if value is not None else self.policy

    @property
    def pct(self) -> int:
        return int(self.tags.get("pct", "100"))

    def receiver_policy(self) -> str | None:
        """The policy receivers apply (6.6.3 step 6): a record without a valid p or with an
        invalid sp counts as p=none when rua holds a valid URI, else as no DMARC at all."""
        if "p" in self.invalid_tags or "sp" in self.invalid_tags or self.policy is None:
            return "none" if self.rua else None
        return self.policy if "v" not in self.invalid_tags else None

    def to_dict(self) -> dict[str, object]:
        return {
            "record": self.text,
            "valid": self.valid,
            "tags": dict(self.tags),
            "rua": [uri.to_dict() for uri in self.rua],
            "ruf": [uri.to_dict() for uri in self.ruf],
            "errors": list(self.errors),
            "warnings": list(self.warnings),
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
            "receivers ignore a record that does not"
        )
        record.invalid_tags.add("v")
    counts: dict[str, int] = {}
    for name, _ in specs:
        counts[name.lower()] = counts.get(name.lower(), 0) + 1
    for name, value in specs:
        key = name.lower()
        if value is None:
            record.errors.append(f'{_show(name)}: tag without "=" (write tag=value)')
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
        if key not in KNOWN_TAGS:
            record.warnings.append(f"{name}: unknown tag (receivers ignore it)")
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
        record.errors.append(
            "p: required tag is missing (add p=none to start, then quarantine or reject)"
        )
    _advise(record)
    record.errors = capped(record.errors)
    record.warnings = capped(record.warnings)
    return record


def _check_tag(record: Record, key: str, value: str) -> str:
    """What is wrong with the value of a known tag, "" when nothing is."""
    lowered = value.lower()
    if key == "v":
        return "" if value == "DMARC1" else f'{_show(value)} is not the version "DMARC1"'
    if key in ("p", "sp"):
        if lowered in POLICIES:
            return ""
        return f"{_show(value)} is not a policy (none, quarantine or reject)"
    if key in ("adkim", "aspf"):
        if lowered in ALIGNMENTS:
            return ""
        return f"{_show(value)} is not an alignment mode (r: relaxed, s: strict)"
    if key == "pct":
        if re.fullmatch(r"[0-9]{1,3}", value) and int(value) <= 100:
            return ""
        return f"{_show(value)} is not a percentage (an integer from 0 to 100)"
    if key == "ri":
        if re.fullmatch(r"[0-9]{1,10}", value) and int(value) <= MAX_RI:
            return ""
        return f"{_show(value)} is not a number of seconds (an integer up to {MAX_RI})"
    if key == "fo":
        options = [option.strip(_WSP) for option in value.split(":")]
        bad = next((o for o in options if o.lower() not in FAILURE_OPTIONS), None)
        if bad is None:
            return ""
        return f'{_show(bad)} is not a failure reporting option (0, 1, d or s, separated by ":")'
    if key == "rf":
        formats = [name.strip(_WSP) for name in value.split(":")]
        bad = next((f for f in formats if f.lower() not in REPORT_FORMATS), None)
        if bad is None:
            return ""
        return f"{_show(bad)} is not a registered report format (afrf)"
    uris, problem = _report_uris(key, value)
    if not problem:
        getattr(record, key).extend(uris)
    return problem


def _report_uris(tag: str, value: str) -> tuple[list[ReportUri], str]:
    """The DMARC URIs of rua or ruf (6.2, 6.4), or what is wrong with the first bad one."""
    uris = []
    for raw in value.split(","):
        text = raw.strip(_WSP)
        if not text:
            return [], f"empty URI in {_show(value[:80])} (URIs are separated by one comma)"
        uri, bang, size = text.rpartition("!") if "!" in text else (text, "", "")
        if bang and not _SIZE.fullmatch(size):
            return [], (
                f"{_show(text)} has an invalid size limit {_show(size)} (digits, optionally "
                "followed by k, m, g or t)"
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
    """Warnings about valid records that will not do what their owner expects."""
    for tag in ("rua", "ruf"):
        uris: list[ReportUri] = getattr(record, tag)
        if len(uris) > MIN_REPORT_URIS:
            record.warnings.append(
                f"{tag}: {len(uris)} URIs listed; receivers only have to report to the first "
                f"{MIN_REPORT_URIS}"
            )
        for uri in uris:
            if not uri.address:
                record.warnings.append(
                    f"{tag}: {_show(uri.uri)} is not a mailto: URI; receivers only have to "
                    "support mailto:"
                )
    if "fo" in record.tags and not record.ruf:
        record.warnings.append("fo: has no effect without ruf (failure reports go nowhere)")


@dataclass(slots=True)
class Discovery:
    """Where policy discovery (6.6.3) looked and what it found for one domain."""

    domain: str
    organizational_domain: str
    queried: list[str] = field(default_factory=list)  # _dmarc names, in order
    found_at: str = ""  # the _dmarc name holding the DMARC record(s); "" when none
    records: list[str] = field(default_factory=list)  # DMARC records at found_at
    ignored: list[dict[str, str]] = field(default_factory=list)  # near misses, discarded
    record: Record | None = None  # parsed when exactly one record was found

    @property
    def policy_domain(self) -> str:
        """The domain the policy was retrieved from (found_at without "_dmarc.")."""
        return self.found_at.removeprefix("_dmarc.")

    @property
    def inherited(self) -> bool:
        """The record is the organizational domain's, applied to a subdomain."""
        return bool(self.found_at) and self.policy_domain != self.domain

    def to_dict(self) -> dict[str, object]:
        return {
            "domain": self.domain,
            "organizational_domain": self.organizational_domain,
            "queried": list(self.queried),
            "found_at": self.found_at,
            "records": list(self.records),
            "ignored": list(self.ignored),
            **(self.record.to_dict() if self.record else {}),
        }


async def discover(client: DnsClient, domain: str) -> Discovery:
    """Policy discovery per 6.6.3; NetError when a lookup gets no answer (SERVFAIL...)."""
    domain = domain.rstrip(".").lower()
    organization = organizational_domain(domain)
    found = Discovery(domain, organization)
    for owner in dict.fromkeys((domain, organization)):
        name = f"_dmarc.{owner}"
        found.queried.append(name)
        texts = await txt_records(client, name)
        records = [text for text in texts if is_dmarc(text)]
        found.ignored += [
            {"name": name, "record": text}
            for text in texts
            if not is_dmarc(text) and looks_like_dmarc(text)
        ]
        if records:
            found.found_at, found.records = name, records
            break
    if len(found.records) == 1:
        found.record = parse(found.records[0])
    return found


@dataclass(frozen=True, slots=True)
class Destination:
    """An external report address and whether its domain agreed to receive reports (7.1)."""

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


def external_uris(record: Record, policy_domain: str) -> list[ReportUri]:
    """mailto: report URIs whose host is outside the policy domain's organization."""
    return [
        uri
        for uri in [*record.rua, *record.ruf]
        if uri.host and not same_organization(uri.host, policy_domain)
    ]


async def check_destinations(
    client: DnsClient, record: Record, policy_domain: str
) -> list[Destination]:
    """Section 7.1 for each external destination host (the first MAX_DESTINATIONS hosts)."""
    checked: dict[str, tuple[bool, tuple[str, ...], str]] = {}
    destinations = []
    for uri in external_uris(record, policy_domain)[: 2 * MAX_DESTINATIONS]:
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
