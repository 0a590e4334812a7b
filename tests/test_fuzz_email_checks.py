"""The email stage's checks over mutated records served by a real DNS server (issue 19): the way
the issue found its crash. One lab DNS server on loopback serves a zone whose SPF, DMARC, DKIM,
MTA-STS and TLS-RPT records each example replaces; every email check then runs through the
engine, as `check --stage email` does, and none may end in "internal error", which is how the
engine reports a check's own exception.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator

import dns.name
import pytest
from hypothesis import example, given
from hypothesis import strategies as st
from spf_helpers import serve_zones, spf_world
from test_fuzz_mta_sts import sts_records, tlsrpt_records
from test_fuzz_spf import ISSUE19_RECORDS, dkim_records, dmarc_records, mutated, spf_records

from launchtui.checks.context import check_context
from launchtui.checks.engine import run_one
from launchtui.checks.registry import all_checks
from launchtui.lab.demo_spf import INCLUDES, ZONES
from launchtui.lab.zone import RdataType, Zone, build_zone, txt_rdata
from launchtui.model.results import Result, Status
from launchtui.model.sprint import Sprint
from launchtui.net.timeouts import Timeouts
from launchtui.sprint import store

Z = "fz.test"
OWNERS = {
    "spf": Z,
    "dmarc": f"_dmarc.{Z}",
    "dkim": f"sel._domainkey.{Z}",
    "mta-sts": f"_mta-sts.{Z}",
    "tls-rpt": f"_smtp._tls.{Z}",
}
EMAIL_CHECKS = [check for check in all_checks() if check.stage == "email"]


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Zone, Sprint]]:
    config = spf_world(
        Z,
        {owner: [record] for owner, record in INCLUDES.items()},
        mx={Z: [f"10 mail.{Z}."]},
        records=[(f"mail.{Z}", "A", "127.0.0.1")],
        external=ZONES,
    )
    zone = build_zone(config, config.hosts)
    with serve_zones([zone]) as [(address, port)]:
        path = tmp_path_factory.mktemp("fuzz") / "fuzz.toml"
        path.write_text(
            '[sprint]\nname = "fuzz"\n\n[site]\napex = "fz.test"\n\n'
            '[email]\ndomain = "fz.test"\ndkim_selectors = ["sel"]\n\n'
            f'[network]\nnameservers = ["{address}:{port}"]\ntimeout = 1\n'
        )
        yield zone, store.load(path).sprint


def serve(zone: Zone, records: dict[str, str]) -> None:
    """Replace the zone's email records: the server reads the zone per query, between examples
    no query is in flight."""
    for kind, owner in OWNERS.items():
        name = dns.name.from_text(owner)
        owned = zone.records.get(name, {})
        owned.pop(RdataType.TXT, None)  # the apex keeps its SOA and MX
        if not owned:
            zone.records.pop(name, None)  # a name left with nothing is NXDOMAIN again
        if kind in records:
            zone.add(name, RdataType.TXT, [txt_rdata(records[kind])])


def run_email_stage(sprint: Sprint) -> list[Result]:
    async def go() -> list[Result]:
        async with check_context(sprint, timeouts=Timeouts.uniform(1.0)) as ctx:
            return [
                await run_one(check, target, ctx)
                for check in EMAIL_CHECKS
                for target in check.targets(sprint)
            ]

    return asyncio.run(go())


def _first(strategy: st.SearchStrategy[tuple[str, object]]) -> st.SearchStrategy[str]:
    return strategy.map(lambda generated: generated[0])


RECORDS = {
    "spf": _first(spf_records()),
    "dmarc": _first(dmarc_records()),
    "dkim": _first(dkim_records()),
    "mta-sts": _first(sts_records()),
    "tls-rpt": _first(tlsrpt_records()),
}


@st.composite
def served_records(draw: st.DrawFn) -> dict[str, str]:
    """Each kind of record absent, as generated or mutated: most examples mutate one or two."""
    records: dict[str, str] = {}
    for kind, valid in RECORDS.items():
        how = draw(st.sampled_from(["absent", "valid", "mutated", "mutated"]))
        if how != "absent":
            records[kind] = draw(valid if how == "valid" else mutated(valid))
    return records


@given(served_records())
@example({"spf": ISSUE19_RECORDS[0]})
@example({"spf": ISSUE19_RECORDS[1]})
def test_fuzz_email_checks_over_served_records_never_end_in_internal_error(
    world: tuple[Zone, Sprint], records: dict[str, str]
) -> None:
    zone, sprint = world
    serve(zone, records)
    results = run_email_stage(sprint)
    assert {r.id for r in results} == {c.id for c in EMAIL_CHECKS}
    for result in results:
        assert "internal error" not in result.summary, (result.id, result.summary)


def test_the_fuzz_world_serves_what_it_is_given(world: tuple[Zone, Sprint]) -> None:
    """The property above is only as good as its server: a served record is what a check reads."""
    zone, sprint = world
    serve(zone, {"spf": "v=spf1 +all", "dmarc": "v=DMARC1; p=none"})
    by_id = {r.id: r for r in run_email_stage(sprint)}
    assert "+all" in by_id["email.spf"].summary, by_id["email.spf"].summary
    assert "p=none" in by_id["email.dmarc"].summary, by_id["email.dmarc"].summary
    serve(zone, {})
    by_id = {r.id: r for r in run_email_stage(sprint)}
    assert by_id["email.spf"].status is Status.FAIL, by_id["email.spf"].summary
