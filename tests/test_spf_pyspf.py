"""Differential test: launchtui's check_host() and pyspf (a dev-only peer) give the same result
on the edge-case world and on Appendix A's, both asking the same lab DNS server."""

from __future__ import annotations

import warnings
from collections.abc import Iterator

import dns.resolver
import pytest
from spf_helpers import evaluate
from test_spf_edges import Z, edge_config
from test_spf_rfc import rfc_world

from launchtui.lab import Lab, LabThread

with warnings.catch_warnings():
    warnings.simplefilter("ignore")  # pyspf 2.0.14 has an old-style escape in a docstring
    import spf  # a dev dependency (pyproject): missing, the suite must fail, not skip

# pyspf 2.0.14 calls dnspython's deprecated query API.
pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")

EDGE_CASES = [
    ("loop", "192.0.2.200"),
    ("ping", "192.0.2.1"),
    ("c1", "192.0.2.200"),
    ("c11", "192.0.2.200"),
    ("voids2", "192.0.2.200"),
    ("voids3", "192.0.2.200"),
    ("redirect-none", "192.0.2.200"),
    ("include-none", "192.0.2.200"),
    ("include-notspf", "192.0.2.200"),
    ("plus", "203.0.113.1"),
    ("query", "203.0.113.1"),
    ("soft", "203.0.113.1"),
    ("soft", "192.0.2.1"),
    ("noall", "203.0.113.1"),
    ("upper", "192.0.2.1"),
    ("nothing", "192.0.2.1"),
    ("notspf", "192.0.2.1"),
    ("all-wins", "192.0.2.1"),
    ("v6", "192.0.2.200"),
    ("v6", "192.0.3.1"),
    ("v6", "2001:db8:1::ffff"),
    ("v6", "2001:db8:1:1::1"),
    ("v6", "2001:db8:99:abcd::1"),
    ("servfail", "192.0.2.200"),
    ("two", "192.0.2.1"),
    ("big", "192.0.2.77"),
    ("big", "192.0.2.78"),
    ("hostile", "192.0.2.1"),
    ("unknown-mod", "192.0.2.1"),
    ("bad-mod", "192.0.2.1"),
    ("two-redirects", "192.0.2.1"),
    ("two-exps", "192.0.2.1"),
    ("bad-ip", "192.0.2.1"),
    ("macro-c", "192.0.2.1"),
    ("explained", "192.0.2.200"),
    ("redirected", "192.0.2.200"),
    ("many-mx", "192.0.2.100"),
    ("ptr", "192.0.2.5"),
    ("ptr-parent", "192.0.2.5"),
    ("ptr-parent", "192.0.2.6"),
    ("validated", "192.0.2.5"),
    ("validated", "192.0.2.6"),
    ("escapes", "192.0.2.7"),
    ("escapes", "192.0.2.8"),
]

A1_CASES = [
    ("v=spf1 a -all", ["192.0.2.10", "192.0.2.65"]),
    ("v=spf1 a:example.org -all", ["192.0.2.10"]),
    ("v=spf1 mx mx:example.org -all", ["192.0.2.129", "192.0.2.140", "192.0.2.10"]),
    ("v=spf1 mx/30 mx:example.org/30 -all", ["192.0.2.131", "192.0.2.141", "192.0.2.132"]),
    ("v=spf1 ptr -all", ["192.0.2.65", "10.0.0.4", "192.0.2.140"]),
    ("v=spf1 ip4:192.0.2.128/28 -all", ["192.0.2.65", "192.0.2.129"]),
]


def pyspf_result(lab: Lab, ip: str, sender: str) -> str:
    """pyspf's check_host() result, its DNS sent to the lab through dnspython's resolver."""
    resolver = dns.resolver.Resolver(configure=False)
    resolver.nameservers = [lab.dns_address[0]]
    resolver.port = lab.dns_address[1]
    resolver.lifetime = resolver.timeout = 2.0
    saved = dns.resolver.default_resolver
    dns.resolver.default_resolver = resolver
    try:
        result, _explanation = spf.check2(i=ip, s=sender, h="mta.example.net", timeout=10)
    finally:
        dns.resolver.default_resolver = saved
    return str(result)


@pytest.fixture(scope="module")
def edges(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Lab]:
    with LabThread(edge_config(), tmp_path_factory.mktemp("edges")) as lab:
        yield lab


@pytest.mark.parametrize(("name", "ip"), EDGE_CASES)
def test_edge_cases_agree_with_pyspf(edges: Lab, name: str, ip: str) -> None:
    sender = f"user@{name}.{Z}"
    ours = str(evaluate(edges, ip, sender, helo="mta.example.net").result)
    assert ours == pyspf_result(edges, ip, sender)


@pytest.mark.parametrize(("record", "ips"), A1_CASES)
def test_appendix_a1_agrees_with_pyspf(
    record: str, ips: list[str], tmp_path_factory: pytest.TempPathFactory
) -> None:
    with LabThread(rfc_world({"example.com": [record]}), tmp_path_factory.mktemp("a1")) as lab:
        for ip in ips:
            ours = str(evaluate(lab, ip, "user@example.com").result)
            assert (ip, ours) == (ip, pyspf_result(lab, ip, "user@example.com"))
