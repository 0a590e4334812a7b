"""tls.protocol against the lab and a TLS 1.0/1.1-only server: pass, warn, fail and error."""

from __future__ import annotations

import dataclasses
import socket
import ssl
import time
import warnings

import pytest
from check_helpers import assert_could_not_check, lab_sprint, run_check
from lab_fixtures import ZONE
from servers import server_thread

from launchtui.lab import HostSpec, LabConfig
from launchtui.lab.ca import LabCA
from launchtui.model.results import Status
from launchtui.net.timeouts import Timeouts

pytest_plugins = ["lab_fixtures"]


@pytest.fixture(scope="module")
def sprint(lab, tmp_path_factory):
    return lab_sprint(lab, tmp_path_factory.mktemp("tlsproto"))


def mapped(sprint, host, address):
    connect_to = dict(sprint.network.connect_to)
    connect_to[(host, 443)] = address
    return dataclasses.replace(
        sprint, network=dataclasses.replace(sprint.network, connect_to=connect_to)
    )


def test_tls_12_plus_without_legacy_versions_passes_with_version_and_cipher(sprint):
    result = run_check("tls.protocol", sprint, f"app.{ZONE}")
    assert result.status is Status.PASS, result.summary
    assert result.summary.startswith(f"app.{ZONE}: TLSv1.3, ")
    assert result.evidence["TLSv1.2+"].startswith("accepted (TLSv1.3, ")
    assert result.evidence["TLSv1.0"].startswith("refused (")
    assert result.evidence["TLSv1.1"].startswith("refused (")
    assert result.evidence["connected_to"].startswith("127.0.0.1:")
    assert result.fix == ""


def test_a_host_still_accepting_tls_10_and_11_warns(sprint):
    result = run_check("tls.protocol", sprint, f"legacy.{ZONE}")
    assert result.status is Status.WARN
    assert "TLSv1.0 and TLSv1.1 still accepted" in result.summary
    assert result.evidence["TLSv1.0"].startswith("accepted (TLSv1, ")
    assert "Minimum TLS Version" in result.fix
    assert "-tls1 " in result.fix


def test_an_expired_certificate_does_not_hide_the_protocol(sprint):
    # Certificates are tls.certificate's job; the protocol is still judged.
    assert run_check("tls.protocol", sprint, f"community.{ZONE}").status is Status.PASS


def test_a_server_with_only_tls_10_and_11_fails(sprint):
    context = LabCA("Old CA").issue(f"app.{ZONE}").server_context("1.0")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        context.maximum_version = ssl.TLSVersion.TLSv1_1

    async def handler(reader, writer):
        await reader.read(100)
        writer.close()

    with server_thread() as thread:
        port = thread.serve(handler, context)
        result = run_check(
            "tls.protocol", mapped(sprint, f"app.{ZONE}", ("127.0.0.1", port)), f"app.{ZONE}"
        )
    assert result.status is Status.FAIL
    assert "refused a TLS 1.2/1.3 handshake" in result.summary
    assert "it accepts only TLSv1.0 and TLSv1.1" in result.summary
    assert result.evidence["TLSv1.1"].startswith("accepted (TLSv1.1, ")
    assert "ssl_protocols TLSv1.2 TLSv1.3" in result.fix


def test_plain_http_on_port_443_fails_as_a_refused_handshake(lab, sprint):
    result = run_check(
        "tls.protocol", mapped(sprint, f"app.{ZONE}", lab.http_address), f"app.{ZONE}"
    )
    assert result.status is Status.FAIL
    assert "refused a TLS 1.2/1.3 handshake" in result.summary


def test_a_stalled_handshake_is_an_error_within_the_budget(sprint):
    started = time.monotonic()
    result = run_check("tls.protocol", sprint, f"slow.{ZONE}", Timeouts.uniform(1.0))
    assert_could_not_check(result, "did not complete within 1 s")
    assert time.monotonic() - started < 15  # bounded by the 1 s limits, not hung


def test_a_refused_port_is_an_error(sprint):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    result = run_check(
        "tls.protocol", mapped(sprint, f"app.{ZONE}", ("127.0.0.1", port)), f"app.{ZONE}"
    )
    assert_could_not_check(result, f"connection refused by 127.0.0.1:{port}")


def test_an_unresolvable_host_is_an_error(sprint):
    result = run_check("tls.protocol", sprint, f"shop.{ZONE}")
    assert_could_not_check(result, "NXDOMAIN")


def test_legacy_versions_this_machine_cannot_offer_are_an_error_not_a_pass(sprint, monkeypatch):
    monkeypatch.setattr(ssl, "HAS_TLSv1", False)
    result = run_check("tls.protocol", sprint, f"app.{ZONE}")
    assert_could_not_check(result, "TLSv1.0 is still accepted could not be tested")
    assert result.evidence["TLSv1.0"].startswith("not testable from this machine")


def test_a_tls_13_only_host_passes(start_lab, tmp_path):
    lab = start_lab(LabConfig(hosts=[HostSpec(ZONE, tls_min_version="1.3")], txt={}, mx={}, caa={}))
    result = run_check("tls.protocol", lab_sprint(lab, tmp_path), ZONE)
    assert result.status is Status.PASS, result.summary
    assert result.evidence["TLSv1.0"].startswith("refused (")


def test_the_lab_rejects_an_unknown_oldest_tls_version():
    with pytest.raises(ValueError, match="tls_min_version must be one of"):
        HostSpec(f"app.{ZONE}", tls_min_version="1.4")
