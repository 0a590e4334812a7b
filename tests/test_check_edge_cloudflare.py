"""edge.cloudflare: the shipped ranges, proxy detection on the lab, and the v4 API read from
recorded responses (tests/cloudflare_api/, in the API's documented envelope) served on
loopback."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
import tomlkit
from check_helpers import assert_could_not_check, lab_sprint, run_check
from lab_fixtures import ZONE
from servers import read_request, response, server_thread

from launchtui.checks.edge.cloudflare import judge_proxy
from launchtui.checks.registry import all_checks
from launchtui.model.results import Status
from launchtui.net import cloudflare

pytest_plugins = ["lab_fixtures"]

CHECK = "edge.cloudflare"
RECORDED = Path(__file__).parent / "cloudflare_api"
ZONE_ID = "023e105f4ecef8ad9ca31a8372d0c353"
TOKEN = "cf-test-token-0123456789abcdefSECRET"
JSON = ("--format", "json", "--timeout", "2")
HEALTHY = {
    "ssl": "setting_ssl_strict.json",
    "always_use_https": "setting_always_use_https_on.json",
    "min_tls_version": "setting_min_tls_version_1.2.json",
}


@pytest.fixture(scope="module")
def sprint(lab, tmp_path_factory):
    planned = lab_sprint(lab, tmp_path_factory.mktemp("cloudflare"))
    next(c for c in all_checks() if c.id == CHECK).targets(planned)  # as the engine plans
    return planned


@pytest.fixture
def no_token(private_keyring, monkeypatch):
    # The empty private keyring, never the machine's: keyring detects its backends once per
    # process, so a lookup before the private bus exists would spoil the credential tests.
    monkeypatch.delenv(cloudflare.API_ENV, raising=False)
    monkeypatch.delenv("LAUNCHTUI_CRED_CLOUDFLARE_API_TOKEN", raising=False)


class FakeApi:
    """Recorded Cloudflare responses by path (and ?name= for DNS records) on loopback."""

    def __init__(self) -> None:
        self.files: dict[str, str] = {"/client/v4/zones": "zones.json"}
        self.files |= {
            f"/client/v4/zones/{ZONE_ID}/settings/{name}": file for name, file in HEALTHY.items()
        }
        self.records = {
            ZONE: "dns_records_apex.json",
            f"app.{ZONE}": "dns_records_app_proxied.json",
        }
        self.seen: list[dict[str, str]] = []

    async def handle(self, reader, writer) -> None:
        request = await read_request(reader)
        self.seen.append(request)
        parts = urlsplit(request[":path"])
        name = parse_qs(parts.query).get("name", [""])[0]
        if parts.path.endswith("/dns_records"):
            file = self.records.get(name, "dns_records_none.json")
        else:
            file = self.files.get(parts.path, "error_authentication.json")
        status = "403 Forbidden" if file.startswith("error") else "200 OK"
        body = (RECORDED / file).read_bytes()
        writer.write(response(status, [("Content-Type", "application/json")], body))
        await writer.drain()
        writer.close()


@pytest.fixture
def api(monkeypatch):
    fake = FakeApi()
    with server_thread() as thread:
        port = thread.serve(fake.handle)
        monkeypatch.setenv(cloudflare.API_ENV, f"http://127.0.0.1:{port}/client/v4")
        monkeypatch.setenv("LAUNCHTUI_CRED_CLOUDFLARE_API_TOKEN", TOKEN)
        yield fake


# -- the shipped ranges -------------------------------------------------------------------


def test_the_ranges_ship_with_the_package_and_carry_their_date():
    data = cloudflare.ranges()
    assert len(data.networks) == 22  # 15 IPv4 + 7 IPv6 as published
    assert data.date == "2026-09-29"


@pytest.mark.parametrize(
    ("address", "inside"),
    [
        ("104.16.132.229", True),  # 104.16.0.0/13
        ("172.67.180.1", True),  # 172.64.0.0/13
        ("198.41.200.5", True),  # 198.41.128.0/17
        ("2606:4700::6810:84e5", True),
        ("2a06:98c7::1", True),  # the /29 spans 2a06:98c0..98c7
        ("2a06:98c8::1", False),
        ("8.8.8.8", False),
        ("104.24.0.0", True),
        ("104.28.0.0", False),  # just past 104.24.0.0/14
        ("2001:4860:4860::8888", False),
        ("not-an-ip", False),
    ],
)
def test_addresses_against_the_real_ranges(address, inside):
    assert cloudflare.ranges().contains(address) is inside


def test_parse_ranges_reads_comments_and_the_date():
    data = cloudflare.parse_ranges("# hello\n# ranges_date: 2020-01-02\n\n10.0.0.0/8\n")
    assert data.date == "2020-01-02"
    assert data.contains("10.1.2.3") and not data.contains("11.0.0.1")


# -- proxy judgement ----------------------------------------------------------------------


def test_a_cloudflare_address_with_cloudflare_headers_is_proxied_and_consistent():
    evidence, warns = judge_proxy(
        ["104.16.132.229"], ["cloudflare"], "8e1f-AMS", cloudflare.ranges()
    )
    assert evidence["proxied"] is True and warns == []
    assert evidence["in_cloudflare_ranges"] == ["104.16.132.229"]


def test_a_cloudflare_address_without_cloudflare_headers_warns():
    evidence, warns = judge_proxy(["172.67.1.1"], ["nginx"], None, cloudflare.ranges())
    assert evidence["proxied"] is True
    assert warns == ["address in Cloudflare's ranges but the response has no Cloudflare headers"]


def test_cloudflare_headers_from_an_address_outside_the_ranges_warn():
    evidence, warns = judge_proxy(["93.184.215.14"], [], "8e1f-AMS", cloudflare.ranges())
    assert evidence["proxied"] is True
    assert warns[0].startswith("Cloudflare headers, but no address is in Cloudflare's ranges")


def test_an_origin_address_without_cloudflare_headers_is_not_proxied():
    evidence, warns = judge_proxy(["93.184.215.14"], ["nginx"], None, cloudflare.ranges())
    assert evidence["proxied"] is False
    assert warns == ["not proxied by Cloudflare: no DDoS protection or edge cache in front"]


def test_loopback_addresses_leave_the_verdict_to_the_headers():
    evidence, warns = judge_proxy(["127.0.0.1"], ["cloudflare"], None, cloudflare.ranges())
    assert evidence["proxied"] is True and warns == []
    assert "judged by the response headers alone" in evidence["ranges_note"]


# -- against the lab, without a token ------------------------------------------------------


def test_a_lab_host_behind_cloudflare_headers_passes(sprint, no_token):
    result = run_check(CHECK, sprint, f"app.{ZONE}")
    assert result.status is Status.PASS, result.summary
    evidence = result.evidence
    assert evidence["proxied"] is True
    assert evidence["server"] == ["harborclub-lab"]  # CF-RAY alone says Cloudflare
    assert evidence["cf_ray"] == "8e1f2a3b4c5d6e7f-AMS"
    assert evidence["ranges_date"] == "2026-09-29"
    assert evidence["addresses"] == ["127.0.0.1"] and evidence["in_cloudflare_ranges"] == []
    assert evidence["api"].startswith("not used: set the cloudflare_api_token credential")
    assert "LAUNCHTUI_CRED_CLOUDFLARE_API_TOKEN" in evidence["api"]


def test_a_lab_host_without_cloudflare_warns(sprint, no_token):
    result = run_check(CHECK, sprint, f"status.{ZONE}")
    assert result.status is Status.WARN
    assert result.evidence["proxied"] is False
    assert result.evidence["server"] == ["harborclub-lab"]
    assert "no DDoS protection" in result.summary
    assert "Proxied" in result.fix and "Full (strict)" in result.fix


def test_a_host_that_does_not_resolve_is_an_error(sprint, no_token):
    result = run_check(CHECK, sprint, f"shop.{ZONE}")
    assert_could_not_check(result, "NXDOMAIN")


# -- with a token: the v4 API --------------------------------------------------------------


def test_a_healthy_zone_passes_and_the_token_goes_only_in_the_header(sprint, api):
    result = run_check(CHECK, sprint, ZONE)
    assert result.status is Status.PASS, result.summary
    assert result.evidence["settings"] == {
        "ssl": "strict",
        "always_use_https": "on",
        "min_tls_version": "1.2",
    }
    assert result.evidence["dns_records"][0]["proxied"] is True
    assert [r[":path"].split("?")[0] for r in api.seen] == [
        "/client/v4/zones",
        f"/client/v4/zones/{ZONE_ID}/settings/ssl",
        f"/client/v4/zones/{ZONE_ID}/settings/always_use_https",
        f"/client/v4/zones/{ZONE_ID}/settings/min_tls_version",
        f"/client/v4/zones/{ZONE_ID}/dns_records",
    ]
    assert api.seen[0][":path"] == f"/client/v4/zones?name={ZONE}"
    assert all(r["authorization"] == f"Bearer {TOKEN}" for r in api.seen)
    assert all(TOKEN not in r[":path"] for r in api.seen)
    assert TOKEN not in json.dumps(result.to_dict())


def test_zone_settings_are_judged_on_the_apex_only(sprint, api):
    result = run_check(CHECK, sprint, f"app.{ZONE}")
    assert result.status is Status.PASS, result.summary
    assert "settings" not in result.evidence
    assert len(api.seen) == 2  # the zone, then app's DNS records


def test_flexible_ssl_fails(sprint, api):
    api.files[f"/client/v4/zones/{ZONE_ID}/settings/ssl"] = "setting_ssl_flexible.json"
    result = run_check(CHECK, sprint, ZONE)
    assert result.status is Status.FAIL
    assert "SSL/TLS mode is flexible" in result.summary


def test_full_ssl_http_allowed_and_tls_1_0_warn(sprint, api):
    settings = f"/client/v4/zones/{ZONE_ID}/settings"
    api.files |= {
        f"{settings}/ssl": "setting_ssl_full.json",
        f"{settings}/always_use_https": "setting_always_use_https_off.json",
        f"{settings}/min_tls_version": "setting_min_tls_version_1.0.json",
    }
    result = run_check(CHECK, sprint, ZONE)
    assert result.status is Status.WARN
    assert result.summary == (
        f"{ZONE}: SSL/TLS mode is full, not Full (strict): the origin is not verified; "
        "Always Use HTTPS is off; minimum TLS version is 1.0, under 1.2"
    )


def test_a_dns_only_record_warns(sprint, api):
    api.records[f"app.{ZONE}"] = "dns_records_app_dns_only.json"
    result = run_check(CHECK, sprint, f"app.{ZONE}")
    assert result.status is Status.WARN
    assert f"the DNS record of app.{ZONE} is 'DNS only' (not proxied)" in result.summary


def test_a_host_missing_from_the_zone_warns(sprint, api):
    result = run_check(CHECK, sprint, f"www.{ZONE}")
    assert result.status is Status.WARN
    assert f"no DNS record for www.{ZONE} in the Cloudflare zone" in result.summary


def test_a_zone_the_token_cannot_see_warns(sprint, api):
    api.files["/client/v4/zones"] = "zones_empty.json"
    result = run_check(CHECK, sprint, ZONE)
    assert result.status is Status.WARN
    assert f"the API token sees no Cloudflare zone named {ZONE}" in result.summary


def test_an_api_error_is_an_error_with_cloudflares_message_and_no_token(sprint, api):
    api.files["/client/v4/zones"] = "error_authentication.json"
    result = run_check(CHECK, sprint, ZONE)
    assert_could_not_check(result, "HTTP 403: 10000 Authentication error")
    assert TOKEN not in json.dumps(result.to_dict())


def test_the_token_appears_nowhere_in_the_json_report(lab, tmp_path, api):
    path = lab.write_sprint(tmp_path / "lab.toml")
    doc = tomlkit.parse(path.read_text())
    doc["site"]["hostnames"] = [f"app.{ZONE}", f"www.{ZONE}"]
    path.write_text(tomlkit.dumps(doc))
    done = subprocess.run(
        [sys.executable, "-m", "launchtui", "check", str(path), "--stage", "edge", *JSON],
        capture_output=True,
        text=True,
        timeout=120,
        env=os.environ.copy(),
    )
    report = json.loads(done.stdout)
    results = {(c["id"], c["target"]): c for c in report["checks"]}
    assert results[(CHECK, ZONE)]["evidence"]["settings"]["ssl"] == "strict"
    assert TOKEN not in done.stdout and TOKEN not in done.stderr
    assert TOKEN[:16] not in done.stdout
