"""Reading logs: files (plain or gzip, told by their magic bytes, not their name) and standard
input ("-"), line by line in bounded memory, each line parsed as nginx/Apache combined (or
common) log format or as a JSON-lines application event, detected per line.

Hostile input never raises: a line longer than MAX_LINE bytes is cut (and counted, never held
whole), undecodable bytes are replaced, a file that looks binary is skipped, a truncated gzip
keeps the lines read before the damage, a clock going backwards is counted (the events are
kept), a file growing while read is read up to the size it had when opened, and a missing or
unreadable file or a directory is one problem in its report. Each SourceReport's problems are
short phrases about that source, meant to be shown after its name ("access.log: is a
directory"). Lines' text stays literal: Rich markup and terminal escapes are not interpreted
here (nor anywhere: the layers that show them escape them).
"""

from __future__ import annotations

import gzip
import io
import json
import os
import re
import stat
import sys
import zlib
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, timezone
from typing import IO, Any

from launchtui.logs.classify import _SETS as _CLASS_SETS
from launchtui.logs.classify import ERROR_LEVELS as _ERROR_LEVELS
from launchtui.logs.classify import NONE, FlowPaths, classifier, message_bits
from launchtui.model.logs import COMBINED, JSON_LINES, LogEvent

MAX_LINE = 64 * 1024  # bytes of a line kept; the rest is skipped without being held
_SNIFF = 8192  # bytes looked at to tell a binary file
_CHUNK = 1 << 16
_GZIP_MAGIC = b"\x1f\x8b"
MIXED, UNKNOWN = "mixed", "unknown"

# Bytes that text logs hold; the others (NUL, most C0 controls) make a file look binary.
_TEXT_BYTES = bytes(range(32, 256)) + b"\t\n\r\x0b\x0c\x1b\x08"


@dataclass(slots=True)
class SourceReport:
    """What reading one source gave: counts and one-line problems (without the source's
    name). `format` is "combined", "json", "mixed" (both) or "unknown" (no line parsed)."""

    source: str
    format: str = UNKNOWN
    lines: int = 0
    events: int = 0
    skipped: int = 0  # lines neither combined nor JSON with a time
    problems: list[str] = field(default_factory=list)
    cut: int = 0  # lines longer than MAX_LINE, cut
    earlier: int = 0  # lines earlier than the line before (a clock going backwards)
    before_since: int = 0  # events dropped by `since`
    binary: bool = False


# --- combined / common log format -------------------------------------------------------------

_COMBINED = re.compile(
    r"(\S+) \S+ \S+ \[(\d\d/[A-Z][a-z]{2}/\d{4}:\d\d:\d\d:\d\d [+-]\d{4})\] "
    r'"(?:([A-Z]{1,16}) ([^ "\\?]*)[^ "\\]*(?: [^"\\]*)?|(?:[^"\\]|\\.)*)" '
    r"(\d{3}|-) "
)
_MONTHS = {
    m: i
    for i, m in enumerate(
        ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"), 1
    )
}
_ZONES: dict[str, timezone] = {}


def _clf_time(s: str) -> datetime | None:
    """'10/Oct/2000:13:55:36 -0700' -> aware UTC datetime (None if not a real date)."""
    month = _MONTHS.get(s[3:6])
    if month is None:
        return None
    offset = s[21:]
    zone = _ZONES.get(offset)
    if zone is None:
        minutes = int(offset[1:3]) * 60 + int(offset[3:5])
        if minutes >= 24 * 60:
            return None
        zone = timezone(timedelta(minutes=-minutes if offset[0] == "-" else minutes))
        if len(_ZONES) < 256:
            _ZONES[offset] = zone
    try:
        local = datetime(
            int(s[7:11]), month, int(s[0:2]), int(s[12:14]), int(s[15:17]), int(s[18:20]), 0, zone
        )
        return local.astimezone(UTC)
    except (ValueError, OverflowError):  # not a date, or before datetime.min in UTC
        return None


# --- JSON lines --------------------------------------------------------------------------------

