"""launchtui.logs.read: formats, sources and hostile input (issue 15)."""

from __future__ import annotations

import gzip
import json
import os
import subprocess
import sys
import threading
import tracemalloc
from datetime import UTC, datetime
from pathlib import Path

import pytest

from launchtui.logs.read import MAX_LINE, SourceReport, read_events
from launchtui.model.logs import AUTH, COMBINED, JSON_LINES, PAYMENT, SERVER, WEBHOOK

CLF = '203.0.113.9 - - [10/Oct/2026:13:55:36 +0100] "POST /login?next=/x HTTP/1.1" 401 512'
COMBINED_LINE = CLF + ' "https://acme.community/" "Mozilla/5.0 (X11)"'


def read(path: Path | str, **kwargs: object) -> tuple[list, SourceReport]:
    reports: list[SourceReport] = []
    events = list(read_events([str(path)], reports=reports, **kwargs))  # type: ignore[arg-type]
    assert len(reports) == 1
    return events, reports[0]


def write(tmp_path: Path, name: str, lines: list[str]) -> Path:
    path = tmp_path / name
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


@pytest.mark.parametrize("line", [COMBINED_LINE, CLF])
def test_combined_and_common_log_format(tmp_path: Path, line: str) -> None:
    events, report = read(write(tmp_path, "access.log", [line]))
    (event,) = events
    assert event.at == datetime(2026, 10, 10, 12, 55, 36, tzinfo=UTC)
    assert (event.format, event.status, event.method, event.path) == (
        COMBINED,
        401,
        "POST",
        "/login",
    )
    assert event.client == "203.0.113.9" and event.line == 1 and event.text == line
    assert event.classes == {AUTH}
    assert (report.format, report.lines, report.events, report.skipped) == (COMBINED, 1, 1, 0)


def test_garbage_request_and_missing_status(tmp_path: Path) -> None:
    lines = [
        '198.51.100.1 - - [10/Oct/2026:13:55:36 +0000] "\\x16\\x03\\x01" 400 0 "-" "-"',
        '198.51.100.1 - - [10/Oct/2026:13:55:36 +0000] "GET /a\\"b HTTP/1.1" - 0 "-" "-"',
    ]
    events, report = read(write(tmp_path, "a.log", lines))
    assert [(e.status, e.method, e.path) for e in events] == [(400, "", ""), (None, "", "")]
    assert report.skipped == 0


@pytest.mark.parametrize(
    ("record", "at", "level", "message", "path", "status", "client"),
    [
        (
            {
                "time": "2026-10-10T14:00:00+02:00",
                "level": "ERROR",
                "message": "boom",
                "path": "/p",
                "status": 500,
                "ip": "1.2.3.4",
            },
            datetime(2026, 10, 10, 12, tzinfo=UTC),
            "error",
            "boom",
            "/p",
            500,
            "1.2.3.4",
        ),
        (
            {
                "timestamp": "2026-10-10T12:00:00Z",
                "severity": "warning",
                "msg": "m",
                "url": "https://acme.community/checkout?session=abc",
                "status_code": "402",
                "client_ip": "::1",
            },
            datetime(2026, 10, 10, 12, tzinfo=UTC),
            "warning",
            "m",
            "/checkout",
            402,
            "::1",
        ),
        (
            {
                "ts": 1791633600,
                "lvl": "info",
                "error": "e",
                "request_path": "/r",
                "statusCode": 200,
                "remote_addr": "5.6.7.8",
            },
            datetime(2026, 10, 10, 12, tzinfo=UTC),
            "info",
            "e",
            "/r",
            200,
            "5.6.7.8",
        ),
        (
            {
                "@timestamp": 1791633600000,
                "level": 50,
                "event": "x",
                "uri": "/u",
                "http": {"status_code": 503},
            },
            datetime(2026, 10, 10, 12, tzinfo=UTC),
            "error",
            "x",
            "/u",
            503,
            "",
        ),
        (
            {"date": "2026-10-10T12:00:00.250+00:00", "message": "y"},
            datetime(2026, 10, 10, 12, 0, 0, 250000, tzinfo=UTC),
            "",
            "y",
            "",
            None,
            "",
        ),
    ],
)
def test_json_field_variants(
    tmp_path: Path,
    record: dict,
    at: datetime,
    level: str,
    message: str,
    path: str,
    status: int | None,
    client: str,
) -> None:
    events, report = read(write(tmp_path, "app.jsonl", [json.dumps(record)]))
    (event,) = events
    assert (event.at, event.level, event.message, event.path, event.status, event.client) == (
        at,
        level,
        message,
        path,
        status,
        client,
    )
    assert event.format == JSON_LINES and report.format == JSON_LINES
    assert report.problems == []


