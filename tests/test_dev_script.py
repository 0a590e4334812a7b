"""./dev: installing dovecot-imapd never leaves a system-wide IMAP server running or enabled.

The function is run on its own, with fake apt-get and systemctl on PATH that record what they
saw: while apt-get installs, a policy-rc.d forbids starting services (exit 101); afterwards the
units are disabled (and stopped when systemd runs), and the policy-rc.d is gone again.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _function(name: str) -> str:
    text = (ROOT / "dev").read_text()
    match = re.search(rf"^{name}\(\) {{\n.*?^}}\n", text, re.MULTILINE | re.DOTALL)
    assert match, f"{name} not found in ./dev"
    return match.group(0)


def _fake(folder: Path, name: str, body: str) -> None:
    path = folder / name
    path.write_text(f"#!/bin/sh\n{body}\n")
    path.chmod(0o755)


def _install(
    tmp_path: Path, service: str, function: str, preamble: list[str], *, own_path: bool = False
) -> tuple[subprocess.CompletedProcess[str], list[str], Path]:
    """Run ./dev's `function` with a fake apt-get (which tries to start `service` through the
    policy-rc.d, as a package's postinst does) and a fake systemctl, both logging what they
    saw. `own_path`: PATH holds only the fakes (and chmod, rm), so no real tool is seen."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    if own_path:
        for needed in ("chmod", "rm"):
            (bin_dir / needed).symlink_to(shutil.which(needed) or f"/bin/{needed}")
    log = tmp_path / "log"
    policy = tmp_path / "policy-rc.d"
    _fake(
        bin_dir,
        "apt-get",
        f'echo "apt-get $*" >> {log}\n'
        f'if [ "$1" = install ]; then {policy} {service} start; echo "policy $?" >> {log}; fi',
    )
    _fake(bin_dir, "systemctl", f'echo "systemctl $*" >> {log}')
    script = "\n".join(
        [
            "set -euo pipefail",
            *preamble,
            'apt_updated=""',
            _function("apt_install"),
            _function("install_without_services"),
            _function(function),
            function,
        ]
    )
    path = str(bin_dir) if own_path else f"{bin_dir}:{os.environ['PATH']}"
    env = os.environ | {"PATH": path, "POLICY_RC_D": str(policy)}
    done = subprocess.run(
        ["/bin/bash", "-c", script], env=env, capture_output=True, text=True, check=False
    )
    return done, log.read_text().splitlines() if log.exists() else [], policy


def test_dovecot_is_installed_without_its_system_service(tmp_path: Path) -> None:
    done, lines, policy = _install(
        tmp_path,
        "dovecot",
        "install_dovecot",
        ["say() { printf 'dev: %s\\n' \"$*\" >&2; }", 'die() { say "$*"; exit 1; }'],
    )
    assert done.returncode == 0, done.stderr
    install = next(i for i, line in enumerate(lines) if line.startswith("apt-get install"))
    assert "dovecot-imapd" in lines[install]
    assert lines[install + 1] == "policy 101"  # starting the service was forbidden
    disable = next(line for line in lines if line.startswith("systemctl disable"))
    assert "dovecot.service" in disable and "dovecot.socket" in disable
    assert not policy.exists()  # the policy was ours, and is removed


def test_an_existing_policy_rc_d_is_left_alone(tmp_path: Path) -> None:
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    _fake(bin_dir, "apt-get", "exit 0")
    _fake(bin_dir, "systemctl", "exit 0")
    policy = tmp_path / "policy-rc.d"
    policy.write_text("#!/bin/sh\nexit 0\n")
    script = "\n".join(
        [
            "set -euo pipefail",
            "say() { :; }",
            "die() { exit 1; }",
            'apt_updated=""',
            _function("apt_install"),
            _function("install_without_services"),
            _function("install_dovecot"),
            "install_dovecot",
        ]
    )
    env = os.environ | {"PATH": f"{bin_dir}:{os.environ['PATH']}", "POLICY_RC_D": str(policy)}
    subprocess.run(["bash", "-c", script], env=env, check=True)
    assert policy.read_text() == "#!/bin/sh\nexit 0\n"


def test_the_readme_says_the_service_is_not_started() -> None:
    readme = " ".join((ROOT / "README.md").read_text().split())
    assert "system service neither started nor enabled" in readme


def test_the_monitoring_tools_are_installed_without_their_services(tmp_path: Path) -> None:
    """Debian's prometheus packages start their daemons on install: forbidden while apt-get
    runs, and disabled afterwards, as dovecot's."""
    done, lines, policy = _install(
        tmp_path,
        "prometheus",
        "ensure_monitoring_packages",
        ["say() { :; }", 'die() { echo "$*" >&2; exit 1; }', "is_root() { true; }"],
        own_path=True,  # promtool & co. stay unseen, so the packages are installed
    )
    assert done.returncode == 0, done.stderr
    install = next(i for i, line in enumerate(lines) if line.startswith("apt-get install"))
    for package in ("prometheus", "prometheus-alertmanager", "prometheus-blackbox-exporter"):
        assert f" {package}" in lines[install]
    assert lines[install + 1] == "policy 101"
    disable = next(line for line in lines if line.startswith("systemctl disable"))
    for unit in ("prometheus", "prometheus-alertmanager", "prometheus-blackbox-exporter"):
        assert f"{unit}.service" in disable
    assert not policy.exists()
