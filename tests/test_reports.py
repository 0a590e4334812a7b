"""Reports show network text literally and carry the contract's fields."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path

from launchtui.model.results import Result, Severity, Status
from launchtui.model.sprint import Site, Sprint
from launchtui.reports import json_report, junit, text
from launchtui.reports.risks import fix_order, rank_risks
from launchtui.reports.run import RunReport
from launchtui.text.literal import literal

HOSTILE = "[bold red]pwned[/] \x1b[2J\x1b]0;title\x07 \u202etxt.exe\r"

SPRINT = Sprint(path=Path("s.toml"), id="s", name="S", site=Site(apex="a.test"))


def report(*results: Result, fail_on: Severity = Severity.HIGH) -> RunReport:
    return RunReport(
        sprint=SPRINT,
        stages=["edge"],
        results=list(results),
        fail_on=fail_on,
        started_at="2026-01-01T00:00:00Z",
        wall_ms=10,
        previous={("dns.resolve", "a.test"): "pass"},
    )


def result(status: Status, severity: Severity = Severity.BLOCKER, **kw) -> Result:
    fields = {
        "id": "dns.resolve",
        "stage": "edge",
        "target": "a.test",
        "status": status,
        "severity": severity,
        "summary": f"summary {HOSTILE}",
        "evidence": {"txt": HOSTILE},
        "fix": "1. do this\n2. then that",
    } | kw
    return Result(**fields)


def test_literal_escapes_controls_and_bidi_but_keeps_markup_text():
    shown = literal(HOSTILE)
    assert "\x1b" not in shown and "\x07" not in shown and "\u202e" not in shown
    assert "\r" not in shown
    assert "\\x1b[2J" in shown and "\\u202e" in shown
    assert "[bold red]pwned[/]" in shown


def test_text_report_is_literal_and_ranks_failures_first():
    out = text.render(report(result(Status.PASS, target="b.test"), result(Status.FAIL)))
    assert "\x1b" not in out
    assert "[bold red]pwned[/]" in out
    assert out.index("FAIL") < out.index("PASS")
    assert "(was pass)" in out
    assert "2. then that" in out
    assert "Exit 1" in out


def test_json_report_round_trips_hostile_text_exactly_and_is_ascii():
    out = json_report.render(report(result(Status.FAIL)))
    assert out.isascii()
    data = json.loads(out)
    check = data["checks"][0]
    assert check["evidence"]["txt"] == HOSTILE
    assert check["previous_status"] == "pass"
    assert data["run"]["exit_code"] == 1


def test_junit_is_well_formed_and_maps_statuses():
    out = junit.render(
        report(
            result(Status.FAIL),
            result(Status.ERROR, target="e.test"),
            result(Status.WARN, target="w.test"),
            result(Status.PASS, target="p.test"),
        )
    )
    root = ET.fromstring(out)
    suite = root.find("testsuite")
    assert suite is not None
    assert (suite.get("tests"), suite.get("failures"), suite.get("errors")) == ("4", "1", "1")
    assert "\x1b" not in out


def test_gate_counts_errors_and_respects_fail_on():
    low_fail = result(Status.FAIL, severity=Severity.LOW)
    assert report(low_fail).exit_code == 0
    assert report(low_fail, fail_on=Severity.LOW).exit_code == 1
    assert report(result(Status.ERROR)).exit_code == 1  # could not check is not a pass
    assert report(result(Status.WARN)).exit_code == 0


def test_risks_rank_blockers_first_then_high_then_nice_to_have():
    results = [
        result(Status.WARN, Severity.MEDIUM, target="m.test"),
        result(Status.PASS, target="ok.test"),
        result(Status.ERROR, Severity.BLOCKER, target="err.test"),
        result(Status.WARN, Severity.BLOCKER, target="expiring.test"),
        result(Status.FAIL, Severity.HIGH, target="h.test"),
        result(Status.FAIL, Severity.BLOCKER, target="b.test"),
    ]
    risks = rank_risks(results)
    assert [(r.rank, r.group, r.result.target) for r in risks] == [
        (1, "blocker", "b.test"),  # a failure outranks a could-not-check of the same severity
        (2, "blocker", "err.test"),
        (3, "high", "expiring.test"),
        (4, "high", "h.test"),
        (5, "nice-to-have", "m.test"),
    ]
    assert fix_order(risks) == {"blocker": [1, 2], "high": [3, 4], "nice-to-have": [5]}


def test_risks_and_fix_order_reach_json_and_text():
    rep = report(result(Status.FAIL, target="b.test"), result(Status.PASS, target="p.test"))
    data = json.loads(json_report.render(rep))
    assert [r["target"] for r in data["risks"]] == ["b.test"]
    assert data["risks"][0]["fix"] == "1. do this\n2. then that"
    assert data["fix_order"]["blocker"] == [1]
    out = text.render(rep)
    assert "Risk list, ranked by launch impact" in out
    assert "Blockers: fix before launch: #1" in out
    assert out.index("Risk list") < out.index("Results")


def test_no_open_risks_says_so():
    assert "Risk list: nothing open." in text.render(report(result(Status.PASS)))


def test_errors_on_a_host_with_a_root_cause_are_listed_under_it():
    root = result(Status.FAIL, target="shop.test", id="dns.resolve")
    consequences = [
        result(Status.ERROR, Severity.HIGH, target="shop.test", id="tls.protocol"),
        result(Status.ERROR, Severity.MEDIUM, target="https://shop.test/x", id="http.hsts"),
    ]
    elsewhere = result(Status.ERROR, Severity.HIGH, target="other.test", id="tls.protocol")
    risks = rank_risks([root, *consequences, elsewhere])
    assert [(r.result.id, r.result.target) for r in risks] == [
        ("dns.resolve", "shop.test"),
        ("tls.protocol", "other.test"),
    ]
    assert [b.id for b in risks[0].blocked] == ["tls.protocol", "http.hsts"]
    out = text.render(report(root, *consequences, elsewhere))
    assert "could not be checked on this host either: tls.protocol, http.hsts" in out
    data = json.loads(json_report.render(report(root, *consequences)))
    assert [b["id"] for b in data["risks"][0]["blocked"]] == ["tls.protocol", "http.hsts"]
