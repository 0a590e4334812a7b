"""The exported monitors, end to end: Debian's real Prometheus, blackbox_exporter and
Alertmanager run on loopback with the folder `monitor export --to prometheus` writes (shorter
intervals: PrometheusOptions), against the lab. The lab's health endpoint is made to fail; the
MonitorDown alert must arrive by email in the seed inbox (read over IMAP, as the delivery test
reads it) and as a Slack-shaped payload at the lab's webhook, then resolve the same two ways
once the endpoint recovers.

The one change to the exported files: the lab's webhook host is a name only the lab's DNS
knows, so Alertmanager (which asks the system's resolver) is given the webhook at the address
[network].connect_to maps it to, with the host's name as the TLS server name, exactly as the
export does for the SMTP relay.
"""

from __future__ import annotations

import email
import email.policy
import json
import shutil
import socket
import subprocess
import time
import urllib.parse
import urllib.request
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import pytest
import tomlkit
import yaml
from conftest import in_ci

from launchtui.lab import Lab
from launchtui.lab.config import CHAT_HOST
from launchtui.monitoring import prometheus
from launchtui.monitoring.alert_common import seed_inbox_reader
from launchtui.monitoring.prometheus_options import PrometheusOptions
from launchtui.sprint import store

pytest_plugins = ["mail_fixtures"]

TOOLS = {
    "prometheus": "/usr/bin/prometheus",
    "alertmanager": "/usr/bin/prometheus-alertmanager",
    "blackbox": "/usr/bin/prometheus-blackbox-exporter",
}
ALERT_WAIT = 120.0  # seconds for an alert to travel probe -> rule -> Alertmanager -> route
T = TypeVar("T")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def require_tools() -> None:
    missing = [path for path in TOOLS.values() if shutil.which(path) is None]
    if missing:
        reason = f"{', '.join(missing)} not installed (Debian: prometheus, "
        reason += "prometheus-alertmanager, prometheus-blackbox-exporter)"
        if in_ci():
            pytest.fail(f"{reason}: CI must have them", pytrace=False)
        pytest.skip(reason)


