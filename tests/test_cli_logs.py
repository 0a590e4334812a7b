"""`launchtui logs`: notes recorded in the run history, formats, exit codes, read problems on
stderr; real log files (plain, gzip and standard input) through the real reader."""

from __future__ import annotations

import gzip
import json
import subprocess
import sys
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from launchtui.cli.main import main
from launchtui.sprint.history import History

SPRINT = """[sprint]
name = "Acme launch"

[site]
apex = "acme.community"

[flows]
login = "https://app.acme.community/signin"
checkout = "https://app.acme.community/checkout"
"""
DAY0 = datetime(2026, 11, 23, tzinfo=UTC)


@pytest.fixture
def sprint(tmp_path: Path) -> Path:
    path = tmp_path / "acme.toml"
    path.write_text(SPRINT)
    return path


def failure(when: datetime, path: str = "/signin") -> str:
    """A failed login as nginx logs it ([flows].login is /signin: the sprint says so)."""
    return (
        f"203.0.113.9 - - [{when:%d/%b/%Y:%H:%M:%S} +0000] "
        f'"POST {path} HTTP/1.1" 401 12 "-" "Mozilla/5.0"'
    )


def week(tmp_path: Path, spike: bool, name: str = "access.log") -> Path:
    """A week with one failed login an hour, then a day with 1 (or 50) at 14:00."""
    lines = [failure(DAY0 + timedelta(days=d, hours=h)) for d in range(7) for h in range(24)]
    lines += [
        failure(DAY0 + timedelta(days=7, hours=14, seconds=s)) for s in range(50 if spike else 1)
    ]
    path = tmp_path / name
    path.write_text("\n".join(lines) + "\n")
    return path


def test_the_latest_note_is_printed_and_every_day_kept(sprint, tmp_path, capsys):
    code = main(["logs", str(sprint), str(week(tmp_path, spike=False)), "--format", "markdown"])
    out = capsys.readouterr().out
    assert code == 0
    assert out.startswith("# Risk note 2026-11-30 (so far: the logs end at 14:00 UTC)\n")
    assert "auth failures" in out  # /signin is the sprint's login: its 401s are auth failures
    notes = History(sprint).risk_notes(limit=100)
    assert [n.day for n in notes] == [date(2026, 11, 23) + timedelta(days=d) for d in range(8)]
    latest = History(sprint).latest_risk_note()
    assert latest is not None and latest.markdown == out


def test_a_spike_on_the_latest_day_exits_1(sprint, tmp_path, capsys):
    assert main(["logs", str(sprint), str(week(tmp_path, spike=True))]) == 1
    out = capsys.readouterr().out
    assert "2026-11-30" in out and "1 unusual" in out
    assert "auth failures, 14:00–14:00 UTC: 50" in out  # so far


def test_json_has_every_day_and_the_sources(sprint, tmp_path, capsys):
    first = week(tmp_path, spike=False, name="a.log")
    second = tmp_path / "b.log"
    second.write_text("not a log line\n" + first.read_text())
    assert main(["logs", str(sprint), str(first), str(second), "--format", "json"]) == 0
    captured = capsys.readouterr()
    payload = json.loads(captured.out)
    assert len(payload["days"]) == 8 and payload["days"][-1]["markdown"].startswith("# Risk")
    assert [s["source"] for s in payload["sources"]] == [str(first), str(second)]
    problems = captured.err.splitlines()
    assert len(problems) == 1 and problems[0].startswith(f"launchtui logs: {second}: ")
    assert "1 line of 170 not read" in problems[0]


def test_since_keeps_later_days_only(sprint, tmp_path, capsys):
    log = str(week(tmp_path, spike=False))
    assert main(["logs", str(sprint), log, "--since", "2026-11-29", "--format", "json"]) == 0
    days = [d["day"] for d in json.loads(capsys.readouterr().out)["days"]]
    assert days == ["2026-11-29", "2026-11-30"]


