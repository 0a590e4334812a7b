"""`launchtui credentials set|list|delete`, run as the user runs it, against a real keyring."""

from __future__ import annotations

import os
import pty
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest

from launchtui.credentials import ENV_PREFIX, CredentialStore

try:
    from keyring_env import SecretService
except ImportError:  # pragma: no cover
    from tests.keyring_env import SecretService

SPRINT = """\
[sprint]
name = "Acme Community launch"
id = "{sprint_id}"

[site]
apex = "acme.community"

[credentials]      # names and what they are for; values live in the keyring
cloudflare_api_token = "Cloudflare API token (Zone read)"
smtp_password = "SMTP relay password for test sends"
"""


@pytest.fixture
def sprint(tmp_path: Path) -> tuple[Path, str]:
    """A sprint file with a fresh id (a fresh keyring namespace) and two credentials."""
    sprint_id = f"cli-{uuid.uuid4().hex[:10]}"
    path = tmp_path / "acme.toml"
    path.write_text(SPRINT.format(sprint_id=sprint_id))
    return path, sprint_id


def clean_env(base: dict[str, str]) -> dict[str, str]:
    return {k: v for k, v in base.items() if not k.startswith(ENV_PREFIX)}


def launchtui(env: dict[str, str], *args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "launchtui", "credentials", *args],
        input=stdin,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )


def no_bus_env(tmp_path: Path) -> dict[str, str]:
    env = clean_env(dict(os.environ))
    for name in ("DBUS_SESSION_BUS_ADDRESS", "PYTHON_KEYRING_BACKEND", "DISPLAY"):
        env.pop(name, None)
    env["XDG_CONFIG_HOME"] = str(tmp_path / "config")
    env["XDG_DATA_HOME"] = str(tmp_path / "data")
    return env


def test_set_list_delete_round_trip(
    private_keyring: SecretService, sprint: tuple[Path, str]
) -> None:
    path, sprint_id = sprint
    env, value = clean_env(private_keyring.env), f"cf-{uuid.uuid4().hex}"

    stored = launchtui(env, "set", str(path), "cloudflare_api_token", stdin=value + "\n")
    assert stored.returncode == 0, stored.stderr
    assert "stored cloudflare_api_token" in stored.stdout
    assert CredentialStore(sprint_id, {}).get("cloudflare_api_token") == value

    listed = launchtui(env, "list", str(path))
    assert listed.returncode == 0, listed.stderr
    lines = listed.stdout.splitlines()
    assert any(
        "cloudflare_api_token" in line
        and "set (keyring)" in line
        and "Cloudflare API token (Zone read)" in line
        for line in lines
    ), listed.stdout
    assert any("smtp_password" in line and "not set" in line for line in lines), listed.stdout

    deleted = launchtui(env, "delete", str(path), "cloudflare_api_token")
    assert deleted.returncode == 0, deleted.stderr
    assert "deleted cloudflare_api_token" in deleted.stdout
    assert CredentialStore(sprint_id, {}).get("cloudflare_api_token") is None
    again = launchtui(env, "delete", str(path), "cloudflare_api_token")
    assert again.returncode == 0 and "nothing deleted" in again.stdout

    for result in (stored, listed, deleted, again):
        assert value not in result.stdout + result.stderr
        assert value[:8] not in result.stdout + result.stderr


@pytest.mark.parametrize(
    ("piped", "expected"),
    [("tok-123\n", "tok-123"), ("tok-123\r\n", "tok-123"), ("tok 123", "tok 123")],
    ids=["newline", "crlf", "no-newline"],
)
def test_piped_value_loses_only_its_trailing_newline(
    private_keyring: SecretService, sprint: tuple[Path, str], piped: str, expected: str
) -> None:
    path, sprint_id = sprint
    result = launchtui(
        clean_env(private_keyring.env), "set", str(path), "smtp_password", stdin=piped
    )
    assert result.returncode == 0, result.stderr
    assert CredentialStore(sprint_id, {}).get("smtp_password") == expected


@pytest.mark.parametrize("piped", ["", "\n", "line one\nline two\n"], ids=["empty", "blank", "two"])
def test_empty_or_multiline_input_is_refused(
    private_keyring: SecretService, sprint: tuple[Path, str], piped: str
) -> None:
    path, sprint_id = sprint
    result = launchtui(
        clean_env(private_keyring.env), "set", str(path), "smtp_password", stdin=piped
    )
    assert result.returncode == 2
    assert len(result.stderr.splitlines()) == 1, result.stderr
    assert CredentialStore(sprint_id, {}).get("smtp_password") is None


