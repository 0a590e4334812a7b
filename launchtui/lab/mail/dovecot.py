"""Dovecot (Debian's dovecot-imapd) serving the seed Maildirs over IMAP on loopback.

The lab writes a private configuration into its mail folder (its own base_dir, so it never
touches a system Dovecot), starts `dovecot -F` as a child process and stops it with the lab.
Plain IMAP without TLS on loopback only; passwords come from a passwd-file (PLAIN scheme,
mode 600). Dovecot runs as the current user, or as `nobody` when the lab runs as root.
"""

from __future__ import annotations

import asyncio
import contextlib
import ctypes
import os
import shutil
import signal
import socket
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

from launchtui.errors import LabError
from launchtui.lab.mail.mailstore import MailStore, mail_owner
from launchtui.lab.ports import Address, bind_error

SEARCH_PATH = ("/usr/sbin", "/usr/local/sbin", "/sbin")  # sbin is often not on a user's PATH
START_TIMEOUT = 15.0
STOP_TIMEOUT = 5.0
PR_SET_PDEATHSIG = 1  # <linux/prctl.h>
INSTALL_HINT = "install Debian's dovecot-imapd (apt-get install dovecot-imapd)"


def _parent_death_signal() -> Callable[[], None] | None:
    """Linux: a function for the child, between fork and exec, that asks the kernel to send it
    SIGTERM when the lab's thread dies. Without it a launchtui killed outright (SIGHUP when its
    terminal closes, SIGKILL) leaves Dovecot running, orphaned. libc is loaded here, in the
    parent: the child only makes the one system call."""
    if not sys.platform.startswith("linux"):
        return None
    try:
        prctl = ctypes.CDLL(None, use_errno=True).prctl
    except (OSError, AttributeError):
        return None

    def die_with_parent() -> None:
        prctl(PR_SET_PDEATHSIG, signal.SIGTERM)

    return die_with_parent


def find_dovecot() -> str | None:
    found = shutil.which("dovecot")
    if found:
        return found
    path = os.pathsep.join(SEARCH_PATH)
    return shutil.which("dovecot", path=path)


def free_port(host: str, port: int = 0) -> int:
    """`port` if it is free now, or (0) a port the system says is free: Dovecot needs a
    number, and a port in use is reported like the lab's other ports."""
    with socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET) as sock:
        # As Dovecot binds: connections of a previous run in TIME_WAIT do not count, a
        # listening socket does.
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((host, port))
        except OSError as exc:
            raise bind_error(exc, host, port) from None
        return int(sock.getsockname()[1])


def config_text(folder: Path, address: Address, passwd: Path) -> str:
    owner = mail_owner()
    if owner is not None:
        user, group = owner.user, owner.group
    else:
        import grp
        import pwd

        entry = pwd.getpwuid(os.getuid())
        user, group = entry.pw_name, grp.getgrgid(os.getgid()).gr_name
    host, port = address
    return f"""# Written by the launchtui lab; removed when the lab stops.
base_dir = {folder / "run"}
state_dir = {folder / "state"}
instance_name = launchtui-lab-{port}
listen = {host}
protocols = imap
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
default_internal_user = {user}
default_internal_group = {group}
default_login_user = {user}
first_valid_uid = 1
log_path = {folder / "dovecot.log"}
# No stats: a login process waiting for the stats handshake holds up shutdown by seconds.
stats_writer_socket_path =
mail_location = maildir:~
namespace inbox {{
  inbox = yes
  separator = /
  mailbox Junk {{
    special_use = \\Junk
  }}
}}
passdb {{
  driver = passwd-file
  args = scheme=PLAIN {passwd}
}}
userdb {{
  driver = passwd-file
  args = {passwd}
}}
service imap-login {{
  chroot =
  inet_listener imap {{
    address = {host}
    port = {port}
  }}
  inet_listener imaps {{
    port = 0
  }}
}}
service anvil {{
  chroot =
}}
"""


class Dovecot:
    def __init__(self, binary: str, store: MailStore, passwords: dict[str, str]) -> None:
        self.binary = binary
        self.store = store
        self.passwords = passwords  # address -> password
        self.folder = store.root.parent / "dovecot"
        self._process: subprocess.Popen[bytes] | None = None

    async def start(self, address: Address) -> Address:
        host, port = address
        address = (host, free_port(host, port))
        folder = self.folder
        for sub in (folder, folder / "run", folder / "state"):
            sub.mkdir(mode=0o755, exist_ok=True)
            self.store.chown(sub)
        passwd = folder / "passwd"
        lines = [
            f"{addr}:{{PLAIN}}{password}::::{self.store.home(addr)}::\n"
            for addr, password in self.passwords.items()
        ]
        _write_private(passwd, "".join(lines), self.store)
        config = folder / "dovecot.conf"
        _write_private(config, config_text(folder, address, passwd), self.store)
        owner = self.store.owner
        self._process = subprocess.Popen(
            [self.binary, "-F", "-c", str(config)],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            user=owner.uid if owner else None,
            group=owner.gid if owner else None,
            extra_groups=[] if owner else None,
            # after the switch to `owner` (a change of user clears the setting)
            preexec_fn=_parent_death_signal(),
        )
        await self._wait_ready(address)
        return address

    async def _wait_ready(self, address: Address) -> None:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + START_TIMEOUT
        while loop.time() < deadline:
            process = self._process
            if process is None or process.poll() is not None:
                raise LabError(f"Dovecot did not start: {self._failure()}")
            # Ready once it greets: a login process half started when the lab stops would
            # hold up Dovecot's shutdown for seconds.
            with contextlib.suppress(OSError, TimeoutError):
                reader, writer = await asyncio.open_connection(*address)
                try:
                    async with asyncio.timeout(1.0):
                        greeting = await reader.readline()
                finally:
                    writer.close()
                if greeting.startswith(b"* OK"):
                    return
            await asyncio.sleep(0.05)
        raise LabError(f"Dovecot did not listen on port {address[1]} within {START_TIMEOUT:g} s")

    def _failure(self) -> str:
        process = self._process
        stderr = b""
        if process is not None and process.stderr is not None:
            with contextlib.suppress(OSError, ValueError):
                stderr = process.stderr.read() or b""
        log = self.folder / "dovecot.log"
        with contextlib.suppress(OSError):
            stderr += log.read_bytes()[-2000:]
        lines = [line for line in stderr.decode("utf-8", "replace").splitlines() if line.strip()]
        return lines[-1] if lines else "it exited without a message"

    async def stop(self) -> None:
        process, self._process = self._process, None
        if process is None:
            return
        if process.poll() is None:
            process.terminate()
            try:
                await asyncio.to_thread(process.wait, STOP_TIMEOUT)
            except subprocess.TimeoutExpired:
                process.kill()
                await asyncio.to_thread(process.wait, STOP_TIMEOUT)
        if process.stderr is not None:
            process.stderr.close()


def _write_private(path: Path, text: str, store: MailStore) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as file:
        file.write(text)
    store.chown(path)
