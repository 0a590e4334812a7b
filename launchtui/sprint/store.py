"""Load, validate and save sprint files.

A sprint file is edited by the app and by hand, so the store is careful with it:
- Files are read and written as bytes and rendered by tomlkit: comments, key order, unknown keys
  and spacing are kept, an unchanged document saves byte for byte, a CRLF file stays CRLF and a
  UTF-8 byte order mark is kept.
- Every problem is one SprintFileError line naming the file, the line and the key.
- A document is validated before it is written, and a save refuses to overwrite a file that
  changed on disk since it was loaded: nothing is ever written over a hand edit or left invalid.
- Writes are atomic (write_atomic): a crash leaves the old file or the new one, never a mix.

The sections the app writes (progress, results) are described in launchtui.sprint.results;
the run history beside the file in launchtui.sprint.history.
"""

from __future__ import annotations

import codecs
import contextlib
import dataclasses
import os
import re
import tempfile
from collections.abc import MutableMapping, Sequence
from pathlib import Path
from typing import Any

import tomlkit
from tomlkit.exceptions import ParseError, TOMLKitError

from launchtui.errors import SprintFileError
from launchtui.model.results import Result
from launchtui.model.sprint import Sprint
from launchtui.sprint.locate import Invalid, dotted, line_of, redefinition_line, string_not_closed
from launchtui.sprint.results import (
    forget_verdict,
    is_legacy,
    legacy_result,
    record_verdict,
    text,
    verdicts,
)
from launchtui.sprint.validate import build_sprint

_BOM = "\ufeff"
_NEW_FILE_MODE = 0o644
_PARSE_POSITION = re.compile(r" at line \d+ col \d+$")
_BARE_LF = re.compile(r"(?<!\r)\n")
_END_OF_TEXT = "Unexpected character: '\\x00'"  # how tomlkit reports the end of the text


@dataclasses.dataclass(eq=False)
class SprintDocument:
    """A loaded sprint file: its TOML document, its typed view and the bytes it was read from."""

    path: Path  # absolute
    doc: tomlkit.TOMLDocument
    sprint: Sprint
    original: bytes  # what is on disk as far as this document knows; save() compares against it


def load(path: str | Path) -> SprintDocument:
    """Read, parse and validate a sprint file; raises SprintFileError."""
    absolute = Path(os.path.abspath(path))
    original = _read(absolute)
    doc, sprint = parse(_decode(original, absolute), absolute)
    return SprintDocument(absolute, doc, sprint, original)


def parse(content: str, path: Path) -> tuple[tomlkit.TOMLDocument, Sprint]:
    """Parse and validate the text of the sprint file at `path`; raises SprintFileError."""
    doc = _parse_toml(content, path)
    return doc, _validated(doc, content, path)


def save(document: SprintDocument) -> None:
    """Write the document back atomically, after validating it.

    Raises SprintFileError, and writes nothing, if the document is invalid or the file on disk
    no longer holds the bytes the document was loaded from (someone edited it meanwhile).
    """
    content = _render(document)
    data = _encode(content, document.original)
    if data == document.original:
        return
    sprint = _validated(document.doc, content, document.path)
    if changed_on_disk(document):
        raise SprintFileError(
            f"{display_path(document.path)}: changed on disk since it was loaded; nothing was "
            "written (load it again and retry)"
        )
    _write(document, data, sprint)


def changed_on_disk(document: SprintDocument) -> bool:
    """True when the file no longer holds the bytes the document was loaded from or saved as
    (edited by hand or by another program, replaced, or removed)."""
    return _current_bytes(document.path) != document.original


def overwrite(document: SprintDocument) -> Path | None:
    """Write the document over the file whatever it holds now, after validating it.

    For when the user chose to keep this version over an edit made on disk meanwhile. What the
    file held is first copied to NAME.replaced beside it (returned), so nothing is lost.
    Raises SprintFileError.
    """
    content = _render(document)
    data = _encode(content, document.original)
    sprint = _validated(document.doc, content, document.path)
    on_disk = _current_bytes(document.path)
    copy = None
    if on_disk is not None and on_disk != data:
        copy = document.path.with_name(f"{document.path.name}.replaced")
        try:
            write_atomic(copy, on_disk)
        except OSError as exc:
            shown = display_path(copy)
            raise SprintFileError(f"{shown}: cannot write: {_reason(exc)}") from None
    _write(document, data, sprint)
    return copy