def test_undeclared_name_lists_the_declared_ones(
    private_keyring: SecretService, sprint: tuple[Path, str]
) -> None:
    path, sprint_id = sprint
    result = launchtui(clean_env(private_keyring.env), "set", str(path), "stripe_key", stdin="x\n")
    assert result.returncode == 2
    assert result.stdout == ""
    [line] = result.stderr.splitlines()
    assert "'stripe_key' is not declared in [credentials]" in line
    assert "declared: cloudflare_api_token, smtp_password" in line
    assert CredentialStore(sprint_id, {}).get("stripe_key") is None


def test_list_shows_environment_and_never_the_value(
    private_keyring: SecretService, sprint: tuple[Path, str]
) -> None:
    path, _ = sprint
    value = f"env-{uuid.uuid4().hex}"
    env = clean_env(private_keyring.env) | {f"{ENV_PREFIX}SMTP_PASSWORD": value}
    result = launchtui(env, "list", str(path))
    assert result.returncode == 0, result.stderr
    assert any(
        "smtp_password" in line and "set (environment)" in line
        for line in result.stdout.splitlines()
    )
    assert value not in result.stdout + result.stderr


def test_no_dbus_session_is_one_line_and_exit_2(tmp_path: Path, sprint: tuple[Path, str]) -> None:
    path, _ = sprint
    value = f"never-{uuid.uuid4().hex}"
    result = launchtui(no_bus_env(tmp_path), "set", str(path), "smtp_password", stdin=value)
    assert result.returncode == 2
    assert result.stdout == ""
    assert result.stderr == (
        "launchtui: no usable OS keyring (Secret Service not reachable: Environment variable "
        "DBUS_SESSION_BUS_ADDRESS is unset); install gnome-keyring and run inside a D-Bus "
        "session, or set LAUNCHTUI_CRED_SMTP_PASSWORD\n"
    )
    assert not (tmp_path / "data").exists()  # nothing written in place of a keyring


def test_list_without_keyring(tmp_path: Path, sprint: tuple[Path, str]) -> None:
    path, _ = sprint
    env = no_bus_env(tmp_path) | {f"{ENV_PREFIX}CLOUDFLARE_API_TOKEN": "ci-token-value"}
    partial = launchtui(env, "list", str(path))
    assert partial.returncode == 2
    assert "set (environment)" in partial.stdout
    assert "unknown (keyring unavailable)" in partial.stdout
    assert partial.stderr.startswith("launchtui: no usable OS keyring (")
    assert len(partial.stderr.splitlines()) == 1

    env[f"{ENV_PREFIX}SMTP_PASSWORD"] = "ci-smtp-value"
    complete = launchtui(env, "list", str(path))  # everything from the environment: no keyring
    assert (complete.returncode, complete.stderr) == (0, "")
    assert "ci-token-value" not in complete.stdout and "ci-smtp-value" not in complete.stdout


def test_terminal_input_is_not_echoed(
    private_keyring: SecretService, sprint: tuple[Path, str]
) -> None:
    """At a terminal the value is read with getpass: typed, not shown."""
    path, sprint_id = sprint
    value = f"typed-{uuid.uuid4().hex}"
    env = clean_env(private_keyring.env)
    argv = [sys.executable, "-m", "launchtui", "credentials", "set", str(path), "smtp_password"]
    pid, fd = pty.fork()
    if pid == 0:  # child: the pty is its controlling terminal
        os.execve(sys.executable, argv, env)
    output = b""
    deadline = time.monotonic() + 60
    try:
        while b"input hidden" not in output and time.monotonic() < deadline:
            output += os.read(fd, 1024)
        os.write(fd, value.encode() + b"\n")
        while time.monotonic() < deadline:
            try:
                chunk = os.read(fd, 1024)
            except OSError:  # EIO: the child closed the terminal
                break
            if not chunk:
                break
            output += chunk
    finally:
        _, status = os.waitpid(pid, 0)
        os.close(fd)
    assert os.waitstatus_to_exitcode(status) == 0, output
    assert value.encode() not in output
    assert CredentialStore(sprint_id, {}).get("smtp_password") == value


def test_usage_errors_exit_2(private_keyring: SecretService, sprint: tuple[Path, str]) -> None:
    env = clean_env(private_keyring.env)
    assert launchtui(env).returncode == 2
    assert launchtui(env, "set", str(sprint[0])).returncode == 2
    helped = launchtui(env, "--help")
    assert helped.returncode == 0 and "LAUNCHTUI_CRED_" in helped.stdout
