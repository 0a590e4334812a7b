"""`launchtui perf export SPRINT --locust FILE`: the locustfile of the sprint's flows, run
headless by Locust for a few seconds against the lab (its connect_to and CA kept)."""

from __future__ import annotations

import csv
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from launchtui.cli.main import main
from launchtui.lab import Lab, LabConfig, LabThread
from launchtui.model.sprint import Sprint
from launchtui.perf import locust
from launchtui.sprint import store

ZONE = "harborclub.test"
APP = f"https://app.{ZONE}"
LOCUST = Path(sys.executable).with_name("locust")


@pytest.fixture(scope="module")
def lab_file(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    config = LabConfig(dns_port=0, https_port=0, http_port=0, app_repo="")
    folder = tmp_path_factory.mktemp("locust")
    with LabThread(config, folder / "lab") as lab:
        yield _write(lab, folder)


def _write(lab: Lab, folder: Path) -> Path:
    return lab.write_sprint(folder / "lab.toml")


def test_flows_come_from_the_validated_flows_with_their_steps_and_weights(
    tmp_path: Path,
) -> None:
    sprint = _sprint(
        tmp_path,
        f'''login = "{APP}/login"
health = "{APP}/api/health"
posts = {{ steps = ["POST /login", "GET /api/posts"], credential = "member", auth = "form" }}
invite = {{ steps = ["GET {APP}/invite/x"], credential = "member", auth = "cookie:sid" }}
join = {{ steps = ["GET {APP}/join"], credential = "member" }}
''',
    )
    found = locust.flows(sprint)
    assert [(f.flow.name, f.weight, len(f.flow.steps)) for f in found] == [
        ("login", 2, 1),
        ("posts", 4, 2),
        ("invite", 1, 1),
        ("join", 1, 1),
    ]
    text = locust.render(sprint)
    compile(text, "locustfile.py", "exec")
    assert "health" not in text.split("class CoreFlows")[1]  # not load
    # the credential is read at run time, presented as each flow's auth says, never written
    assert "form = _credential('LAUNCHTUI_CREDENTIAL_MEMBER')" in text
    assert (
        f"self.client.request('POST', '{APP}/login', name='posts 1', headers=headers, data=form)"
        in text
    )
    assert f"'GET', '{APP}/api/posts', name='posts 2', headers=headers, data=None)" in text
    assert '{"Cookie": "sid=" + _credential(' in text
    assert '{"Authorization": "Bearer " + _credential(' in text


def _sprint(folder: Path, flows: str) -> Sprint:
    path = folder / "flows.toml"
    path.write_text(
        '[sprint]\nname = "Flows"\n\n[site]\napex = "harborclub.test"\n'
        f'hostnames = ["app.harborclub.test"]\ncanonical = "{APP}"\n\n[flows]\n{flows}\n'
        '[credentials]\nmember = "a test member"\n'
    )
    return store.load(path).sprint


def test_the_exported_locustfile_runs_against_the_lab(tmp_path: Path, lab_file: Path) -> None:
    out = tmp_path / "locustfile.py"
    assert main(["perf", "export", str(lab_file), "--locust", str(out)]) == 0
    text = out.read_text()
    assert f"'{APP}/api/posts', name='posts'" in text and "@task(4)" in text
    assert "/api/health" not in text  # not traffic
    prefix = tmp_path / "run"
    done = subprocess.run(
        [
            str(LOCUST),
            "-f",
            str(out),
            "--headless",
            "-u",
            "5",
            "-r",
            "5",
            "-t",
            "3s",
            "--host",
            APP,
            "--only-summary",
            "--csv",
            str(prefix),
            "--loglevel",
            "WARNING",
        ],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=tmp_path,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    with open(f"{prefix}_stats.csv", newline="") as f:
        rows = {row["Name"]: row for row in csv.DictReader(f)}
    total = rows["Aggregated"]
    assert int(total["Request Count"]) >= 5, rows
    assert int(total["Failure Count"]) == 0, done.stderr[-2000:]


def test_the_sprint_file_is_never_overwritten(lab_file: Path) -> None:
    before = lab_file.read_bytes()
    assert main(["perf", "export", str(lab_file), "--locust", str(lab_file)]) == 2
    assert lab_file.read_bytes() == before
