"""`launchtui monitor prove` through a real Alertmanager (Debian's prometheus-alertmanager) on
loopback, routing to the lab's relay (email to the seed inbox) and its Slack-shaped webhook;
configuration as documented at prometheus.io/docs/alerting/latest/configuration (email_configs
with tls_config, slack_configs with api_url_file and http_config)."""

from __future__ import annotations

import json
import shutil
import socket
import sqlite3
import subprocess
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
import tomlkit
import yaml
from conftest import in_ci

from launchtui.cli.main import main
from launchtui.lab import Lab
from launchtui.lab.config import CHAT_HOST
from launchtui.monitoring.via_alertmanager import ALERT_NAME, notifications
from launchtui.sprint import store
from launchtui.sprint.history import History, history_path
from launchtui.sprint.tasks_store import saved_tasks

pytest_plugins = ["mail_fixtures"]

ALERTMANAGER = "/usr/bin/prometheus-alertmanager"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def config(lab: Lab, folder: Path) -> dict[str, object]:
    mail, chat = lab.mail, lab.chat
    assert mail is not None and chat is not None
    secrets = lab.credential_environment()
    (folder / "slack_url").write_text(
        f"https://127.0.0.1:{lab.https_address[1]}{chat.path}", encoding="utf-8"
    )
    (folder / "smtp_password").write_text(secrets["LAUNCHTUI_CRED_SMTP_PASSWORD"], "utf-8")
    tls = {"ca_file": str(lab.ca_path)}
    return {
        "route": {
            "receiver": "team",
            "group_by": ["alertname"],
            "group_wait": "1s",
            "group_interval": "1s",
            "repeat_interval": "1h",
        },
        "receivers": [
            {
                "name": "team",
                "email_configs": [
                    {
                        "to": "ana@seedmail.test",
                        "from": f"Alerts <alerts@{lab.config.zone}>",
                        "smarthost": f"127.0.0.1:{mail.smtp_address[1]}",
                        "auth_username": mail.smtp_username,
                        "auth_password_file": str(folder / "smtp_password"),
                        "require_tls": True,
                        "tls_config": tls | {"server_name": mail.hostname},
                    }
                ],
                "slack_configs": [
                    {
                        "api_url_file": str(folder / "slack_url"),
                        "channel": "#alerts",
                        "http_config": {"tls_config": tls | {"server_name": CHAT_HOST}},
                    }
                ],
            }
        ],
    }


