"""A team's existing monitors, named in [monitoring].existing, read into one model (Watched):
each file's format is told by its content, not its name, so `ops/monitoring.yml` may be any
of them.

Formats: a Prometheus configuration (its rule files followed), Prometheus rule files, an
Alertmanager configuration, a blackbox_exporter configuration, a Gatus configuration, an
Uptime Kuma backup JSON, an Upptime `.upptimerc.yml`. A file that cannot be read, does not
parse or is none of these raises ExistingError naming it.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from launchtui.monitoring import prometheus_existing as prom
from launchtui.monitoring import uptime_existing as uptime
from launchtui.monitoring.watched import ExistingError, Watched, parse_document, read_text

Reader = Callable[[Path, dict[str, Any]], Watched]
# In order: the first whose test matches reads the file (Kuma before Gatus: both are maps)
FORMATS: tuple[tuple[Callable[[dict[str, Any]], bool], Reader], ...] = (
    (uptime.is_kuma, uptime.kuma),
    (prom.is_prometheus, prom.prometheus),
    (prom.is_alertmanager, prom.alertmanager),
    (prom.is_rules, prom.rules),
    (prom.is_blackbox, prom.blackbox),
    (uptime.is_gatus, uptime.gatus),
    (uptime.is_upptime, uptime.upptime),
)
KNOWN = (
    "Prometheus, Prometheus rules, Alertmanager, blackbox_exporter, Gatus, Uptime Kuma backup "
    "JSON, Upptime .upptimerc.yml"
)


def read(path: Path) -> Watched:
    document = parse_document(path, read_text(path))
    if isinstance(document, dict):
        for matches, reader in FORMATS:
            if matches(document):
                return reader(path, document)
    raise ExistingError(f"{path}: not a monitor configuration launchtui reads ({KNOWN})")


def read_all(paths: tuple[Path, ...]) -> list[Watched]:
    return [read(path) for path in paths]
