"""`launchtui spf`: result, explanation, lookups and the trace, as text and JSON."""

from __future__ import annotations

import json
import socket
from collections.abc import Iterator

import pytest
from lab_fixtures import HOSTILE_TEXT
from spf_helpers import spf_world

from launchtui.cli.main import main
from launchtui.lab import Lab, LabThread
from launchtui.lab.config import demo_config
from launchtui.lab.ports import hostport

Z = "spf.test"


@pytest.fixture(scope="module")
def lab(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Lab]:
    config = spf_world(
        Z,
        {
            Z: [f"v=spf1 ip4:192.0.2.1 include:partner.{Z} -all exp=why.{Z}"],
            f"partner.{Z}": ["v=spf1 ip6:2001:db8::/32 ~all"],
            f"why.{Z}": ["%{i} may not send for %{d}"],
            f"hostile.{Z}": [f"v=spf1 {HOSTILE_TEXT} -all"],
            f"helo.{Z}": ["v=spf1 ip4:192.0.2.9 -all"],
            # issue 19: records that crashed email.spf (EmptyLabel / LabelTooLong)
            f"empty-label.{Z}": [
                "v=spf1 ip4:192.0.2.0/24 include:_spf.xe:_spf..test a mx:mail.x.test "
                "exists:.xdir -all"
            ],
            f"long-label.{Z}": [f"v=spf1 a:{'x' * 64}.{Z} -all"],
        },
    )
    with LabThread(config, tmp_path_factory.mktemp("spf-cli")) as started:
        yield started


def spf(lab: Lab, *args: str) -> list[str]:
    return ["spf", "--nameserver", hostport(lab.dns_address), "--timeout", "2", *args]


def test_text_output_names_result_explanation_lookups_and_each_term(
    lab: Lab, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(spf(lab, "--ip", "203.0.113.5", "--sender", f"news@{Z}"))
    out = capsys.readouterr().out
    assert code == 0
    assert out.splitlines() == [
        f"SPF fail for 203.0.113.5 sending as news@{Z}",
        f"reason: {Z}: -all matched",
        f"explanation: 203.0.113.5 may not send for {Z}",
        "lookups: 1 of 10, void lookups: 0 of 2",
        "trace:",
        f"  {Z}  record  ->  v=spf1 ip4:192.0.2.1 include:partner.{Z} -all exp=why.{Z}",
        f"  {Z}  ip4:192.0.2.1  ->  no match",
        f"  {Z}  include:partner.{Z}  ->  include partner.{Z}",
        f"    partner.{Z}  record  ->  v=spf1 ip6:2001:db8::/32 ~all",
        f"    partner.{Z}  ip6:2001:db8::/32  ->  no match",
        f"    partner.{Z}  ~all  ->  match: softfail",
        f"  {Z}  include:partner.{Z}  ->  no match (softfail)",
        f"  {Z}  -all  ->  match: fail",
        f"  {Z}  exp=why.{Z}  ->  explanation: 203.0.113.5 may not send for {Z}",
    ]


def test_json_output(lab: Lab, capsys: pytest.CaptureFixture[str]) -> None:
    code = main(spf(lab, "--ip", "2001:db8::25", "--sender", f"news@{Z}", "--format", "json"))
    data = json.loads(capsys.readouterr().out)
    assert code == 0
    assert data["result"] == "pass"
    assert data["explanation"] == ""
    assert (data["lookups"], data["lookup_limit"], data["voids"], data["void_limit"]) == (
        1,
        10,
        0,
        2,
    )
    assert data["trace"][4] == {
        "depth": 1,
        "domain": f"partner.{Z}",
        "term": "ip6:2001:db8::/32",
        "outcome": "match: pass",
    }
    assert set(data) >= {"reason", "ip", "sender", "helo", "domain", "record"}


def test_empty_sender_checks_the_helo_identity(
    lab: Lab, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(spf(lab, "--ip", "192.0.2.9", "--sender", "", "--helo", f"helo.{Z}")) == 0
    assert capsys.readouterr().out.startswith(
        f"SPF pass for 192.0.2.9 sending as postmaster@helo.{Z}\n"
    )


def test_hostile_records_are_printed_literally(
    lab: Lab, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(spf(lab, "--ip", "192.0.2.1", "--sender", f"a@hostile.{Z}")) == 0
    out = capsys.readouterr().out
    assert "SPF permerror" in out
    assert "[bold red]pwned[/]" in out  # markup shown as text
    assert "\x1b" not in out and "\\x1b[31mred" in out  # escape sequences made visible


def test_dns_failure_is_a_temperror_with_exit_0(capsys: pytest.CaptureFixture[str]) -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as silent:  # bound, never answers
        silent.bind(("127.0.0.1", 0))
        port = silent.getsockname()[1]
        args = ["spf", "--ip", "192.0.2.1", "--sender", f"a@{Z}"]
        code = main([*args, "--nameserver", f"127.0.0.1:{port}", "--timeout", "0.5"])
    assert code == 0
    assert capsys.readouterr().out.startswith(f"SPF temperror for 192.0.2.1 sending as a@{Z}")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--ip", "300.1.1.1", "--sender", f"a@{Z}"], "--ip: '300.1.1.1' is not an IPv4"),
        (["--ip", "192.0.2.1", "--sender", ""], "--sender is empty: give --helo"),
        (["--ip", "192.0.2.1", "--sender", "<>"], "--sender is empty: give --helo"),
        (["--ip", "192.0.2.1", "--sender", f"a@{Z}", "--timeout", "0"], "--timeout must be"),
        (["--ip", "192.0.2.1", "--sender", f"a@{Z}", "--nameserver", "x:99999"], "--nameserver"),
    ],
)
def test_usage_errors_exit_2_with_one_line(
    args: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["spf", *args]) == 2
    err = capsys.readouterr().err
    assert message in err
    assert len(err.strip().splitlines()) == 1


@pytest.mark.parametrize(
    ("sender", "helo", "reason"),
    [
        ("a@localhost", "", "'localhost' is not a multi-label domain name"),
        ("a@A...example.com", "", "'a...example.com' has a zero-length label"),
        ("foo@[192.0.2.1]", "", "'[192.0.2.1]' is an address literal, not a domain name"),
        ("", "A2345678", "'a2345678' is not a multi-label domain name"),
    ],
)
def test_a_malformed_sender_or_helo_domain_is_none_not_a_usage_error(
    lab: Lab, sender: str, helo: str, reason: str, capsys: pytest.CaptureFixture[str]
) -> None:
    # RFC 7208 4.3: a malformed <domain> "or is not a multi-label domain name": check_host()
    # "immediately returns the result "none"".
    assert main(spf(lab, "--ip", "192.0.2.1", f"--sender={sender}", f"--helo={helo}")) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].startswith("SPF none for 192.0.2.1")
    assert lines[1] == f"reason: {reason} (RFC 7208 4.3)"


