"""The Prometheus export's options: intervals, durations and addresses, and its job names."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from launchtui.model.monitoring import DOWN_FOR, SLOW_FOR

# The scrape jobs; the rules select on them.
HTTP_JOB = "launchtui_http"
TLS_JOB = "launchtui_tls"
DNS_JOB = "launchtui_dns"


@dataclass(frozen=True, slots=True)
class PrometheusOptions:
    """Intervals, thresholds' durations and addresses of the export (production defaults;
    a test against the lab shortens them)."""

    scrape_interval: str = "30s"
    scrape_timeout: str = "15s"  # blackbox_exporter stops a probe 0.5 s before this
    evaluation_interval: str = "30s"
    down_for: str = DOWN_FOR
    slow_for: str = SLOW_FOR
    blackbox: str = "127.0.0.1:9115"  # blackbox_exporter's listen address
    alertmanager: str = "127.0.0.1:9093"  # Alertmanager's listen address
    group_wait: str = "30s"
    group_interval: str = "5m"
    repeat_interval: str = "4h"
    secrets_dir: Path | None = None  # None: `secrets` inside the output folder