def test_json_without_zone_is_utc_said_once(tmp_path: Path) -> None:
    lines = [json.dumps({"time": f"2026-10-10T12:0{i}:00", "msg": "m"}) for i in range(3)]
    events, report = read(write(tmp_path, "app.log", lines))
    assert events[0].at == datetime(2026, 10, 10, 12, tzinfo=UTC)
    assert report.problems == ["JSON times without a time zone were read as UTC"]


def test_mixed_formats_and_skipped_lines(tmp_path: Path) -> None:
    lines = [
        COMBINED_LINE,
        json.dumps({"time": 1791633600, "msg": "hi"}),
        "not a log line",
        '{"no": "time"}',
        "[1, 2]",
        "{broken",
    ]
    events, report = read(write(tmp_path, "mixed.log", lines))
    assert [e.format for e in events] == [COMBINED, JSON_LINES]
    assert (report.format, report.lines, report.events, report.skipped) == ("mixed", 6, 2, 4)


def test_gzip_detected_by_magic_not_name_and_rotated_files(tmp_path: Path) -> None:
    rotated = tmp_path / "access.log.2"  # gzip without a .gz name
    rotated.write_bytes(gzip.compress((COMBINED_LINE + "\n").encode() * 3))
    plain_gz = write(tmp_path, "access.log.1.gz", [COMBINED_LINE])  # plain text, named .gz
    reports: list[SourceReport] = []
    events = list(read_events([str(rotated), str(plain_gz)], reports=reports))
    assert len(events) == 4
    assert [r.events for r in reports] == [3, 1] and all(not r.problems for r in reports)


