"""`launchtui new SPRINT --domain D`: exit codes and one-line messages."""

from __future__ import annotations

import argparse
import subprocess
import sys
from pathlib import Path

import pytest

from launchtui.cli import cmd_new
from launchtui.sprint import store


def launchtui(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "launchtui", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_run_writes_the_file_and_prints_next_steps(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    parser = argparse.ArgumentParser()
    cmd_new.add_parser(parser.add_subparsers())
    args = parser.parse_args(["new", "sprints/acme.toml", "--domain", "acme.community"])
    assert args.handler(args) == 0
    assert capsys.readouterr().out.splitlines()[:3] == [
        "Created sprints/acme.toml",
        "Next steps:",
        "  1. Fill in [flows], [email] and [credentials] in sprints/acme.toml",
    ]
    assert store.load("sprints/acme.toml").sprint.site.apex == "acme.community"


def test_new_creates_a_sprint_file(tmp_path: Path) -> None:
    done = launchtui(
        "new",
        "sprints/acme.toml",
        "--domain",
        "acme.community",
        "--hostname",
        "app.acme.community",
        "--name",
        "Acme Community launch",
        cwd=tmp_path,
    )
    assert done.returncode == 0, done.stderr
    assert done.stderr == ""
    assert "Created sprints/acme.toml" in done.stdout
    assert "launchtui check sprints/acme.toml" in done.stdout
    sprint = store.load(tmp_path / "sprints" / "acme.toml").sprint
    assert sprint.name == "Acme Community launch"
    assert sprint.site.hostnames == ("www.acme.community", "app.acme.community")
    assert sprint.site.canonical == "https://app.acme.community"


def test_new_refuses_to_overwrite(tmp_path: Path) -> None:
    existing = tmp_path / "acme.toml"
    existing.write_text("# hand written\n")
    done = launchtui("new", "acme.toml", "--domain", "acme.community", cwd=tmp_path)
    assert done.returncode == 2
    assert done.stderr == "launchtui: acme.toml: already exists; not overwriting it\n"
    assert existing.read_text() == "# hand written\n"


def test_new_rejects_a_bad_domain(tmp_path: Path) -> None:
    done = launchtui("new", "sprints/acme.toml", "--domain", "acme", cwd=tmp_path)
    assert done.returncode == 2
    assert done.stderr == (
        'launchtui: sprints/acme.toml: not created: domain "acme" is not a valid DNS hostname: '
        "needs at least two labels, like acme.community\n"
    )
    assert not (tmp_path / "sprints").exists()


def test_new_without_domain_is_a_usage_error(tmp_path: Path) -> None:
    done = launchtui("new", "sprints/acme.toml", cwd=tmp_path)
    assert done.returncode == 2
    assert "the following arguments are required: --domain" in done.stderr
    assert len(done.stderr.splitlines()) == 1


def test_new_help(tmp_path: Path) -> None:
    done = launchtui("new", "--help", cwd=tmp_path)
    assert done.returncode == 0
    assert "--hostname" in done.stdout and "--no-www" in done.stdout


def test_client_and_canonical(tmp_path: Path) -> None:
    done = launchtui(
        "new", "acme.toml", "--domain", "acme.community", "--client", "Acme Co",
        "--canonical", "https://acme.community", cwd=tmp_path,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    sprint = store.load(tmp_path / "acme.toml").sprint
    assert (sprint.client, sprint.site.canonical) == ("Acme Co", "https://acme.community")
    refused = launchtui(
        "new", "beta.toml", "--domain", "acme.community", "--canonical", "http://acme.community",
        cwd=tmp_path,
    )  # fmt: skip
    assert refused.returncode == 2
    assert refused.stderr == (
        'launchtui: beta.toml: not created: canonical URL "http://acme.community" '
        "must be an https:// URL\n"
    )
    assert not (tmp_path / "beta.toml").exists()
