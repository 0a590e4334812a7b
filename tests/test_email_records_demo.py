"""The demo lab's email records: no DMARC (the seeded fault), healthy MX and MTA-STS."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from check_helpers import lab_sprint, run_check
from email_lab import ZONE

from launchtui.cli.main import main
from launchtui.lab import Lab, LabConfig, LabThread, demo_config
from launchtui.model.results import Status
from launchtui.model.sprint import Sprint

RECORD_CHECKS = ("email.dmarc", "email.mx", "email.mta-sts")


@pytest.fixture(scope="module")
def demo_lab(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Lab]:
    with LabThread(demo_config(base_port=0), tmp_path_factory.mktemp("demo")) as lab:
        yield lab


@pytest.fixture(scope="module")
def demo(demo_lab: Lab, tmp_path_factory: pytest.TempPathFactory) -> Sprint:
    return lab_sprint(demo_lab, tmp_path_factory.mktemp("sprint"))


def test_the_demo_publishes_no_dmarc_record() -> None:
    config = LabConfig()
    assert not any(owner.startswith("_dmarc.") for owner in config.txt)
    assert config.txt[f"_mta-sts.{ZONE}"] == ["v=STSv1; id=20260101T000000"]


def test_the_demo_email_domain_has_no_dmarc(demo: Sprint) -> None:
    result = run_check("email.dmarc", demo, ZONE)
    assert result.status is Status.FAIL
    assert result.summary == f"{ZONE}: no DMARC record at _dmarc.{ZONE} or _dmarc.test"
    assert f'_dmarc.{ZONE}. TXT "v=DMARC1; p=none; rua=mailto:dmarc-reports@{ZONE}"' in result.fix


def test_the_demo_mx_is_healthy(demo: Sprint) -> None:
    result = run_check("email.mx", demo, ZONE)
    assert result.status is Status.PASS
    assert result.summary == f"{ZONE} receives mail at 10 mail.{ZONE} (127.0.0.1)"


def test_the_demo_mta_sts_is_healthy_through_connect_to(demo: Sprint) -> None:
    assert (f"mta-sts.{ZONE}", 443) in demo.network.connect_to
    result = run_check("email.mta-sts", demo, ZONE)
    assert result.status is Status.PASS, result.summary
    assert result.evidence["policy_mode"] == "enforce"
    assert result.evidence["mx_hosts"] == [f"mail.{ZONE}"]


def test_check_runs_them_in_the_email_stage(
    demo_lab: Lab, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = demo_lab.write_sprint(tmp_path / "demo.toml")
    code = main(["check", str(path), "--stage", "email", "--format", "json", "--timeout", "3"])
    document = json.loads(capsys.readouterr().out)
    statuses = {c["id"]: c["status"] for c in document["checks"] if c["id"] in RECORD_CHECKS}
    assert statuses == {"email.dmarc": "fail", "email.mx": "pass", "email.mta-sts": "pass"}
    assert code == 1  # the missing DMARC record is a blocker
