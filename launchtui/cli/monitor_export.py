"""`launchtui monitor export SPRINT --to prometheus DIR | --to gatus FILE`.

Reads the sprint file only: no network, no keyring. Each file is written atomically; in DIR
only the files the export owns (launchtui.monitoring.prometheus.FILES) are replaced, anything
else there is left alone. Secrets are never written: the output names each file or environment
variable the operator must fill, and the credential it takes its value from.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from launchtui.errors import UsageError
from launchtui.monitoring.export import Export

ENGINES = ("prometheus", "gatus")


def run(args: argparse.Namespace) -> int:
    from launchtui.sprint import store

    engine, destination = args.to
    if engine not in ENGINES:
        raise UsageError(
            f"monitor export: unknown engine {engine!r} (choose {' or '.join(ENGINES)})"
        )
    sprint = store.load(args.sprint).sprint
    target = Path(destination)
    if engine == "prometheus":
        from launchtui.monitoring import prometheus

        if target.exists() and not target.is_dir():
            raise UsageError(f"{destination}: is a file; prometheus exports to a folder")
        export = prometheus.render(sprint, target)
        written = [_write(target / name, text) for name, text in export.files.items()]
    else:
        from launchtui.monitoring import gatus

        if target.is_dir():
            raise UsageError(f"{destination}: is a folder; gatus exports to one file")
        export = gatus.render(sprint)
        written = [_write(target, text) for text in export.files.values()]
    _report(export, written, sprint.monitors.missing, engine)
    return 0


def _write(path: Path, text: str) -> Path:
    from launchtui.sprint import store

    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        store.write_atomic(path, text.encode("utf-8"))
    except OSError as exc:
        raise UsageError(f"{path}: cannot write: {exc.strerror or exc}") from None
    return path


def _report(export: Export, written: list[Path], missing: tuple[str, ...], engine: str) -> None:
    out = sys.stdout
    for path in written:
        print(f"wrote {path}", file=out)
    if missing:
        print(
            f"not monitored (no URL in the sprint's [flows]): {', '.join(missing)}",
            file=out,
        )
    if export.secrets:
        kind = "file" if engine == "prometheus" else "environment variable"
        print(f"secrets to provide (each {kind} holds one credential's value):", file=out)
        for secret in export.secrets:
            print(f"  {secret.where}  <- credential {secret.credential} ({secret.purpose})")
    for note in export.notes:
        print(f"note: {note}", file=out)
