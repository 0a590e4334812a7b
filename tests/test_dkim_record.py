"""DKIM key records (RFC 6376 sections 3.2 and 3.6.1, RFC 8463): tag-list syntax and key loading."""

from __future__ import annotations

import re

import pytest
from cryptography.hazmat.primitives.serialization import PublicFormat
from dkim_keys import ed25519_p, modulus_only_p, rsa_p

from launchtui.email.dkim_record import (
    KeyRecordError,
    join_txt,
    load_key,
    looks_like_dkim,
    parse_key_record,
    parse_tag_list,
)
from launchtui.email.txt import txt_value


def test_a_minimal_record_defaults_to_rsa_for_every_service() -> None:
    record = parse_key_record(f"p={rsa_p()}")
    assert record.version is None
    assert record.key_type == "rsa"
    assert record.service_types == ("*",)
    assert record.flags == ()
    assert record.hash_algorithms == ()
    assert record.for_email and not record.revoked and not record.testing
    key = load_key(record)
    assert (key.key_type, key.bits, key.encoding) == ("rsa", 2048, "SubjectPublicKeyInfo")


def test_every_tag_of_section_3_6_1_is_read() -> None:
    text = f"v=DKIM1; h=sha1:sha256; k=rsa; n=rotated 2026; s=email; t=y:s; p={rsa_p()}"
    record = parse_key_record(text)
    assert record.version == "DKIM1"
    assert record.hash_algorithms == ("sha1", "sha256")
    assert record.notes == "rotated 2026"
    assert record.service_types == ("email",)
    assert record.flags == ("y", "s")
    assert record.testing
    assert list(record.tags) == ["v", "h", "k", "n", "s", "t", "p"]


def test_folding_white_space_around_tags_and_inside_base64_is_allowed() -> None:
    p = rsa_p()
    folded = " ".join(p[i : i + 60] for i in range(0, len(p), 60))
    text = f" v = DKIM1 ;\tk=rsa;\r\n p = {folded} ;"
    assert load_key(parse_key_record(text)).bits == 2048


def test_a_pkcs1_rsa_public_key_loads_too() -> None:
    key = load_key(parse_key_record(f"v=DKIM1; p={rsa_p(2048, PublicFormat.PKCS1)}"))
    assert (key.bits, key.encoding) == (2048, "PKCS#1 RSAPublicKey")


def test_an_ed25519_key_is_the_raw_32_bytes() -> None:
    key = load_key(parse_key_record(f"v=DKIM1; k=ed25519; p={ed25519_p()}"))
    assert (key.key_type, key.bits, key.encoding) == ("ed25519", 256, "raw")


def test_an_ed25519_key_in_spki_form_is_refused() -> None:
    with pytest.raises(KeyRecordError, match=r"raw 32-byte key .* p= holds 44 bytes"):
        load_key(parse_key_record("k=ed25519; p=MCowBQYDK2VwAyEA" + ed25519_p()))


def test_rsa_sizes_are_reported_whatever_they_are() -> None:
    assert load_key(parse_key_record(f"p={modulus_only_p(512)}")).bits == 512
    assert load_key(parse_key_record(f"p={modulus_only_p(8192)}")).bits == 8192


def test_an_empty_p_is_a_revoked_key() -> None:
    assert parse_key_record("v=DKIM1; p=").revoked
    assert parse_key_record("v=DKIM1; k=rsa; p= ;").revoked


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("v=DKIM1; p=a; p=b", "tag p= appears twice"),
        ("k=rsa; v=DKIM1; p=", "v=DKIM1 must be the first tag"),
        ("v=DKIM2; p=", "v=DKIM2 is not DKIM1"),
        ("v=DKIM1; k=rsa", "no p= tag"),
        ("v=DKIM1; k=dsa; p=", "k=dsa is not a key type"),
        ("v=DKIM1;; p=", "tag 2 is an empty tag"),
        ("v=DKIM1; p", "tag 2 is 'p', not name=value"),
        ("v=DKIM1; 1p=x; p=", "'1p' is not a valid tag name"),
        ("v=DKIM1; =x; p=", "'' is not a valid tag name"),
        ("v=DKIM1; n=a\x1bb; p=", "character U+001B is not allowed"),
        ("v=DKIM1; n=caf\u00e9; p=", "character U+00E9 is not allowed"),
        ("v=DKIM1; p=MIGf!!!", "p= is not base64: character '!' is not a base64 character"),
        ("v=DKIM1; p=MIGfM", "p= is not base64: 5 characters is not a whole number"),
    ],
)
def test_syntax_errors_say_what_is_wrong(text: str, message: str) -> None:
    with pytest.raises(KeyRecordError, match=re.escape(message)):
        parse_key_record(text)


def test_tag_names_are_case_sensitive() -> None:
    tags = parse_tag_list("P=upper; p=lower")
    assert tags == {"P": "upper", "p": "lower"}


@pytest.mark.parametrize(
    ("p", "message"),
    [
        ("aGVsbG8gd29ybGQ=", "does not hold an RSA public key that loads"),
        ("MCowBQYDK2VwAyEA" + "A" * 43 + "=", "k=rsa but p= holds an Ed25519 key"),
    ],
)
def test_keys_that_do_not_load_are_explained(p: str, message: str) -> None:
    with pytest.raises(KeyRecordError, match=message):
        load_key(parse_key_record(f"v=DKIM1; p={p}"))


def test_txt_strings_are_joined_from_the_presentation_form() -> None:
    assert txt_value('"v=DKIM1; k=rsa; " "p=AB" "CD"', errors="replace") == (
        "v=DKIM1; k=rsa; p=ABCD"
    )
    assert txt_value('"a\\"b\\\\c\\027"', errors="replace") == 'a"b\\c\x1b'
    assert txt_value('"\\255"', errors="replace") == "\ufffd"  # what the key parser reads
    assert join_txt([b"v=DKIM1; ", b"p=AB"]) == "v=DKIM1; p=AB"
    assert join_txt([b"\xff\xfe"]) == "\ufffd\ufffd"


def test_what_counts_as_a_dkim_record_among_other_txt_records() -> None:
    assert looks_like_dkim("v=DKIM1; p=")
    assert looks_like_dkim("k=rsa; p=abc")
    assert not looks_like_dkim("v=spf1 -all")
    assert not looks_like_dkim("google-site-verification=abc")