def eventually(what: str, probe: Callable[[], T | None], timeout: float, logs: Path) -> T:
    """Poll `probe` once a second until it gives a value; fail naming `what` (with the
    tools' logs) after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        value = probe()
        if value is not None:
            return value
        if time.monotonic() > deadline:
            tails = "\n".join(
                f"--- {log.name}\n{log.read_text(errors='replace')[-3000:]}"
                for log in sorted(logs.glob("*.log"))
            )
            raise AssertionError(f"no {what} within {timeout:g} s\n{tails}")
        time.sleep(1.0)


def get(url: str) -> bytes | None:
    try:
        with urllib.request.urlopen(url, timeout=5) as answer:
            return bytes(answer.read())
    except OSError:
        return None


class Stack:
    """The three daemons, each in its own process group, stopped together."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.processes: list[subprocess.Popen[bytes]] = []

    def start(self, name: str, *argv: str, ready: str) -> None:
        log = (self.folder / f"{name}.log").open("wb")
        process = subprocess.Popen(
            [TOOLS[name], *argv],
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        self.processes.append(process)
        eventually(
            f"{name} ready",
            lambda: True if process.poll() is None and get(ready) is not None else None,
            30,
            self.folder,
        )

    def stop(self) -> None:
        for process in self.processes:
            process.terminate()
        for process in self.processes:
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


@pytest.fixture
def watched(mail_sprint: Path, lab_credentials: dict[str, str]) -> Path:
    """The demo sprint watching the app's homepage and health endpoint and its certificate:
    the login and checkout monitors (the demo's login is slow on purpose) and the demo's
    seeded certificate and DNS faults would page too, and are not what this test is about."""
    document = tomlkit.parse(mail_sprint.read_text(encoding="utf-8"))
    flows = document["flows"]
    for name in ("login", "checkout"):
        del flows[name]
    zone = document["site"]["apex"]
    document["site"]["hostnames"] = [f"app.{zone}"]
    mail_sprint.write_text(tomlkit.dumps(document), encoding="utf-8")
    return mail_sprint


def test_an_outage_pages_by_email_and_slack_then_resolves(
    mail_lab: Lab, watched: Path, lab_credentials: dict[str, str], tmp_path: Path
) -> None:
    require_tools()
    sprint = store.load(watched).sprint
    assert sprint.site.all_hostnames == (mail_lab.config.zone, f"app.{mail_lab.config.zone}")
    chat, mail = mail_lab.chat, mail_lab.mail
    assert chat is not None and mail is not None
    folder = tmp_path / "monitors"
    ports = {name: free_port() for name in ("prometheus", "alertmanager", "blackbox")}
    options = PrometheusOptions(
        scrape_interval="2s",
        scrape_timeout="2s",
        evaluation_interval="1s",
        down_for="6s",
        slow_for="1h",  # a loaded test machine is no slow site
        blackbox=f"127.0.0.1:{ports['blackbox']}",
        alertmanager=f"127.0.0.1:{ports['alertmanager']}",
        group_wait="1s",
        group_interval="2s",
        repeat_interval="1h",
    )
    export = prometheus.render(sprint, folder, options)
    folder.mkdir()
    for name, text in export.files.items():
        (folder / name).write_text(text, encoding="utf-8")
    # The operator's part: the secret files the export names, from the lab's credentials.
    webhook = f"https://127.0.0.1:{mail_lab.https_address[1]}{chat.path}"
    values = {"smtp_password": lab_credentials["LAUNCHTUI_CRED_SMTP_PASSWORD"]}
    values["slack_webhook"] = webhook
    assert {ref.credential for ref in export.secrets} == set(values)
    for ref in export.secrets:
        Path(ref.where).parent.mkdir(parents=True, exist_ok=True)
        Path(ref.where).write_text(values[ref.credential], encoding="utf-8")
    routes = yaml.safe_load((folder / "alertmanager.yml").read_text(encoding="utf-8"))
    slack = next(r for r in routes["receivers"] if r["name"] == "slack")["slack_configs"][0]
    slack["http_config"]["tls_config"]["server_name"] = CHAT_HOST  # see the module's doc
    (folder / "alertmanager.yml").write_text(yaml.safe_dump(routes), encoding="utf-8")

    stack = Stack(tmp_path)
    try:
        blackbox = ports["blackbox"]
        stack.start(
            "blackbox",
            f"--config.file={folder / 'blackbox.yml'}",
            f"--web.listen-address=127.0.0.1:{blackbox}",
            ready=f"http://127.0.0.1:{blackbox}/",
        )
        manager = ports["alertmanager"]
        stack.start(
            "alertmanager",
            f"--config.file={folder / 'alertmanager.yml'}",
            f"--storage.path={tmp_path / 'alertmanager'}",
            f"--web.listen-address=127.0.0.1:{manager}",
            "--cluster.listen-address=",
            ready=f"http://127.0.0.1:{manager}/-/ready",
        )
        server = f"http://127.0.0.1:{ports['prometheus']}"
        stack.start(
            "prometheus",
            f"--config.file={folder / 'prometheus.yml'}",
            f"--storage.tsdb.path={tmp_path / 'prometheus'}",
            f"--web.listen-address=127.0.0.1:{ports['prometheus']}",
            ready=f"{server}/-/ready",
        )

        def health_success() -> float | None:
            query = urllib.parse.urlencode({"query": 'probe_success{monitor="health"}'})
            body = get(f"{server}/api/v1/query?{query}")
            results = json.loads(body)["data"]["result"] if body else []
            return float(results[0]["value"][1]) if results else None

        # The health monitor sees the app up first: the outage is what changes.
        eventually("health probe up", lambda: health_success() or None, 60, tmp_path)
        assert not chat.received()  # nothing paged while all is well

        seed = next(
            s for s in sprint.email.seed_inboxes if s.address == sprint.monitoring.alert_email
        )
        password = lab_credentials[f"LAUNCHTUI_CRED_{seed.credential.upper()}"]
        reader = seed_inbox_reader(sprint, seed, password, 10.0)
        reader.open()

        def alert_email(words: str, status: str) -> str | None:
            found = reader.find(words, anywhere=True)
            if found is None:
                return None
            message = email_message(found.data)
            subject = str(message["Subject"])
            if not subject.startswith(f"[{status}"):
                return None
            assert found.folder == "inbox", f"the alert was filed as {found.folder}"
            return subject

        def slack_payload(status: str) -> dict[str, Any] | None:
            for delivery in chat.received():
                text = json.dumps(delivery.payload)
                if "MonitorDown" in text and "health" in text and status in text:
                    return delivery.payload
            return None

        app_host = f"app.{mail_lab.config.zone}"
        down_at = time.monotonic()
        mail_lab.app_state.set_health_down(app_host, True)
        subject = eventually(
            "alert email", lambda: alert_email("FIRING", "FIRING"), ALERT_WAIT, tmp_path
        )
        assert "MonitorDown" in subject and "health" in subject
        payload = eventually("Slack alert", lambda: slack_payload("firing"), ALERT_WAIT, tmp_path)
        paged_after = time.monotonic() - down_at
        assert payload["attachments"][0]["color"] == "danger"
        assert "health" in payload["attachments"][0]["title"]

        mail_lab.app_state.set_health_down(app_host, False)
        subject = eventually(
            "resolved email", lambda: alert_email("RESOLVED", "RESOLVED"), ALERT_WAIT, tmp_path
        )
        assert "MonitorDown" in subject and "health" in subject
        resolved = eventually(
            "Slack resolution", lambda: slack_payload("resolved"), ALERT_WAIT, tmp_path
        )
        assert resolved["attachments"][0]["color"] == "good"
        reader.close()
        # Bounded: the rule holds for down_for (6 s) after a 2 s scrape, then one group_wait.
        assert paged_after < ALERT_WAIT
        print(f"paged {paged_after:.1f} s after the outage began")  # shown with -s
    finally:
        stack.stop()


def email_message(raw: bytes) -> email.message.EmailMessage:
    message = email.message_from_bytes(raw, policy=email.policy.default)
    assert isinstance(message, email.message.EmailMessage)
    return message
