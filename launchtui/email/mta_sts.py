"""MTA-STS (RFC 8461) and TLS-RPT (RFC 8460): the two TXT records and the policy file.

- `parse_sts_record`: `_mta-sts.<domain>`, section 3.1: `v=STSv1` first, `id=` of 1 to 32
  letters and digits, extension fields `name=value`.
- `parse_tlsrpt_record`: `_smtp._tls.<domain>`, RFC 8460 section 3: `v=TLSRPTv1` first and
  `rua=` with mailto: or https: URIs.
- `parse_policy`: the policy file, section 3.2: `key: value` lines (LF or CRLF), keys
  case-sensitive; version STSv1, mode enforce|testing|none, max_age up to 31557600 and at
  least one mx pattern (except in mode none) are required. Unknown keys are ignored and a
  repeated key other than mx keeps its first value (both reported as warnings).
- `mx_matches`: section 4.1: a pattern is a host name, or "*." and a suffix that stands for
  exactly one leftmost label.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from launchtui.email.messages import capped

STS_VERSION = "v=STSv1"
TLSRPT_VERSION = "v=TLSRPTv1"
MODES = ("enforce", "testing", "none")
MAX_AGE_LIMIT = 31557600  # one year, section 3.2
MAX_POLICY_BYTES = 64 * 1024  # senders may refuse larger policies (section 3.3)

_WSP = " \t"
_ID = re.compile(r"[A-Za-z0-9]{1,32}")
_EXT_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,31}")
_EXT_VALUE = re.compile(r"[\x21-\x3a\x3c\x3e-\x7e]+")
_POLICY_EXT_NAME = _EXT_NAME
_URI = re.compile(r"(mailto|https):\S+", re.IGNORECASE)
_LABEL = r"[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
_MX_PATTERN = re.compile(rf"(\*\.)?({_LABEL}\.)+{_LABEL}\.?")


def _show(value: str) -> str:
    return f'"{value[:80]}"'


def is_sts(text: str) -> bool:
    return text.startswith(STS_VERSION)


def is_tlsrpt(text: str) -> bool:
    return text.startswith(TLSRPT_VERSION)


@dataclass(slots=True)
class TxtRecord:
    """A parsed `_mta-sts` or `_smtp._tls` record: its fields and what is wrong with it."""

    text: str
    fields: dict[str, str] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)

    @property
    def valid(self) -> bool:
        return not self.errors


def _fields(text: str, version: str) -> TxtRecord:
    """Split `v=...; name=value; ...` with the version checked (both ABNFs share this)."""
    record = TxtRecord(text)
    specs = [spec.strip(_WSP) for spec in text.split(";")]
    if specs and not specs[-1]:
        specs.pop()  # a trailing ";" is allowed
    if not specs or specs[0] != version:
        record.errors.append(f"v: the record must start with {_show(version)}")
        return record
    for spec in specs[1:]:
        name, equals, value = spec.partition("=")
        if not equals or not _EXT_NAME.fullmatch(name):
            record.errors.append(f"{_show(spec)}: not a field (name=value)")
        elif name in record.fields:
            record.errors.append(f"{name}: duplicated field")
        else:
            record.fields[name] = value
    return record


def parse_sts_record(text: str) -> TxtRecord:
    record = _fields(text, STS_VERSION)
    if record.errors and not record.fields:
        return record
    sts_id = record.fields.get("id")
    if sts_id is None:
        record.errors.append("id: required field is missing (id=<1 to 32 letters or digits>)")
    elif not _ID.fullmatch(sts_id):
        record.errors.append(f"id: {_show(sts_id)} is not 1 to 32 letters or digits")
    for name, value in record.fields.items():
        if name != "id" and not _EXT_VALUE.fullmatch(value):
            record.errors.append(f"{name}: {_show(value)} holds a space, ';', '=' or a control")
    record.errors = capped(record.errors)
    return record


def parse_tlsrpt_record(text: str) -> TxtRecord:
    record = _fields(text, TLSRPT_VERSION)
    if record.errors and not record.fields:
        return record
    rua = record.fields.get("rua")
    if rua is None:
        record.errors.append("rua: required field is missing (rua=mailto:... or https://...)")
    else:
        for uri in (part.strip(_WSP) for part in rua.split(",")):
            if not _URI.fullmatch(uri):
                record.errors.append(f"rua: {_show(uri)} is not a mailto: or https: URI")
    record.errors = capped(record.errors)
    return record


@dataclass(slots=True)
class Policy:
    text: str
    fields: dict[str, str] = field(default_factory=dict)  # first value of each key but mx
    mx: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    @property
    def valid(self) -> bool:
        return not self.errors

    @property
    def mode(self) -> str:
        return self.fields.get("mode", "")

    @property
    def max_age(self) -> int:
        value = self.fields.get("max_age", "")
        return int(value) if re.fullmatch(r"[0-9]{1,10}", value) else 0  # not "²"


def parse_policy(text: str) -> Policy:
    policy = Policy(text)
    lines = text.split("\n")
    if lines and not lines[-1].strip(_WSP + "\r"):
        lines.pop()  # the final line ending
    for number, raw in enumerate(lines, 1):
        line = raw.removesuffix("\r").rstrip(_WSP)
        key, colon, value = line.partition(":")
        value = value.lstrip(_WSP)
        if not colon or not _POLICY_EXT_NAME.fullmatch(key):
            policy.errors.append(f"line {number}: {_show(line)} is not a key: value line")
        elif key == "mx":
            if _MX_PATTERN.fullmatch(value):
                policy.mx.append(value.rstrip(".").lower())
            else:
                policy.errors.append(f"mx: {_show(value)} is not a host name or *.suffix")
        elif key in policy.fields:
            policy.warnings.append(f"{key}: repeated; senders use the first value only")
        else:
            policy.fields[key] = value
            if key not in ("version", "mode", "max_age"):
                policy.warnings.append(f"{key}: unknown key (senders ignore it)")
    _check_required(policy)
    policy.errors = capped(policy.errors)
    policy.warnings = capped(policy.warnings)
    return policy


def _check_required(policy: Policy) -> None:
    version = policy.fields.get("version")
    if version is None:
        policy.errors.append("version: required key is missing (version: STSv1)")
    elif version != "STSv1":
        policy.errors.append(f'version: {_show(version)} is not "STSv1"')
    mode = policy.fields.get("mode")
    if mode is None:
        policy.errors.append("mode: required key is missing (enforce, testing or none)")
    elif mode not in MODES:
        policy.errors.append(f"mode: {_show(mode)} is not enforce, testing or none")
    max_age = policy.fields.get("max_age")
    if max_age is None:
        policy.errors.append("max_age: required key is missing (seconds, e.g. 604800)")
    elif not (re.fullmatch(r"[0-9]{1,10}", max_age) and int(max_age) <= MAX_AGE_LIMIT):
        policy.errors.append(
            f"max_age: {_show(max_age)} is not a number of seconds up to {MAX_AGE_LIMIT}"
        )
    if not policy.mx and mode != "none":
        policy.errors.append("mx: at least one mx line is required (mx: mail.example.com)")


def mx_matches(pattern: str, host: str) -> bool:
    """Whether MX host `host` is allowed by policy pattern `pattern` (section 4.1)."""
    pattern, host = pattern.rstrip(".").lower(), host.rstrip(".").lower()
    if pattern.startswith("*."):
        first, dot, rest = host.partition(".")
        return bool(first and dot) and rest == pattern[2:]
    return host == pattern
