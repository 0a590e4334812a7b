"""The RFC 7489 record parser: the RFC's own examples, every tag's rules, hostile records."""

from __future__ import annotations

import pytest

from launchtui.email.dmarc import is_dmarc, looks_like_dmarc, parse
from launchtui.email.messages import MAX_MESSAGES
from launchtui.email.orgdomain import organizational_domain
from launchtui.email.txt import txt_value

# Appendix B.2 of RFC 7489 (example.com's records, B.2.1 to B.2.3) and the subdomain
# policy of B.2.4 (a record for mail.example.com's parent with a stricter sp).
RFC_EXAMPLES = {
    "v=DMARC1; p=none; rua=mailto:dmarc-feedback@example.com": {
        "v": "DMARC1",
        "p": "none",
        "rua": "mailto:dmarc-feedback@example.com",
    },
    "v=DMARC1; p=none; rua=mailto:dmarc-feedback@example.com; "
    "ruf=mailto:auth-reports@thirdparty.example.net": {
        "v": "DMARC1",
        "p": "none",
        "rua": "mailto:dmarc-feedback@example.com",
        "ruf": "mailto:auth-reports@thirdparty.example.net",
    },
    "v=DMARC1; p=quarantine; rua=mailto:dmarc-feedback@example.com,"
    "mailto:tld-test@thirdparty.example.net!10m; pct=25": {
        "v": "DMARC1",
        "p": "quarantine",
        "rua": "mailto:dmarc-feedback@example.com,mailto:tld-test@thirdparty.example.net!10m",
        "pct": "25",
    },
    "v=DMARC1; p=reject; sp=quarantine; adkim=s; aspf=r; fo=0:1:d:s; rf=afrf; ri=3600; "
    "ruf=mailto:auth@example.com": {
        "v": "DMARC1",
        "p": "reject",
        "sp": "quarantine",
        "adkim": "s",
        "aspf": "r",
        "fo": "0:1:d:s",
        "rf": "afrf",
        "ri": "3600",
        "ruf": "mailto:auth@example.com",
    },
}


@pytest.mark.parametrize("text", list(RFC_EXAMPLES))
def test_the_rfc_examples_parse_without_errors(text: str) -> None:
    record = parse(text)
    assert record.errors == []
    assert record.warnings == []
    assert record.tags == RFC_EXAMPLES[text]


def test_report_uris_keep_their_size_limits_and_addresses() -> None:
    record = parse(
        "v=DMARC1; p=quarantine; rua=mailto:dmarc-feedback@example.com,"
        "mailto:tld-test@thirdparty.example.net!10m; pct=25"
    )
    assert [(u.uri, u.size, u.host) for u in record.rua] == [
        ("mailto:dmarc-feedback@example.com", "", "example.com"),
        ("mailto:tld-test@thirdparty.example.net", "10m", "thirdparty.example.net"),
    ]
    assert record.pct == 25
    assert record.policy == "quarantine"
    assert record.subdomain_policy == "quarantine"  # no sp: p applies to subdomains


def test_names_and_keywords_are_case_insensitive_but_the_version_is_not() -> None:
    record = parse("V=DMARC1; P=Reject; RUA=mailto:d@example.com; ADKIM=S")
    assert record.errors == []
    assert record.policy == "reject"
    assert parse("v=dmarc1; p=none").errors == [
        'v: the record must start with "v=DMARC1" (found "v=dmarc1"); receivers ignore a '
        "record that does not"
    ]


def test_whitespace_around_separators_and_a_trailing_semicolon_are_allowed() -> None:
    record = parse("v = DMARC1 ;\tp = none ; rua = mailto:a@example.com , mailto:b@example.com ;")
    assert record.errors == []
    assert [u.address for u in record.rua] == ["a@example.com", "b@example.com"]


@pytest.mark.parametrize(
    ("text", "error"),
    [
        ("p=none; v=DMARC1", 'v: the record must start with "v=DMARC1" (found "p=none")'),
        ("v=DMARC1", "p: required tag is missing"),
        ("v=DMARC1; rua=mailto:d@example.com", "p: required tag is missing"),
        ("v=DMARC1; p=block", 'p: "block" is not a policy (none, quarantine or reject)'),
        ("v=DMARC1; p=none; sp=", 'sp: "" is not a policy (none, quarantine or reject)'),
        ("v=DMARC1; p=none; pct=101", 'pct: "101" is not a percentage'),
        ("v=DMARC1; p=none; pct=-1", 'pct: "-1" is not a percentage'),
        ("v=DMARC1; p=none; pct=50%", 'pct: "50%" is not a percentage'),
        ("v=DMARC1; p=none; adkim=strict", 'adkim: "strict" is not an alignment mode'),
        ("v=DMARC1; p=none; aspf=x", 'aspf: "x" is not an alignment mode'),
        ("v=DMARC1; p=none; fo=1:2", 'fo: "2" is not a failure reporting option'),
        ("v=DMARC1; p=none; rf=iodef", 'rf: "iodef" is not a registered report format (afrf)'),
        ("v=DMARC1; p=none; ri=4294967296", 'ri: "4294967296" is not a number of seconds'),
        ("v=DMARC1; p=none; ri=1h", 'ri: "1h" is not a number of seconds'),
        (
            "v=DMARC1; p=none; rua=dmarc@example.com",
            'rua: "dmarc@example.com" is not a URI (write mailto:dmarc@example.com)',
        ),
        (
            "v=DMARC1; p=none; rua=mailto:d@example.com!10x",
            'rua: "mailto:d@example.com!10x" has an invalid size limit "10x"',
        ),
        ("v=DMARC1; p=none; ruf=mailto:nobody", 'ruf: "mailto:nobody" has no valid mail address'),
        ("v=DMARC1; p=none; rua=mailto:a@example.com,,", "rua: empty URI in"),
        ("v=DMARC1; p", '"p": tag without "=" (write tag=value)'),
        ("v=DMARC1; p=none; bad tag=1", '"bad tag": not a tag name'),
        (
            "v=DMARC1; p=none; v=DMARC1",
            "v: duplicated tag (2 times); receivers may read any of them",
        ),
    ],
)
def test_each_error_names_its_tag(text: str, error: str) -> None:
    errors = parse(text).errors
    assert any(e.startswith(error) for e in errors), errors


