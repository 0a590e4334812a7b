"""The demo team's existing monitors: a Gatus configuration in the demo app repository
(ops/gatus.yaml) that watches only the home page and the login page, alerts only to Slack and
has no certificate condition, so monitoring.coverage shows the gaps by name (health and
checkout unwatched, no certificate-expiry alert, no hostname's certificate watched).

Written beside the repository's other files when missing (a repository made by an older lab
gets it too); an existing file is the engineer's and left alone.
"""

from __future__ import annotations

from pathlib import Path

from launchtui.sprint import store

PATH = "ops/gatus.yaml"  # inside the app repository


def gatus_yaml(zone: str) -> str:
    app = f"https://app.{zone}"
    return (
        "# Uptime monitors of the Harbor Club app (Gatus, github.com/TwiN/gatus)\n"
        "alerting:\n"
        "  slack:\n"
        '    webhook-url: "${SLACK_WEBHOOK_URL}"\n'
        "endpoints:\n"
        "  - name: homepage\n"
        f'    url: "{app}"\n'
        "    interval: 1m\n"
        "    conditions:\n"
        '      - "[STATUS] == 200"\n'
        '      - "[RESPONSE_TIME] < 1000"\n'
        "    alerts:\n"
        "      - type: slack\n"
        "  - name: login\n"
        f'    url: "{app}/login/"\n'
        "    interval: 1m\n"
        "    conditions:\n"
        '      - "[STATUS] == 200"\n'
        "    alerts:\n"
        "      - type: slack\n"
    )


def ensure_demo_monitors(repo: Path, zone: str) -> Path:
    """The demo's monitors file in `repo`, written if missing. OSError when it cannot be."""
    path = repo / PATH
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        store.write_atomic(path, gatus_yaml(zone).encode("utf-8"))
    return path
