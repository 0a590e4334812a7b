"""The lab's mail for tests: a lab with the relay and Dovecot, its sprint and credentials.

Use with `pytest_plugins = ["mail_fixtures"]`. Tests that read mailboxes over IMAP need
Dovecot (Debian's dovecot-imapd) and use `mail_lab`: without it they skip with that reason,
except in CI (CI=true), where a missing Dovecot fails them. Tests of the relay alone (SMTP,
DKIM, the Maildirs it files into) use `relay_lab`, which runs without Dovecot.

PYTEST_DONT_REWRITE
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import tomlkit
from conftest import missing

from launchtui.lab import Lab, LabThread, demo_config
from launchtui.lab.mail.dovecot import INSTALL_HINT, find_dovecot


def require_dovecot() -> None:
    if find_dovecot() is None:
        missing(f"Dovecot not installed ({INSTALL_HINT})")


@pytest.fixture(scope="module")
def mail_lab(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Lab]:
    """The demo lab with its mail (relay, seed mailboxes, Dovecot) on ephemeral ports."""
    require_dovecot()
    with LabThread(demo_config(base_port=0), tmp_path_factory.mktemp("maillab")) as lab:
        yield lab


@pytest.fixture(scope="module")
def relay_lab(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Lab]:
    """The demo lab with its relay and seed Maildirs but no IMAP: needs no Dovecot."""
    config = demo_config(base_port=0, imap=False)
    with LabThread(config, tmp_path_factory.mktemp("relaylab")) as lab:
        yield lab


@pytest.fixture
def lab_credentials(mail_lab: Lab, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    """The lab's mail passwords in this process's environment, as `launchtui demo` does."""
    environment = mail_lab.credential_environment()
    for name, value in environment.items():
        monkeypatch.setenv(name, value)
    return environment


@pytest.fixture
def mail_sprint(mail_lab: Lab, tmp_path: Path, lab_credentials: dict[str, str]) -> Path:
    return mail_lab.write_sprint(tmp_path / "demo.toml")


def edit_email(path: Path, **values: object) -> Path:
    """Set [email] keys of a sprint file (smtp, seed_inboxes...) and return the path."""
    document = tomlkit.parse(path.read_text(encoding="utf-8"))
    for key, value in values.items():
        document["email"][key] = value
    path.write_text(tomlkit.dumps(document), encoding="utf-8")
    return path
