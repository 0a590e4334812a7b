"""`launchtui email-test` end to end: the lab relay, Dovecot, and hostile SMTP/IMAP servers."""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys

import tomlkit
from mail_fixtures import edit_email
from servers import server_thread

from launchtui.cli.main import main
from launchtui.email.delivery_log import EMAIL_TESTS_KEPT, saved_email_tests
from launchtui.reports import handover, handover_markdown
from launchtui.sprint import store

pytest_plugins = ["mail_fixtures"]


def email_test(capsys, *args: str) -> tuple[int, str, str]:
    code = main(["email-test", *args])
    out, err = capsys.readouterr()
    return code, out, err


def inboxes(*entries: tuple[str, str, str]) -> tomlkit.items.Array:
    array = tomlkit.array()
    for address, imap, credential in entries:
        table = tomlkit.inline_table()
        table.update({"address": address, "imap": imap, "username": address})
        table["credential"] = credential
        array.append(table)
    return array


def test_delivers_to_the_lenient_inbox_with_dkim_pass(mail_sprint, capsys):
    edit_email(mail_sprint, seed_inboxes=inboxes(_ana(mail_sprint)))
    code, out, _ = email_test(capsys, str(mail_sprint), "--template", "welcome", "--timeout", "30")
    assert code == 0, out
    assert "welcome -> ana@seedmail.test: INBOX after" in out
    assert "receiver mail.harborclub.test: spf=pass dkim=pass dmarc=none" in out
    assert "launchtui: dkim=pass (d=harborclub.test s=lab)" in out
    # The demo's SPF record lists the relay's address first: pass at once, despite the
    # record's lookup count over the limit further on.
    assert "spf=pass (harborclub.test)" in out
    assert '"Harbor Club" @harborclub.test matches the sending domain harborclub.test' in out
    (entry,) = saved_email_tests(store.load(mail_sprint))
    assert entry["status"] == "inbox" and entry["template"] == "welcome"
    assert entry["authentication_results"] == {
        "spf": "pass",
        "dkim": "pass",
        "dmarc": "none",
    }
    assert entry["verified"]["dkim"] == "pass" and entry["verified"]["spf"] == "pass"
    assert entry["verified"]["dmarc_aligned"] == "dkim, spf"
    assert entry["from_domain_matches"] is True and entry["latency_ms"] >= 0


def test_all_templates_to_both_inboxes_reports_spam_and_logs_without_passwords(
    mail_sprint, lab_credentials, capsys
):
    code, out, _ = email_test(capsys, str(mail_sprint), "--timeout", "30", "--format", "json")
    assert code == 1  # the strict inbox files them in Junk: the demo has no DMARC record
    data = json.loads(out)
    by_inbox: dict[str, set[str]] = {}
    for m in data["messages"]:
        by_inbox.setdefault(m["inbox"], set()).add(m["status"])
    assert by_inbox == {"ana@seedmail.test": {"inbox"}, "ben@strictmail.test": {"spam"}}
    assert {m["template"] for m in data["messages"]} == {
        "welcome",
        "password-reset",
        "invite",
        "receipt",
        "launch-announcement",
    }
    spam = next(m for m in data["messages"] if m["status"] == "spam")
    assert spam["mailbox"] == "Junk" and spam["authentication_results"]["dkim"] == "pass"
    assert len({m["token"] for m in data["messages"]}) == 10
    text = mail_sprint.read_text()
    assert text.count("[[email_tests]]") == 10
    for value in lab_credentials.values():
        assert value not in text and value not in out
    document = store.load(mail_sprint)
    markdown = handover_markdown.render_markdown(document)
    assert "## Delivery test log" in markdown
    assert "| ben@strictmail.test | spam (Junk) |" in markdown
    assert len(handover.to_data(document)["delivery_log"]) == 10


def test_wrong_smtp_password_is_a_clear_error(mail_sprint, monkeypatch, capsys):
    monkeypatch.setenv("LAUNCHTUI_CRED_SMTP_PASSWORD", "wrong-password")
    code, out, _ = email_test(capsys, str(mail_sprint), "--template", "invite", "--timeout", "10")
    assert code == 1
    assert "ERROR: not sent: mail.harborclub.test:" in out
    assert "refused the login of hello@harborclub.test (535" in out
    assert "check the smtp_password credential" in out
    assert "wrong-password" not in mail_sprint.read_text()


def test_missing_credential_names_it(mail_sprint, monkeypatch, capsys, private_keyring):
    monkeypatch.delenv("LAUNCHTUI_CRED_SEED_BEN_PASSWORD")
    code, out, err = email_test(capsys, str(mail_sprint), "--timeout", "10")
    assert code == 2 and out == ""
    assert err.strip().splitlines() == [
        "launchtui: credential seed_ben_password is not set: store it with `launchtui "
        "credentials set demo.toml seed_ben_password` or set LAUNCHTUI_CRED_SEED_BEN_PASSWORD"
    ]
    assert "email_tests" not in mail_sprint.read_text()


