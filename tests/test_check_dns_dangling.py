"""dns.dangling against the lab, and the lab's external zones it relies on."""

from __future__ import annotations

import dataclasses
import socket
from collections.abc import Iterator

import dns.rcode
import pytest
from check_helpers import assert_could_not_check, lab_dig, lab_sprint, run_check
from lab_fixtures import ZONE, dns_query

from launchtui.checks.edge.dns_dangling import provider
from launchtui.lab import HostSpec, Lab, LabConfig, LabThread
from launchtui.model.results import Severity, Status
from launchtui.model.sprint import NetworkConfig, Sprint
from launchtui.net.timeouts import Timeouts

pytest_plugins = ["lab_fixtures"]

CHECK = "dns.dangling"


def extra_config() -> LabConfig:
    """CNAMEs into a provider's zone (one name alive), a retired domain, a loop, a dead end."""
    return LabConfig(
        hosts=[
            HostSpec(ZONE),
            HostSpec(f"live.{ZONE}", cname="harborclub.herokuapp.com"),
            HostSpec(f"moved.{ZONE}", cname="www.retired-vendor.test"),
            HostSpec(f"loop1.{ZONE}", cname=f"loop2.{ZONE}"),
            HostSpec(f"loop2.{ZONE}", cname=f"loop1.{ZONE}"),
            HostSpec(f"empty.{ZONE}", cname=f"notes.{ZONE}"),
        ],
        txt={f"notes.{ZONE}": ["no address here"]},
        mx={},
        caa={},
        external_zones={"herokuapp.com": ["harborclub.herokuapp.com"], "retired-vendor.test": []},
        dns_port=0,
        https_port=0,
        http_port=0,
    )


@pytest.fixture(scope="module")
def sprint(lab: Lab, tmp_path_factory: pytest.TempPathFactory) -> Sprint:
    return lab_sprint(lab, tmp_path_factory.mktemp("dangling"))


@pytest.fixture(scope="module")
def extra(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Lab]:
    with LabThread(extra_config(), tmp_path_factory.mktemp("extra")) as started:
        yield started


@pytest.fixture(scope="module")
def extra_sprint(extra: Lab, tmp_path_factory: pytest.TempPathFactory) -> Sprint:
    return lab_sprint(extra, tmp_path_factory.mktemp("extra-sprint"))


def test_a_host_that_is_not_a_cname_passes(sprint: Sprint) -> None:
    result = run_check(CHECK, sprint, f"app.{ZONE}")
    assert result.status is Status.PASS
    assert result.severity is Severity.HIGH
    assert result.summary == f"app.{ZONE} is not a CNAME: no CNAME to dangle"


def test_a_chain_that_resolves_passes_with_each_step(sprint: Sprint) -> None:
    result = run_check(CHECK, sprint, f"chain.{ZONE}")
    assert result.status is Status.PASS
    assert result.evidence["cname_chain"] == [f"www.{ZONE}", ZONE]
    assert result.evidence["a"] == ["127.0.0.1"]


def test_a_live_name_at_a_hosting_provider_passes(extra_sprint: Sprint) -> None:
    result = run_check(CHECK, extra_sprint, f"live.{ZONE}")
    assert result.status is Status.PASS
    assert "harborclub.herokuapp.com, which resolves to 127.0.0.1" in result.summary


def test_a_cname_to_a_deleted_heroku_app_fails_as_a_takeover_risk(sprint: Sprint) -> None:
    result = run_check(CHECK, sprint, f"blog.{ZONE}")
    assert result.status is Status.FAIL
    assert result.summary == (
        f"blog.{ZONE} is a CNAME to harborclub-old.herokuapp.com (Heroku), which does not "
        f"exist: anyone who claims that name at Heroku serves blog.{ZONE}"
    )
    assert result.evidence["provider"] == "Heroku"
    assert result.evidence["zone"] == ZONE
    assert f"delete the CNAME record of blog.{ZONE}" in result.fix
    assert f"`{lab_dig(sprint)} blog.{ZONE} CNAME`" in result.fix


def test_a_cname_to_a_missing_name_in_another_domain_fails(extra_sprint: Sprint) -> None:
    result = run_check(CHECK, extra_sprint, f"moved.{ZONE}")
    assert result.status is Status.FAIL
    assert "www.retired-vendor.test, which does not exist (NXDOMAIN) outside" in result.summary
    assert "provider" not in result.evidence
    assert "registering it" in result.fix


