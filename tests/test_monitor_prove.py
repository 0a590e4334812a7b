"""`launchtui monitor prove` against the real lab: its relay and Dovecot seed inbox for the
email route, its Slack-shaped incoming webhook over HTTPS (docs.slack.dev "Sending messages
using incoming webhooks", Handling errors) for the slack route; and the lab's pieces the alert
routes need (the webhook receiver, the health endpoint's outage switch)."""

from __future__ import annotations

import asyncio
import json
import socket
import sqlite3
import time
from collections.abc import Iterator

import pytest
import tomlkit
from lab_fixtures import HttpResponse, exchange, https_request, tls_connect
from mail_fixtures import edit_email
from servers import server_thread

from launchtui.cli.main import main
from launchtui.lab import Lab
from launchtui.lab.chat_webhook import KEPT, ChatWebhook
from launchtui.lab.config import CHAT_HOST
from launchtui.lab.receivers import Request
from launchtui.model.monitoring import AlertProof
from launchtui.monitoring import routes
from launchtui.monitoring.routes import redacted_webhook
from launchtui.sprint import store
from launchtui.sprint.history import _MIGRATIONS, PROOFS_KEPT, History, history_path
from launchtui.sprint.tasks_store import saved_tasks

pytest_plugins = ["mail_fixtures"]

APP = "app.harborclub.test"
TASK = ("monitoring", "alert-routes-proven")


@pytest.fixture
def chat(mail_lab: Lab) -> Iterator[ChatWebhook]:
    webhook = mail_lab.chat
    assert webhook is not None
    yield webhook
    webhook.set_mode("ok")


def post(lab: Lab, path: str, body: bytes, method: str = "POST") -> HttpResponse:
    """One request with a body to the lab's webhook host, over HTTPS (real TLS, lab CA)."""
    with tls_connect(lab, CHAT_HOST) as tls:
        return exchange(tls, CHAT_HOST, path, method, body=body)


# The lab's webhook receiver


def test_webhook_accepts_a_text_message_and_keeps_it(mail_lab, chat):
    before = len(chat.received())
    answer = post(mail_lab, chat.path, b'{"text": "hello from a test"}')
    assert (answer.status, answer.body) == (200, b"ok")
    latest = chat.received()[-1]
    assert latest.payload == {"text": "hello from a test"} and latest.at > 0
    assert len(chat.received()) == min(before + 1, KEPT)


def test_webhook_accepts_alertmanagers_attachments(mail_lab, chat):
    # Alertmanager's slack_configs post attachments (title, text, color...) and no top text
    payload = {"channel": "#alerts", "attachments": [{"title": "[FIRING:1] Down", "text": "x"}]}
    answer = post(mail_lab, chat.path, json.dumps(payload).encode())
    assert (answer.status, answer.body) == (200, b"ok")
    assert chat.received()[-1].payload == payload


@pytest.mark.parametrize(
    ("body", "status", "error"),
    [
        (b"text=not json", 400, b"invalid_payload"),
        (b'["a list"]', 400, b"invalid_payload"),
        (b'{"username": "bot"}', 400, b"no_text"),
        (b'{"text": ""}', 400, b"no_text"),
    ],
)
def test_webhook_refuses_bad_payloads_as_slack_does(mail_lab, chat, body, status, error):
    before = len(chat.received())
    answer = post(mail_lab, chat.path, body)
    assert (answer.status, answer.body) == (status, error)
    assert len(chat.received()) == before


def test_webhook_paths_secret_and_method(mail_lab, chat):
    wrong_secret = f"/services/{chat.team}/{chat.bot}/not-the-secret"
    assert post(mail_lab, wrong_secret, b'{"text": "x"}').body == b"invalid_token"
    assert post(mail_lab, wrong_secret, b'{"text": "x"}').status == 403
    other = post(mail_lab, "/services/TXXXX/BXXXX/whatever", b'{"text": "x"}')
    assert (other.status, other.body) == (404, b"no_service")
    got = post(mail_lab, chat.path, b"", method="GET")
    assert got.status == 405 and got.headers["allow"] == "POST"


def test_webhook_modes_archived_and_revoked(mail_lab, chat):
    chat.set_mode("archived")
    assert post(mail_lab, chat.path, b'{"text": "x"}').status == 410
    assert post(mail_lab, chat.path, b'{"text": "x"}').body == b"channel_is_archived"
    chat.set_mode("revoked")
    answer = post(mail_lab, chat.path, b'{"text": "x"}')
    assert (answer.status, answer.body) == (404, b"no_service")
    with pytest.raises(ValueError, match="mode must be one of"):
        chat.set_mode("sleepy")