def test_truncated_gzip_keeps_lines_read(tmp_path: Path) -> None:
    data = gzip.compress(
        b"".join(
            f'10.0.0.1 - - [10/Oct/2026:13:55:00 +0000] "GET /{i} HTTP/1.1" 200 1\n'.encode()
            for i in range(5000)
        )
    )
    path = tmp_path / "cut.gz"
    path.write_bytes(data[: len(data) // 2])
    events, report = read(path)
    assert 0 < len(events) < 5000 and report.events == len(events)
    assert len(report.problems) == 1 and "truncated after" in report.problems[0]


def test_timezone_change_mid_file(tmp_path: Path) -> None:
    lines = [
        '1.1.1.1 - - [25/Oct/2026:02:59:00 +0200] "GET / HTTP/1.1" 200 1 "-" "-"',
        '1.1.1.1 - - [25/Oct/2026:02:01:00 +0100] "GET / HTTP/1.1" 200 1 "-" "-"',
    ]
    events, report = read(write(tmp_path, "dst.log", lines))
    assert [e.at.hour for e in events] == [0, 1]
    assert report.earlier == 0 and report.problems == []


def test_clock_going_backwards_keeps_events_and_counts(tmp_path: Path) -> None:
    lines = [
        f'1.1.1.1 - - [10/Oct/2026:13:{m:02d}:00 +0000] "GET / HTTP/1.1" 200 1'
        for m in (5, 1, 2, 0)
    ]
    events, report = read(write(tmp_path, "a.log", lines))
    assert len(events) == 4 and report.earlier == 2
    assert any("2 lines earlier than the line before" in p for p in report.problems)


def test_since_drops_older(tmp_path: Path) -> None:
    lines = [f'1.1.1.1 - - [1{d}/Oct/2026:12:00:00 +0000] "GET / HTTP/1.1" 200 1' for d in range(5)]
    events, report = read(write(tmp_path, "a.log", lines), since=datetime(2026, 10, 13))
    assert [e.at.day for e in events] == [13, 14]
    assert (report.lines, report.events, report.before_since, report.skipped) == (5, 2, 3, 0)


def test_binary_garbage_skipped(tmp_path: Path) -> None:
    path = tmp_path / "core"
    path.write_bytes(bytes(range(256)) * 64)
    events, report = read(path)
    assert events == [] and report.binary
    assert len(report.problems) == 1 and "looks binary" in report.problems[0]


def test_undecodable_bytes_replaced_and_markup_literal(tmp_path: Path) -> None:
    hostile = (
        '1.1.1.1 - - [10/Oct/2026:13:00:00 +0000] "GET /[bold]x[/bold] HTTP/1.1" 500 1 '
        '"\x1b[31m" "\xff"'
    )
    path = tmp_path / "a.log"
    path.write_bytes(hostile.encode("utf-8").replace("\xff".encode(), b"\xff") + b"\n")
    (event,), _ = read(path)
    assert event.text == hostile.replace("\xff", "\ufffd")
    assert event.path == "/[bold]x[/bold]" and "\x1b[31m" in event.text


def test_ten_megabyte_line_is_cut_in_bounded_memory(tmp_path: Path) -> None:
    path = tmp_path / "long.log"
    with path.open("wb") as out:
        out.write(COMBINED_LINE.encode() + b"\n")
        out.write(b"A" * 10_000_000 + b"\n")
        out.write(COMBINED_LINE.encode() + b"\n")
    tracemalloc.start()
    try:
        events, report = read(path)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 1_000_000, peak
    assert [e.line for e in events] == [1, 3]
    assert (report.lines, report.cut, report.skipped) == (3, 1, 1)
    assert any("cut to their first 64 KiB" in p for p in report.problems)


def test_cut_line_keeps_its_first_bytes(tmp_path: Path) -> None:
    path = tmp_path / "long.log"
    path.write_bytes(COMBINED_LINE.encode() + b' "' + b"x" * (MAX_LINE * 2) + b'"\n')
    (event,), report = read(path)
    assert len(event.text.encode()) == MAX_LINE and report.cut == 1


def test_file_growing_while_read(tmp_path: Path) -> None:
    path = write(tmp_path, "live.log", [COMBINED_LINE] * 10)
    reports: list[SourceReport] = []
    events = read_events([str(path)], reports=reports)
    first = next(events)
    with path.open("a") as out:
        out.write((COMBINED_LINE + "\n") * 100)
    rest = list(events)
    assert len(rest) + 1 == 10 and first.line == 1
    assert any("grew while read" in p for p in reports[0].problems)


@pytest.mark.parametrize(
    ("make", "problem"),
    [
        (lambda p: p / "missing.log", "no such file"),
        (lambda p: p, "is a directory"),
    ],
)
def test_missing_file_and_directory(tmp_path: Path, make, problem: str) -> None:
    events, report = read(make(tmp_path))
    assert events == [] and report.problems == [problem]


def test_fifo_is_read(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)

    def feed() -> None:
        with fifo.open("w") as out:
            out.write(COMBINED_LINE + "\n")

    writer = threading.Thread(target=feed)
    writer.start()
    events, report = read(fifo)
    writer.join()
    assert len(events) == 1 and report.problems == []


def test_standard_input(tmp_path: Path) -> None:
    script = (
        "from launchtui.logs.read import read_events\n"
        "r = []\n"
        "for e in read_events(['-'], reports=r): print(e.status, e.path, sorted(e.classes))\n"
        "print(r[0].format, r[0].lines)\n"
    )
    data = gzip.compress((COMBINED_LINE + "\n" + CLF.replace("401", "503") + "\n").encode())
    out = subprocess.run(
        [sys.executable, "-c", script], input=data, capture_output=True, check=True
    )
    assert out.stdout.decode().splitlines() == [
        f"401 /login ['{AUTH}']",
        f"503 /login ['{SERVER}']",
        "combined 2",
    ]


def test_classes_carried_on_events(tmp_path: Path) -> None:
    lines = [
        '1.1.1.1 - - [10/Oct/2026:13:00:00 +0000] "POST /webhooks/stripe HTTP/1.1" 500 1',
        json.dumps(
            {
                "time": 1791633600,
                "level": "error",
                "msg": "payment failed",
                "error": {"type": "card_declined"},
            }
        ),
    ]
    events, _ = read(write(tmp_path, "a.log", lines))
    assert [e.classes for e in events] == [{WEBHOOK, SERVER}, {PAYMENT, SERVER}]
