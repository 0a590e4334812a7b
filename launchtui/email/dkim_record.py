"""DKIM public-key records (RFC 6376 section 3.6.1, Ed25519 keys per RFC 8463).

A record is a tag-list (section 3.2) published as TXT at `<selector>._domainkey.<domain>`;
its strings are joined before parsing (section 3.6.2.2). Parsing is as strict as the grammar,
the way verifiers read it: a record a receiver cannot parse fails DKIM for every message.
`load_key()` turns `p=` into a key with `cryptography` and reports its type and size.
"""

from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from cryptography.hazmat.primitives.asymmetric import ed25519, rsa


KEY_TYPES = ("rsa", "ed25519")
ED25519_KEY_BYTES = 32
_TAG_NAME = re.compile(r"[A-Za-z][A-Za-z0-9_]*\Z")
_FWS = " \t\r\n"  # folding white space, unfolded or not
# tag-value = [ tval *( 1*(WSP / FWS) tval ) ], tval = 1*VALCHAR (%x21-3A / %x3C-7E)
_VALCHAR = frozenset(chr(c) for c in range(0x21, 0x7F) if c != 0x3B)


class KeyRecordError(ValueError):
    """A record that is not a usable DKIM key record, with the reason in words."""


@dataclass(frozen=True, slots=True)
class KeyRecord:
    text: str  # the whole record, strings joined, as published
    tags: dict[str, str]  # every tag, in order, values with white space trimmed
    version: str | None  # v=, when present ("DKIM1")
    key_type: str  # k=, default "rsa"
    hash_algorithms: tuple[str, ...]  # h=; empty: any
    service_types: tuple[str, ...]  # s=, default ("*",)
    flags: tuple[str, ...]  # t=
    notes: str  # n=
    public_key: bytes  # p= decoded; empty: the key was revoked

    @property
    def revoked(self) -> bool:
        return not self.public_key

    @property
    def testing(self) -> bool:
        """t=y: the domain is testing DKIM, receivers may treat failures as unsigned."""
        return "y" in self.flags

    @property
    def for_email(self) -> bool:
        return "*" in self.service_types or "email" in self.service_types


@dataclass(frozen=True, slots=True)
class LoadedKey:
    key_type: str  # "rsa" or "ed25519"
    bits: int
    encoding: str  # how p= was encoded: "SubjectPublicKeyInfo", "PKCS#1 RSAPublicKey", "raw"
    key: rsa.RSAPublicKey | ed25519.Ed25519PublicKey


def _char(c: str) -> str:
    """A character for an error message: printable as itself, anything else as U+XXXX."""
    return repr(c) if c.isprintable() and c.isascii() else f"U+{ord(c):04X}"


def parse_tag_list(text: str) -> dict[str, str]:
    """The tags of an RFC 6376 section 3.2 tag-list; KeyRecordError on any syntax error.

    Tag names are case-sensitive; a duplicated tag makes the whole list invalid.
    """
    tags: dict[str, str] = {}
    specs = text.split(";")
    if not specs[-1].strip(_FWS):
        specs.pop()  # a trailing ";" is allowed
    for number, spec in enumerate(specs, 1):
        name, equals, value = spec.partition("=")
        name, value = name.strip(_FWS), value.strip(_FWS)
        if not equals:
            what = f"{spec.strip(_FWS)!r}" if spec.strip(_FWS) else "an empty tag (';;')"
            raise KeyRecordError(f"tag {number} is {what}, not name=value")
        if not _TAG_NAME.match(name):
            raise KeyRecordError(f"tag {number}: {name!r} is not a valid tag name")
        for c in value:
            if c not in _VALCHAR and c not in _FWS:
                raise KeyRecordError(f"tag {name}=: character {_char(c)} is not allowed")
        if name in tags:
            raise KeyRecordError(
                f"tag {name}= appears twice (a duplicate makes the record invalid)"
            )
        tags[name] = value
    return tags


