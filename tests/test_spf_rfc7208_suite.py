"""The published RFC 7208 test suite (openspf.org's rfc7208-tests.yml, vendored from pyspf 2.0.14)
run whole through `launchtui spf`: every case, each scenario's zone data served by the lab's DNS
server.

How the suite's data becomes DNS, as its own drivers do it:
- each scenario is one root zone on its own server, so every name gets an authoritative answer
  (NXDOMAIN for names it does not list);
- SPF (type 99) records are served as they are, and copied into TXT records for a name with no
  TXT entry: the suite's header asks drivers for that "auto-magic duplication" (RFC 7208 3.1:
  SPF is published in TXT only); "TXT: NONE" means no TXT record, and no copy either;
- TIMEOUT: the name never answers a query for a type it has no records of (pyspf's driver);
- a TXT or SPF record with no strings at all (`[]`, in null-text) becomes one empty string: DNS
  cannot carry the other (RFC 1035 3.3.14: one or more character-strings);
- "explanation: DEFAULT" is the driver's own default explanation, that is no exp= text;
- "strict" is a pyspf option, without a meaning here.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import dns.name
import dns.rdata
import dns.rdataclass
import dns.rdtypes.ANY.SPF
import dns.rdtypes.ANY.TXT
import pytest
import yaml
from spf_helpers import serve_zones

from launchtui.cli.main import main
from launchtui.lab.ports import Address, hostport
from launchtui.lab.zone import RdataType, Zone

SUITE = Path(__file__).parent / "fixtures" / "rfc7208-tests.yml"
SUITE_SHA256 = "901f561a6e2b1c1590a40a61b1ac7601226fd7045a7aae591a4d25421358d6f9"
SCENARIOS: list[dict[str, Any]] = list(yaml.safe_load_all(SUITE.read_bytes()))
CASES = [
    pytest.param(index, case, id=f"{scenario['description']}/{name}")
    for index, scenario in enumerate(SCENARIOS)
    for name, case in scenario["tests"].items()
]
TIMEOUT = 0.5  # seconds per DNS lookup: the suite's TIMEOUT names cost this much each
SOA = "ns. hostmaster. 1 3600 600 86400 300"


TEXT_TYPES = {RdataType.TXT: dns.rdtypes.ANY.TXT.TXT, RdataType.SPF: dns.rdtypes.ANY.SPF.SPF}


def suite_zone(zonedata: dict[str, list[Any]]) -> Zone:
    zone = Zone(dns.name.root)
    zone.add_text(dns.name.root, RdataType.SOA, [SOA])
    for owner_text, entries in zonedata.items():
        owner = dns.name.from_text(owner_text)
        if "TIMEOUT" in entries:
            zone.faults[owner] = "drop-missing"
        typed = [next(iter(entry.items())) for entry in entries if entry != "TIMEOUT"]
        if all(kind != "TXT" for kind, _ in typed):
            typed += [("TXT", value) for kind, value in typed if kind == "SPF"]
        rdatas: dict[RdataType, list[dns.rdata.Rdata]] = {}
        for kind, value in typed:
            if value != "NONE":
                rdtype = RdataType.make(kind)
                rdatas.setdefault(rdtype, []).append(suite_rdata(rdtype, value))
        for rdtype, found in rdatas.items():
            zone.add(owner, rdtype, found)
    return zone


def suite_rdata(rdtype: RdataType, value: Any) -> dns.rdata.Rdata:
    if rdtype in TEXT_TYPES:
        texts = [value] if isinstance(value, str) else value
        strings = [text.encode() for text in texts] or [b""]
        return TEXT_TYPES[rdtype](dns.rdataclass.IN, rdtype, strings)
    if rdtype == RdataType.MX:
        preference, exchange = value
        value = f"{preference} {exchange or '.'}"
    assert isinstance(value, str), value  # an address YAML read as a number would be wrong
    return dns.rdata.from_text(
        dns.rdataclass.IN, rdtype, value, origin=dns.name.root, relativize=False
    )


@pytest.fixture(scope="module")
def servers() -> Iterator[list[Address]]:
    with serve_zones([suite_zone(scenario["zonedata"]) for scenario in SCENARIOS]) as addresses:
        yield addresses


def test_the_vendored_suite_is_the_whole_file() -> None:
    assert hashlib.sha256(SUITE.read_bytes()).hexdigest() == SUITE_SHA256
    assert (len(SCENARIOS), len(CASES)) == (16, 203)


@pytest.mark.parametrize(("scenario", "case"), CASES)
def test_rfc7208_suite(
    servers: list[Address],
    scenario: int,
    case: dict[str, Any],
    capsys: pytest.CaptureFixture[str],
) -> None:
    args = [f"--ip={case['host']}", f"--sender={case['mailfrom']}", f"--helo={case['helo']}"]
    nameserver = hostport(servers[scenario])
    dns_args = ["--nameserver", nameserver, "--timeout", str(TIMEOUT), "--format", "json"]
    code = main(["spf", *args, *dns_args])
    output = capsys.readouterr()
    assert code == 0, output.err
    outcome = json.loads(output.out)
    expected = case["result"] if isinstance(case["result"], list) else [case["result"]]
    assert outcome["result"] in expected, f"{case['spec']}: {outcome['reason']}"
    if "explanation" in case:
        assert (outcome["explanation"] or "DEFAULT") == case["explanation"], case["spec"]