def test_nothing_readable_exits_2(sprint, tmp_path, capsys):
    missing = tmp_path / "missing.log"
    assert main(["logs", str(sprint), str(missing), str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert f"{missing}: " in err and f"{tmp_path}: is a directory" in err
    assert "no input could be read" in err


@pytest.mark.parametrize(
    "argv",
    [["--since", "yesterday"], ["-", "-"]],
)
def test_usage_errors_exit_2(sprint, capsys, argv):
    assert main(["logs", str(sprint), "x.log", *argv]) == 2


def test_a_missing_sprint_exits_2(tmp_path, capsys):
    assert main(["logs", str(tmp_path / "nope.toml"), "x.log"]) == 2


def test_rotated_gzip_and_plain_files_with_a_secret_in_a_url(sprint, tmp_path, capsys):
    lines = []
    for d in range(8):
        for n in range(2 if d < 7 else 40):
            when = DAY0 + timedelta(days=d, hours=14, seconds=n)
            lines.append(
                f"198.51.100.{n % 5} - - [{when:%d/%b/%Y:%H:%M:%S} +0000] "
                f'"POST /signin?token=sk_live_0123456789abcdefXYZ HTTP/1.1" 401 12 "-" "curl/8"'
            )
    old = tmp_path / "access.log.1.gz"
    old.write_bytes(gzip.compress(("\n".join(lines[:14]) + "\n").encode()))
    new = tmp_path / "access.log"
    new.write_text("\n".join(lines[14:]) + "\n")
    assert main(["logs", str(sprint), str(old), str(new), "--format", "markdown"]) == 1
    out = capsys.readouterr().out
    assert "auth failures, 14:00–14:00 UTC: 40" in out
    assert "sk_live_0123456789abcdefXYZ" not in out


def test_standard_input(sprint, tmp_path):
    data = gzip.compress(week(tmp_path, spike=True).read_bytes())  # stdin may be gzip too
    done = subprocess.run(
        [sys.executable, "-m", "launchtui", "logs", str(sprint), "-", "--format", "markdown"],
        input=data,
        capture_output=True,
        timeout=60,
    )
    assert done.returncode == 1, done.stderr
    assert b"auth failures, 14:00" in done.stdout
    assert History(sprint).latest_risk_note() is not None


def test_the_lab_demo_logs_end_to_end(tmp_path, capsys):
    """A real LabThread writes its week; the real reader and `launchtui logs` read it: yesterday
    has the auth spike as one finding, the webhook failures as one run after the deploy (named),
    the server errors folded in, card_declined recurring; today is partial."""
    from launchtui.lab import LabThread
    from launchtui.lab import logs as lab_logs
    from launchtui.lab.config import demo_config
    from launchtui.logs.files import log_files
    from launchtui.model.logs import AUTH, WEBHOOK
    from launchtui.sprint import store

    with LabThread(demo_config(base_port=0, mailboxes=[]), tmp_path / "lab") as lab:
        path = lab.write_sprint(tmp_path / "sprints" / "demo.toml")
    files = [str(p) for p in log_files(store.load(path).sprint)]
    assert main(["logs", str(path), *files, "--format", "json"]) in (0, 1)  # today: a finding?
    data = json.loads(capsys.readouterr().out)
    *_, yesterday, today = data["days"]
    end = datetime.fromisoformat(data["figures"]["ends"])
    marks = lab_logs.incidents(end)
    assert yesterday["day"] == marks.deploy.date().isoformat()
    found = {f["class"]: f for f in yesterday["findings"]}
    assert sorted(found) == [AUTH, WEBHOOK]  # 2 findings, not 15 hourly spikes
    auth = found[AUTH]
    assert auth["start_hour"] == auth["end_hour"] == lab_logs.AUTH_SPIKE_HOUR
    hook = found[WEBHOOK]
    assert hook["start_hour"] in (16, 17) and hook["end_hour"] == 23
    assert datetime.fromisoformat(hook["first"]) > marks.deploy
    assert hook["deploy"]["message"] == lab_logs.deploy_message(lab_logs.DEPLOY_RELEASE)
    assert hook["also_counted"][0]["class"] == "server-error"
    md = yesterday["markdown"]
    assert "after `deployed release 2.4.1 (7c1e9a2)` at 16:20:05" in md
    assert "## Deploys\n\n- `deployed release 2.4.1 (7c1e9a2)` at 16:20:05\n" in md
    recurring = md.split("## Recurring")[1].split("## New since yesterday")[0]
    assert "card\\_declined" in recurring
    templates = yesterday["recurring_templates"]
    assert [t for t in templates if "card_declined" in t["template"] and t["days_seen"] >= 2]
    partial = (end.hour, end.minute) < (23, 59)
    assert today["partial"] is partial
    if partial:
        assert f"(so far: the logs end at {end:%H:%M} UTC)" in today["markdown"]