def test_webhook_keeps_a_bounded_number_of_payloads():
    webhook = ChatWebhook(CHAT_HOST)
    for n in range(KEPT + 5):
        body = json.dumps({"text": f"n{n}"}).encode()
        webhook.reply(Request(CHAT_HOST, "POST", webhook.path, {}, body))
    kept = webhook.received()
    assert len(kept) == KEPT and kept[0].payload == {"text": "n5"}


def test_webhook_secret_is_random_per_lab_and_its_url_is_the_credential(mail_lab, chat):
    assert ChatWebhook(CHAT_HOST).secret != chat.secret
    environment = mail_lab.credential_environment()
    assert environment["LAUNCHTUI_CRED_SLACK_WEBHOOK"] == chat.url
    assert chat.url.startswith(f"https://{CHAT_HOST}/services/T")
    assert redacted_webhook(chat.url) == f"{CHAT_HOST}/services/T…/B…/****"
    assert chat.secret not in redacted_webhook(chat.url)


# The health endpoint's outage switch


def test_health_goes_down_and_recovers(mail_lab):
    assert https_request(mail_lab, APP, "/api/health").status == 200
    mail_lab.app_state.set_health_down(APP, True)
    try:
        down = https_request(mail_lab, APP, "/api/health")
        assert down.status == 503
        assert json.loads(down.body) == {"status": "down"}
        assert https_request(mail_lab, APP, "/login").status == 200  # only the health endpoint
    finally:
        mail_lab.app_state.set_health_down(APP, False)
    up = https_request(mail_lab, APP, "/api/health")
    assert up.status == 200 and json.loads(up.body)["status"] == "ok"


# monitor prove


def prove(capsys, *args: str) -> tuple[int, str, str]:
    code = main(["monitor", "prove", *args])
    out, err = capsys.readouterr()
    return code, out, err


def secrets_of(lab: Lab) -> list[str]:
    """Every lab secret a proof must never show: passwords, cookies, the webhook's secret."""
    environment = lab.credential_environment()
    chat = lab.chat
    assert chat is not None
    return [*environment.values(), chat.secret]


def assert_no_secret(lab: Lab, *texts: str) -> None:
    for secret in secrets_of(lab):
        for text in texts:
            assert secret not in text


def everything_written(sprint) -> str:
    """The sprint file and the run history's raw bytes (WAL checkpointed first)."""
    path = history_path(sprint)
    with sqlite3.connect(path) as db:
        db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    return sprint.read_text(encoding="utf-8") + path.read_bytes().decode("latin-1")


def test_both_routes_proven_and_recorded(mail_lab, chat, mail_sprint, capsys):
    before = len(chat.received())
    code, out, err = prove(capsys, str(mail_sprint))
    assert code == 0, out + err
    assert "email  proven      email to ana@seedmail.test arrived in INBOX after" in out
    assert f"slack  proven      slack webhook {CHAT_HOST}/services/T…/B…/**** answered ok in" in out
    assert "task alert-routes-proven: done" in out
    (payload,) = [d.payload for d in chat.received()[before:]]
    assert payload["text"].startswith("[launchtui test alert] lt-")
    state = saved_tasks(store.load(mail_sprint))[TASK]
    assert state.done is True
    assert "email to ana@seedmail.test arrived in INBOX after" in state.evidence
    assert "answered ok in" in state.evidence and state.evidence.endswith(" UTC")
    latest = History(mail_sprint).latest_proofs()
    assert set(latest) == {"email", "slack"} and all(p.ok for p in latest.values())
    assert latest["email"].via == "direct" and latest["email"].duration_ms > 0
    assert_no_secret(mail_lab, out, err, everything_written(mail_sprint))


def test_json_output(mail_lab, chat, mail_sprint, capsys):
    code, out, _ = prove(capsys, str(mail_sprint), "--route", "slack", "--format", "json")
    assert code == 0
    data = json.loads(out)
    (proof,) = data["proofs"]
    assert proof["route"] == "slack" and proof["ok"] is True and proof["via"] == "direct"
    # one route proven, the other never: the task is not done
    assert data["task"]["done"] is False
    assert "email: never proven" in data["task"]["evidence"]
    assert_no_secret(mail_lab, out, everything_written(mail_sprint))