def _write(document: SprintDocument, data: bytes, sprint: Sprint) -> None:
    try:
        write_atomic(document.path, data)
    except OSError as exc:
        shown = display_path(document.path)
        raise SprintFileError(f"{shown}: cannot write: {_reason(exc)}") from None
    document.original = data
    document.sprint = sprint


def write_atomic(path: Path, data: bytes) -> None:
    """Replace the file at `path` with `data`: a crash leaves the old file or the new one.

    The data goes to a temporary file in the same folder (.NAME.RANDOM.tmp), is flushed and
    fsynced, then renamed over the file, and the folder is fsynced so that the rename lasts. The
    temporary file is removed on any failure. A symlink is followed, not replaced. Raises OSError.
    """
    target = Path(os.path.realpath(path))
    mode = _file_mode(target)
    fd, temp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    try:
        with os.fdopen(fd, "wb") as file:
            file.write(data)
            file.flush()
            os.fsync(file.fileno())
        os.chmod(temp, mode)
        os.replace(temp, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temp)
        raise
    _fsync_folder(target.parent)


def loaded(sprint: SprintDocument | str | Path) -> SprintDocument:
    """A loaded document as it is, or the file at a path loaded fresh (raises SprintFileError).
    The app passes its document (a key press must not parse the file again); the command line
    passes a path."""
    return sprint if isinstance(sprint, SprintDocument) else load(sprint)


def record_results(
    sprint: SprintDocument | str | Path, results: Sequence[Result], run_at: str
) -> SprintDocument:
    """Record results' verdicts in the sprint file and save it (see launchtui.sprint.results;
    launchtui.sprint.recorded also writes them in full to the run history). A verdict replaces
    the stored one of the same (check id, target). Raises SprintFileError."""
    document = loaded(sprint)
    results_section = super_table(document.doc, "results")
    for result in results:
        stage, check_id = str(result.stage), text(result.id)
        _forget_elsewhere(results_section, stage, check_id, text(result.target))
        stage_table = super_table(results_section, stage)
        if check_id not in stage_table:
            stage_table[check_id] = tomlkit.table()
        record_verdict(stage_table[check_id], result, run_at)
    save(document)
    return document


def saved_results(document: SprintDocument) -> dict[tuple[str, str], Result]:
    """The verdicts of a loaded document, by (check id, target): in the compact form, without
    evidence or fix (those are in the run history); in the old form, as written."""
    section = document.doc.get("results")
    data: dict[str, Any] = {} if section is None else section.unwrap()
    found: dict[tuple[str, str], Result] = {}
    for stage, checks in data.items():
        for check_id, table in checks.items():
            if is_legacy(table):
                for target, full in table.items():
                    found[(check_id, target)] = legacy_result(stage, check_id, target, full)
            else:
                for result in verdicts(stage, check_id, table):
                    found[(check_id, result.target)] = result
    return found


def saved_stage(document: SprintDocument) -> str | None:
    """The stage the user was on ([progress].stage), if recorded."""
    progress = document.doc.get("progress")
    stage = None if progress is None else progress.get("stage")
    return None if stage is None else str(stage)


def record_stage(sprint: SprintDocument | str | Path, stage: str) -> SprintDocument:
    """Remember the stage the user is on, and save it."""
    document = loaded(sprint)
    if "progress" not in document.doc:
        document.doc["progress"] = tomlkit.table()
    document.doc["progress"]["stage"] = stage
    save(document)
    return document


def display_path(path: Path) -> str:
    """A path as the user is likely to recognise it: relative to the current folder if inside."""
    with contextlib.suppress(ValueError, OSError):
        return str(path.relative_to(Path.cwd()))
    return str(path)


# Reading


