"""The lab's mail: the SMTP relay (STARTTLS, AUTH, DKIM signing, filing into seed Maildirs
with Authentication-Results) and Dovecot serving the Maildirs, against real sockets."""

from __future__ import annotations

import base64
import imaplib
import smtplib
import ssl
import time
from email.parser import BytesParser
from email.policy import default
from pathlib import Path

import dns.message
import dns.query
import pytest
import tomlkit
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.serialization import load_der_public_key

from launchtui.lab import Lab, LabThread, demo_config
from launchtui.lab.config import Mailbox, base_ports
from launchtui.lab.mail.mailstore import MailStore
from launchtui.sprint import store

pytest_plugins = ["mail_fixtures"]
# relay_lab: the relay, DKIM and the Maildirs it files into, without Dovecot; mail_lab: also
# Dovecot serving them over IMAP (the tests using it skip without Dovecot, and fail in CI).

FROM = "Harbor Club <hello@harborclub.test>"


def message(to: str, subject: str = "Hello", sender: str = FROM) -> bytes:
    return (
        f"From: {sender}\r\nTo: {to}\r\nSubject: {subject}\r\n"
        "Date: Fri, 27 Nov 2026 10:00:00 +0000\r\nMessage-ID: <t1@harborclub.test>\r\n\r\n"
        "Hello from the test.\r\n"
    ).encode()


def relay_client(lab: Lab, *, tls: bool = True) -> smtplib.SMTP:
    assert lab.mail is not None
    client = smtplib.SMTP(timeout=10)
    client._host = lab.mail.hostname  # the name STARTTLS verifies
    client.connect(*lab.mail.smtp_address)
    client.ehlo("test.client")
    if tls:
        client.starttls(context=ssl.create_default_context(cafile=str(lab.ca_path)))
        client.ehlo("test.client")
    return client


def send(lab: Lab, to: str, data: bytes) -> None:
    assert lab.mail is not None
    with relay_client(lab) as client:
        client.login(lab.mail.smtp_username, lab.mail.smtp_password)
        client.sendmail("hello@harborclub.test", [to], data)


def stored(lab: Lab, address: str, folder: str, subject: str) -> bytes:
    """The delivered message with this subject in a Maildir folder (waits a little)."""
    assert lab.mail is not None and lab.mail.store is not None
    mail_store: MailStore = lab.mail.store
    for _ in range(100):
        for path in mail_store.messages(address, folder):
            data = path.read_bytes()
            if f"Subject: {subject}".encode() in data:
                return data
        time.sleep(0.05)
    raise AssertionError(f"no message {subject!r} in {address} {folder}")


def test_dkim_key_is_published_in_the_lab_zone_and_is_2048_bit_rsa(relay_lab):
    query = dns.message.make_query("lab._domainkey.harborclub.test", "TXT")
    response = dns.query.udp(query, *relay_lab.dns_address[:1], port=relay_lab.dns_address[1])
    (txt,) = [b"".join(r.strings).decode() for r in response.answer[0]]
    tags = dict(part.strip().split("=", 1) for part in txt.split(";"))
    assert tags["v"] == "DKIM1" and tags["k"] == "rsa"
    key = load_der_public_key(base64.b64decode(tags["p"]))
    assert isinstance(key, rsa.RSAPublicKey) and key.key_size == 2048


def test_lenient_inbox_gets_signed_message_with_authentication_results(relay_lab):
    send(relay_lab, "ana@seedmail.test", message("ana@seedmail.test", "lenient-1"))
    data = stored(relay_lab, "ana@seedmail.test", "INBOX", "lenient-1")
    parsed = BytesParser(policy=default).parsebytes(data)
    results = str(parsed["Authentication-Results"])
    assert results.startswith("mail.harborclub.test;")
    assert "dkim=pass header.d=harborclub.test header.s=lab" in results
    # The demo has no DMARC record: the receiver says so rather than inventing a result.
    assert "dmarc=none header.from=harborclub.test" in results
    assert "spf=pass smtp.mailfrom=hello@harborclub.test" in results
    assert "d=harborclub.test" in str(parsed["DKIM-Signature"])
    submission, delivery = parsed.get_all("Received")[::-1]  # topmost: the delivery hop
    assert "with ESMTPSA" in str(submission)
    assert "with ESMTPS " in str(delivery)