def test_revoked_webhook_is_no_service(mail_lab, chat, mail_sprint, capsys):
    chat.set_mode("revoked")
    code, out, _ = prove(capsys, str(mail_sprint), "--route", "slack")
    assert code == 1
    assert "slack  NOT PROVEN  slack webhook" in out
    assert "answered 404 'no_service': the webhook was revoked or the URL is wrong" in out
    assert History(mail_sprint).latest_proofs()["slack"].ok is False
    assert saved_tasks(store.load(mail_sprint))[TASK].done is False
    assert_no_secret(mail_lab, out, everything_written(mail_sprint))


def test_archived_channel(mail_lab, chat, mail_sprint, capsys):
    chat.set_mode("archived")
    code, out, _ = prove(capsys, str(mail_sprint), "--route", "slack")
    assert code == 1
    assert "answered 410 'channel_is_archived': its channel is archived" in out


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_refused_webhook_port(mail_lab, mail_sprint, capsys):
    document = tomlkit.parse(mail_sprint.read_text(encoding="utf-8"))
    document["network"]["connect_to"][f"{CHAT_HOST}:443"] = f"127.0.0.1:{closed_port()}"
    mail_sprint.write_text(tomlkit.dumps(document), encoding="utf-8")
    code, out, _ = prove(capsys, str(mail_sprint), "--route", "slack")
    assert code == 1
    assert f"slack webhook {CHAT_HOST}/services/T…/B…/**** not reached (connection" in out
    assert "not reached (connection refused):" in out
    assert_no_secret(mail_lab, out, everything_written(mail_sprint))


def test_missing_webhook_credential(mail_sprint, capsys, monkeypatch):
    monkeypatch.delenv("LAUNCHTUI_CRED_SLACK_WEBHOOK")
    code, out, _ = prove(capsys, str(mail_sprint), "--route", "slack")
    assert code == 1
    assert "credential slack_webhook is not set" in out
    assert "LAUNCHTUI_CRED_SLACK_WEBHOOK" in out


def test_wrong_smtp_password(mail_lab, mail_sprint, capsys, monkeypatch):
    monkeypatch.setenv("LAUNCHTUI_CRED_SMTP_PASSWORD", "not-the-password")
    code, out, _ = prove(capsys, str(mail_sprint), "--route", "email")
    assert code == 1
    assert "email  NOT PROVEN  email to ana@seedmail.test not sent:" in out
    assert "refused the login" in out
    assert "not-the-password" not in out


def test_unreadable_seed_inbox(mail_lab, mail_sprint, capsys):
    document = store.load(mail_sprint)
    seeds = tomlkit.parse(mail_sprint.read_text(encoding="utf-8"))["email"]["seed_inboxes"]
    for seed in seeds:
        seed["imap"] = f"127.0.0.1:{closed_port()}"
    edit_email(document.path, seed_inboxes=seeds)
    code, out, _ = prove(capsys, str(mail_sprint), "--route", "email")
    assert code == 1
    assert "email to ana@seedmail.test sent, the seed inbox not readable:" in out
    assert "refused the connection" in out


def test_alert_email_not_a_seed_inbox_is_sent_but_unconfirmed(mail_lab, mail_sprint, capsys):
    seeds = tomlkit.parse(mail_sprint.read_text(encoding="utf-8"))["email"]["seed_inboxes"]
    others = [seed for seed in seeds if seed["address"] != "ana@seedmail.test"]
    array = tomlkit.array()
    array.extend(others)
    edit_email(mail_sprint, seed_inboxes=array)
    code, out, _ = prove(capsys, str(mail_sprint), "--route", "email")
    assert code == 1
    assert "email to ana@seedmail.test sent through" in out
    assert "is not one of [email].seed_inboxes; confirm receipt by hand" in out


def test_no_route_declared(mail_sprint, capsys):
    document = tomlkit.parse(mail_sprint.read_text(encoding="utf-8"))
    del document["monitoring"]["alert_email"]
    del document["monitoring"]["slack_webhook"]
    mail_sprint.write_text(tomlkit.dumps(document), encoding="utf-8")
    code, _, err = prove(capsys, str(mail_sprint))
    assert code == 1
    assert "[monitoring] declares no alert route" in err
    assert not history_path(mail_sprint).exists()


def test_route_not_declared_is_a_usage_error(mail_sprint, capsys):
    document = tomlkit.parse(mail_sprint.read_text(encoding="utf-8"))
    del document["monitoring"]["slack_webhook"]
    mail_sprint.write_text(tomlkit.dumps(document), encoding="utf-8")
    code, _, err = prove(capsys, str(mail_sprint), "--route", "slack")
    assert code == 2
    assert "--route slack: [monitoring] has no slack_webhook" in err


