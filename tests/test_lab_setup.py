"""Lab configs, start-up errors, what the lab says about itself and the sprint file it writes."""

from __future__ import annotations

import os
import socket
from collections.abc import Callable
from pathlib import Path

import dns.rcode
import pytest
import tomlkit
from lab_fixtures import ZONE, dns_query, https_request

from launchtui.errors import LabError, SprintFileError
from launchtui.lab import HostSpec, Lab, LabConfig, LabThread, bench_config, demo_config
from launchtui.lab.config import demo_latency, demo_mailboxes, with_third_party
from launchtui.lab.ports import hostport
from launchtui.sprint import store

pytest_plugins = ["lab_fixtures"]


def test_default_config_is_the_seeded_demo() -> None:
    config = demo_config()
    # Mail is part of the demo; a config built by hand has none unless it asks.
    # and the third party's CDN whose widget app.'s /join loads (perf.page)
    assert config == LabConfig(
        mailboxes=demo_mailboxes(),
        latency_profiles=demo_latency(),  # the flows perf.latency measures
        smtp_port=9025,
        imap_port=9143,
        **with_third_party(),
    )
    assert (config.dns_port, config.https_port, config.http_port) == (5390, 9443, 9080)
    assert LabConfig().mailboxes == []
    by_name = {host.name: host for host in config.hosts}
    assert by_name[f"www.{ZONE}"].cname == ZONE
    assert by_name[f"app.{ZONE}"].app
    assert by_name[f"community.{ZONE}"].cert == "expired"
    assert by_name[f"members.{ZONE}"].cert == "wrong-name"
    assert by_name[f"status.{ZONE}"].cert == "expiring:12"
    assert [by_name[f"{name}.{ZONE}"].cert for name in ("live", "chat", "courses", "tickets")] == [
        "expiring:4/6",
        "expiring:2/6",
        "expiring:25/45",
        "expiring:10/45",
    ]
    assert by_name[f"shop.{ZONE}"].dns == "nxdomain"
    assert by_name[f"forum.{ZONE}"].dns == "servfail"
    assert config.latency == {"/login": 0.12, "/api/posts": 0.08, "/widget.js": 0.25}
    assert by_name["cdn.thirdparty.test"].routes["/widget.js"].content_type == "text/javascript"


