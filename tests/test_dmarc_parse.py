"""The RFC 9989 record parser: the RFC's own examples, every tag's rules, the historic tags,
a missing p, the tree walk's names, and hostile records."""

from __future__ import annotations

import pytest

from launchtui.email.dmarc import (
    is_dmarc,
    looks_like_dmarc,
    parse,
    rfc7489_differences,
    under_test,
    walk_names,
)
from launchtui.email.messages import MAX_MESSAGES
from launchtui.email.txt import txt_value

# Appendix B.2 of RFC 9989: example.com's monitoring records (B.2.1, B.2.2), the subdomain
# test.example.com testing quarantine with two aggregate URIs, then at enforcement (B.2.5).
RFC_EXAMPLES = {
    "v=DMARC1; p=none; rua=mailto:dmarc-feedback@example.com": {
        "v": "DMARC1",
        "p": "none",
        "rua": "mailto:dmarc-feedback@example.com",
    },
    "v=DMARC1; p=none; rua=mailto:dmarc-feedback@example.com; "
    "ruf=mailto:auth-reports@example.com": {
        "v": "DMARC1",
        "p": "none",
        "rua": "mailto:dmarc-feedback@example.com",
        "ruf": "mailto:auth-reports@example.com",
    },
    "v=DMARC1; p=quarantine; rua=mailto:dmarc-feedback@example.com,"
    "mailto:tld-test@thirdparty.example.net; t=y": {
        "v": "DMARC1",
        "p": "quarantine",
        "rua": "mailto:dmarc-feedback@example.com,mailto:tld-test@thirdparty.example.net",
        "t": "y",
    },
    "v=DMARC1; p=reject; rua=mailto:dmarc-feedback@example.com,"
    "mailto:tld-test@thirdparty.example.net": {
        "v": "DMARC1",
        "p": "reject",
        "rua": "mailto:dmarc-feedback@example.com,mailto:tld-test@thirdparty.example.net",
    },
    # Every tag of the 4.7 registry at once, p not second (4.8's grammar allows any order).
    "v=DMARC1; rua=mailto:d@example.com; p=reject; sp=quarantine; np=reject; t=n; psd=n; "
    "adkim=s; aspf=r; fo=0:1:d:s; ruf=mailto:auth@example.com": {
        "v": "DMARC1",
        "rua": "mailto:d@example.com",
        "p": "reject",
        "sp": "quarantine",
        "np": "reject",
        "t": "n",
        "psd": "n",
        "adkim": "s",
        "aspf": "r",
        "fo": "0:1:d:s",
        "ruf": "mailto:auth@example.com",
    },
}


@pytest.mark.parametrize("text", list(RFC_EXAMPLES))
def test_the_rfc_examples_parse_without_errors(text: str) -> None:
    record = parse(text)
    assert record.errors == []
    assert record.warnings == []
    assert record.tags == RFC_EXAMPLES[text]


def test_t_y_applies_one_level_below_the_policy() -> None:
    """RFC 9989 4.7 t: quarantine under test is applied as none, reject as quarantine."""
    testing = parse("v=DMARC1; p=quarantine; rua=mailto:d@example.com; t=y")
    assert testing.testing and testing.receiver_policy() == "quarantine"
    assert [under_test(p) for p in ("reject", "quarantine", "none")] == [
        "quarantine",
        "none",
        "none",
    ]
    assert not parse("v=DMARC1; p=reject; t=n").testing
    assert parse("v=DMARC1; p=reject; t=yes").errors == ['t: "yes" is not y or n (RFC 9989 4.7)']


def test_sp_and_np_choose_the_policy_of_a_subdomain() -> None:
    """RFC 9989 4.10.1: a subdomain takes sp if it exists, np if it does not; each falls
    back (np to sp, sp to p)."""
    record = parse("v=DMARC1; p=none; sp=quarantine; np=reject; rua=mailto:d@example.com")
    assert record.receiver_policy() == "none"
    assert record.receiver_policy(subdomain=True) == "quarantine"
    assert record.receiver_policy(subdomain=True, exists=False) == "reject"
    no_np = parse("v=DMARC1; p=reject; sp=quarantine")
    assert no_np.receiver_policy(subdomain=True, exists=False) == "quarantine"
    only_p = parse("v=DMARC1; p=reject")
    assert only_p.receiver_policy(subdomain=True, exists=False) == "reject"


def test_an_invalid_np_with_a_valid_rua_is_read_as_p_none() -> None:
    """RFC 9989 4.10.1: an invalid sp or np makes the record p=none when rua is valid."""
    record = parse("v=DMARC1; p=reject; np=drop; rua=mailto:d@example.com")
    assert record.errors == [
        'np: "drop" is not a policy (none, quarantine or reject; RFC 9989 4.7)'
    ]
    assert record.receiver_policy(subdomain=True, exists=False) == "none"
    assert parse("v=DMARC1; p=reject; np=drop").receiver_policy() is None