def _list(value: str) -> tuple[str, ...]:
    """A colon-separated tag value (h=, s=, t=), white space around items dropped."""
    return tuple(item.strip(_FWS) for item in value.split(":") if item.strip(_FWS))


def decode_base64(value: str, what: str = "p=") -> bytes:
    """Base64 with folding white space allowed anywhere (RFC 6376 base64string)."""
    compact = "".join(value.split())
    try:
        return base64.b64decode(compact.encode("ascii"), validate=True)
    except (binascii.Error, UnicodeEncodeError):
        raise KeyRecordError(f"{what} is not base64: {_base64_problem(compact)}") from None


def _base64_problem(compact: str) -> str:
    bad = next((c for c in compact if not (c.isascii() and (c.isalnum() or c in "+/="))), None)
    if bad is not None:
        return f"character {_char(bad)} is not a base64 character"
    return f"{len(compact)} characters is not a whole number of base64 groups or padding is wrong"


def parse_key_record(text: str) -> KeyRecord:
    """A DKIM key record's tags, checked against section 3.6.1; the key is not loaded here."""
    tags = parse_tag_list(text)
    version = tags.get("v")
    if version is not None:
        if next(iter(tags)) != "v":
            raise KeyRecordError("v=DKIM1 must be the first tag when present")
        if version != "DKIM1":
            raise KeyRecordError(f"v={version} is not DKIM1: receivers discard the record")
    if "p" not in tags:
        raise KeyRecordError("no p= tag (the public key is required)")
    key_type = tags.get("k", "rsa")
    if key_type not in KEY_TYPES:
        raise KeyRecordError(f"k={key_type} is not a key type receivers know (rsa, ed25519)")
    return KeyRecord(
        text=text,
        tags=tags,
        version=version,
        key_type=key_type,
        hash_algorithms=_list(tags.get("h", "")),
        service_types=_list(tags.get("s", "*")),
        flags=_list(tags.get("t", "")),
        notes=tags.get("n", ""),
        public_key=decode_base64(tags["p"]),
    )


def load_key(record: KeyRecord) -> LoadedKey:
    """The public key of a record that is not revoked; KeyRecordError if it does not load."""
    # Imported here: cryptography loads when a key is read, not when checks are listed.
    from cryptography.exceptions import UnsupportedAlgorithm
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import ed25519, rsa

    data = record.public_key
    if record.key_type == "ed25519":
        if len(data) != ED25519_KEY_BYTES:
            raise KeyRecordError(
                f"an Ed25519 key is the raw {ED25519_KEY_BYTES}-byte key (RFC 8463); "
                f"p= holds {len(data)} bytes"
            )
        return LoadedKey("ed25519", 256, "raw", ed25519.Ed25519PublicKey.from_public_bytes(data))
    try:
        # Loads SubjectPublicKeyInfo, and the bare PKCS#1 RSAPublicKey some publishers use.
        key = serialization.load_der_public_key(data)
    except (ValueError, UnsupportedAlgorithm) as exc:
        reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise KeyRecordError(f"p= does not hold an RSA public key that loads ({reason})") from None
    if not isinstance(key, rsa.RSAPublicKey):
        kind = "an Ed25519" if isinstance(key, ed25519.Ed25519PublicKey) else "a non-RSA"
        raise KeyRecordError(f"k=rsa but p= holds {kind} key")
    spki = key.public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    encoding = "SubjectPublicKeyInfo" if spki == data else "PKCS#1 RSAPublicKey"
    return LoadedKey("rsa", key.key_size, encoding, key)


def join_txt(strings: Sequence[bytes]) -> str:
    """A record split over many strings, joined (bytes that are not UTF-8 become U+FFFD)."""
    return b"".join(strings).decode("utf-8", "replace")


def looks_like_dkim(text: str) -> bool:
    """True for a TXT record that claims to be a DKIM key (v=DKIM1 first, or a p= tag)."""
    return bool(re.match(r"[ \t]*v[ \t]*=[ \t]*DKIM1", text)) or bool(
        re.search(r"(^|;)[ \t\r\n]*p[ \t\r\n]*=", text)
    )