def test_strict_inbox_files_a_message_without_dmarc_in_junk(relay_lab):
    send(relay_lab, "ben@strictmail.test", message("ben@strictmail.test", "strict-1"))
    data = stored(relay_lab, "ben@strictmail.test", "Junk", "strict-1")
    assert b"X-Lab-Filter: Junk (strict filter: DMARC none" in data


def test_unsigned_looking_foreign_sender_still_signed_by_the_relay_domain(relay_lab):
    # The relay signs every message with its own domain; DMARC for another From domain has
    # no aligned identifier, and the strict mailbox files it in Junk.
    other = "Mallory <news@example.org>"
    send(relay_lab, "ben@strictmail.test", message("ben@strictmail.test", "foreign-1", other))
    data = stored(relay_lab, "ben@strictmail.test", "Junk", "foreign-1")
    assert b"dkim=pass header.d=harborclub.test" in data
    assert b"header.from=example.org" in data


def test_relay_refuses_auth_before_starttls_and_a_wrong_password(relay_lab):
    with relay_client(relay_lab, tls=False) as client:
        with pytest.raises(smtplib.SMTPException) as refused:
            client.login(relay_lab.mail.smtp_username, relay_lab.mail.smtp_password)
        assert "STARTTLS" in str(refused.value) or "AUTH" in str(refused.value)
    with relay_client(relay_lab) as client:
        with pytest.raises(smtplib.SMTPAuthenticationError) as wrong:
            client.login(relay_lab.mail.smtp_username, "not-the-password")
        assert wrong.value.smtp_code == 535


def test_relay_refuses_unknown_recipients_and_unauthenticated_mail(relay_lab):
    with relay_client(relay_lab) as client:
        client.login(relay_lab.mail.smtp_username, relay_lab.mail.smtp_password)
        with pytest.raises(smtplib.SMTPRecipientsRefused) as refused:
            client.sendmail("hello@harborclub.test", ["nobody@example.org"], message("x"))
        assert refused.value.recipients["nobody@example.org"][0] == 550
    with relay_client(relay_lab) as client, pytest.raises(smtplib.SMTPException):
        client.sendmail("hello@harborclub.test", ["ana@seedmail.test"], message("x"))


def test_dovecot_serves_the_seed_mailboxes_and_refuses_a_wrong_password(mail_lab):
    send(mail_lab, "ana@seedmail.test", message("ana@seedmail.test", "imap-1"))
    stored(mail_lab, "ana@seedmail.test", "INBOX", "imap-1")
    client = imaplib.IMAP4(*mail_lab.mail.imap_address, timeout=10)
    try:
        client.login("ana@seedmail.test", mail_lab.mail.passwords["ana@seedmail.test"])
        _, folders = client.list()
        assert any(b"\\Junk" in line and b"Junk" in line for line in folders)
        client.select("INBOX", readonly=True)
        _, found = client.search(None, "SUBJECT", '"imap-1"')
        assert found[0].split()
    finally:
        client.logout()
    refused = imaplib.IMAP4(*mail_lab.mail.imap_address, timeout=10)
    with pytest.raises(imaplib.IMAP4.error):
        refused.login("ana@seedmail.test", "wrong")
    refused.shutdown()


def test_demo_sprint_declares_the_relay_inboxes_and_credentials_but_no_password(mail_lab, tmp_path):
    path = mail_lab.write_sprint(tmp_path / "demo.toml")
    sprint = store.load(path).sprint
    email = sprint.email
    assert email.domain == "harborclub.test"
    assert email.senders == ("google-workspace", "postmark", "sendgrid")
    assert email.dkim_selectors == ("lab", "legacy2019")
    assert email.from_address == FROM
    assert email.smtp is not None
    assert (email.smtp.host, email.smtp.port) == (
        "mail.harborclub.test",
        mail_lab.mail.smtp_address[1],
    )
    assert (email.smtp.tls, email.smtp.username) == ("starttls", "hello@harborclub.test")
    imap = f"127.0.0.1:{mail_lab.mail.imap_address[1]}"
    assert [(i.address, i.imap, i.credential) for i in email.seed_inboxes] == [
        ("ana@seedmail.test", imap, "seed_ana_password"),
        ("ben@strictmail.test", imap, "seed_ben_password"),
    ]
    assert {"smtp_password", "seed_ana_password", "seed_ben_password"} <= set(sprint.credentials)
    text = path.read_text()
    for value in mail_lab.credential_environment().values():
        assert value not in text