def test_psd_takes_y_n_or_u() -> None:
    assert parse("v=DMARC1; p=reject; psd=y").psd == "y"
    assert parse("v=DMARC1; p=reject").psd == "u"  # the default (4.7)
    assert parse("v=DMARC1; p=reject; psd=yes").errors == [
        'psd: "yes" is not y, n or u (RFC 9989 4.7)'
    ]


def test_a_record_without_p_but_with_rua_acts_as_p_none_with_a_warning() -> None:
    """RFC 9989 4.7 p: "If this tag is not present in an otherwise syntactically valid DMARC
    Policy Record, then the record is treated as if it included p=none"."""
    record = parse("v=DMARC1; rua=mailto:d@example.com")
    assert record.valid
    assert record.receiver_policy() == "none"
    assert record.warnings == [
        "p: missing, so receivers act as p=none because rua is valid (RFC 9989 4.10.1); "
        "write p=none explicitly, then move to quarantine and reject"
    ]


def test_a_record_without_p_or_rua_applies_no_dmarc_and_is_an_error() -> None:
    record = parse("v=DMARC1; adkim=s")
    assert record.receiver_policy() is None
    assert record.errors == [
        "p: missing and no valid rua, so receivers apply no DMARC at all (RFC 9989 4.10.1); "
        "add p=none and rua to start"
    ]


def test_historic_tags_are_not_validated_and_warned_as_removed() -> None:
    """RFC 9989 Appendix A.6 and C.5.2: pct, rf and ri are removed; receivers ignore them."""
    record = parse("v=DMARC1; p=reject; pct=150; rf=iodef; ri=1h; rua=mailto:d@example.com")
    assert record.errors == []
    assert record.receiver_policy() == "reject"
    assert "pct" not in record.tags and record.historic == {"pct": "150", "rf": "iodef", "ri": "1h"}
    assert record.warnings == [
        "pct=150: removed in RFC 9989 (Appendix A.6), receivers ignore it and apply the policy "
        "to all failing mail; for a gradual rollout use t=y (testing) and the aggregate reports "
        "instead",
        "rf=iodef: removed in RFC 9989, receivers ignore it (failure reports are AFRF)",
        "ri=1h: removed in RFC 9989, receivers ignore it (they report at least daily, section "
        "5.3.8)",
    ]


def test_rfc7489_receivers_are_told_apart_where_they_differ() -> None:
    record = parse("v=DMARC1; rua=mailto:d@example.com; p=quarantine; pct=25; t=y; np=reject")
    assert rfc7489_differences(record) == [
        "pct=25: an RFC 7489 receiver applies p=quarantine to only 25% of failing mail; "
        "RFC 9989 receivers apply it to all",
        "p is not right after v: RFC 7489's grammar put it there, and strict RFC 7489 parsers "
        "discard the record",
        "t=y: an RFC 7489 receiver does not know t and applies p=quarantine in full",
        "np: an RFC 7489 receiver does not know np and applies sp or p instead",
    ]
    assert rfc7489_differences(parse("v=DMARC1; p=reject; rua=mailto:d@example.com")) == []


def test_the_size_suffix_of_a_report_uri_is_accepted_with_a_note() -> None:
    """RFC 9989 4.8: obs-dmarc-report-size, "!" digits and a unit, to be ignored."""
    record = parse(
        "v=DMARC1; p=quarantine; rua=mailto:dmarc-feedback@example.com,"
        "mailto:tld-test@thirdparty.example.net!10m"
    )
    assert record.errors == [] and record.warnings == []
    assert [(u.uri, u.size, u.host) for u in record.rua] == [
        ("mailto:dmarc-feedback@example.com", "", "example.com"),
        ("mailto:tld-test@thirdparty.example.net", "10m", "thirdparty.example.net"),
    ]
    assert record.notes == [
        'rua: the size limit !10m on "mailto:tld-test@thirdparty.example.net" is obsolete '
        "syntax; RFC 9989 receivers ignore it (4.8)"
    ]


def test_the_tree_walk_asks_at_most_eight_names() -> None:
    """RFC 9989 4.10's own example: a.b.c.d.e.f.g.h.i.j.mail.example.com takes eight
    queries, jumping to the last seven labels after the first."""
    assert [f"_dmarc.{name}" for name in walk_names("a.b.c.d.e.f.g.h.i.j.mail.example.com")] == [
        "_dmarc.a.b.c.d.e.f.g.h.i.j.mail.example.com",
        "_dmarc.g.h.i.j.mail.example.com",
        "_dmarc.h.i.j.mail.example.com",
        "_dmarc.i.j.mail.example.com",
        "_dmarc.j.mail.example.com",
        "_dmarc.mail.example.com",
        "_dmarc.example.com",
        "_dmarc.com",
    ]
    assert walk_names("a.mail.example.com") == [
        "a.mail.example.com",
        "mail.example.com",
        "example.com",
        "com",
    ]
    eight = "a.b.c.d.e.f.example.com"  # eight labels: the parent is already seven
    assert walk_names(eight)[1] == "b.c.d.e.f.example.com" and len(walk_names(eight)) == 8
    assert walk_names("com") == ["com"]