def test_missing_sprint_file(tmp_path, capsys):
    code, _, err = prove(capsys, str(tmp_path / "nope.toml"))
    assert code == 2 and err.strip()


def test_history_keeps_the_latest_proofs_per_route(tmp_path):
    sprint = tmp_path / "s.toml"
    history = History(sprint)
    assert history.latest_proofs() == {}
    proofs = [
        AlertProof(
            "slack",
            "direct",
            n % 2 == 0,
            n,
            f"try {n}",
            f"2026-12-06T06:{n // 60:02d}:{n % 60:02d}Z",
        )
        for n in range(PROOFS_KEPT + 5)
    ]
    history.record_proofs(
        [*proofs, AlertProof("email", "alertmanager", True, 7, "e", "2026-12-06T05:00:00Z")]
    )
    latest = history.latest_proofs()
    assert latest["slack"] == proofs[-1] and latest["email"].via == "alertmanager"
    with sqlite3.connect(history_path(sprint)) as db:
        kept = db.execute("SELECT COUNT(*) FROM alert_proofs WHERE route = 'slack'").fetchone()
        version = db.execute("PRAGMA user_version").fetchone()
    assert kept == (PROOFS_KEPT,) and version == (len(_MIGRATIONS),)


def test_webhook_that_never_answers_times_out(mail_lab, mail_sprint):
    """A host that accepts the connection and then says nothing: bounded by the operation
    limit, and said so."""

    async def silent(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.read()  # until the client gives up

    with server_thread() as servers:
        port = servers.serve(silent)
        document = tomlkit.parse(mail_sprint.read_text(encoding="utf-8"))
        document["network"]["connect_to"][f"{CHAT_HOST}:443"] = f"127.0.0.1:{port}"
        mail_sprint.write_text(tomlkit.dumps(document), encoding="utf-8")
        started = time.monotonic()
        (proof,) = routes.prove(store.load(mail_sprint).sprint, ["slack"], op_timeout=1.0)
    assert time.monotonic() - started < 5
    assert not proof.ok
    assert proof.detail.startswith(f"slack webhook {CHAT_HOST}/services/T…/B…/**** not reached")
    assert "(timed out)" in proof.detail


def test_alert_in_the_spam_folder_is_not_proven(mail_sprint, capsys):
    # ben@strictmail.test files as Junk what fails DMARC, and the demo has no DMARC record
    document = tomlkit.parse(mail_sprint.read_text(encoding="utf-8"))
    document["monitoring"]["alert_email"] = "ben@strictmail.test"
    mail_sprint.write_text(tomlkit.dumps(document), encoding="utf-8")
    code, out, _ = prove(capsys, str(mail_sprint), "--route", "email")
    assert code == 1
    assert "email  NOT PROVEN  email to ben@strictmail.test arrived in the spam folder" in out
    assert "alerts there go unseen" in out


def test_the_lab_names_its_webhook_without_the_secret(mail_lab, chat):
    text = "\n".join(mail_lab.describe())
    assert f"Chat webhook (Slack-shaped)   https://{CHAT_HOST}/services/{chat.team}/" in text
    assert chat.secret not in text


def test_proofs_shown_even_when_the_history_cannot_be_written(mail_sprint, capsys):
    history_path(mail_sprint).write_bytes(b"not a database" * 100)
    code, out, err = prove(capsys, str(mail_sprint), "--route", "slack")
    assert code == 2
    assert "slack  proven      slack webhook" in out
    assert "launchtui: the proofs were not recorded:" in err and "run history unusable" in err


@pytest.mark.parametrize(
    ("url", "shown"),
    [
        (
            "https://hooks.slack.com/services/T0001/B0002/s3cr3tS3cr3t",
            "hooks.slack.com/services/T…/B…/****",
        ),
        ("https://hooks.example.com/webhook?token=s3cr3tS3cr3t", "hooks.example.com/****"),
        ("https://hooks.example.com", "hooks.example.com/****"),
        ("not a url", "?/****"),
    ],
)
def test_redacted_webhook(url, shown):
    assert redacted_webhook(url) == shown


def test_a_webhook_credential_that_is_no_https_url(mail_sprint, capsys, monkeypatch):
    monkeypatch.setenv(
        "LAUNCHTUI_CRED_SLACK_WEBHOOK", "http://hooks.chat.test/services/T/B/s3cr3tS3cr3t"
    )
    code, out, _ = prove(capsys, str(mail_sprint), "--route", "slack")
    assert code == 1
    assert "credential slack_webhook is not an https:// URL" in out
    assert "s3cr3tS3cr3t" not in out