def _read(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except FileNotFoundError:
        shown = display_path(path)
        raise SprintFileError(
            f"{shown}: no such file (create one with: launchtui new {shown} --domain DOMAIN)"
        ) from None
    except IsADirectoryError:
        raise SprintFileError(f"{display_path(path)}: is a folder, not a sprint file") from None
    except OSError as exc:
        raise SprintFileError(f"{display_path(path)}: cannot read: {_reason(exc)}") from None


def _current_bytes(path: Path) -> bytes | None:
    try:
        return path.read_bytes()
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise SprintFileError(f"{display_path(path)}: cannot read: {_reason(exc)}") from None


def _decode(data: bytes, path: Path) -> str:
    """The file's text, without a byte order mark (which _encode puts back)."""
    try:
        content = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise SprintFileError(
            f"{display_path(path)}:{line}: not UTF-8 text (byte {exc.start}); save it as UTF-8"
        ) from None
    return content.removeprefix(_BOM)


def _parse_toml(content: str, path: Path) -> tomlkit.TOMLDocument:
    try:
        return tomlkit.parse(content)
    except ParseError as exc:
        reason = _PARSE_POSITION.sub("", str(exc)).replace(_END_OF_TEXT, "unexpected end of file")
        if string_not_closed(reason):
            where = f"{display_path(path)}:{exc.line}"
            raise SprintFileError(
                f"{where}: invalid TOML: string not closed on line {exc.line}"
            ) from None
        raise SprintFileError(
            f"{display_path(path)}:{exc.line}:{exc.col + 1}: invalid TOML: {reason}"
        ) from None
    except TOMLKitError as exc:  # a key defined twice, reported without a position
        line = redefinition_line(content) or 1
        raise SprintFileError(f"{display_path(path)}:{line}: invalid TOML: {exc}") from None


def _validated(doc: tomlkit.TOMLDocument, content: str, path: Path) -> Sprint:
    try:
        return build_sprint(doc.unwrap(), path)
    except Invalid as exc:
        where = f"{display_path(path)}:{line_of(content, exc.key)}"
        raise SprintFileError(f"{where}: {dotted(exc.key)}: {exc.problem}") from None


# Writing


def _render(document: SprintDocument) -> str:
    content = document.doc.as_string()
    if _is_crlf(document.original):
        return _with_crlf(content, document.doc)
    return content


def _with_crlf(content: str, doc: tomlkit.TOMLDocument) -> str:
    """tomlkit writes new lines as LF; turn them into CRLF unless that would change a value.

    A multi-line string written by someone else may hold LF line breaks that are part of its
    value: then mixed line endings are the lesser evil.
    """
    converted = _BARE_LF.sub("\r\n", content)
    if converted == content:
        return content
    has_multiline = '"""' in content or "'''" in content
    if has_multiline and tomlkit.parse(converted).unwrap() != doc.unwrap():
        return content
    return converted


def _encode(content: str, original: bytes) -> bytes:
    bom = _BOM if original.startswith(codecs.BOM_UTF8) else ""
    return (bom + content).encode("utf-8")


def _is_crlf(data: bytes) -> bool:
    """Whether every line of the file ends in CRLF."""
    line_feeds = data.count(b"\n")
    return line_feeds > 0 and data.count(b"\r\n") == line_feeds


def _file_mode(path: Path) -> int:
    """Keep the file's permissions; a new file gets the usual rw-r--r--."""
    try:
        return path.stat().st_mode & 0o7777
    except FileNotFoundError:
        return _NEW_FILE_MODE


def _fsync_folder(folder: Path) -> None:
    # Some platforms and file systems cannot open or fsync a folder; the rename is done anyway.
    with contextlib.suppress(OSError):
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


# The results section


def super_table(parent: MutableMapping[str, Any], key: str) -> Any:
    """The table at `key`, created without a header of its own if missing."""
    if key not in parent:
        parent[key] = tomlkit.table(is_super_table=True)
    return parent[key]


def _forget_elsewhere(
    section: MutableMapping[str, Any], stage: str, check_id: str, target: str
) -> None:
    """A (check id, target) is stored once: recorded under another stage (a check that moved
    stage), its verdict there goes."""
    for other in [name for name in section if name != stage]:
        checks = section[other]
        if check_id not in checks or is_legacy(checks[check_id]):
            continue
        if forget_verdict(checks[check_id], target) and set(checks[check_id]) <= {
            "severity",
            "checked_at",
        }:
            del checks[check_id]
            if not checks:
                del section[other]


def _reason(exc: OSError) -> str:
    return exc.strerror or str(exc)