def test_duplicated_tags_are_errors_and_neither_copy_is_used() -> None:
    record = parse("v=DMARC1; p=none; p=reject; rua=mailto:a@example.com; RUA=mailto:b@example.com")
    assert record.errors == [
        "p: duplicated tag (2 times); receivers may read any of them",
        "rua: duplicated tag (2 times); receivers may read any of them",
    ]
    assert "p" not in record.tags and record.rua == []
    assert record.receiver_policy() is None  # no valid p, no valid rua: no DMARC at all


def test_an_invalid_p_with_a_valid_rua_is_read_as_p_none() -> None:
    """RFC 7489 6.6.3 step 6."""
    record = parse("v=DMARC1; p=blocked; rua=mailto:d@example.com")
    assert not record.valid
    assert record.receiver_policy() == "none"
    assert parse("v=DMARC1; p=reject; sp=maybe").receiver_policy() is None


def test_unknown_tags_are_ignored_but_reported() -> None:
    record = parse("v=DMARC1; p=none; rua=mailto:d@example.com; rue=mailto:x@example.com")
    assert record.valid
    assert record.warnings == ["rue: unknown tag (receivers ignore it)"]
    assert "rue" not in record.tags


def test_records_that_work_but_not_as_meant_get_warnings() -> None:
    record = parse(
        "v=DMARC1; p=none; fo=1; rua=mailto:a@example.com,mailto:b@example.com,"
        "https://reports.example.com/dmarc"
    )
    assert record.valid
    assert record.warnings == [
        "rua: 3 URIs listed; receivers only have to report to the first 2",
        'rua: "https://reports.example.com/dmarc" is not a mailto: URI; receivers only have '
        "to support mailto:",
        "fo: has no effect without ruf (failure reports go nowhere)",
    ]


def test_control_characters_and_markup_stay_literal_in_errors() -> None:
    text = "v=DMARC1; p=[bold red]none[/] \x1b[31m; rua=mailto:x@example.com"
    record = parse(text)
    assert record.errors == [
        'p: "[bold red]none[/] \x1b[31m" is not a policy (none, quarantine or reject)'
    ]
    assert record.text == text


def test_a_huge_record_is_parsed_with_its_messages_capped() -> None:
    text = "v=DMARC1; p=none; rua=mailto:d@example.com; " + "; ".join(
        f"x{n}=y" for n in range(2000)
    )
    record = parse(text)
    assert record.valid
    assert len(record.warnings) == MAX_MESSAGES + 1
    assert record.warnings[-1] == f"... and {2000 - MAX_MESSAGES} more"


def test_only_records_starting_with_the_version_are_dmarc() -> None:
    assert is_dmarc("v=DMARC1; p=none")
    assert is_dmarc("v=DMARC1")
    assert not is_dmarc("v=DMARC10; p=none")
    assert not is_dmarc(" v=DMARC1; p=none")
    assert not is_dmarc("v=spf1 -all")
    assert looks_like_dmarc("v=dmarc1; p=none")
    assert looks_like_dmarc("p=reject; v=DMARC1")
    assert not looks_like_dmarc("google-site-verification=abc")


def test_txt_strings_are_joined_without_separators() -> None:
    assert txt_value('"v=DMARC1; p=" "none"') == "v=DMARC1; p=none"
    assert txt_value('"caf\\195\\169 \\"q\\""') == 'café "q"'
    assert txt_value('"\\255"') == "\\xff"  # not UTF-8: kept visible


def test_organizational_domains_come_from_the_bundled_suffix_list() -> None:
    assert organizational_domain("mail.example.co.uk") == "example.co.uk"
    assert organizational_domain("a.b.harborclub.test") == "harborclub.test"
    assert organizational_domain("Example.COM.") == "example.com"
    assert organizational_domain("co.uk") == "co.uk"


def test_a_missing_semicolon_is_pointed_out() -> None:
    assert parse("v=DMARC1; p=none rua=mailto:d@example.com").errors == [
        'p: "none rua=mailto:d@example.com" is not a policy (none, quarantine or reject) '
        '(a missing ";" before the next tag?)'
    ]