def test_names_and_keywords_are_case_insensitive_but_the_version_is_not() -> None:
    record = parse("V=DMARC1; P=Reject; RUA=mailto:d@example.com; ADKIM=S")
    assert record.errors == []
    assert record.policy == "reject"
    assert parse("v=dmarc1; p=none").errors == [
        'v: the record must start with "v=DMARC1" (found "v=dmarc1"); receivers ignore a '
        "record that does not (RFC 9989 4.7)"
    ]


def test_whitespace_around_separators_and_a_trailing_semicolon_are_allowed() -> None:
    record = parse("v = DMARC1 ;\tp = none ; rua = mailto:a@example.com , mailto:b@example.com ;")
    assert record.errors == []
    assert [u.address for u in record.rua] == ["a@example.com", "b@example.com"]


@pytest.mark.parametrize(
    ("text", "error"),
    [
        ("p=none; v=DMARC1", 'v: the record must start with "v=DMARC1" (found "p=none")'),
        ("v=DMARC1", "p: missing and no valid rua"),
        ("v=DMARC1; p=block", 'p: "block" is not a policy (none, quarantine or reject; RFC 9989'),
        ("v=DMARC1; p=none; np=maybe", 'np: "maybe" is not a policy'),
        ("v=DMARC1; p=none; sp=", 'sp: "" is not a policy (none, quarantine or reject;'),
        ("v=DMARC1; p=none; adkim=strict", 'adkim: "strict" is not an alignment mode'),
        ("v=DMARC1; p=none; aspf=x", 'aspf: "x" is not an alignment mode'),
        ("v=DMARC1; p=none; fo=1:2", 'fo: "2" is not a failure reporting option'),
        (
            "v=DMARC1; p=none; rua=dmarc@example.com",
            'rua: "dmarc@example.com" is not a URI (write mailto:dmarc@example.com)',
        ),
        (
            "v=DMARC1; p=none; rua=mailto:d@example.com!10x",
            'rua: "mailto:d@example.com!10x" has an invalid size limit "10x" (a "!" inside a URI '
            "must be written %21; RFC 9989 4.8)",
        ),
        ("v=DMARC1; p=none; ruf=mailto:nobody", 'ruf: "mailto:nobody" has no valid mail address'),
        ("v=DMARC1; p=none; rua=mailto:a@example.com,,", "rua: empty URI in"),
        ("v=DMARC1; p", '"p": tag without "=" (write tag=value; RFC 9989 4.8)'),
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
    """RFC 9989 4.10.1."""
    record = parse("v=DMARC1; p=blocked; rua=mailto:d@example.com")
    assert not record.valid
    assert record.receiver_policy() == "none"
    assert parse("v=DMARC1; p=reject; sp=maybe").receiver_policy() is None


def test_unknown_tags_are_ignored_but_reported() -> None:
    record = parse("v=DMARC1; p=none; rua=mailto:d@example.com; rue=mailto:x@example.com")
    assert record.valid
    assert record.warnings == ["rue: unknown tag, ignored by receivers (RFC 9989 4.7)"]
    assert "rue" not in record.tags


def test_records_that_work_but_not_as_meant_get_warnings() -> None:
    record = parse(
        "v=DMARC1; p=none; fo=1; rua=mailto:a@example.com,mailto:b@example.com,"
        "https://reports.example.com/dmarc"
    )
    assert record.valid
    # RFC 9989 4.6: a report SHOULD be sent to each URI listed: three are no finding.
    assert record.warnings == [
        'rua: "https://reports.example.com/dmarc" is not a mailto: URI; receivers only have '
        "to support mailto: (RFC 9989 4.7)",
        "fo: has no effect without ruf (failure reports go nowhere)",
    ]


def test_control_characters_and_markup_stay_literal_in_errors() -> None:
    text = "v=DMARC1; p=[bold red]none[/] \x1b[31m; rua=mailto:x@example.com"
    record = parse(text)
    assert record.errors == [
        'p: "[bold red]none[/] \x1b[31m" is not a policy (none, quarantine or reject; RFC 9989 4.7)'
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


def test_a_missing_semicolon_is_pointed_out() -> None:
    assert parse("v=DMARC1; p=none rua=mailto:d@example.com").errors == [
        'p: "none rua=mailto:d@example.com" is not a policy (none, quarantine or reject; '
        'RFC 9989 4.7) (a missing ";" before the next tag?)'
    ]
