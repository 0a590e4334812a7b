"""dns.caa against the lab: CAA found by climbing the tree, judged against the served issuer."""

from __future__ import annotations

import dataclasses
import socket
from collections.abc import Iterator
from pathlib import Path

import pytest
import trustme
from check_helpers import assert_could_not_check, lab_dig, lab_sprint, run_check
from cryptography import x509
from cryptography.x509.oid import NameOID
from lab_fixtures import HOSTILE_ORG, ZONE

from launchtui.checks.edge.dns_caa import allowed_cas, ca_domains, parse
from launchtui.lab import HostSpec, Lab, LabConfig, LabThread, demo_config
from launchtui.model.results import Severity, Status
from launchtui.model.sprint import Sprint
from launchtui.net.timeouts import Timeouts

pytest_plugins = ["lab_fixtures"]

CHECK = "dns.caa"
REAL_CA = "Let's Encrypt Authority X3"


def odd_config() -> LabConfig:
    """No CAA at the apex; subdomains with CAA sets that forbid, confuse or do not restrict."""
    names = ("deny", "odd", "report", "wild")
    return LabConfig(
        hosts=[HostSpec(ZONE), *(HostSpec(f"{name}.{ZONE}") for name in names)],
        txt={},
        mx={},
        caa={
            f"deny.{ZONE}": ['0 issue ";"'],
            f"odd.{ZONE}": ['0 issue "lab.harborclub.test"', '128 tbs "unknown"'],
            f"report.{ZONE}": [f'0 iodef "mailto:security@{ZONE}"'],
            f"wild.{ZONE}": ['0 issuewild "letsencrypt.org"'],
        },
        external_zones={},
        dns_port=0,
        https_port=0,
        http_port=0,
    )


def real_ca_config() -> LabConfig:
    """The lab CA under a real CA's name (Let's Encrypt's old intermediate), with CAA sets that
    name real CAs only: the known-CA table has to do the matching."""
    names = ("google-only", "allows-le")
    return LabConfig(
        hosts=[HostSpec(ZONE), *(HostSpec(f"{name}.{ZONE}") for name in names)],
        txt={},
        mx={},
        caa={
            ZONE: ['0 issue "letsencrypt.org"'],
            f"google-only.{ZONE}": ['0 issue "pki.goog"'],
            f"allows-le.{ZONE}": ['0 issue "pki.goog"', '0 issue "letsencrypt.org; accounturi=x"'],
        },
        external_zones={},
        ca_name=REAL_CA,
        dns_port=0,
        https_port=0,
        http_port=0,
    )


def started(config: LabConfig, factory: pytest.TempPathFactory) -> Iterator[Sprint]:
    with LabThread(config, factory.mktemp("lab")) as lab:
        yield lab_sprint(lab, factory.mktemp("sprint"))


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Sprint]:
    yield from started(demo_config(base_port=0), tmp_path_factory)


@pytest.fixture(scope="module")
def odd(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Sprint]:
    yield from started(odd_config(), tmp_path_factory)


@pytest.fixture(scope="module")
def real_ca(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Sprint]:
    for sprint in started(real_ca_config(), tmp_path_factory):
        # No [network].caa_domain: the issuer's name alone says which CA it is.
        yield without_caa_domain(sprint)


@pytest.fixture(scope="module")
def faults(lab: Lab, tmp_path_factory: pytest.TempPathFactory) -> Sprint:
    return lab_sprint(lab, tmp_path_factory.mktemp("caa"))


def test_caa_inherited_from_the_apex_allowing_the_serving_ca_passes(demo: Sprint) -> None:
    result = run_check(CHECK, demo, f"app.{ZONE}")
    assert result.status is Status.PASS
    assert result.severity is Severity.MEDIUM
    assert result.summary == (
        f"app.{ZONE}: CAA at {ZONE} allows lab.harborclub.test, the CA of the certificate "
        "served (Harbor Club Lab CA)"
    )
    assert sorted(result.evidence["caa"]) == [
        f'0 iodef "mailto:security@{ZONE}"',
        '0 issue "lab.harborclub.test"',
        '0 issue "letsencrypt.org"',
    ]
    assert result.evidence["issuer"] == "CN=Harbor Club Lab CA"
    assert demo.network.caa_domain == "lab.harborclub.test"  # the lab's sprint says so