def test_an_existing_sprint_gets_the_new_mail_ports_and_keeps_the_rest(mail_lab, tmp_path):
    path = mail_lab.write_sprint(tmp_path / "demo.toml")
    document = tomlkit.parse(path.read_text())
    document["email"]["smtp"]["port"] = 1
    document["email"]["seed_inboxes"][0]["imap"] = "127.0.0.1:2"
    document["email"]["from"] = "Edited <hello@harborclub.test>"
    path.write_text(tomlkit.dumps(document))
    mail_lab.write_sprint(path)
    email = store.load(path).sprint.email
    assert email.smtp is not None and email.smtp.port == mail_lab.mail.smtp_address[1]
    assert email.seed_inboxes[0].imap.endswith(f":{mail_lab.mail.imap_address[1]}")
    assert email.from_address == "Edited <hello@harborclub.test>"


def test_the_banner_lists_the_mail_services(mail_lab):
    text = "\n".join(mail_lab.describe())
    assert f"SMTP relay (STARTTLS + AUTH)  127.0.0.1:{mail_lab.mail.smtp_address[1]}" in text
    assert f"IMAP (Dovecot, plain)         127.0.0.1:{mail_lab.mail.imap_address[1]}" in text
    assert "seed inbox ben@strictmail.test" in text and "strict filter" in text


def test_mail_ports_follow_the_base_port():
    ports = base_ports(20000)
    assert (ports["smtp_port"], ports["imap_port"]) == (20020, 20021)
    assert demo_config().smtp_port == 9025 and demo_config().imap_port == 9143
    with pytest.raises(ValueError, match="must all differ"):
        demo_config(smtp_port=9443)


def test_mailbox_config_is_validated():
    with pytest.raises(ValueError, match="policy"):
        Mailbox("a@b.test", policy="paranoid")
    with pytest.raises(ValueError, match="address"):
        Mailbox("not an address")
    with pytest.raises(ValueError, match="password"):
        Mailbox("a@b.test", password="x:y")
    with pytest.raises(ValueError, match="only once"):
        demo_config(base_port=0, mailboxes=[Mailbox("a@b.test"), Mailbox("A@b.test")])


def test_without_imap_the_lab_says_so_and_stopping_removes_the_mailboxes(tmp_path):
    with LabThread(demo_config(base_port=0, imap=False), tmp_path) as lab:
        assert lab.mail is not None and lab.mail.imap_address is None
        assert "  IMAP (Dovecot, plain)         not served: turned off" in lab.describe()
        folder = lab.mail.folder
        assert folder is not None and folder.is_dir()
    assert not Path(folder).exists()


def test_stopping_the_lab_stops_dovecot(tmp_path):
    from mail_fixtures import require_dovecot

    require_dovecot()
    with LabThread(demo_config(base_port=0), tmp_path) as lab:
        process = lab.mail._dovecot._process
        address = lab.mail.imap_address
        assert process is not None and process.poll() is None
    assert process.poll() is not None
    with pytest.raises(OSError):
        imaplib.IMAP4(*address, timeout=2)


def test_without_dovecot_the_banner_says_what_to_install(tmp_path, monkeypatch):
    from launchtui.lab.mail import dovecot

    monkeypatch.setenv("PATH", str(tmp_path))  # a PATH with no dovecot on it
    monkeypatch.setattr(dovecot, "SEARCH_PATH", ())
    with LabThread(demo_config(base_port=0), tmp_path) as lab:
        lines = lab.describe()
        section = lab.mail_section()
    assert (
        "  IMAP (Dovecot, plain)         not served: Dovecot not found: install Debian's "
        "dovecot-imapd (apt-get install dovecot-imapd)"
    ) in lines
    assert section is not None and section.inboxes  # the sprint still names the inboxes


def test_an_imap_port_in_use_is_one_clear_error(tmp_path):
    import socket

    from mail_fixtures import require_dovecot

    from launchtui.errors import LabError

    require_dovecot()
    with socket.socket() as blocker:
        blocker.bind(("127.0.0.1", 0))
        blocker.listen()
        port = blocker.getsockname()[1]
        lab = LabThread(demo_config(base_port=0, imap_port=port), tmp_path)
        with pytest.raises(LabError, match=f"port {port} on 127.0.0.1 is already in use"):
            lab.__enter__()