@pytest.fixture
def alertmanager(mail_lab: Lab, tmp_path: Path) -> Iterator[str]:
    """A real Alertmanager on loopback, its URL; stopped after the test."""
    if shutil.which(ALERTMANAGER) is None:
        reason = f"{ALERTMANAGER} not installed (Debian: prometheus-alertmanager)"
        if in_ci():
            pytest.fail(f"{reason}: CI must have it", pytrace=False)
        pytest.skip(reason)
    folder = tmp_path / "am"
    folder.mkdir()
    path = folder / "alertmanager.yml"
    path.write_text(yaml.safe_dump(config(mail_lab, folder)), encoding="utf-8")
    port = free_port()
    process = subprocess.Popen(
        [
            ALERTMANAGER,
            f"--config.file={path}",
            f"--storage.path={folder / 'data'}",
            f"--web.listen-address=127.0.0.1:{port}",
            "--cluster.listen-address=",
        ],
        stdout=subprocess.DEVNULL,
        stderr=(folder / "log").open("wb"),
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                with urllib.request.urlopen(f"{url}/-/ready", timeout=2) as answer:
                    if answer.status == 200:
                        break
            except OSError:
                if time.monotonic() > deadline or process.poll() is not None:
                    raise AssertionError((folder / "log").read_text()) from None
                time.sleep(0.2)
        yield url
    finally:
        process.terminate()
        process.wait(timeout=10)


def everything_written(sprint: Path) -> str:
    """The sprint file and the run history's raw bytes (WAL checkpointed first)."""
    path = history_path(sprint)
    with sqlite3.connect(path) as db:
        db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    return sprint.read_text(encoding="utf-8") + path.read_bytes().decode("latin-1")


def through(sprint: Path, url: str) -> Path:
    document = tomlkit.parse(sprint.read_text(encoding="utf-8"))
    document["monitoring"]["alertmanager"] = url
    sprint.write_text(tomlkit.dumps(document), encoding="utf-8")
    return sprint


def active_test_alerts(url: str) -> list[object]:
    with urllib.request.urlopen(f"{url}/api/v2/alerts", timeout=5) as answer:
        alerts = json.loads(answer.read())
    return [a for a in alerts if a["labels"].get("alertname") == ALERT_NAME]


def test_metrics_are_read_per_integration():
    text = (
        "# HELP alertmanager_notifications_total The total number of attempted notifications.\n"
        'alertmanager_notifications_total{integration="email"} 2\n'
        'alertmanager_notifications_total{integration="slack",receiver_name="a"} 1\n'
        'alertmanager_notifications_total{integration="slack",receiver_name="b"} 3\n'
        'alertmanager_notifications_failed_total{integration="slack"} 1\n'
    )
    assert notifications(text) == {
        ("email", False): 2.0,
        ("slack", False): 4.0,
        ("slack", True): 1.0,
    }


def test_both_routes_proven_through_alertmanager(mail_lab, mail_sprint, alertmanager, capsys):
    chat = mail_lab.chat
    assert chat is not None
    before = len(chat.received())
    code = main(["monitor", "prove", str(through(mail_sprint, alertmanager))])
    out, err = capsys.readouterr()
    assert code == 0, out + err
    where = f"through Alertmanager {alertmanager}"
    assert f"email to ana@seedmail.test {where} arrived in INBOX after" in out
    assert f"slack {where}: notification sent after" in out
    # Alertmanager's own Slack payload reached the webhook: attachments, no top-level text
    payloads = [d.payload for d in chat.received()[before:]]
    assert any("attachments" in p and p.get("channel") == "#alerts" for p in payloads)
    assert active_test_alerts(alertmanager) == []  # resolved
    latest = History(mail_sprint).latest_proofs()
    assert {p.via for p in latest.values()} == {"alertmanager"}
    assert saved_tasks(store.load(mail_sprint))[("monitoring", "alert-routes-proven")].done
    written = everything_written(mail_sprint)
    for secret in [*mail_lab.credential_environment().values()]:
        assert secret not in out + err + written


def test_slack_failure_is_seen_in_alertmanagers_metrics(
    mail_lab, mail_sprint, alertmanager, capsys
):
    chat = mail_lab.chat
    assert chat is not None
    chat.set_mode("archived")
    try:
        code = main(
            ["monitor", "prove", str(through(mail_sprint, alertmanager)), "--route", "slack"]
        )
    finally:
        chat.set_mode("ok")
    out, _ = capsys.readouterr()
    assert code == 1
    assert "its slack notification failed (alertmanager_notifications_failed_total rose" in out


def test_alertmanager_unreachable(mail_sprint, capsys):
    url = f"http://127.0.0.1:{free_port()}"
    code = main(["monitor", "prove", str(through(mail_sprint, url))])
    out, _ = capsys.readouterr()
    assert code == 1
    assert f"email: test alert not sent through Alertmanager {url}:" in out
    assert f"slack: test alert not sent through Alertmanager {url}:" in out


def test_alert_email_not_a_seed_inbox_is_sent_by_alertmanager_but_unconfirmed(
    mail_sprint, alertmanager, capsys
):
    document = tomlkit.parse(mail_sprint.read_text(encoding="utf-8"))
    document["email"]["seed_inboxes"] = [
        seed for seed in document["email"]["seed_inboxes"] if seed["address"] != "ana@seedmail.test"
    ]
    mail_sprint.write_text(tomlkit.dumps(document), encoding="utf-8")
    code = main(["monitor", "prove", str(through(mail_sprint, alertmanager)), "--route", "email"])
    out, _ = capsys.readouterr()
    assert code == 1
    assert f"email to ana@seedmail.test sent by Alertmanager {alertmanager} after" in out
    assert "confirm receipt by hand" in out


def test_unreadable_seed_inbox_leaves_slack_proven_through_alertmanager(
    mail_sprint, alertmanager, capsys
):
    document = tomlkit.parse(mail_sprint.read_text(encoding="utf-8"))
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        closed = sock.getsockname()[1]
    for seed in document["email"]["seed_inboxes"]:
        seed["imap"] = f"127.0.0.1:{closed}"
    mail_sprint.write_text(tomlkit.dumps(document), encoding="utf-8")
    code = main(["monitor", "prove", str(through(mail_sprint, alertmanager))])
    out, _ = capsys.readouterr()
    assert code == 1
    assert "email  NOT PROVEN  email to ana@seedmail.test: seed inbox not readable:" in out
    assert "refused the connection" in out
    assert f"slack  proven      slack through Alertmanager {alertmanager}" in out
