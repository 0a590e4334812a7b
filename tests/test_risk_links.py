"""One problem, one risk: results the lab's seeded problems produce, folded by the link table."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Iterator

import pytest
from check_helpers import lab_sprint, run_check
from lab_fixtures import ZONE, fault_config

from launchtui.lab import LabConfig, LabThread
from launchtui.model.results import Result, Severity, Status
from launchtui.model.sprint import Sprint
from launchtui.reports import json_report, text
from launchtui.reports.handover import build
from launchtui.reports.handover_markdown import render_markdown
from launchtui.reports.risks import rank_risks
from launchtui.reports.run import RunReport
from launchtui.sprint import recorded


@pytest.fixture(scope="module")
def sprint(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Sprint]:
    """The fault lab with the demo's CA and CAA records: status.'s CAA forbids the lab CA."""
    config = fault_config(ca_name=LabConfig().ca_name, caa=LabConfig().caa)
    with LabThread(config, tmp_path_factory.mktemp("lab")) as lab:
        yield lab_sprint(lab, tmp_path_factory.mktemp("risks"))


def run_all(sprint: Sprint, *pairs: tuple[str, str]) -> list[Result]:
    return [run_check(check_id, sprint, target) for check_id, target in pairs]


def report(sprint: Sprint, results: list[Result]) -> RunReport:
    return RunReport(
        sprint=sprint,
        stages=["edge"],
        results=results,
        fail_on=Severity.HIGH,
        started_at="2026-01-01T00:00:00Z",
        wall_ms=10,
        previous={},
    )


def test_a_caa_that_forbids_the_ca_of_a_certificate_past_its_renewal_point_is_one_blocker(
    sprint,
):
    """status.'s 90-day certificate has 12 days left: 18 days past Certbot's renewal point."""
    results = run_all(sprint, ("tls.certificate", f"status.{ZONE}"), ("dns.caa", f"status.{ZONE}"))
    assert [r.status for r in results] == [Status.WARN, Status.FAIL]
    assert results[0].evidence["renewal_due"] is True
    [risk] = rank_risks(results)
    assert (risk.group, risk.result.id) == ("blocker", "tls.certificate")
    assert risk.escalation == "its renewal is due and CAA refuses it"
    assert [(x.result.id, x.reason) for x in risk.related] == [
        ("dns.caa", "the CAA record that forbids the CA that must renew it")
    ]
    assert risk.blocked == ()
    out = text.render(report(sprint, results))
    assert f"  1. [blocker] WARN tls.certificate status.{ZONE}: certificate expires in" in out
    assert "       blocker: its renewal is due and CAA refuses it\n" in out
    assert f"         FAIL dns.caa status.{ZONE}: CAA at status.{ZONE} allows only" in out


def test_an_expiring_certificate_whose_ca_the_caa_allows_stays_high(sprint):
    results = run_all(sprint, ("tls.certificate", f"month.{ZONE}"), ("dns.caa", f"month.{ZONE}"))
    assert [r.status for r in results] == [Status.WARN, Status.PASS]
    [risk] = rank_risks(results)
    assert (risk.group, risk.related, risk.escalation) == ("high", (), "")


def test_a_caa_problem_beside_a_certificate_not_due_for_renewal_stays_its_own_risk(sprint):
    """A wrong-name certificate with most of its 90 days left: the CAA blocks no renewal due
    now."""
    [caa] = run_all(sprint, ("dns.caa", f"status.{ZONE}"))
    [cert] = run_all(sprint, ("tls.certificate", f"members.{ZONE}"))
    wrong_name = dataclasses.replace(cert, target=f"status.{ZONE}")
    assert wrong_name.evidence["renewal_due"] is False
    risks = rank_risks([wrong_name, caa])
    assert [(r.group, r.result.id, r.related) for r in risks] == [
        ("blocker", "tls.certificate", ()),
        ("nice-to-have", "dns.caa", ()),
    ]


@pytest.mark.parametrize(("host", "linked"), [("tickets", True), ("courses", False)])
def test_a_45_day_certificate_links_the_caa_only_past_its_renewal_point(sprint, host, linked):
    """Under a flat 30 days both would count as expiring; by their lifetime only tickets.
    (10 of 45 days left) is due, courses. (25 left) renews in about 10 days."""
    [caa] = run_all(sprint, ("dns.caa", f"status.{ZONE}"))
    [cert] = run_all(sprint, ("tls.certificate", f"{host}.{ZONE}"))
    assert cert.evidence["days_left"] < 30
    risks = rank_risks([dataclasses.replace(cert, target=f"status.{ZONE}"), caa])
    assert [x.result.id for risk in risks for x in risk.related] == (["dns.caa"] if linked else [])
    assert (risks[0].group == "blocker") is linked


def test_a_dangling_cname_and_the_failed_lookup_it_causes_are_one_risk(sprint):
    host = f"blog.{ZONE}"
    results = run_all(
        sprint, ("dns.resolve", host), ("dns.dangling", host), ("tls.certificate", host)
    )
    assert [r.status for r in results] == [Status.FAIL, Status.FAIL, Status.ERROR]
    [risk] = rank_risks(results)
    assert (risk.group, risk.result.id) == ("blocker", "dns.resolve")
    assert [(x.result.id, x.reason) for x in risk.related] == [
        ("dns.dangling", "the same CNAME to a name that does not exist"),
        ("tls.certificate", "could not be checked: the hostname does not resolve"),
    ]
    assert [b.id for b in risk.blocked] == ["tls.certificate"]


def test_checks_that_end_where_redirects_drop_back_to_http_are_one_risk(sprint):
    page = f"https://events.{ZONE}/"
    results = run_all(
        sprint,
        ("http.https-redirect", f"events.{ZONE}"),
        ("http.canonical", f"events.{ZONE}"),
        ("http.mixed-content", page),
        ("http.security-headers", page),
        ("edge.cloudflare", f"events.{ZONE}"),  # not about that page: its own risk
    )
    risks = rank_risks(results)
    assert [(r.group, r.result.id) for r in risks] == [
        ("high", "http.https-redirect"),
        ("nice-to-have", "edge.cloudflare"),
    ]
    assert [x.result.id for x in risks[0].related] == [
        "http.canonical",
        "http.mixed-content",
        "http.security-headers",
    ]
    assert {x.reason for x in risks[0].related} == {"the same redirect back to plain HTTP"}


def test_only_checks_that_ended_on_the_same_http_page_are_taken_in(sprint):
    news, events = run_all(
        sprint, ("http.https-redirect", f"news.{ZONE}"), ("http.canonical", f"events.{ZONE}")
    )
    elsewhere = dataclasses.replace(events, target=f"news.{ZONE}")  # ends on /calendar
    assert news.evidence["final_url"] != elsewhere.evidence["final_url"]
    assert len(rank_risks([news, elsewhere])) == 2


def test_the_same_warning_on_many_hosts_is_one_risk_naming_them(sprint):
    hosts = [f"{name}.{ZONE}" for name in ("news", "events", "help", "docs")]
    results = run_all(sprint, *(("edge.cloudflare", host) for host in hosts))
    assert {r.status for r in results} == {Status.WARN}
    [risk] = rank_risks(results)
    assert risk.targets == hosts
    out = text.render(report(sprint, results))
    assert "  1. [nice-to-have] WARN edge.cloudflare on 4 hosts: not proxied by Cloudflare" in out
    assert "       hosts: " + ", ".join(hosts) in out


def test_json_risks_carry_targets_related_escalation_and_blocked(sprint):
    results = run_all(
        sprint,
        ("tls.certificate", f"status.{ZONE}"),
        ("dns.caa", f"status.{ZONE}"),
        ("dns.resolve", f"blog.{ZONE}"),
        ("tls.protocol", f"blog.{ZONE}"),
        ("edge.cloudflare", f"help.{ZONE}"),
        ("edge.cloudflare", f"docs.{ZONE}"),
    )
    data = json.loads(json_report.render(report(sprint, results)))
    by_id = {risk["id"]: risk for risk in data["risks"]}
    assert set(by_id) == {"dns.resolve", "tls.certificate", "edge.cloudflare"}
    cert = by_id["tls.certificate"]
    assert set(cert) == {
        "rank",
        "group",
        "id",
        "stage",
        "target",
        "targets",
        "status",
        "severity",
        "summary",
        "fix",
        "escalation",
        "related",
        "blocked",
    }
    assert (cert["group"], cert["escalation"]) == (
        "blocker",
        "its renewal is due and CAA refuses it",
    )
    [caa] = cert["related"]
    assert caa["id"] == "dns.caa" and caa["status"] == "fail" and caa["severity"] == "medium"
    assert caa["reason"] == "the CAA record that forbids the CA that must renew it"
    assert 'CAA 0 issue "lab.harborclub.test"' in caa["fix"]
    assert cert["blocked"] == []
    lookup = by_id["dns.resolve"]
    assert lookup["targets"] == [f"blog.{ZONE}"] and lookup["escalation"] == ""
    assert [b["id"] for b in lookup["blocked"]] == ["tls.protocol"]
    assert [r["id"] for r in lookup["related"]] == ["tls.protocol"]
    assert by_id["edge.cloudflare"]["targets"] == [f"help.{ZONE}", f"docs.{ZONE}"]
    assert data["fix_order"]["blocker"] == [by_id["dns.resolve"]["rank"], cert["rank"]]


def test_the_handover_export_judges_saved_results_by_the_same_rule(sprint, tmp_path):
    """The handover ranks the saved results with the same link: status. is one blocker, the
    45-day certificate mid-life is no risk at all."""
    results = run_all(
        sprint,
        ("tls.certificate", f"status.{ZONE}"),
        ("dns.caa", f"status.{ZONE}"),
        ("tls.certificate", f"courses.{ZONE}"),
    )
    path = tmp_path / "handover.toml"
    path.write_text(sprint.path.read_text())
    document, _ = recorded.record_run(path, results, "2026-01-01T00:00:00Z")
    [risk] = build(document).risks
    assert (risk.group, risk.result.target, risk.escalation) == (
        "blocker",
        f"status.{ZONE}",
        "its renewal is due and CAA refuses it",
    )
    assert "blocker: its renewal is due and CAA refuses it" in render_markdown(document)
