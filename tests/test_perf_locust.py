"""`launchtui perf export SPRINT --locust FILE`: the locustfile of the sprint's flows, run
headless by Locust for a few seconds against the lab (its connect_to and CA kept)."""

from __future__ import annotations

import csv
import dataclasses
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from launchtui.cli.main import main
from launchtui.lab import Lab, LabConfig, LabThread
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


def test_flows_as_urls_and_tables_are_read_defensively() -> None:
    found, notes = locust.flows(
        {
            "login": f"{APP}/login",
            "health": f"{APP}/api/health",
            "posts": {
                "steps": [f"{APP}/login", {"url": f"{APP}/api/posts", "method": "get"}],
                "credential": "member_token",
                "weight": 7,
            },
            "invite": {"url": f"{APP}/invite/x"},
            "odd": {"steps": [f"{APP}/a", 3]},
            "empty": {},
            "number": 4,
        }
    )
    assert [(f.name, f.weight, len(f.steps), f.credential) for f in found] == [
        ("login", 2, 1, ""),
        ("posts", 7, 2, "member_token"),
        ("invite", 1, 1, ""),
    ]
    assert found[1].steps[1] == locust.Step("GET", f"{APP}/api/posts")
    assert [n.split(":")[0] for n in notes] == ["odd", "empty", "number"]


def test_the_export_keeps_credentials_out_of_the_file(tmp_path: Path, lab_file: Path) -> None:
    sprint = store.load(lab_file).sprint
    sprint = dataclasses.replace(
        sprint,
        flows={"posts": {"url": f"{APP}/api/posts", "credential": "member"}},  # type: ignore[dict-item]
    )
    text = locust.render(sprint)
    compile(text, "locustfile.py", "exec")
    assert "_credential('LAUNCHTUI_CREDENTIAL_MEMBER')" in text
    assert "Bearer" in text


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