_TIME_KEYS = ("time", "timestamp", "ts", "@timestamp", "date", "datetime", "t")
_LEVEL_KEYS = ("level", "severity", "lvl", "loglevel", "log.level")
_MESSAGE_KEYS = ("message", "msg", "error", "event", "err")
_PATH_KEYS = ("path", "url", "request_path", "uri", "request_uri", "http.url", "url.path")
_STATUS_KEYS = ("status", "status_code", "statusCode", "http.status_code", "response_status")
_CLIENT_KEYS = ("ip", "client_ip", "remote_addr", "remote_ip", "clientIp", "client.ip")
_METHOD_KEYS = ("method", "http_method", "request_method", "http.method")
_PINO_LEVELS = {10: "trace", 20: "debug", 30: "info", 40: "warn", 50: "error", 60: "fatal"}
_URL_PATH = re.compile(r"^(?:[a-zA-Z][a-zA-Z0-9+.-]*://[^/?#]*)?([^?#]*)")


def _field(obj: dict[str, Any], keys: tuple[str, ...]) -> Any:
    for key in keys:
        value = obj.get(key)
        if value is None and "." in key:
            outer, _, inner = key.partition(".")
            nested = obj.get(outer)
            if isinstance(nested, dict):
                value = nested.get(inner)
        if value is not None and value != "":
            return value
    return None


def _json_time(value: Any) -> tuple[datetime | None, bool]:
    """(aware UTC time, whether it had no zone and was read as UTC)."""
    if isinstance(value, bool):
        return None, False
    if isinstance(value, int | float):
        seconds = value / 1000 if value > 1e11 else value  # epoch ms or s
        try:
            return datetime.fromtimestamp(seconds, UTC), False
        except (ValueError, OverflowError, OSError):
            return None, False
    if not isinstance(value, str) or len(value) > 64:
        return None, False
    text = value.strip()
    if text.replace(".", "", 1).isascii() and text.replace(".", "", 1).isdigit():
        return _json_time(float(text))  # ASCII only: "²" is a digit to isdigit(), not to float()
    try:
        at = datetime.fromisoformat(text)
        if at.tzinfo is None:
            return at.replace(tzinfo=UTC), True
        return at.astimezone(UTC), False
    except (ValueError, OverflowError):  # not a time, or before datetime.min in UTC
        return None, False


def _text(value: Any) -> str:
    if isinstance(value, str):
        return value
    if value is None:
        return ""
    if isinstance(value, dict):  # {"error": {"message": ..., "type": ...}}
        inner = _field(value, ("message", "msg", "type", "code"))
        return _text(inner) if inner is not None else json.dumps(value)[:1024]
    return str(value)


def _status(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int) and 100 <= value <= 999:
        return value
    if isinstance(value, str) and len(value) == 3 and value.isdigit():
        return int(value)
    return None


# --- opening sources ---------------------------------------------------------------------------


class _Bounded(io.RawIOBase):
    """A file read only up to the size it had when opened."""

    def __init__(self, raw: IO[bytes], limit: int) -> None:
        self._raw = raw
        self.remaining = limit

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        if self.remaining <= 0:
            return 0
        view = memoryview(buffer)
        size = min(len(view), self.remaining)
        read1 = getattr(self._raw, "read1", None)
        data = read1(size) if read1 is not None else self._raw.read(size)
        n = len(data)
        view[:n] = data
        self.remaining -= n
        return n


def _problem_for(error: OSError) -> str:
    if isinstance(error, FileNotFoundError):
        return "no such file"
    if isinstance(error, IsADirectoryError):
        return "is a directory"
    if isinstance(error, PermissionError):
        return "cannot be read (permission denied)"
    return f"cannot be read ({error.strerror or error.__class__.__name__})"


def _binary_share(sample: bytes) -> float:
    if not sample:
        return 0.0
    return len(sample.translate(None, _TEXT_BYTES)) / len(sample)


# --- reading -------------------------------------------------------------------------------


