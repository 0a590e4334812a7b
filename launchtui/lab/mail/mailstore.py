"""The seed mailboxes on disk: one Maildir per address, with a Junk folder (Maildir++).

The relay writes here and Dovecot reads here. When the lab runs as root, Dovecot cannot (it
refuses root for its login processes and for mail access), so both the files and the Dovecot
process belong to the unprivileged `nobody` user instead.
"""

from __future__ import annotations

import grp
import os
import pwd
import secrets
import socket
import time
from dataclasses import dataclass
from pathlib import Path

FOLDERS = ("INBOX", "Junk")
UNPRIVILEGED = "nobody"


@dataclass(frozen=True)
class Owner:
    user: str
    group: str
    uid: int
    gid: int


def mail_owner() -> Owner | None:
    """Who must own the mail files: `nobody` when running as root, else None (ourselves)."""
    if os.geteuid() != 0:
        return None
    entry = pwd.getpwnam(UNPRIVILEGED)
    return Owner(entry.pw_name, grp.getgrgid(entry.pw_gid).gr_name, entry.pw_uid, entry.pw_gid)


class MailStore:
    def __init__(self, root: Path, addresses: list[str]) -> None:
        self.root = root
        self.addresses = addresses
        self.owner = mail_owner()
        self._host = socket.gethostname().replace("/", "_").replace(":", "_") or "lab"

    def home(self, address: str) -> Path:
        return self.root / address

    def folder(self, address: str, folder: str) -> Path:
        home = self.home(address)
        return home if folder == "INBOX" else home / f".{folder}"

    def create(self) -> None:
        self._mkdir(self.root)
        for address in self.addresses:
            self._mkdir(self.home(address))
            for folder in FOLDERS:
                path = self.folder(address, folder)
                self._mkdir(path)
                for part in ("cur", "new", "tmp"):
                    self._mkdir(path / part)
                if folder != "INBOX":
                    self._write(path / "maildirfolder", b"")

    def deliver(self, address: str, folder: str, data: bytes) -> Path:
        """Write one message into new/ of the folder (via tmp/, as Maildir requires)."""
        path = self.folder(address, folder)
        name = f"{int(time.time())}.{secrets.token_hex(8)}.{self._host}"
        temporary = path / "tmp" / name
        self._write(temporary, data)
        final = path / "new" / name
        os.rename(temporary, final)
        return final

    def messages(self, address: str, folder: str) -> list[Path]:
        path = self.folder(address, folder)
        return sorted([*(path / "new").iterdir(), *(path / "cur").iterdir()])

    def chown(self, path: Path) -> None:
        if self.owner is not None:
            os.chown(path, self.owner.uid, self.owner.gid)

    def _mkdir(self, path: Path) -> None:
        path.mkdir(mode=0o700, exist_ok=True)
        self.chown(path)

    def _write(self, path: Path, data: bytes) -> None:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as file:
            file.write(data)
        self.chown(path)
