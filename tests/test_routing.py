"""The routing map: built from results alone, unknowns shown as unknown, text escaped."""

from __future__ import annotations

import json
from pathlib import Path

from launchtui.model.results import Result, Severity, Status
from launchtui.model.sprint import Site, Sprint
from launchtui.reports.routing import build_routing, routing_lines

APEX = "acme.test"
APP = f"https://app.{APEX}"
SPRINT = Sprint(
    path=Path("acme.toml"),
    id="acme",
    name="Acme",
    site=Site(apex=APEX, hostnames=(f"www.{APEX}", f"app.{APEX}"), canonical=APP),
)


def result(check_id, target, evidence, status=Status.PASS, summary="ok"):
    return Result(check_id, "edge", target, status, Severity.HIGH, summary, evidence)


RESULTS = [
    result("dns.resolve", APEX, {"resolver": "x", "a": ["192.0.2.1"], "aaaa": "nodata"}),
    result("dns.resolve", f"www.{APEX}", {"a": ["192.0.2.1"], "cname_chain": [APEX]}),
    result("dns.resolve", f"app.{APEX}", {}, Status.ERROR, "could not check: SERVFAIL"),
    result("edge.cloudflare", APEX, {"proxied": True}),
    result("edge.cloudflare", f"www.{APEX}", {"proxied": False}),
    result(
        "http.https-redirect",
        APEX,
        {
            "hops": [
                f"301 http://{APEX}/ -> https://{APEX}/",
                f"301 https://{APEX}/ -> {APP}/",
                f"200 {APP}/",
            ],
            "final_url": f"{APP}/",
        },
    ),
    result(
        "http.canonical",
        f"{APEX} -> {APP}",
        {"hops": [f"301 https://{APEX}/ -> {APP}/", f"200 {APP}/"], "final_url": f"{APP}/"},
    ),
    result(
        "http.canonical",
        f"www.{APEX} -> {APP}",
        {},
        Status.ERROR,
        "could not check: connection refused",
    ),
    result("tls.certificate", APEX, {"protocol": "TLSv1.3"}),  # not part of the map
]


def test_one_entry_per_hostname_with_records_edge_hops_and_final_url():
    apex, www, app = build_routing(SPRINT, RESULTS)
    assert apex.hostname == APEX
    assert apex.dns == "pass"
    assert apex.records == {"A": ["192.0.2.1"], "AAAA": "nodata"}
    assert apex.edge == "proxied"
    assert apex.http_hops[0] == f"301 http://{APEX}/ -> https://{APEX}/"
    assert apex.https_hops == [f"301 https://{APEX}/ -> {APP}/", f"200 {APP}/"]
    assert apex.final_url == f"{APP}/"
    assert www.cname_chain == [APEX]
    assert www.edge == "not proxied"
    assert www.https_hops == ["error: could not check: connection refused"]
    assert www.final_url is None
    assert app.dns == "error"
    assert app.records == {}
    assert app.edge == "unknown"
    assert app.http_hops == app.https_hops == []


def test_without_results_everything_is_unknown_or_not_checked():
    entries = build_routing(SPRINT, [])
    assert [e.hostname for e in entries] == [APEX, f"www.{APEX}", f"app.{APEX}"]
    assert all(e.dns == "not checked" and e.edge == "unknown" for e in entries)
    assert "app.acme.test -> DNS not checked -> edge unknown -> unknown" in routing_lines(entries)


def test_an_edge_result_without_a_boolean_proxied_key_is_unknown():
    odd = [result("edge.cloudflare", APEX, {"proxied": "yes"})]
    assert build_routing(SPRINT, odd)[0].edge == "unknown"


def test_to_dict_is_plain_json():
    data = [entry.to_dict() for entry in build_routing(SPRINT, RESULTS)]
    assert json.loads(json.dumps(data)) == data
    assert data[0]["final_url"] == f"{APP}/"
    assert set(data[0]) == {
        "hostname",
        "dns",
        "records",
        "cname_chain",
        "edge",
        "http_hops",
        "https_hops",
        "final_url",
    }


def test_text_lines_show_the_arrow_line_cnames_and_hops():
    lines = routing_lines(build_routing(SPRINT, RESULTS))
    assert lines[0] == "Routing map (hostname -> records -> edge -> final URL)"
    assert f"{APEX} -> A 192.0.2.1; AAAA nodata -> edge proxied -> {APP}/" in lines
    assert f"  CNAME    www.{APEX} -> {APEX}" in lines
    assert f"  https:// 301 https://{APEX}/ -> {APP}/" in lines
    assert f"           200 {APP}/" in lines
    assert "  http://  not checked" in lines


def test_network_text_is_escaped_in_lines_but_kept_in_entries():
    hostile = "301 http://acme.test/ -> https://acme.test/\x1b[31mred\u202e"
    results = [result("http.https-redirect", APEX, {"hops": [hostile]})]
    entry = build_routing(SPRINT, results)[0]
    assert entry.http_hops == [hostile]
    text = "\n".join(routing_lines([entry]))
    assert "\x1b" not in text and "\u202e" not in text
    assert "\\x1b[31mred\\u202e" in text
