"""`launchtui dmarc DOMAIN`: the RFC 9989 tree walk and parse printed as text or JSON, the
RFC 7489 differences, exit codes 0/1/2."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
from email_lab import HOSTILE_DMARC, RECORDS, ZONE, dmarc_config, started

from launchtui.cli.main import main
from launchtui.lab import Lab


@pytest.fixture(scope="module")
def lab(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Lab]:
    with started(dmarc_config(), tmp_path_factory) as running:
        yield running


def dmarc(lab: Lab, *args: str) -> list[str]:
    host, port = lab.dns_address
    return ["dmarc", *args, "--nameserver", f"{host}:{port}", "--timeout", "2"]


def test_a_valid_record_prints_where_it_was_found_and_its_tags(
    lab: Lab, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(dmarc(lab, "outsourced.test")) == 0
    assert capsys.readouterr().out == (
        "DMARC for outsourced.test (organizational domain outsourced.test)\n"
        "walked    _dmarc.outsourced.test: 1 DMARC record(s)\n"
        "found at  _dmarc.outsourced.test\n"
        f"record    {RECORDS['outsourced.test'][0]}\n"
        "tags\n"
        "  v      DMARC1\n"
        "  p      none\n"
        "  rua    mailto:agg@reports.example\n"
        "  ruf    mailto:f@forensic.example\n"
        "external report destinations (RFC 9990 section 4)\n"
        "  rua mailto:agg@reports.example: authorized "
        "(outsourced.test._report._dmarc.reports.example)\n"
        "  ruf mailto:f@forensic.example: NOT authorized "
        "(outsourced.test._report._dmarc.forensic.example)\n"
        "result: valid\n"
    )


def test_json_output_carries_the_parse(lab: Lab, capsys: pytest.CaptureFixture[str]) -> None:
    assert main([*dmarc(lab, "mail.parent.test"), "--format", "json"]) == 0
    document = json.loads(capsys.readouterr().out)
    assert document["status"] == "valid"
    assert document["walked"] == ["_dmarc.mail.parent.test", "_dmarc.parent.test"]
    assert document["queried"] == ["_dmarc.mail.parent.test", "_dmarc.parent.test", "_dmarc.test"]
    assert document["found_at"] == "_dmarc.parent.test"
    assert document["organizational_domain"] == "parent.test"
    assert document["tags"] == {"v": "DMARC1", "p": "quarantine", "rua": "mailto:d@parent.test"}
    assert document["errors"] == [] and document["destinations"] == []
    assert document["rfc7489"] == []


def test_rfc_9989_readings_and_the_rfc_7489_differences_are_printed(
    lab: Lab, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(dmarc(lab, "partial.test")) == 0
    out = capsys.readouterr().out
    assert "warning: pct=25: removed in RFC 9989 (Appendix A.6)" in out
    assert (
        "RFC 7489: pct=25: an RFC 7489 receiver applies p=quarantine to only 25% of failing "
        "mail; RFC 9989 receivers apply it to all\n"
    ) in out
    assert main(dmarc(lab, "shop.registry.test")) == 0
    out = capsys.readouterr().out
    assert out.startswith(
        "DMARC for shop.registry.test (organizational domain shop.registry.test)\n"
        "walked    _dmarc.shop.registry.test: no DMARC record\n"
        "walked    _dmarc.registry.test: 1 DMARC record(s)\n"
        "found at  _dmarc.registry.test (public suffix domain, psd=y)\n"
    )


def test_an_invalid_record_prints_the_exact_errors_and_exits_1(
    lab: Lab, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(dmarc(lab, "twice.test")) == 1
    out = capsys.readouterr().out
    assert "error: p: duplicated tag (2 times); receivers may read any of them\n" in out
    assert out.endswith("result: invalid\n")


def test_a_missing_record_exits_1(lab: Lab, capsys: pytest.CaptureFixture[str]) -> None:
    assert main([*dmarc(lab, "lowercase.test"), "--format", "json"]) == 1
    document = json.loads(capsys.readouterr().out)
    assert document["status"] == "missing"
    assert document["errors"] == ["no DMARC record at _dmarc.lowercase.test, _dmarc.test"]
    assert document["ignored"] == [
        {"name": "_dmarc.lowercase.test", "record": "v=dmarc1; p=reject"}
    ]


def test_a_missing_record_says_where_it_looked(
    lab: Lab, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(dmarc(lab, f"www.{ZONE}")) == 1
    assert capsys.readouterr().out == (
        # With no record anywhere, the domain is its own organizational domain (4.10.2).
        f"DMARC for www.{ZONE} (organizational domain www.{ZONE})\n"
        f"walked    _dmarc.www.{ZONE}: no DMARC record\n"
        f"walked    _dmarc.{ZONE}: no DMARC record\n"
        "walked    _dmarc.test: no DMARC record\n"
        f"error: no DMARC record at _dmarc.www.{ZONE}, _dmarc.{ZONE}, _dmarc.test\n"
        "result: missing\n"
    )


def test_several_records_exit_1(lab: Lab, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(dmarc(lab, "several.test")) == 1
    out = capsys.readouterr().out
    assert "error: 2 DMARC records at _dmarc.several.test" in out
    assert out.endswith("result: several records\n")


def test_hostile_text_is_printed_literally(lab: Lab, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(dmarc(lab, "hostile.test")) == 1
    out = capsys.readouterr().out
    assert "\x1b" not in out
    assert "[bold red]pwned[/] \\x1b[31mred\\x1b[0m" in out
    json_exit = main([*dmarc(lab, "hostile.test"), "--format", "json"])
    assert json_exit == 1
    assert json.loads(capsys.readouterr().out)["record"] == HOSTILE_DMARC


def test_servfail_is_one_line_and_exits_1(lab: Lab, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(dmarc(lab, f"broken.{ZONE}")) == 1
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.startswith(f"launchtui: DNS lookup of _dmarc.broken.{ZONE} TXT failed")
    assert "SERVFAIL" in captured.err and captured.err.count("\n") == 1


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["dmarc", "not a domain"], "launchtui: DOMAIN 'not a domain':"),
        (["dmarc", "example.com", "--nameserver", "1.2.3.4:99999"], "launchtui: --nameserver:"),
        (["dmarc", "example.com", "--timeout", "0"], "launchtui: --timeout must be between"),
    ],
)
def test_usage_errors_exit_2(
    args: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(args) == 2
    assert capsys.readouterr().err.startswith(message)


def test_help(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        main(["dmarc", "--help"])
    assert exited.value.code == 0
    assert "Exit code 0: a valid record applies" in capsys.readouterr().out