def test_a_missing_ip_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as raised:
        main(["spf", "--sender", f"a@{Z}"])
    assert raised.value.code == 2
    assert "the following arguments are required: --ip" in capsys.readouterr().err


def test_help_documents_the_json_keys(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["spf", "--help"])
    out = capsys.readouterr().out
    assert '"lookup_limit"' in out and '"trace"' in out


def test_the_demo_relay_passes_and_any_other_address_is_a_permerror(
    tmp_path_factory: pytest.TempPathFactory, capsys: pytest.CaptureFixture[str]
) -> None:
    with LabThread(demo_config(base_port=0), tmp_path_factory.mktemp("demo")) as demo:
        sender = "hello@harborclub.test"
        assert main(spf(demo, "--ip", "127.0.0.1", "--sender", sender)) == 0
        relay = capsys.readouterr().out
        assert main(spf(demo, "--ip", "198.51.100.20", "--sender", sender)) == 0
        other = capsys.readouterr().out
    assert relay.startswith("SPF pass for 127.0.0.1")
    assert "lookups: 0 of 10" in relay
    assert other.startswith("SPF permerror for 198.51.100.20")
    assert "reason: more than 10 DNS lookups" in other


@pytest.mark.parametrize(
    ("name", "term", "reason"),
    [
        ("empty-label", "include:_spf.xe:_spf..test", "has a zero-length label"),
        ("long-label", f"a:{'x' * 64}.{Z}", "has a label longer than 63 characters"),
    ],
)
def test_a_domain_spec_that_is_no_domain_name_is_a_permerror_naming_the_term(
    lab: Lab, capsys: pytest.CaptureFixture[str], name: str, term: str, reason: str
) -> None:
    # RFC 7208 7.1 (a domain-spec is a domain name) and 4.6 (a syntax error is permerror).
    code = main(spf(lab, "--ip", "192.0.2.1", "--sender", f"a@{name}.{Z}"))
    lines = capsys.readouterr().out.splitlines()
    assert code == 0
    assert lines[0] == f"SPF permerror for 192.0.2.1 sending as a@{name}.{Z}"
    assert lines[1].startswith(f'reason: {name}.{Z}: syntax error in "{term}": ')
    assert lines[1].endswith(reason)
