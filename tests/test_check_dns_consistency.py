"""dns.consistency against the lab: its public resolvers and its authoritative server."""

from __future__ import annotations

import asyncio
import dataclasses
import socket

import pytest
from check_helpers import assert_could_not_check, lab_sprint, run_check
from lab_fixtures import ZONE

from launchtui.lab import Lab
from launchtui.lab.ports import hostport
from launchtui.model.results import Severity, Status
from launchtui.model.sprint import HostPort, Sprint
from launchtui.net.authoritative import ZoneCut, nameservers
from launchtui.net.connect import Connector
from launchtui.net.dns import DnsClient
from launchtui.net.timeouts import Timeouts

pytest_plugins = ["lab_fixtures"]

CHECK = "dns.consistency"


@pytest.fixture(scope="module")
def sprint(lab, tmp_path_factory):
    return lab_sprint(lab, tmp_path_factory.mktemp("consistency"))


def closed_port() -> HostPort:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return "127.0.0.1", probe.getsockname()[1]


def with_network(sprint: Sprint, **changes: object) -> Sprint:
    return dataclasses.replace(sprint, network=dataclasses.replace(sprint.network, **changes))


def test_agreeing_sources_pass_with_each_answer_as_evidence(lab: Lab, sprint: Sprint) -> None:
    result = run_check(CHECK, sprint, f"members.{ZONE}")
    assert result.status is Status.PASS
    assert result.severity is Severity.HIGH
    assert result.summary == f"members.{ZONE}: all 4 sources agree: A 127.0.0.1"
    answers = result.evidence["answers"]
    # The zone's nameserver is found through NS and reached through connect_to ns1:53.
    assert answers[f"authoritative ns1.{ZONE} ({hostport(lab.dns_address)})"] == "A 127.0.0.1"
    for address in lab.resolver_addresses:
        assert answers[f"public resolver {hostport(address)}"] == "A 127.0.0.1"
    assert result.evidence["authoritative_ttl"] == 300


def test_a_cname_is_compared_by_its_target(sprint: Sprint) -> None:
    result = run_check(CHECK, sprint, f"www.{ZONE}")
    assert result.status is Status.PASS
    assert set(result.evidence["answers"].values()) == {f"CNAME {ZONE}"}


def test_a_name_missing_everywhere_is_consistent(sprint: Sprint) -> None:
    result = run_check(CHECK, sprint, f"shop.{ZONE}")
    assert result.status is Status.PASS
    assert result.summary.endswith("agree: NXDOMAIN")


def test_a_stale_public_resolver_fails_naming_it(lab: Lab, sprint: Sprint) -> None:
    result = run_check(CHECK, sprint, f"community.{ZONE}")
    stale = hostport(lab.resolver_addresses[-1])
    assert result.status is Status.FAIL
    assert result.summary == (
        f"community.{ZONE}: public resolver {stale} answers A 127.0.0.9, "
        "but the zone's nameservers answer A 127.0.0.1"
    )
    assert result.evidence["answers"][f"public resolver {stale}"] == "A 127.0.0.9"
    assert "TTL (300 s here)" in result.fix
    host, port = lab.resolver_addresses[-1]
    assert f"dig +short @{host} -p {port} community.{ZONE} A" in result.fix


def test_a_resolver_serving_another_address_fails(lab: Lab, sprint: Sprint) -> None:
    result = run_check(CHECK, sprint, f"app.{ZONE}")  # resolver 1 answers 127.0.0.2
    assert result.status is Status.FAIL
    assert f"public resolver {hostport(lab.resolver_addresses[1])} answers A 127.0.0.2" in (
        result.summary
    )


def test_an_unreachable_resolver_while_the_rest_agree_warns(lab: Lab, sprint: Sprint) -> None:
    dead = closed_port()
    partial = with_network(sprint, public_resolvers=(lab.resolver_addresses[0], dead))
    result = run_check(CHECK, partial, f"members.{ZONE}", Timeouts.uniform(1.0))
    assert result.status is Status.WARN
    assert f"public resolver {hostport(dead)} could not be asked" in result.summary
    assert list(result.evidence["errors"]) == [f"public resolver {hostport(dead)}"]
    assert "[network].public_resolvers" in result.fix


def test_an_unreachable_nameserver_while_the_resolvers_agree_warns(sprint: Sprint) -> None:
    mapped = dict(sprint.network.connect_to) | {(f"ns1.{ZONE}", 53): closed_port()}
    changed = with_network(sprint, connect_to=mapped)
    result = run_check(CHECK, changed, f"members.{ZONE}", Timeouts.uniform(1.0))
    assert result.status is Status.WARN
    assert f"authoritative ns1.{ZONE}" in result.summary
    assert len(result.evidence["answers"]) == 3


def test_without_public_resolvers_it_is_skipped(sprint: Sprint) -> None:
    result = run_check(CHECK, with_network(sprint, public_resolvers=()), f"app.{ZONE}")
    assert result.status is Status.SKIP
    assert 'public_resolvers = ["1.1.1.1"' in result.fix


def test_servfail_everywhere_is_an_error(sprint: Sprint) -> None:
    result = run_check(CHECK, sprint, f"forum.{ZONE}")
    assert_could_not_check(result, "SERVFAIL")
    assert result.summary.startswith("could not check: none of the 4 sources answered")
    assert len(result.evidence["errors"]) == 4


def test_no_answer_at_all_is_an_error(sprint: Sprint) -> None:
    result = run_check(CHECK, sprint, f"drop.{ZONE}", Timeouts.uniform(1.0))
    assert_could_not_check(result, "timed out after 1 s")
    assert result.duration_ms < 5000


def test_refused_everywhere_is_an_error(sprint: Sprint) -> None:
    result = run_check(CHECK, sprint, "elsewhere.example")
    assert_could_not_check(result, "REFUSED")


def test_nothing_listening_is_an_error(sprint: Sprint) -> None:
    dead = closed_port()
    nowhere = with_network(sprint, nameservers=(dead,), public_resolvers=(dead,))
    result = run_check(CHECK, nowhere, f"app.{ZONE}", Timeouts.uniform(1.0))
    assert_could_not_check(result, "timed out after 1 s")
    assert result.summary.startswith("could not check: none of the 2 sources answered")


def test_the_lab_names_its_stale_resolver_among_the_seeded_problems(lab: Lab) -> None:
    stale = hostport(lab.resolver_addresses[-1])
    assert f"  community.{ZONE}: public resolver {stale} still answers 127.0.0.9" in (
        lab.describe()
    )


def test_a_nameserver_without_an_address_is_reported_not_asked(lab: Lab) -> None:
    connector = Connector(DnsClient((lab.dns_address,), timeout=1.0))
    zone = ZoneCut(ZONE, (f"ns1.{ZONE}", f"ns9.{ZONE}"))
    servers, missing = asyncio.run(nameservers(connector, zone, 1.0))
    assert [server.name for server in servers] == [f"ns1.{ZONE}"]
    assert servers[0].label == f"ns1.{ZONE} (127.0.0.1:53)"  # no connect_to: the real port
    assert "does not resolve (NXDOMAIN" in missing[f"ns9.{ZONE}"]