def without_caa_domain(sprint: Sprint) -> Sprint:
    return dataclasses.replace(sprint, network=dataclasses.replace(sprint.network, caa_domain=""))


def test_the_lab_ca_is_matched_only_through_the_caa_domain_setting(
    demo: Sprint, tmp_path: Path
) -> None:
    # launchtui knows real CAs only: without [network].caa_domain the lab CA is a stranger.
    result = run_check(CHECK, without_caa_domain(demo), f"app.{ZONE}")
    assert result.status is Status.WARN
    assert "Harbor Club Lab CA is not a CA launchtui can match" in result.summary
    assert result.evidence["issuer_caa_domains"] == []
    # The setting speaks for the CA of ca_bundle only: another CA's certificate is no match.
    other = tmp_path / "other-ca.pem"
    trustme.CA().cert_pem.write_to_path(str(other))
    network = dataclasses.replace(demo.network, ca_bundle=other)
    result = run_check(CHECK, dataclasses.replace(demo, network=network), f"app.{ZONE}")
    assert result.status is Status.WARN, result.summary
    assert result.evidence["issuer_caa_domains"] == []


def test_an_alias_uses_the_caa_of_its_canonical_name(demo: Sprint) -> None:
    result = run_check(CHECK, demo, f"www.{ZONE}")
    assert result.status is Status.PASS
    assert result.evidence["caa_owner"] == ZONE


def test_a_subdomain_caa_that_excludes_the_serving_ca_fails(demo: Sprint) -> None:
    result = run_check(CHECK, demo, f"status.{ZONE}")
    assert result.status is Status.FAIL
    assert result.summary == (
        f"status.{ZONE}: CAA at status.{ZONE} allows only letsencrypt.org, not "
        "lab.harborclub.test which issued the certificate served (Harbor Club Lab CA): "
        "renewal will be refused"
    )
    assert f'status.{ZONE}. CAA 0 issue "lab.harborclub.test"' in result.fix
    assert f"`{lab_dig(demo)} status.{ZONE} CAA`" in result.fix


def test_no_caa_anywhere_passes_without_a_tls_probe(odd: Sprint) -> None:
    result = run_check(CHECK, odd, ZONE)
    assert result.status is Status.PASS
    assert "any CA may issue" in result.summary
    assert result.evidence["checked"] == [ZONE]
    assert "issuer" not in result.evidence


def test_caa_with_only_a_report_address_restricts_nothing(odd: Sprint) -> None:
    result = run_check(CHECK, odd, f"report.{ZONE}")
    assert result.status is Status.PASS
    assert "restricts no CA" in result.summary


def test_caa_for_wildcards_only_does_not_restrict_this_certificate(odd: Sprint) -> None:
    result = run_check(CHECK, odd, f"wild.{ZONE}")
    assert result.status is Status.PASS
    assert "only wildcard certificates" in result.summary
    assert result.evidence["wildcard_certificate"] is False


def test_caa_allowing_no_ca_fails(odd: Sprint) -> None:
    result = run_check(CHECK, odd, f"deny.{ZONE}")
    assert result.status is Status.FAIL
    assert 'allows no CA at all (issue ";")' in result.summary


def test_an_unknown_critical_property_fails(odd: Sprint) -> None:
    result = run_check(CHECK, odd, f"odd.{ZONE}")
    assert result.status is Status.FAIL
    assert "critical property no CA knows (tbs)" in result.summary
    assert "set its flag to 0" in result.fix


def test_an_issuer_that_cannot_be_mapped_warns_and_keeps_its_name(faults: Sprint) -> None:
    unmapped = without_caa_domain(faults)
    result = run_check(CHECK, unmapped, f"app.{ZONE}")  # CA "[b]Harbor Club[/b] Lab CA"
    assert result.status is Status.WARN
    assert "[b]Harbor Club[/b] Lab CA is not a CA launchtui can match" in result.summary
    assert result.evidence["issuer"] == "CN=[b]Harbor Club[/b] Lab CA"
    assert result.evidence["issuer_caa_domains"] == []


def test_caa_present_but_no_certificate_to_read_is_an_error(demo: Sprint) -> None:
    result = run_check(CHECK, demo, f"shop.{ZONE}")
    assert_could_not_check(result, "does not resolve")