def read_events(
    sources: Sequence[str],
    *,
    since: datetime | None = None,
    paths: FlowPaths | None = None,
    reports: list[SourceReport] | None = None,
) -> Iterator[LogEvent]:
    """The events of `sources` (file paths, "-" for standard input), in order, each with its
    classes; events before `since` are dropped. `reports`, if given, gets one SourceReport per
    source, appended when the source is opened and updated while it is read."""
    if since is not None and since.tzinfo is None:
        since = since.replace(tzinfo=UTC)
    rules = classifier(paths or FlowPaths())
    for source in sources:
        report = SourceReport(source)
        if reports is not None:
            reports.append(report)
        yield from _read_source(source, report, since, rules)


def _read_source(
    source: str, report: SourceReport, since: datetime | None, rules: Any
) -> Iterator[LogEvent]:
    size: int | None = None
    handle: IO[bytes] | None = None
    try:
        if source == "-":
            stream: IO[bytes] = io.BufferedReader(_Bounded(sys.stdin.buffer, 1 << 62), _CHUNK)
        else:
            handle = open(source, "rb")  # noqa: SIM115 - closed in finally
            info = os.fstat(handle.fileno())
            if not _is_regular(info.st_mode):
                report.problems.append("is not a regular file")
                handle.close()
                return
            size = info.st_size if stat.S_ISREG(info.st_mode) else None
            limit = size if size is not None else 1 << 62
            stream = io.BufferedReader(_Bounded(handle, limit), _CHUNK)
    except OSError as error:
        report.problems.append(_problem_for(error))
        if handle is not None:
            handle.close()
        return
    try:
        yield from _read_stream(stream, source, report, since, rules)
    finally:
        if handle is not None:
            try:
                grown: int | None = os.fstat(handle.fileno()).st_size
            except OSError:
                grown = size
            if size is not None and grown is not None and grown > size:
                report.problems.append(
                    f"grew while read: read the {size:,} bytes it had when opened"
                )
            handle.close()


def _is_regular(mode: int) -> bool:
    return stat.S_ISREG(mode) or stat.S_ISFIFO(mode) or stat.S_ISCHR(mode)


def _read_stream(
    stream: IO[bytes], source: str, report: SourceReport, since: datetime | None, rules: Any
) -> Iterator[LogEvent]:
    compressed = False
    try:
        if stream.peek(2)[:2] == _GZIP_MAGIC:  # type: ignore[attr-defined]
            compressed = True
            stream = gzip.GzipFile(fileobj=stream, mode="rb")  # type: ignore[assignment]
            stream = io.BufferedReader(stream, _CHUNK)  # type: ignore[type-var]
        sample = stream.peek(_SNIFF)[:_SNIFF]  # type: ignore[attr-defined]
    except (EOFError, OSError, zlib.error) as error:
        report.problems.append(_gzip_problem(error, 0))
        return
    share = _binary_share(sample)
    if share > 0.05 or sample.count(0) > len(sample) // 100 + 1:
        report.binary = True
        report.problems.append(
            f"looks binary ({share:.0%} control bytes in its first {len(sample):,} bytes): skipped"
        )
        return
    try:
        yield from _lines(stream, source, report, since, rules)
    except (EOFError, OSError, zlib.error) as error:
        if compressed:
            report.problems.append(_gzip_problem(error, report.lines))
        else:
            report.problems.append(f"read failed after {report.lines:,} lines ({error})")
    _finish(report)


def _gzip_problem(error: BaseException, lines: int) -> str:
    if isinstance(error, EOFError):
        return f"gzip data truncated after {lines:,} lines (the lines before were read)"
    return f"gzip data damaged after {lines:,} lines ({error}; the lines before were read)"


def _finish(report: SourceReport) -> None:
    if report.cut:
        report.problems.append(
            f"{report.cut:,} lines longer than {MAX_LINE // 1024} KiB cut to their first "
            f"{MAX_LINE // 1024} KiB"
        )
    if report.earlier:
        report.problems.append(
            f"{report.earlier:,} lines earlier than the line before (a clock went backwards?); "
            "their events are kept"
        )