def test_missing_smtp_config_is_a_usage_error(mail_sprint, capsys):
    document = tomlkit.parse(mail_sprint.read_text())
    del document["email"]["smtp"]
    mail_sprint.write_text(tomlkit.dumps(document))
    code, _, err = email_test(capsys, str(mail_sprint))
    assert code == 2 and "no [email].smtp relay to send through" in err


def test_unreachable_seed_inbox_is_an_error_not_a_hang(mail_sprint, capsys):
    closed = _closed_port()
    edit_email(
        mail_sprint,
        seed_inboxes=inboxes(("ana@seedmail.test", f"127.0.0.1:{closed}", "seed_ana_password")),
    )
    code, out, _ = email_test(capsys, str(mail_sprint), "--template", "receipt", "--timeout", "5")
    assert code == 1
    assert f"ERROR: seed inbox not readable: 127.0.0.1:{closed} refused the connection" in out
    (entry,) = saved_email_tests(store.load(mail_sprint))
    assert entry["status"] == "error" and "refused the connection" in entry["error"]


def test_imap_server_refusing_the_login_is_a_clear_result(mail_sprint, capsys):
    async def refuse(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        writer.write(b"* OK [CAPABILITY IMAP4rev1 AUTH=PLAIN] hostile ready\r\n")
        while line := await reader.readline():
            tag, _, command = line.decode().partition(" ")
            if command.upper().startswith("CAPABILITY"):
                writer.write(f"* CAPABILITY IMAP4rev1\r\n{tag} OK done\r\n".encode())
            elif command.upper().startswith("LOGIN"):
                writer.write(f"{tag} NO [AUTHENTICATIONFAILED] \x1b[31mgo away\r\n".encode())
            else:
                writer.write(f"{tag} BAD no\r\n".encode())
            await writer.drain()

    with server_thread() as thread:
        port = thread.serve(refuse)
        edit_email(
            mail_sprint,
            seed_inboxes=inboxes(("ana@seedmail.test", f"127.0.0.1:{port}", "seed_ana_password")),
        )
        code, out, _ = email_test(
            capsys, str(mail_sprint), "--template", "invite", "--timeout", "5"
        )
    assert code == 1
    assert f"127.0.0.1:{port} refused the login of ana@seedmail.test: [AUTHENTICATIONFAILED]" in out
    assert "\\x1b[31mgo away" in out and "\x1b" not in out  # shown literally


def test_smtp_server_stalling_after_ehlo_times_out_without_hanging(mail_sprint, capsys):
    async def stall(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        writer.write(b"220 stall.test ESMTP\r\n")
        await writer.drain()
        await reader.readline()  # EHLO, never answered
        await asyncio.sleep(3600)

    with server_thread() as thread:
        port = thread.serve(stall)
        smtp = tomlkit.inline_table()
        smtp.update({"host": "127.0.0.1", "port": port, "tls": "starttls", "username": "u"})
        edit_email(mail_sprint, smtp=smtp)
        code, out, _ = email_test(
            capsys, str(mail_sprint), "--template", "welcome", "--timeout", "2"
        )
    assert code == 1
    assert f"ERROR: not sent: 127.0.0.1:{port} did not answer within 2 s" in out


def test_plain_smtp_to_a_remote_host_is_refused_before_connecting(mail_sprint, capsys):
    smtp = tomlkit.inline_table()
    smtp.update({"host": "192.0.2.1", "port": 25, "tls": "none", "username": "u"})
    edit_email(mail_sprint, smtp=smtp)
    code, out, _ = email_test(capsys, str(mail_sprint), "--template", "welcome", "--timeout", "2")
    assert code == 1 and "refusing to send the SMTP password unencrypted" in out


def test_log_keeps_only_the_last_entries(mail_sprint, capsys):
    closed = _closed_port()
    edit_email(
        mail_sprint,
        seed_inboxes=inboxes(("ana@seedmail.test", f"127.0.0.1:{closed}", "seed_ana_password")),
    )
    for _ in range(EMAIL_TESTS_KEPT // 4 + 1):
        email_test(capsys, str(mail_sprint), "--timeout", "2")
    assert len(saved_email_tests(store.load(mail_sprint))) == EMAIL_TESTS_KEPT


def test_a_real_shell_run_with_help_and_usage_errors(mail_sprint):
    done = subprocess.run(
        [sys.executable, "-m", "launchtui", "email-test", "--help"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0 and "seed inbox" in done.stdout
    done = subprocess.run(
        [sys.executable, "-m", "launchtui", "email-test", str(mail_sprint), "--timeout", "0"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 2 and "--timeout must be between" in done.stderr


def _ana(path) -> tuple[str, str, str]:
    inbox = store.load(path).sprint.email.seed_inboxes[0]
    return inbox.address, inbox.imap, inbox.credential


def _closed_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_implicit_tls_relay_with_an_untrusted_certificate_is_refused(mail_sprint, capsys):
    import ssl

    import trustme

    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    trustme.CA().issue_cert("smtp.elsewhere.test").configure_cert(context)

    async def greet(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        writer.write(b"220 smtp.elsewhere.test ESMTP\r\n")
        await writer.drain()
        await reader.read(100)

    with server_thread() as thread:
        port = thread.serve(greet, context)
        smtp = tomlkit.inline_table()
        smtp.update({"host": "smtp.elsewhere.test", "port": port, "tls": "tls", "username": "u"})
        edit_email(mail_sprint, smtp=smtp)
        document = tomlkit.parse(mail_sprint.read_text())
        document["network"]["connect_to"][f"smtp.elsewhere.test:{port}"] = f"127.0.0.1:{port}"
        mail_sprint.write_text(tomlkit.dumps(document))
        code, out, _ = email_test(
            capsys, str(mail_sprint), "--template", "welcome", "--timeout", "5"
        )
    assert code == 1
    assert f"ERROR: not sent: the certificate of smtp.elsewhere.test:{port} is not trusted" in out


def test_with_a_dmarc_record_every_message_reaches_an_inbox(tmp_path, monkeypatch, capsys):
    from mail_fixtures import require_dovecot

    from launchtui.lab import LabThread, demo_config

    require_dovecot()
    config = demo_config(base_port=0)
    config.txt[f"_dmarc.{config.zone}"] = ["v=DMARC1; p=quarantine; rua=mailto:d@harborclub.test"]
    with LabThread(config, tmp_path) as lab:
        for name, value in lab.credential_environment().items():
            monkeypatch.setenv(name, value)
        path = lab.write_sprint(tmp_path / "demo.toml")
        code, out, _ = email_test(capsys, str(path), "--template", "invite", "--timeout", "30")
    assert code == 0, out
    assert out.count("INBOX after") == 2
    assert "dmarc=pass" in out and "aligned: dkim, spf" in out


def test_imap_servers_that_stay_silent_or_trickle_give_errors_not_hangs(mail_sprint, capsys):
    async def silent(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await asyncio.sleep(3600)  # not even a greeting

    async def trickle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        writer.write(b"* OK [CAPABILITY IMAP4rev1] slow ready\r\n")
        await reader.readline()
        while True:  # one byte a second: every read beats the timeout, no line ever ends
            writer.write(b"x")
            await writer.drain()
            await asyncio.sleep(0.5)

    with server_thread() as thread:
        quiet, slow = thread.serve(silent), thread.serve(trickle)
        edit_email(
            mail_sprint,
            seed_inboxes=inboxes(
                ("ana@seedmail.test", f"127.0.0.1:{quiet}", "seed_ana_password"),
                ("ben@strictmail.test", f"127.0.0.1:{slow}", "seed_ben_password"),
            ),
        )
        code, out, _ = email_test(
            capsys, str(mail_sprint), "--template", "welcome", "--timeout", "2"
        )
    assert code == 1
    assert f"127.0.0.1:{quiet} did not answer within 2 s" in out
    assert f"seed inbox not readable: 127.0.0.1:{slow} took longer than 8 s" in out


def test_smtp_server_trickling_its_greeting_is_cut_off(mail_sprint, capsys):
    async def trickle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        while True:  # an endless multi-line greeting, each line well within the timeout
            writer.write(b"220-still greeting\r\n")
            await writer.drain()
            await asyncio.sleep(0.5)

    with server_thread() as thread:
        port = thread.serve(trickle)
        smtp = tomlkit.inline_table()
        smtp.update({"host": "127.0.0.1", "port": port, "tls": "starttls", "username": "u"})
        edit_email(mail_sprint, smtp=smtp)
        code, out, _ = email_test(
            capsys, str(mail_sprint), "--template", "welcome", "--timeout", "1"
        )
    assert code == 1
    assert f"ERROR: not sent: 127.0.0.1:{port} took longer than 6 s" in out


def test_email_test_in_a_shell_against_a_running_lab(tmp_path):
    """As a person runs it: `launchtui lab` in one shell, the exports it prints pasted into
    another, then `launchtui email-test sprints/demo.toml`."""
    import os
    import signal
    from pathlib import Path

    from mail_fixtures import require_dovecot
    from test_lab_cli import READY, Lines, launchtui

    require_dovecot()
    lab = launchtui("lab", "--base-port", "0", cwd=tmp_path)
    output = Lines(lab)
    try:
        banner = output.until(READY, timeout=30)
        exports = dict(
            line.strip().removeprefix("export ").split("=", 1)
            for line in banner
            if line.strip().startswith("export LAUNCHTUI_CRED_")
        )
        assert set(exports) == {
            "LAUNCHTUI_CRED_SMTP_PASSWORD",
            "LAUNCHTUI_CRED_SEED_ANA_PASSWORD",
            "LAUNCHTUI_CRED_SEED_BEN_PASSWORD",
            # the demo members' session cookies (perf.private-cache), since issue 13
            "LAUNCHTUI_CRED_MEMBER_A_SESSION",
            "LAUNCHTUI_CRED_MEMBER_B_SESSION",
            # the chat service's incoming-webhook URL (monitor prove)
            "LAUNCHTUI_CRED_SLACK_WEBHOOK",
            # the error tracker's DSN (monitoring.error-reporting)
            "LAUNCHTUI_CRED_SENTRY_DSN",
        }
        assert any(line.startswith("  SMTP relay (STARTTLS + AUTH)  127.0.0.1:") for line in banner)
        environment = {
            **os.environ,
            **exports,
            "PYTHONPATH": str(Path(__file__).parents[1]),
        }
        done = subprocess.run(
            [sys.executable, "-m", "launchtui", "email-test", "sprints/demo.toml"],
            cwd=tmp_path,
            capture_output=True,
            text=True,
            timeout=120,
            env=environment,
        )
    finally:
        lab.send_signal(signal.SIGTERM)
    assert lab.wait(timeout=20) == 0
    assert done.returncode == 1, done.stdout + done.stderr  # the strict inbox: spam
    assert done.stdout.count("-> ana@seedmail.test: INBOX after") == 5
    assert done.stdout.count("-> ben@strictmail.test: SPAM (folder Junk) after") == 5
    assert "10 messages: 5 inbox, 5 spam" in done.stdout
    # the demo: the announcement's one-click unsubscribe and the sending address's reverse DNS
    assert "unsubscribe: List-Unsubscribe: <https://harborclub.test/unsubscribe>" in done.stdout
    assert "rdns: 127.0.0.1 -> mail.harborclub.test -> 127.0.0.1" in done.stdout
    text = (tmp_path / "sprints" / "demo.toml").read_text()
    assert text.count("[[email_tests]]") == 10
    for value in exports.values():
        assert value not in text and value not in done.stdout and value not in done.stderr


def test_a_hostile_from_name_is_shown_literally(mail_sprint, capsys):
    hostile = "\x1b[31m[b]Harbor[/b]\u202e Club"
    edit_email(
        mail_sprint,
        seed_inboxes=inboxes(_ana(mail_sprint)),
        **{"from": f'"{hostile}" <hello@harborclub.test>'},
    )
    code, out, _ = email_test(capsys, str(mail_sprint), "--template", "welcome", "--timeout", "30")
    assert code == 0, out
    assert "\x1b" not in out and "\u202e" not in out
    assert "\\x1b[31m[b]Harbor[/b]\\u202e Club" in out
    (entry,) = saved_email_tests(store.load(mail_sprint))
    assert entry["from_name"] == hostile  # stored as data, escaped only when shown


def test_a_recipient_the_relay_refuses_fails_alone(mail_sprint, capsys):
    address, imap, credential = _ana(mail_sprint)
    edit_email(
        mail_sprint,
        seed_inboxes=inboxes(("nobody@example.org", imap, credential), (address, imap, credential)),
    )
    code, out, _ = email_test(capsys, str(mail_sprint), "--template", "welcome", "--timeout", "30")
    assert code == 1
    assert "welcome -> nobody@example.org: ERROR: mail.harborclub.test:" in out
    assert "refused the recipient (nobody@example.org: 550 5.1.1" in out
    assert "welcome -> ana@seedmail.test: INBOX after" in out


def test_no_save_leaves_the_sprint_file_alone(mail_sprint, capsys):
    edit_email(
        mail_sprint,
        seed_inboxes=inboxes(
            ("ana@seedmail.test", f"127.0.0.1:{_closed_port()}", "seed_ana_password")
        ),
    )
    before = mail_sprint.read_bytes()
    code, out, _ = email_test(capsys, str(mail_sprint), "--no-save", "--timeout", "2")
    assert code == 1 and "refused the connection" in out and "log saved" not in out
    assert mail_sprint.read_bytes() == before


def test_a_seed_inbox_credential_name_is_validated(mail_sprint, capsys):
    edit_email(mail_sprint, seed_inboxes=inboxes(("a@b.test", "127.0.0.1:1", "Not-A-Name")))
    code, _, err = email_test(capsys, str(mail_sprint))
    assert code == 2
    assert "email.seed_inboxes[0].credential: a credential name uses lowercase letters" in err
