"""dns.resolve against the lab's real DNS server: pass, warn, fail and error."""

from __future__ import annotations

import dataclasses
import socket

import pytest
from check_helpers import assert_could_not_check, lab_dig, lab_sprint, run_check
from lab_fixtures import ZONE

from launchtui.model.results import Severity, Status
from launchtui.model.sprint import NetworkConfig

pytest_plugins = ["lab_fixtures"]


@pytest.fixture(scope="module")
def sprint(lab, tmp_path_factory):
    return lab_sprint(lab, tmp_path_factory.mktemp("dns"))


def test_an_address_record_passes_with_the_records_as_evidence(sprint):
    result = run_check("dns.resolve", sprint, f"app.{ZONE}")
    assert result.status is Status.PASS
    assert result.severity is Severity.BLOCKER
    assert result.evidence["a"] == ["127.0.0.1"]
    assert result.evidence["aaaa"] == "nodata"
    assert result.evidence["resolver"].startswith("127.0.0.1:")


def test_both_families_are_reported(sprint):
    result = run_check("dns.resolve", sprint, f"dual.{ZONE}")
    assert result.status is Status.PASS
    assert result.evidence["aaaa"] == ["::1"]


def test_cname_chains_are_followed_and_shown(sprint):
    result = run_check("dns.resolve", sprint, f"chain.{ZONE}")
    assert result.status is Status.PASS
    assert result.evidence["cname_chain"] == [f"www.{ZONE}", ZONE]
    assert result.evidence["a"] == ["127.0.0.1"]


def test_nxdomain_fails_with_a_fix(sprint):
    result = run_check("dns.resolve", sprint, f"shop.{ZONE}")
    assert result.status is Status.FAIL
    assert "NXDOMAIN" in result.summary
    assert f"`{lab_dig(sprint)} shop.{ZONE} A`" in result.fix


def test_a_name_with_no_address_records_fails(sprint):
    result = run_check("dns.resolve", sprint, f"hostile.{ZONE}")  # TXT only
    assert result.status is Status.FAIL
    assert "no A or AAAA" in result.summary


def test_a_cname_to_a_missing_name_fails(sprint):
    result = run_check("dns.resolve", sprint, f"broken.{ZONE}")
    assert result.status is Status.FAIL
    assert result.evidence["cname_chain"] == [f"missing.{ZONE}"]


def test_one_family_failing_to_resolve_is_a_warning(sprint):
    result = run_check("dns.resolve", sprint, f"half.{ZONE}")
    assert result.status is Status.WARN
    assert "AAAA lookup failed" in result.summary
    assert "SERVFAIL" in result.summary


def test_servfail_is_an_error_never_a_pass(sprint):
    result = run_check("dns.resolve", sprint, f"forum.{ZONE}")
    assert_could_not_check(result, "SERVFAIL")
    assert "Do53" not in result.summary


def test_servfail_names_the_server_and_what_to_look_at(sprint):
    result = run_check("dns.resolve", sprint, f"forum.{ZONE}")
    address, port = sprint.network.nameservers[0]
    fix = result.fix
    assert fix.startswith(
        f"Nothing was verified: {address}:{port} answered SERVFAIL for forum.{ZONE} A"
    )
    assert "make the target reachable" not in fix.lower()
    assert "DNSSEC validation fails" in fix
    assert f"`dig +cd @{address} -p {port} forum.{ZONE} A` shows status: NOERROR" in fix
    assert "authoritative servers are down or lame" in fix
    assert f"`{lab_dig(sprint)} {ZONE} NS`" in fix  # the zone is the sprint's apex
    assert f"Verify: `dig @{address} -p {port} forum.{ZONE} A` shows status: NOERROR" in fix


def test_a_nameserver_that_never_answers_is_an_error(sprint):
    result = run_check("dns.resolve", sprint, f"drop.{ZONE}")
    assert_could_not_check(result, "timed out after 2 s")
    address, port = sprint.network.nameservers[0]
    assert result.fix.startswith(
        f"Nothing was verified: {address}:{port} did not answer for drop.{ZONE} A within the "
        "time limit."
    )
    assert f"let UDP and TCP to port {port} through" in result.fix


def test_a_refused_query_outside_the_zone_is_an_error(sprint):
    result = run_check("dns.resolve", sprint, "elsewhere.example")
    assert_could_not_check(result, "REFUSED")
    address, port = sprint.network.nameservers[0]
    assert result.fix.startswith(
        f"Nothing was verified: {address}:{port} refused to answer for elsewhere.example A."
    )
    assert "If it is an authoritative server of <its zone>" in result.fix


def test_no_dns_server_listening_is_an_error(sprint):
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    dead = dataclasses.replace(sprint, network=NetworkConfig(nameservers=(("127.0.0.1", port),)))
    result = run_check("dns.resolve", dead, f"app.{ZONE}")
    assert_could_not_check(result, f"timed out after 2 s (127.0.0.1:{port})")
    assert result.summary.startswith("could not check")
    # dnspython waits out a closed UDP port: the fix is the timeout's, naming that server.
    assert result.fix.startswith(f"Nothing was verified: 127.0.0.1:{port} did not answer")
