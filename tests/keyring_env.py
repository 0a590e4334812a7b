"""A private, unlocked Secret Service (gnome-keyring-daemon on its own D-Bus) for the tests.

`./dev test` runs pytest inside `dbus-run-session` with an unlocked gnome-keyring and a throwaway
HOME, and exports LAUNCHTUI_TEST_SECRET_SERVICE=<its XDG_DATA_HOME>: the tests then use that
session. Run any other way (plain `pytest`), `private_secret_service()` starts a bus and a
keyring daemon of its own under a temporary directory, so no test ever touches the user's keyring.
"""

from __future__ import annotations

import contextlib
import os
import select
import shutil
import signal
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

READY_VAR = "LAUNCHTUI_TEST_SECRET_SERVICE"
SECRETS_BUS_NAME = "org.freedesktop.secrets"
# Never let a keyring prompt reach the user's screen.
_DISPLAY_VARS = ("DISPLAY", "WAYLAND_DISPLAY")


class Unavailable(Exception):
    """No Secret Service can be provided here; str() says what to install."""


@dataclass
class SecretService:
    bus_address: str
    data_home: Path  # XDG_DATA_HOME of the daemon: the keyring files are in data_home/keyrings
    env: dict[str, str] = field(default_factory=dict)  # a full environment that reaches it

    @property
    def keyrings_dir(self) -> Path:
        return self.data_home / "keyrings"


@contextlib.contextmanager
def secret_service(root: Path) -> Iterator[SecretService]:
    """The Secret Service the tests use: the one `./dev test` prepared, else a private one."""
    data_home = os.environ.get(READY_VAR)
    address = os.environ.get("DBUS_SESSION_BUS_ADDRESS")
    if data_home and address:
        env = {k: v for k, v in os.environ.items() if k not in _DISPLAY_VARS}
        yield SecretService(address, Path(data_home), env)
        return
    with private_secret_service(root) as service:
        yield service


@contextlib.contextmanager
def private_secret_service(root: Path) -> Iterator[SecretService]:
    """Start dbus-daemon and gnome-keyring-daemon (unlocked 'login' keyring) under `root`."""
    missing = [b for b in ("dbus-daemon", "gnome-keyring-daemon") if shutil.which(b) is None]
    if missing:
        raise Unavailable(
            f"{' and '.join(missing)} not found: install gnome-keyring and dbus "
            "(apt-get install gnome-keyring dbus dbus-x11), or run ./dev test"
        )
    home, data, runtime = root / "home", root / "data", root / "run"
    for folder in (home, data, runtime):
        folder.mkdir(parents=True, exist_ok=True)
    runtime.chmod(0o700)
    env = {k: v for k, v in os.environ.items() if k not in _DISPLAY_VARS}
    env.pop(READY_VAR, None)
    env.update(
        HOME=str(home),
        XDG_DATA_HOME=str(data),
        XDG_RUNTIME_DIR=str(runtime),
        XDG_CONFIG_HOME=str(home / ".config"),
        XDG_CACHE_HOME=str(home / ".cache"),
    )
    bus = subprocess.Popen(
        ["dbus-daemon", "--session", "--nofork", "--nopidfile", "--print-address=1"],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        env=env,
    )
    keyring_pid: int | None = None
    try:
        address = _read_line(bus, timeout=10.0)
        env["DBUS_SESSION_BUS_ADDRESS"] = address
        # A newline on stdin: gnome-keyring creates and unlocks the 'login' keyring with it
        # (empty stdin creates none, and a prompt would then be needed).
        for args in (["--unlock"], ["--start"]):
            subprocess.run(
                ["gnome-keyring-daemon", *args, "--components=secrets"],
                input=b"\n",
                capture_output=True,
                env=env,
                timeout=30,
                check=True,
            )
        keyring_pid = _wait_for_owner(address, SECRETS_BUS_NAME, timeout=10.0)
        yield SecretService(address, data, env)
    except (OSError, subprocess.SubprocessError) as exc:
        raise Unavailable(f"could not start a private Secret Service: {exc}") from exc
    finally:
        if keyring_pid is not None:
            with contextlib.suppress(ProcessLookupError):
                os.kill(keyring_pid, signal.SIGTERM)
        bus.terminate()
        try:
            bus.wait(timeout=5)
        except subprocess.TimeoutExpired:
            bus.kill()
            bus.wait()
        if bus.stdout is not None:
            bus.stdout.close()


def _read_line(process: subprocess.Popen[bytes], timeout: float) -> str:
    assert process.stdout is not None
    ready, _, _ = select.select([process.stdout], [], [], timeout)
    line = process.stdout.readline().decode().strip() if ready else ""
    if not line:
        raise Unavailable("dbus-daemon did not print its address")
    return line


def _wait_for_owner(address: str, name: str, timeout: float) -> int:
    """The pid of the process owning bus `name`, once it is there."""
    from jeepney import DBusAddress, new_method_call
    from jeepney.io.blocking import open_dbus_connection

    bus = DBusAddress("/org/freedesktop/DBus", "org.freedesktop.DBus", "org.freedesktop.DBus")
    deadline = time.monotonic() + timeout
    with open_dbus_connection(bus=address) as connection:
        while True:
            reply = connection.send_and_get_reply(
                new_method_call(bus, "GetConnectionUnixProcessID", "s", (name,))
            )
            if reply.header.message_type.name == "method_return":
                return int(reply.body[0])
            if time.monotonic() > deadline:
                raise Unavailable(f"{name} did not appear on the private bus")
            time.sleep(0.05)
