"""The lab's week of demo logs: formats, rotation, the seeded incidents at their documented
times, determinism, nothing secret-looking, and the demo sprint's [logs]."""

from __future__ import annotations

import gzip
import ipaddress
import json
import re
import shutil
import subprocess
import time
from collections import Counter
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
import tomlkit
from conftest import missing

from launchtui.lab import logs
from launchtui.lab.config import DEMO_RELEASE, LabConfig, demo_config
from launchtui.lab.sprint_file import update_logs, write_sprint
from launchtui.logs.files import expand, log_files, order_rotated
from launchtui.secrets.scan import scan_tree
from launchtui.sprint import store

END = datetime(2026, 12, 6, 9, 41, 17, tzinfo=UTC)  # a Sunday morning
COMBINED = re.compile(
    r"(?P<ip>[\d.]+) - - \[(?P<day>\d{2})/(?P<month>[A-Z][a-z]{2})/(?P<year>\d{4}):"
    r'(?P<time>\d{2}:\d{2}:\d{2}) \+0000\] "(?P<method>GET|POST) (?P<path>/\S*) '
    r'HTTP/(?:1\.1|2\.0)" (?P<status>\d{3}) (?P<size>\d+) "(?P<referer>[^"]*)" "(?P<agent>[^"]+)"'
)
MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
DOCUMENTATION = [
    ipaddress.ip_network(n) for n in ("192.0.2.0/24", "198.51.100.0/24", "203.0.113.0/24")
]


@pytest.fixture(scope="module")
def files() -> dict[str, bytes]:
    return {name: data for name, (data, _) in logs.generate(END).items()}


def access(files: dict[str, bytes]) -> list[tuple[datetime, re.Match[str]]]:
    found = []
    for name in logs.file_names(logs.ACCESS_LOG):
        for line in logs.lines_of(files[name]):
            match = COMBINED.fullmatch(line)
            assert match, line
            at = datetime.strptime(
                f"{match['year']}-{MONTHS.index(match['month']) + 1:02d}-{match['day']} "
                f"{match['time']}",
                "%Y-%m-%d %H:%M:%S",
            ).replace(tzinfo=UTC)
            found.append((at, match))
    return found