def test_https_refused_is_an_error(demo: Sprint) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    mapped = dict(demo.network.connect_to) | {(f"app.{ZONE}", 443): ("127.0.0.1", port)}
    closed = dataclasses.replace(demo, network=dataclasses.replace(demo.network, connect_to=mapped))
    result = run_check(CHECK, closed, f"app.{ZONE}", Timeouts.uniform(1.0))
    assert_could_not_check(result, "connection refused")


def test_servfail_is_an_error(faults: Sprint) -> None:
    result = run_check(CHECK, faults, f"forum.{ZONE}")
    assert_could_not_check(result, "SERVFAIL")


def test_a_caa_lookup_timeout_is_an_error(faults: Sprint) -> None:
    result = run_check(CHECK, faults, f"drop.{ZONE}", Timeouts.uniform(1.0))
    assert_could_not_check(result, "timed out after 1 s")


def test_issuewild_takes_precedence_for_wildcard_certificates() -> None:
    properties = parse(
        ('0 issue "digicert.com"', '0 issuewild "letsencrypt.org; validationmethods=dns-01"')
    )
    assert allowed_cas(properties, wildcard=False) == {"digicert.com"}
    assert allowed_cas(properties, wildcard=True) == {"letsencrypt.org"}
    assert allowed_cas(parse(('0 ISSUE "Pki.Goog."',)), wildcard=True) == {"pki.goog"}


def issuer(organization: str, common_name: str) -> x509.Name:
    return x509.Name(
        [
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, organization),
            x509.NameAttribute(NameOID.COMMON_NAME, common_name),
        ]
    )


@pytest.mark.parametrize(
    ("organization", "common_name", "domain"),
    [
        ("Let's Encrypt", "R10", "letsencrypt.org"),
        ("Google Trust Services", "WR1", "pki.goog"),
        ("ZeroSSL", "ZeroSSL ECC Domain Secure Site CA", "sectigo.com"),
        ("Amazon", "Amazon RSA 2048 M02", "amazon.com"),
        ("Cloudflare, Inc.", "Cloudflare Inc ECC CA-3", "digicert.com"),
        (HOSTILE_ORG, "Somebody's CA", None),
        ("Harbor Club", "Harbor Club Lab CA", None),  # the lab's CA: known by the setting only
    ],
)
def test_issuers_map_to_their_caa_domain(
    organization: str, common_name: str, domain: str | None
) -> None:
    domains = ca_domains(issuer(organization, common_name))
    assert (domains[0] if domains else None) == domain


# -- served certificates issued under a real CA's name, matched by the known-CA table -------


def test_a_served_certificate_from_a_real_ca_name_passes_against_its_caa_domain(
    real_ca: Sprint,
) -> None:
    assert real_ca.network.caa_domain == ""
    result = run_check(CHECK, real_ca, ZONE)
    assert result.status is Status.PASS, result.summary
    assert result.evidence["issuer"] == f"CN={REAL_CA}"
    assert result.evidence["issuer_caa_domains"] == ["letsencrypt.org"]
    assert result.summary == (
        f"{ZONE}: CAA at {ZONE} allows letsencrypt.org, the CA of the certificate served "
        f"({REAL_CA})"
    )
    # Another real CA in the same set is fine; the parameters after ";" are not the name.
    result = run_check(CHECK, real_ca, f"allows-le.{ZONE}")
    assert result.status is Status.PASS, result.summary
    assert result.evidence["caa_owner"] == f"allows-le.{ZONE}"


def test_a_served_certificate_from_a_real_ca_name_fails_where_caa_names_another_ca(
    real_ca: Sprint,
) -> None:
    result = run_check(CHECK, real_ca, f"google-only.{ZONE}")
    assert result.status is Status.FAIL, result.summary
    assert result.evidence["issuer_caa_domains"] == ["letsencrypt.org"]
    assert result.summary == (
        f"google-only.{ZONE}: CAA at google-only.{ZONE} allows only pki.goog, not "
        f"letsencrypt.org which issued the certificate served ({REAL_CA}): "
        "renewal will be refused"
    )
    assert f'google-only.{ZONE}. CAA 0 issue "letsencrypt.org"' in result.fix
