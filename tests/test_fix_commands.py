"""The commands in fixes run as written: against the lab, dig, curl and openssl really run."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest
from check_helpers import lab_sprint, run_check
from conftest import in_ci
from lab_fixtures import ZONE

from launchtui.model.sprint import Sprint
from launchtui.net.commands import Commands

pytest_plugins = ["lab_fixtures"]

LAB_CA = Path("/srv/lab-ca.pem")


@pytest.fixture(scope="module")
def sprint(lab, tmp_path_factory):
    return lab_sprint(lab, tmp_path_factory.mktemp("commands"))


def command_in(fix: str, program: str) -> str:
    """The first `...` span of the fix that runs `program`."""
    return next(span for span in re.findall(r"`([^`]+)`", fix) if span.startswith(program))


def run(command: str) -> str:
    tool = command.split()[0]
    if shutil.which(tool) is None:
        if in_ci():  # ./dev test installs them: missing in CI is a broken set-up, not a skip
            pytest.fail(f"{tool} is not installed", pytrace=False)
        pytest.skip(f"{tool} is not installed")
    done = subprocess.run(command, shell=True, capture_output=True, text=True, timeout=30)
    return done.stdout + done.stderr


# What the commands say, with and without [network]


def test_without_network_settings_the_commands_are_the_plain_ones() -> None:
    plain = Commands()
    assert plain.dig(f"shop.{ZONE}", "A") == f"dig +short shop.{ZONE} A"
    assert plain.curl("-sI", f"https://{ZONE}/") == f"curl -sI https://{ZONE}/"
    assert plain.s_client(ZONE) == f"openssl s_client -connect {ZONE}:443 -servername {ZONE}"
    assert plain.launchtui(f"spf --sender a@{ZONE}") == f"launchtui spf --sender a@{ZONE}"


def test_dig_asks_the_first_nameserver_and_leaves_port_53_unsaid() -> None:
    on_53 = Commands(nameservers=(("192.0.2.53", 53), ("192.0.2.54", 53)))
    assert on_53.dig(f"{ZONE}", "MX") == f"dig +short @192.0.2.53 {ZONE} MX"
    lab = Commands(nameservers=(("127.0.0.1", 5390),))
    assert lab.dig(f"{ZONE}", "TXT") == f"dig +short @127.0.0.1 -p 5390 {ZONE} TXT"
    assert lab.dig(ZONE, "A", short=False, options="+cd") == f"dig +cd @127.0.0.1 -p 5390 {ZONE} A"
    assert lab.dig(ZONE, server=("::1", 53)) == f"dig +short @::1 {ZONE}"
    assert lab.launchtui("dmarc x.test") == "launchtui dmarc x.test --nameserver 127.0.0.1:5390"


def test_curl_connects_where_connect_to_says_for_each_url_it_reaches() -> None:
    commands = Commands(
        connect_to={(ZONE, 443): ("127.0.0.1", 9443), (f"app.{ZONE}", 443): ("::1", 9443)},
        ca_bundle=Path("/srv/lab ca.pem"),
    )
    assert commands.curl("-sIL", f"https://{ZONE}/old", f"https://app.{ZONE}/new") == (
        f"curl -sIL --connect-to {ZONE}:443:127.0.0.1:9443 --connect-to app.{ZONE}:443:[::1]:9443 "
        f"--cacert '/srv/lab ca.pem' https://{ZONE}/old"
    )
    # Plain HTTP to a host without a mapping: nothing to add.
    assert commands.curl("-sI", f"http://news.{ZONE}/") == f"curl -sI http://news.{ZONE}/"


def test_s_client_connects_where_connect_to_says_and_checks_the_name_when_verifying() -> None:
    commands = Commands(connect_to={(ZONE, 443): ("127.0.0.1", 9443)}, ca_bundle=LAB_CA)
    assert commands.s_client(ZONE, "-tls1_2") == (
        f"openssl s_client -connect 127.0.0.1:9443 -servername {ZONE} -tls1_2"
    )
    assert commands.s_client(ZONE, verify=True) == (
        f"openssl s_client -connect 127.0.0.1:9443 -servername {ZONE} -verify_hostname {ZONE} "
        f"-CAfile {LAB_CA}"
    )


# The commands of real fixes, run against the lab


def test_the_caa_fix_digs_the_lab_nameserver(sprint: Sprint) -> None:
    result = run_check("dns.caa", sprint, f"status.{ZONE}")
    output = run(command_in(result.fix, "dig "))
    assert '0 issue "letsencrypt.org"' in output


def test_the_servfail_fix_verify_command_shows_the_servfail(sprint: Sprint) -> None:
    result = run_check("dns.resolve", sprint, f"forum.{ZONE}")
    verify = command_in(result.fix.split("Verify: ")[1], "dig ")
    assert "status: SERVFAIL" in run(verify)


def test_the_hsts_fix_curls_the_lab_with_its_ca(sprint: Sprint) -> None:
    result = run_check("http.hsts", sprint, f"help.{ZONE}")
    curl = command_in(result.fix, "curl ").split(" | ")[0]
    output = run(curl)
    assert output.startswith("HTTP/1.1 200")
    assert "strict-transport-security" not in output.lower()  # what the check found


def test_the_https_redirect_fix_curls_plain_http_on_the_lab(sprint: Sprint) -> None:
    result = run_check("http.https-redirect", sprint, f"news.{ZONE}")
    assert run(command_in(result.fix, "curl ")).startswith("HTTP/1.1 200")


def test_the_redirect_fix_follows_every_hop_on_the_lab(sprint: Sprint) -> None:
    result = run_check(
        "http.redirects", sprint, f"https://{ZONE}/signup -> https://app.{ZONE}/join"
    )
    output = run(command_in(result.fix, "curl "))
    assert "302" in output and output.rstrip().splitlines()[0].startswith("HTTP/1.1 302")
    assert f"location: https://app.{ZONE}/join" in output.lower()
    assert "HTTP/1.1 200" in output


def test_the_renewal_fix_reads_the_expiry_on_the_lab(sprint: Sprint) -> None:
    result = run_check("tls.certificate", sprint, f"status.{ZONE}")
    output = run(command_in(result.fix, "echo | openssl "))
    assert output.startswith("notAfter=")


def test_the_certificate_fix_verify_command_sees_the_wrong_name(sprint: Sprint) -> None:
    result = run_check("tls.certificate", sprint, f"members.{ZONE}")
    verify = command_in(result.fix.split("Verify: ")[1], "openssl ")
    assert "hostname mismatch" in run(verify)