def app(files: dict[str, bytes]) -> list[tuple[datetime, dict[str, object]]]:
    found = []
    for name in logs.file_names(logs.APP_LOG):
        for line in logs.lines_of(files[name]):
            record = json.loads(line)
            assert set(record) in (
                {"time", "level", "message"},
                {"time", "level", "message", "path", "status", "ip"},
            ), record
            assert record["level"] in ("info", "warn", "error")
            at = datetime.strptime(str(record["time"]), "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=UTC)
            found.append((at, record))
    return found


def test_the_files_are_rotated_like_logrotate(files: dict[str, bytes]) -> None:
    for base in (logs.ACCESS_LOG, logs.APP_LOG):
        names = logs.file_names(base)
        assert names[0] == f"{base}.7.gz" and names[-2:] == [f"{base}.1", base]
        assert len(names) == logs.DAYS + 1
        for name in names:
            compressed = name.endswith(".gz")
            assert (
                files[name][:2] == b"\x1f\x8b" if compressed else files[name][:1] in b"{0123456789"
            )
            if compressed:
                gzip.decompress(files[name])  # whole and valid (its CRC checked)
    assert set(files) == {*logs.file_names(logs.ACCESS_LOG), *logs.file_names(logs.APP_LOG)}
    total = sum(len(data) for data in files.values())
    assert total < 3_000_000, total


def test_every_line_parses_and_each_file_holds_its_own_day_in_time_order(
    files: dict[str, bytes],
) -> None:
    today = END.date()
    seen = access(files)
    stamps = [at for at, _ in seen]
    assert stamps[0] >= datetime.combine(
        today - timedelta(days=logs.DAYS), datetime.min.time(), UTC
    )
    assert stamps[-1] <= END
    assert stamps == sorted(stamps)
    app_stamps = [at for at, _ in app(files)]
    assert app_stamps == sorted(app_stamps) and app_stamps[-1] <= END
    for days_ago in range(logs.DAYS + 1):
        name = logs.ACCESS_LOG if days_ago == 0 else f"{logs.ACCESS_LOG}.{days_ago}"
        name += ".gz" if days_ago >= 2 else ""
        only = access({**dict.fromkeys(files, b""), name: files[name]})
        assert {at.date() for at, _ in only} == {today - timedelta(days=days_ago)}
        app_name = name.replace(logs.ACCESS_LOG, logs.APP_LOG)
        only_app = app({**dict.fromkeys(files, b""), app_name: files[app_name]})
        assert {at.date() for at, _ in only_app} == {today - timedelta(days=days_ago)}


def test_realistic_traffic_from_documentation_addresses_only(files: dict[str, bytes]) -> None:
    seen = access(files)
    statuses = Counter(int(m["status"]) for _, m in seen)
    ordinary = statuses[200] + statuses[304] + statuses[302] + statuses[303]
    assert ordinary / len(seen) > 0.9, statuses
    assert statuses[404] and statuses[500] and statuses[502] == 4  # two a deploy
    paths = {m["path"].split("?")[0] for _, m in seen}
    for path in ("/", "/login", "/join", "/api/posts", "/api/health", "/checkout",
                 "/webhooks/stripe", "/static/app.css", "/static/app.js"):  # fmt: skip
        assert path in paths
    assert any(path.startswith("/invite/") for path in paths)
    for _, match in seen:
        assert any(ipaddress.ip_address(match["ip"]) in net for net in DOCUMENTATION)
    for _, record in app(files):
        if "ip" in record:
            assert any(ipaddress.ip_address(str(record["ip"])) in net for net in DOCUMENTATION)
    per_hour = Counter(at.hour for at, _ in seen if at.date() == END.date() - timedelta(days=2))
    assert per_hour[19] > 3 * per_hour[4]  # a daily curve: evenings busy, nights quiet


def failed_logins(seen: list[tuple[datetime, re.Match[str]]]) -> Counter[date]:
    return Counter(
        at.date()
        for at, m in seen
        if m["path"] == "/login"
        and m["status"] in ("401", "429")
        and at.hour == logs.AUTH_SPIKE_HOUR
    )


def test_the_auth_spike_is_yesterday_at_its_hour_and_far_over_the_other_days(
    files: dict[str, bytes],
) -> None:
    marks = logs.incidents(END)
    yesterday = END.date() - timedelta(days=1)
    assert marks.auth_spike == datetime.combine(yesterday, datetime.min.time(), UTC).replace(
        hour=logs.AUTH_SPIKE_HOUR
    )
    counts = failed_logins(access(files))
    spike = counts[yesterday]
    assert spike == len(logs.AUTH_SPIKE_ADDRESSES) * logs.AUTH_SPIKE_ATTEMPTS
    others = [counts[yesterday - timedelta(days=n)] for n in range(1, logs.DAYS)]
    assert len(others) == 6 and max(others) <= 3, others
    burst = [
        m
        for at, m in access(files)
        if at.date() == yesterday
        and m["status"] in ("401", "429")
        and at.hour == logs.AUTH_SPIKE_HOUR
    ]
    assert {m["ip"] for m in burst} == set(logs.AUTH_SPIKE_ADDRESSES)
    assert {m["status"] for m in burst} == {"401", "429"}
    messages = [
        str(r["message"])
        for at, r in app(files)
        if at.date() == yesterday and at.hour == logs.AUTH_SPIKE_HOUR and r.get("status") == 401
    ]
    assert len(messages) == sum(m["status"] == "401" for m in burst)
    assert all(
        re.fullmatch(r"login failed for [a-z.0-9]+@example\.(com|org|net)", m) for m in messages
    )
    assert len(set(messages)) > 100  # credential stuffing: many accounts


def test_webhook_signature_failures_start_after_the_deploy_and_not_before(
    files: dict[str, bytes],
) -> None:
    marks = logs.incidents(END)
    assert (marks.deploy.date(), marks.deploy.time()) == (
        END.date() - timedelta(days=1),
        logs.DEPLOY_TIME,
    )
    assert logs.DEPLOY_RELEASE == DEMO_RELEASE
    records = app(files)
    deploys = [
        (at, r["message"]) for at, r in records if str(r["message"]).startswith("deployed release")
    ]
    assert deploys == [
        (marks.earlier_deploy, "deployed release 2.4.0 (3f9b0d4)"),
        (marks.deploy, f"deployed release {DEMO_RELEASE[0]} ({DEMO_RELEASE[1]})"),
    ]
    failures = [at for at, r in records if logs.SIGNATURE_ERROR in str(r["message"])]
    assert failures and min(failures) > marks.deploy
    hooks = [(at, m["status"]) for at, m in access(files) if m["path"] == "/webhooks/stripe"]
    assert {s for at, s in hooks if at < marks.deploy} == {"200"}
    after = Counter(s for at, s in hooks if at > marks.deploy)
    assert set(after) == {"400", "500"} and after["400"] > after["500"]
    assert len(failures) == sum(after.values())


def test_a_payment_error_recurs_every_day_with_other_customer_ids(files: dict[str, bytes]) -> None:
    pattern = re.compile(
        rf"Stripe charge failed for customer (cus_[A-Za-z0-9]{{14}}): {logs.PAYMENT_ERROR}"
    )
    per_day: dict[date, list[str]] = {}
    for at, record in app(files):
        match = pattern.fullmatch(str(record["message"]))
        if match:
            assert (
                record["status"] == 402
                and record["path"] == "/checkout"
                and record["level"] == "error"
            )
            per_day.setdefault(at.date(), []).append(match[1])
    full_days = {END.date() - timedelta(days=n) for n in range(1, logs.DAYS + 1)}
    assert full_days <= set(per_day)
    low, high = logs.PAYMENT_FAILURES_PER_DAY
    ids = [cid for day in full_days for cid in per_day[day]]
    assert all(low <= len(per_day[day]) <= high for day in full_days)
    assert len(set(ids)) == len(ids)  # varying ids: one template, many values
    declined = sum(1 for _, m in access(files) if m["path"] == "/checkout" and m["status"] == "402")
    assert declined == sum(len(v) for v in per_day.values())


def test_the_same_seed_and_end_give_the_same_bytes_and_quickly() -> None:
    started = time.perf_counter()
    first = logs.generate(END)
    elapsed = time.perf_counter() - started
    assert logs.generate(END) == first
    assert elapsed < 2.0, elapsed
    other = logs.generate(END, seed=logs.SEED + 1)
    assert other["access.log.1"] != first["access.log.1"]
    # a day without incidents reads the same whatever day it is seen from (the incidents
    # are placed relative to the end)
    later = logs.generate(END + timedelta(days=1))
    assert later["access.log.4.gz"] == first["access.log.3.gz"]
    assert later["app.log.4.gz"] == first["app.log.3.gz"]


def test_nothing_secret_looking(tmp_path: Path, files: dict[str, bytes]) -> None:
    logs.write_demo_logs(tmp_path, END)
    report = scan_tree(tmp_path)
    assert report.findings == []
    for name, data in files.items():
        text = gzip.decompress(data) if name.endswith(".gz") else data
        for secret in (b"sk_live_", b"sk_test_", b"whsec_", b"password=", b"token=", b"Bearer "):
            assert secret not in text, (name, secret)


def test_writing_replaces_only_its_own_files_and_stamps_rotation_times(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("mine")
    written = logs.write_demo_logs(tmp_path, END)
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(
        [*(p.name for p in written), "notes.txt"]
    )
    assert (tmp_path / "notes.txt").read_text() == "mine"
    rotated = (tmp_path / "access.log.1").stat().st_mtime
    assert rotated == datetime.combine(END.date(), datetime.min.time(), UTC).timestamp()
    assert (tmp_path / "access.log").stat().st_mtime == END.timestamp()
    logs.write_demo_logs(tmp_path, END + timedelta(hours=1))
    assert len((tmp_path / "access.log").read_bytes()) > len(logs.generate(END)["access.log"][0])


def test_a_naive_end_time_is_refused() -> None:
    with pytest.raises(ValueError, match="aware"):
        logs.incidents(datetime(2026, 12, 6, 9))


def test_log_files_come_oldest_first(tmp_path: Path) -> None:
    logs.write_demo_logs(tmp_path / "logs", END)
    found = expand([str(tmp_path / "logs" / "access.log*"), str(tmp_path / "logs" / "app.log*")])
    assert [p.name for p in found] == logs.file_names("access.log") + logs.file_names("app.log")
    names = ["a.log", "a.log.10.gz", "a.log.2.gz", "a.log.1", "a.log-20261201.gz", "a.log-20261130"]
    ordered = [p.name for p in order_rotated(Path("/x") / n for n in names)]
    assert ordered == [
        "a.log.10.gz",
        "a.log.2.gz",
        "a.log.1",
        "a.log-20261130",
        "a.log-20261201.gz",
        "a.log",
    ]
    assert expand([str(tmp_path / "nothing*")]) == []


def lab_config() -> LabConfig:
    return demo_config(base_port=0)


def test_the_demo_sprint_names_the_logs_and_validates(tmp_path: Path) -> None:
    repo = tmp_path / "harborclub-app"
    logs.write_demo_logs(repo / logs.FOLDER, END)
    patterns = logs.sprint_patterns("harborclub-app")
    assert patterns == ["harborclub-app/logs/access.log*", "harborclub-app/logs/app.log*"]
    path = write_sprint(tmp_path / "demo.toml", lab_config(), {}, logs=patterns)
    text = path.read_text()
    assert "[logs]" in text and '"harborclub-app/logs/access.log*"' in text
    sprint = store.load(path).sprint
    assert sprint.logs == (str(tmp_path / patterns[0]), str(tmp_path / patterns[1]))
    assert [p.name for p in log_files(sprint)][:2] == ["access.log.7.gz", "access.log.6.gz"]
    assert len(log_files(sprint)) == 2 * (logs.DAYS + 1)


def test_an_existing_demo_sprint_gains_logs_and_keeps_its_own(tmp_path: Path) -> None:
    path = write_sprint(tmp_path / "demo.toml", lab_config(), {})
    assert "[logs]" not in path.read_text()
    patterns = logs.sprint_patterns("harborclub-app")
    write_sprint(path, lab_config(), {}, logs=patterns)
    assert store.load(path).sprint.logs == tuple(str(tmp_path / p) for p in patterns)
    document = tomlkit.parse(path.read_text())
    document["logs"]["files"] = ["/var/log/nginx/access.log*"]  # type: ignore[index]
    path.write_text(tomlkit.dumps(document))
    write_sprint(path, lab_config(), {}, logs=patterns)
    assert store.load(path).sprint.logs == ("/var/log/nginx/access.log*",)
    fresh = tomlkit.document()
    update_logs(fresh, [])
    assert "logs" not in fresh


def test_each_lab_start_writes_the_week_ending_now_and_the_sprint_reads_it(
    tmp_path: Path,
) -> None:
    from launchtui.lab import LabThread

    before = datetime.now(UTC)
    with LabThread(demo_config(base_port=0, mailboxes=[]), tmp_path / "lab") as lab:
        path = lab.write_sprint(tmp_path / "sprints" / "demo.toml")
        folder = tmp_path / "sprints" / "harborclub-app" / logs.FOLDER
        (folder / "access.log").write_text("stale\n")
        lab.write_sprint(path)  # a second start: the logs again, the sprint kept
    sprint = store.load(path).sprint
    files = log_files(sprint)
    assert [p.name for p in files] == logs.file_names("access.log") + logs.file_names("app.log")
    assert all(p.parent == folder.resolve() or p.parent == folder for p in files)
    newest = (folder / "access.log").stat().st_mtime
    assert before.timestamp() <= newest <= datetime.now(UTC).timestamp()
    assert (folder / "access.log").read_text() != "stale\n"
    assert path.read_text().count("[logs]") == 1


def test_goaccess_reads_every_access_line_as_combined(tmp_path: Path) -> None:
    if shutil.which("goaccess") is None:
        missing("GoAccess is not installed (apt-get install goaccess)")
    logs.write_demo_logs(tmp_path, END)
    report = tmp_path / "report.json"
    subprocess.run(
        ["goaccess", str(tmp_path / "access.log.1"), "--log-format=COMBINED", "-o", str(report)],
        capture_output=True,
        timeout=60,
        check=True,
    )
    general = json.loads(report.read_text())["general"]
    lines = (tmp_path / "access.log.1").read_text().count("\n")
    assert general["valid_requests"] == general["total_requests"] == lines
    assert general["failed_requests"] == 0