def _lines(
    stream: IO[bytes], source: str, report: SourceReport, since: datetime | None, rules: Any
) -> Iterator[LogEvent]:
    readline = stream.readline
    match_combined = _COMBINED.match
    request_bits = rules.request
    sets = _CLASS_SETS
    none = NONE
    seen: set[str] = set()
    last_stamp = ""
    last_at: datetime | None = None
    previous: datetime | None = None
    naive_noted = False
    number = 0
    events = skipped = before = earlier = 0
    try:
        while True:
            raw = readline(MAX_LINE)
            if not raw:
                break
            number += 1
            if raw[-1:] != b"\n" and len(raw) >= MAX_LINE:
                report.cut += 1
                while True:  # skip the rest of the line, a chunk at a time
                    rest = readline(MAX_LINE)
                    if not rest or rest[-1:] == b"\n":
                        break
            line = raw.decode("utf-8", "replace").rstrip("\r\n")
            match = match_combined(line)
            if match is not None:
                stamp = match[2]
                if stamp != last_stamp:
                    last_at = _clf_time(stamp)
                    last_stamp = stamp
                at = last_at
                if at is None:
                    skipped += 1
                    continue
                code = match[5]
                status = int(code) if code != "-" else None
                if status is not None and status < 100:  # "000": no HTTP status (RFC 9110 15)
                    status = None
                path = match[4] or ""
                bits = request_bits(status, path) if status is not None and status >= 400 else 0
                event = LogEvent(
                    at,
                    source,
                    number,
                    line,
                    COMBINED,
                    status,
                    match[3] or "",
                    path,
                    match[1],
                    "",
                    "",
                    sets[bits] if bits else none,
                )
                seen.add(COMBINED)
            elif line.lstrip()[:1] == "{":
                parsed = _json_event(line, source, number, rules)
                if parsed is None:
                    skipped += 1
                    continue
                event, naive = parsed
                if naive and not naive_noted:
                    naive_noted = True
                    report.problems.append("JSON times without a time zone were read as UTC")
                seen.add(JSON_LINES)
                at = event.at
            else:
                skipped += 1
                continue
            if previous is not None and at < previous:
                earlier += 1
            previous = at
            if since is not None and at < since:
                before += 1
                continue
            events += 1
            if events & 0xFFF == 0:
                report.lines, report.events, report.skipped = number, events, skipped
            yield event
    finally:
        report.lines, report.events, report.skipped = number, events, skipped
        report.before_since, report.earlier = before, earlier
        report.format = MIXED if len(seen) > 1 else next(iter(seen), UNKNOWN)


def _json_event(line: str, source: str, number: int, rules: Any) -> tuple[LogEvent, bool] | None:
    try:
        obj = json.loads(line)
    except (ValueError, RecursionError):
        return None
    if not isinstance(obj, dict):
        return None
    at, naive = _json_time(_field(obj, _TIME_KEYS))
    if at is None:
        return None
    level_value = _field(obj, _LEVEL_KEYS)
    if isinstance(level_value, int) and not isinstance(level_value, bool):
        level = _PINO_LEVELS.get(level_value, str(level_value))
    else:
        level = _text(level_value).strip().lower()[:16]
    message = _text(_field(obj, _MESSAGE_KEYS))[:MAX_LINE]
    status = _status(_field(obj, _STATUS_KEYS))
    if status is None:
        http = obj.get("http")
        if isinstance(http, dict):
            status = _status(http.get("status_code") or http.get("status"))
    url = _text(_field(obj, _PATH_KEYS))
    found = _URL_PATH.match(url)
    path = found[1] if found else ""
    client = _text(_field(obj, _CLIENT_KEYS))[:64]
    method = _text(_field(obj, _METHOD_KEYS)).upper()[:16]
    bits = rules.request(status, path) | message_bits(line)
    if level in _ERROR_LEVELS:
        bits |= 8
    event = LogEvent(
        at,
        source,
        number,
        line,
        JSON_LINES,
        status,
        method,
        path,
        client,
        level,
        message,
        _CLASS_SETS[bits],
    )
    return event, naive
