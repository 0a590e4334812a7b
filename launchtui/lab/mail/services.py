"""The lab's mail services as one piece: signing key, seed mailboxes, relay and Dovecot.

Passwords are new at every start unless a Mailbox fixes one. They reach the demo through the
process environment (LAUNCHTUI_CRED_<NAME>, see `credentials`), never the user's keyring.
"""

from __future__ import annotations

import re
import secrets
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

from launchtui.email.dns_sync import SyncResolver
from launchtui.lab.ca import LabCA
from launchtui.lab.config import LabConfig
from launchtui.lab.mail.dkim_key import new_key
from launchtui.lab.mail.dovecot import INSTALL_HINT, Dovecot, find_dovecot
from launchtui.lab.mail.mailstore import MailStore
from launchtui.lab.mail.relay import Relay, RelayHandler
from launchtui.lab.ports import Address

SMTP_PASSWORD = "smtp_password"
DNS_TIMEOUT = 5.0


@dataclass(frozen=True)
class LabCredential:
    name: str  # as declared in the sprint's [credentials]
    purpose: str
    value: str


def inbox_credential(address: str, taken: set[str]) -> str:
    """The credential name of a seed inbox: seed_<local part>_password (made unique)."""
    local = re.sub(r"[^a-z0-9]+", "_", address.partition("@")[0].lower()).strip("_") or "inbox"
    name, n = f"seed_{local}_password", 2
    while name in taken:
        name, n = f"seed_{local}{n}_password", n + 1
    return name


class MailServices:
    def __init__(self, config: LabConfig) -> None:
        self.config = config
        self.hostname = f"mail.{config.zone}"
        self.smtp_username = f"hello@{config.zone}"
        self.key = new_key(config.zone)
        self.smtp_password = secrets.token_urlsafe(18)
        self.passwords = {
            m.address: m.password or secrets.token_urlsafe(18) for m in config.mailboxes
        }
        taken = {SMTP_PASSWORD}
        self.credential_names: dict[str, str] = {}  # address -> credential name
        for mailbox in config.mailboxes:
            name = inbox_credential(mailbox.address, taken)
            taken.add(name)
            self.credential_names[mailbox.address] = name
        listen = config.listen
        self.smtp_address: Address = (listen, config.smtp_port)
        self.imap_address: Address | None = (listen, config.imap_port)
        self.imap_note = ""  # why IMAP is not served, when it is not
        self.folder: Path | None = None
        self.store: MailStore | None = None
        self._relay: Relay | None = None
        self._dovecot: Dovecot | None = None

    def zone_txt(self) -> dict[str, list[str]]:
        """The config's TXT records plus the signing key's, unless the config publishes its
        own record there (a test publishing a wrong key, say)."""
        txt = dict(self.config.txt)
        txt.setdefault(self.key.owner, [self.key.txt])
        return txt

    def credentials(self) -> list[LabCredential]:
        found = [
            LabCredential(SMTP_PASSWORD, "SMTP relay password for test sends", self.smtp_password)
        ]
        for address, name in self.credential_names.items():
            found.append(
                LabCredential(
                    name, f"IMAP password of seed inbox {address}", self.passwords[address]
                )
            )
        return found

    async def start(self, ca: LabCA, dns_address: Address) -> None:
        self.folder = Path(tempfile.mkdtemp(prefix="launchtui-lab-mail-"))
        store = self.store = MailStore(self.folder / "maildirs", list(self.passwords))
        store.chown(self.folder)
        store.create()
        handler = RelayHandler(
            hostname=self.hostname,
            mailboxes=self.config.mailboxes,
            store=store,
            key=self.key,
            resolver=SyncResolver([dns_address], timeout=DNS_TIMEOUT),
            sending_ip=self.config.listen,
            dkim_sign=self.config.relay_dkim,
            unsubscribe=self.config.relay_unsubscribe,
            tls=self.config.relay_tls,
        )
        self._relay = Relay(handler, ca.issue(self.hostname), self.smtp_password)
        self.smtp_address = await self._relay.start(self.smtp_address, self.smtp_username)
        binary = find_dovecot() if self.config.imap else None
        if binary is None or self.imap_address is None:
            self.imap_address = None
            self.imap_note = (
                "turned off" if not self.config.imap else f"Dovecot not found: {INSTALL_HINT}"
            )
            return
        self._dovecot = Dovecot(binary, store, self.passwords)
        self.imap_address = await self._dovecot.start(self.imap_address)

    async def stop(self) -> None:
        relay, dovecot = self._relay, self._dovecot
        self._relay = self._dovecot = None
        if relay is not None:
            await relay.stop()
        if dovecot is not None:
            await dovecot.stop()
        if self.folder is not None:
            shutil.rmtree(self.folder, ignore_errors=True)
            self.folder = None