def test_base_port_layout() -> None:
    config = demo_config(base_port=7000)
    assert (config.dns_port, config.https_port, config.http_port) == (7000, 7010, 7011)
    ephemeral = demo_config(base_port=0)
    assert (ephemeral.dns_port, ephemeral.https_port, ephemeral.http_port) == (0, 0, 0)
    with pytest.raises(ValueError, match="base port"):
        demo_config(base_port=65530)


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda: HostSpec(f"app.{ZONE}", addresses=["10.0.0.1"]), "not a loopback"),
        (lambda: HostSpec(f"app.{ZONE}", addresses=["app"]), "not an IP address"),
        (lambda: HostSpec(f"app.{ZONE}", dns="flaky"), "dns must be one of"),
        (lambda: HostSpec(f"app.{ZONE}", cert="expiring:soon"), "cert must be one of"),
        (lambda: HostSpec(f"app.{ZONE}", cert="expiring:6/6"), "fewer days left than"),
        (lambda: HostSpec(f"app.{ZONE}", cert="expiring:2/"), "cert must be one of"),
        (lambda: HostSpec(f"app.{ZONE}", tls="slow"), "tls must be one of"),
        (lambda: LabConfig(listen="0.0.0.0"), "not a loopback"),
        (lambda: LabConfig(hosts=[HostSpec("app.example.com")]), "outside the lab zone"),
        (lambda: LabConfig(txt={"example.com": ["x"]}), "outside the zones the lab serves"),
        (
            lambda: LabConfig(records=[("a.example.com", "A", "192.0.2.1")]),
            "outside the zones the lab serves",
        ),
        (lambda: LabConfig(hosts=[HostSpec(ZONE), HostSpec(ZONE)]), "only once"),
        (lambda: LabConfig(resolver_overrides={3: []}), "no resolver number 3"),
        (lambda: LabConfig(dns_port=9440), "must all differ"),
        (lambda: LabConfig(http_delay=-1), "negative"),
    ],
)
def test_invalid_configs_are_refused(make: Callable[[], object], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        make()


def test_bench_config_serves_count_healthy_hosts(start_lab: Callable[[LabConfig], Lab]) -> None:
    config = bench_config(30, 0.0)
    names = [host.name for host in config.hosts]
    assert names[:2] == ["bench.test", "h01.bench.test"]  # the sprint's apex resolves too
    assert names[-1] == "h29.bench.test"
    assert len(names) == 30
    lab = start_lab(config)
    assert dns_query(lab.dns_address, "h29.bench.test").rcode() == dns.rcode.NOERROR
    assert dns_query(lab.dns_address, "bench.test").rcode() == dns.rcode.NOERROR
    assert https_request(lab, "h17.bench.test", "/api/health").status == 200


def test_delays_of_bench_config() -> None:
    config = bench_config(3, 0.05)
    assert (config.dns_delay, config.tls_delay, config.http_delay) == (0.05, 0.05, 0.05)


@pytest.mark.parametrize("taken", ["dns", "https"])
def test_port_in_use_is_one_clear_error_and_nothing_keeps_running(
    tmp_path: Path, taken: str
) -> None:
    kind = socket.SOCK_DGRAM if taken == "dns" else socket.SOCK_STREAM
    with socket.socket(socket.AF_INET, kind) as blocker:
        blocker.bind(("127.0.0.1", 0))
        if kind == socket.SOCK_STREAM:
            blocker.listen()
        port = blocker.getsockname()[1]
        ports = {"dns_port": port, "resolver_count": 0} if taken == "dns" else {"https_port": port}
        config = demo_config(**{**{"dns_port": 0, "https_port": 0, "http_port": 0}, **ports})
        with pytest.raises(LabError) as error, LabThread(config, tmp_path):
            pass
    assert not (tmp_path / "lab-ca.pem").exists()
    assert str(error.value) == (
        f"port {port} on 127.0.0.1 is already in use (another lab running?); "
        "choose other ports with --base-port"
    )


def test_network_section_points_at_the_lab(lab: Lab) -> None:
    network = lab.network_section(lab.ca_path.parent / "sprints")
    assert network["nameservers"] == [hostport(lab.dns_address)]
    assert network["public_resolvers"] == [hostport(a) for a in lab.resolver_addresses]
    assert network["ca_bundle"] == "../lab-ca.pem"
    connect_to = network["connect_to"]
    assert connect_to[f"app.{ZONE}:443"] == hostport(lab.https_address)
    assert connect_to[f"app.{ZONE}:80"] == hostport(lab.http_address)
    assert f"shop.{ZONE}:443" not in connect_to  # nothing serves it
    assert f"plain.{ZONE}:443" not in connect_to
    assert f"plain.{ZONE}:80" in connect_to
    assert all(target.startswith("127.0.0.1:") for target in connect_to.values())


def test_describe_lists_addresses_and_seeded_problems(lab: Lab) -> None:
    text = "\n".join(lab.describe())
    assert hostport(lab.dns_address) in text
    assert hostport(lab.https_address) in text
    for problem in (
        f"community.{ZONE}: certificate expired",
        f"members.{ZONE}: certificate names old-members.{ZONE}",
        f"status.{ZONE}: certificate expires in 12 days (a 90-day certificate past its renewal",
        f"chat.{ZONE}: certificate expires in 2 days (a 6-day certificate past its renewal point)",
        f"tickets.{ZONE}: certificate expires in 10 days (a 45-day certificate past its renewal",
        f"billing.{ZONE}: the lab CA asks for its certificate to be renewed early (ARI)",
        f"shop.{ZONE}: no DNS record (NXDOMAIN)",
        f"forum.{ZONE}: DNS answers SERVFAIL",
        f"{ZONE}: no DMARC record",
        f"public resolver {hostport(lab.resolver_addresses[1])} disagrees about app.{ZONE}",
    ):
        assert problem in text
    assert f"live.{ZONE}: " not in text and f"courses.{ZONE}: " not in text  # healthy


def test_demo_sprint_is_a_valid_sprint_file(lab: Lab, tmp_path: Path) -> None:
    path = lab.write_sprint(tmp_path / "sprints" / "demo.toml")
    assert path.read_text().startswith("# Written by `launchtui lab`")
    sprint = store.load(path).sprint
    assert (sprint.id, sprint.name, sprint.client) == (
        "demo",
        "Harbor Club launch (lab)",
        "Harbor Club",
    )
    assert sprint.site.apex == ZONE
    assert f"shop.{ZONE}" in sprint.site.hostnames
    assert f"forum.{ZONE}" in sprint.site.hostnames
    assert ZONE not in sprint.site.hostnames
    assert f"acme.{ZONE}" not in sprint.site.hostnames  # the lab CA's, not the community's
    assert sprint.site.canonical == f"https://app.{ZONE}"
    assert sprint.flows["posts"] == f"https://app.{ZONE}/api/posts"
    member_pages = ("/api/posts", "/account", "/profile", "/settings")
    assert sprint.private_urls == tuple(f"https://app.{ZONE}{p}" for p in member_pages)
    assert sprint.credentials["cloudflare_api_token"] == "Cloudflare API token (Zone read)"
    assert set(sprint.credentials) == {
        "cloudflare_api_token",
        "smtp_password",
        "seed_ana_password",
        "seed_ben_password",
        "member_a_session",
        "member_b_session",
        "slack_webhook",
        "sentry_dsn",
    }
    monitoring = sprint.monitoring
    assert monitoring.alert_email == sprint.email.seed_inboxes[0].address
    assert (monitoring.slack_webhook, monitoring.error_dsn) == ("slack_webhook", "sentry_dsn")
    assert [m.name for m in sprint.monitors.http] == ["homepage", "login", "health", "checkout"]
    # the lab's members load the private pages; the rate-limit burst is fine: it is the lab
    assert sprint.perf_identities == ("member_a_session", "member_b_session")
    assert sprint.rate_limit_probe
    assert sprint.network.ca_bundle == lab.ca_path.resolve()
    assert sprint.network.nameservers == (lab.dns_address,)
    assert sprint.network.acme_directory == f"https://acme.{ZONE}/directory"
    assert sprint.network.caa_domain == f"lab.{ZONE}"


EDITED_SPRINT = """\
# Our launch sprint: hand-written notes stay.
[sprint]
name = "Harbor Club launch (lab)"  # renamed by hand
id = "demo"

[site]
apex = "harborclub.test"
hostnames = ["www.harborclub.test"]

[network]  # points at the lab
nameservers = ["127.0.0.1:1"]  # stale
public_resolvers = []
ca_bundle = "old.pem"
connect_to = { "www.harborclub.test:443" = "127.0.0.1:2" }
timeout_note = "kept"

[notes]
audit = "DNS looked fine on Monday"
"""


def test_write_sprint_on_an_existing_file_only_changes_network(lab: Lab, tmp_path: Path) -> None:
    path = tmp_path / "demo.toml"
    path.write_text(EDITED_SPRINT)
    lab.write_sprint(path)
    text = path.read_text()
    before, after = tomlkit.parse(EDITED_SPRINT), tomlkit.parse(text)
    for table in ("sprint", "site", "notes"):
        assert after[table] == before[table]
    for comment in ("# Our launch sprint", "# renamed by hand", "# points at the lab"):
        assert comment in text
    network = after["network"]
    assert network["nameservers"] == [hostport(lab.dns_address)]
    assert network["timeout_note"] == "kept"
    assert network["ca_bundle"] == os.path.relpath(lab.ca_path, tmp_path)
    assert "connect_to = {" in text  # a hand-written inline table stays inline
    assert network["connect_to"][f"app.{ZONE}:443"] == hostport(lab.https_address)
    assert text.index("[network]") < text.index("[notes]")


def test_write_sprint_keeps_a_crlf_file_crlf(lab: Lab, tmp_path: Path) -> None:
    path = tmp_path / "demo.toml"
    path.write_bytes(EDITED_SPRINT.replace("\n", "\r\n").encode())
    lab.write_sprint(path)
    data = path.read_bytes()
    assert data.count(b"\n") == data.count(b"\r\n")
    assert tomlkit.parse(data.decode())["network"]["nameservers"] == [hostport(lab.dns_address)]


def test_write_sprint_refuses_a_broken_file_and_leaves_it_alone(lab: Lab, tmp_path: Path) -> None:
    path = tmp_path / "demo.toml"
    path.write_text("[sprint\nname = ")
    with pytest.raises(SprintFileError):
        lab.write_sprint(path)
    assert path.read_text() == "[sprint\nname = "
