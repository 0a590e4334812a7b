"""tls.certificate by ACME Renewal Information (RFC 9773) from a loopback ACME server.

The server answers as RFC 9773 documents: its directory names `renewalInfo` (section 3), and
GET renewalInfo/<certID> answers {"suggestedWindow": {"start", "end"}, "explanationURL"} with
a Retry-After header (section 4.2). The certificate under test is served by a real TLS server.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import datetime as dt
import json
import socket

import pytest
from check_helpers import run_check
from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from servers import read_request, response, server_thread

from launchtui.lab.ca import LabCA
from launchtui.model.results import Status
from launchtui.model.sprint import NetworkConfig, Site, Sprint
from launchtui.net.ari import certificate_id

HOST = "members.example.test"
ACME = "acme.example.test"
DIRECTORY = f"https://{ACME}/directory"
EXPLANATION = f"https://{ACME}/incidents/2026-12-key-compromise"
NOW = dt.datetime.now(dt.UTC)
DAY = dt.timedelta(days=1)


class AcmeServer:
    """The directory and renewalInfo of an ACME CA: window per certificate identifier."""

    def __init__(self, renewal_info: bool = True) -> None:
        self.renewal_info = renewal_info
        self.windows: dict[str, dict[str, object]] = {}
        self.paths: list[str] = []

    async def handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        path = (await read_request(reader))[":path"]
        self.paths.append(path)
        directory: dict[str, object] = {"newNonce": f"https://{ACME}/new-nonce"}
        if self.renewal_info:
            directory["renewalInfo"] = f"https://{ACME}/renewal-info"
        answer = self.windows.get(path.removeprefix("/renewal-info/"))
        if path == "/directory":
            body, status = directory, "200 OK"
        elif answer is not None:
            body, status = answer, "200 OK"
        else:
            body, status = {"type": "urn:ietf:params:acme:error:malformed"}, "404 Not Found"
        headers = [("Content-Type", "application/json"), ("Retry-After", "21600")]
        writer.write(response(status, headers, json.dumps(body).encode()))
        await writer.drain()
        writer.close()


def _sprint(tmp_path, ca: LabCA, site_port: int, acme_port: int) -> Sprint:
    network = NetworkConfig(
        ca_bundle=ca.write(tmp_path / "ca.pem"),
        connect_to={(HOST, 443): ("127.0.0.1", site_port), (ACME, 443): ("127.0.0.1", acme_port)},
        acme_directory=DIRECTORY,
    )
    return Sprint(tmp_path / "ari.toml", "ari", "ARI", Site("example.test"), network=network)


async def _hold(reader, writer):
    with contextlib.suppress(ConnectionError, OSError):
        await reader.read()
    writer.close()


def judge_with_window(tmp_path, left: float, window, server=None, lifetime: float = 90):
    """tls.certificate on a certificate of `lifetime` days with `left` to go, whose CA
    suggests `window` ((start, end) offsets from now in days, and an explanationURL)."""
    ca = LabCA("ARI Test CA")
    not_after = NOW + left * DAY
    issued = ca.issue(HOST, valid=(not_after - lifetime * DAY, not_after))
    server = server or AcmeServer()
    if window is not None:
        start, end, explanation = window
        answer: dict[str, object] = {
            "suggestedWindow": {
                "start": f"{NOW + start * DAY:%Y-%m-%dT%H:%M:%SZ}",
                "end": f"{NOW + end * DAY:%Y-%m-%dT%H:%M:%SZ}",
            }
        }
        if explanation:
            answer["explanationURL"] = explanation
        server.windows[certificate_id(issued.cert)] = answer
    with server_thread() as thread:
        site = thread.serve(_hold, issued.server_context())
        acme = thread.serve(server.handle, ca.issue(ACME).server_context())
        result = run_check("tls.certificate", _sprint(tmp_path, ca, site, acme), HOST)
    return result, server, issued


def test_before_the_window_passes_and_names_it(tmp_path):
    result, server, issued = judge_with_window(tmp_path, 60, (25, 27, ""))
    assert result.status is Status.PASS, result.summary
    assert "the CA suggests renewing from " in result.summary
    assert result.summary.endswith("(ACME Renewal Information)")
    assert result.evidence["renewal_due"] is False
    assert (
        result.evidence["ari_url"] == f"https://{ACME}/renewal-info/{certificate_id(issued.cert)}"
    )
    assert server.paths == ["/directory", f"/renewal-info/{certificate_id(issued.cert)}"]


def test_the_window_outranks_the_lifetime_rule(tmp_path):
    """20 days left of 90 is past Certbot's point, but the CA's window opens in 5 days."""
    result, _, _ = judge_with_window(tmp_path, 20, (5, 7, ""))
    assert result.status is Status.PASS, result.summary


def test_inside_the_window_still_serving_the_old_certificate_warns(tmp_path):
    result, _, _ = judge_with_window(tmp_path, 28, (-1.5, 1, ""))
    assert result.status is Status.WARN, result.summary
    assert "the CA's renewal window opened 36 hours ago" in result.summary
    assert "check the ACME client and its logs" in result.summary
    assert result.evidence["renewal_due"] is True
    assert "the CA's suggested window" in result.fix


def test_past_the_end_of_the_window_fails(tmp_path):
    result, _, _ = judge_with_window(tmp_path, 5, (-20, -1, ""))
    assert result.status is Status.FAIL, result.summary
    assert "the CA's renewal window ended 24 hours ago" in result.summary


def test_a_window_moved_into_the_past_is_an_early_renewal_request_with_its_explanation(
    tmp_path,
):
    """60 of 90 days left, nowhere near renewal, but the CA moved the window into the past (as
    before a mass revocation) and says why."""
    result, _, _ = judge_with_window(tmp_path, 60, (-2, -1, EXPLANATION))
    assert result.status is Status.FAIL, result.summary
    assert "the CA asks for this certificate to be renewed early" in result.summary
    assert result.summary.endswith(f"({EXPLANATION})")
    assert result.evidence["ari_explanation_url"] == EXPLANATION


def test_an_unreachable_ari_falls_back_to_the_lifetime_rule_and_says_so(tmp_path):
    ca = LabCA("ARI Test CA")
    issued = ca.issue(HOST, "expiring:20")
    with socket.socket() as closed:
        closed.bind(("127.0.0.1", 0))
        refused = closed.getsockname()[1]
    with server_thread() as thread:
        site = thread.serve(_hold, issued.server_context())
        result = run_check("tls.certificate", _sprint(tmp_path, ca, site, refused), HOST)
    assert result.status is Status.WARN  # 20 of 90 days left: past Certbot's renewal point
    assert "renewal is overdue" in result.summary
    assert result.summary.endswith("(ACME Renewal Information unavailable: judged by its lifetime)")
    assert f"GET {DIRECTORY}: cannot connect" in result.evidence["ari"]
    assert "ari_window_start" not in result.evidence


@pytest.mark.parametrize(
    ("server", "reason"),
    [
        (AcmeServer(renewal_info=False), f"the ACME directory {DIRECTORY} has no renewalInfo"),
        (AcmeServer(), "answered HTTP 404"),  # a certificate this CA does not know
    ],
)
def test_a_ca_without_a_window_for_it_falls_back_to_the_lifetime_rule_quietly(
    tmp_path, server, reason
):
    """The CA answered that it has no window: said in the evidence, not in the summary."""
    result, _, _ = judge_with_window(tmp_path, 60.5, None, server)
    assert result.status is Status.PASS
    assert reason in result.evidence["ari"]
    assert result.summary.endswith("renews in about 30 days")


def test_a_malformed_window_is_not_believed(tmp_path):
    result, _, _ = judge_with_window(tmp_path, 60, (3, 2, ""))
    assert result.status is Status.PASS
    assert "ends before it starts" in result.evidence["ari"]
    assert result.summary.endswith("(ACME Renewal Information unavailable: judged by its lifetime)")


def test_the_certificate_identifier_is_rfc_9773s_example():
    """RFC 9773 section 4.1: keyIdentifier 69:88:5B:6B:87:46:40:41:E1:B3:7B:84:7B:A0:AE:2C:DE:
    01:C8:D4 and serial 0x87654321 (DER 00 87 65 43 21) give aYhba4dGQEHhs3uEe6CuLN4ByNQ.AIdlQyE."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([])
    aki = bytes.fromhex("69885B6B87464041E1B37B847BA0AE2CDE01C8D4")
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(0x87654321)
        .not_valid_before(NOW - DAY)
        .not_valid_after(NOW + DAY)
        .add_extension(x509.AuthorityKeyIdentifier(aki, None, None), critical=False)
        .sign(key, hashes.SHA256())
    )
    assert certificate_id(cert) == "aYhba4dGQEHhs3uEe6CuLN4ByNQ.AIdlQyE"


def test_a_known_ca_is_asked_by_its_issuer_organisation():
    from launchtui.net.ari import directory_for

    assert directory_for("Let's Encrypt", "") == "https://acme-v02.api.letsencrypt.org/directory"
    assert directory_for("Let's Encrypt", DIRECTORY) == DIRECTORY  # [network] wins
    assert directory_for("Harbor Club Lab CA", "") == ""


def test_without_a_directory_nothing_is_asked(tmp_path):
    ca = LabCA("ARI Test CA")
    issued = ca.issue(HOST, "expiring:20")
    with server_thread() as thread:
        site = thread.serve(_hold, issued.server_context())
        sprint = _sprint(tmp_path, ca, site, 1)
        sprint = dataclasses.replace(
            sprint, network=dataclasses.replace(sprint.network, acme_directory="")
        )
        result = run_check("tls.certificate", sprint, HOST)
    assert result.status is Status.WARN
    assert "ari" not in result.evidence and "ACME Renewal" not in result.summary