def test_a_missing_name_inside_the_zone_is_broken_not_takeover_prone(sprint: Sprint) -> None:
    result = run_check(CHECK, sprint, f"broken.{ZONE}")
    assert result.status is Status.WARN
    assert f"missing.{ZONE} does not exist (NXDOMAIN) in your own zone" in result.summary
    assert "not open to a takeover" in result.fix


def test_a_chain_ending_without_an_address_warns(extra_sprint: Sprint) -> None:
    result = run_check(CHECK, extra_sprint, f"empty.{ZONE}")
    assert result.status is Status.WARN
    assert f"notes.{ZONE} exists but has no address" in result.summary


def test_a_cname_loop_warns_and_stops(extra_sprint: Sprint) -> None:
    result = run_check(CHECK, extra_sprint, f"loop1.{ZONE}")
    assert result.status is Status.WARN
    assert result.evidence["cname_chain"] == [f"loop2.{ZONE}", f"loop1.{ZONE}"]


def test_servfail_while_following_is_an_error(sprint: Sprint) -> None:
    result = run_check(CHECK, sprint, f"forum.{ZONE}")
    assert_could_not_check(result, "SERVFAIL")


def test_a_timeout_while_following_is_an_error(sprint: Sprint) -> None:
    result = run_check(CHECK, sprint, f"drop.{ZONE}", Timeouts.uniform(1.0))
    assert_could_not_check(result, "timed out after 1 s")


def test_a_refused_step_of_the_chain_is_an_error_not_a_pass(sprint: Sprint) -> None:
    # gone.example.net is outside every zone the lab answers for: REFUSED.
    result = run_check(CHECK, sprint, f"dangling.{ZONE}")
    assert_could_not_check(result, "gone.example.net")
    assert "REFUSED" in result.summary


def test_no_dns_server_listening_is_an_error(sprint: Sprint) -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    dead = dataclasses.replace(sprint, network=NetworkConfig(nameservers=(("127.0.0.1", port),)))
    result = run_check(CHECK, dead, f"www.{ZONE}", Timeouts.uniform(1.0))
    assert_could_not_check(result, f"timed out after 1 s (127.0.0.1:{port})")


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("harborclub-old.herokuapp.com", "Heroku"),
        ("Acme.GitHub.io.", "GitHub Pages"),
        ("assets.s3-website-eu-west-1.amazonaws.com", "Amazon S3 website"),
        ("shop.myshopify.com", "Shopify"),
        ("herokuapp.com", None),  # the provider's own apex is nobody's to claim
        ("elb-123.eu-west-1.elb.amazonaws.com", None),
        ("example.net", None),
    ],
)
def test_takeover_prone_providers_are_known_by_suffix(name: str, expected: str | None) -> None:
    assert provider(name) == expected


def test_the_lab_answers_nxdomain_in_an_external_zone(lab: Lab) -> None:
    response = dns_query(lab.dns_address, f"blog.{ZONE}", "A")
    assert response.rcode() == dns.rcode.NXDOMAIN
    assert [str(rrset.name) for rrset in response.answer] == [f"blog.{ZONE}."]
    [soa] = response.authority
    assert str(soa.name) == "herokuapp.com."  # the external zone's own SOA


def test_an_existing_name_in_an_external_zone_resolves(extra: Lab) -> None:
    response = dns_query(extra.dns_address, "harborclub.herokuapp.com", "A")
    assert [rd.to_text() for rd in response.answer[0]] == ["127.0.0.1"]


@pytest.mark.parametrize(
    ("zones", "message"),
    [
        ({"harborclub.test": []}, "overlaps the lab zone"),
        ({"test": []}, "overlaps the lab zone"),
        ({"herokuapp.com": ["app.example.com"]}, "outside herokuapp.com"),
    ],
)
def test_external_zones_are_validated(zones: dict[str, list[str]], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        LabConfig(txt={}, external_zones=zones)


def test_the_lab_names_the_dangling_cname_among_the_seeded_problems(lab: Lab) -> None:
    problem = f"  blog.{ZONE}: CNAME to harborclub-old.herokuapp.com, which does not exist"
    assert any(line.startswith(problem) for line in lab.describe())
