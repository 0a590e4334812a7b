"""The monitoring screen's dashboard: each monitor's live state and response-time history,
the certificates, the alert routes and when each was last proven, the latest daily risk note's
counts (l reads the logs), and the watch mode.

The board reads everything from the sprint session: the latest monitoring.synthetic and
monitoring.cert-expiry results, each monitor's trend (the series the detail pane draws,
Check.trend) and each alert route's latest proof (launchtui.reports.alert_routes). Watching runs the
WATCH_CHECKS through the app's run machinery every [monitoring].watch_interval seconds, a
pass starting only when no run is in progress (a pass due during a run is skipped, not queued).
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable

from rich.text import Text
from textual.timer import Timer
from textual.widgets import Static

from launchtui.model.monitoring import WATCH_CHECKS, Monitor
from launchtui.model.results import Result, Status
from launchtui.model.targets import Target
from launchtui.reports.alert_routes import AlertRoute, alert_routes
from launchtui.sprint.history import RiskNote
from launchtui.text.literal import literal
from launchtui.tui.rows import STATUS_STYLES, sparkline
from launchtui.tui.typed import launch_app

SYNTHETIC, CERTIFICATES = WATCH_CHECKS
STAGE = "monitoring"
NAME = 13  # the first column: "certificates" and a space
ROUTE_SEP = " · "
HISTORY = 12  # bars of response time per monitor: the latest runs
# A monitor's state, in the exported monitor's words (launchtui.checks.monitoring.synthetic).
STATES = {
    Status.PASS: ("up", STATUS_STYLES["pass"]),
    Status.WARN: ("slow", STATUS_STYLES["warn"]),
    Status.FAIL: ("down", STATUS_STYLES["fail"]),
    Status.ERROR: ("unreachable", STATUS_STYLES["error"]),
    Status.SKIP: ("skipped", STATUS_STYLES["skip"]),
}


class MonitorBoard(Static):
    """One line per monitor, one for the certificates, one for the alert routes; the watch
    mode's state is the section title's (`watch_line`)."""

    def __init__(self, on_watch: Callable[[], None], *, id: str | None = None) -> None:
        super().__init__(Text(""), id=id)
        self._on_watch = on_watch  # told when the watch line changes
        self.interval = 0.0  # seconds between passes while watching
        self.passes = 0  # the passes started since the watch was turned on
        self._timer: Timer | None = None
        self._ticker: Timer | None = None
        self._last_pass = 0.0  # time.monotonic() of the latest pass due

    # Watching

    @property
    def watching(self) -> bool:
        return self._timer is not None

    def start_watch(self, interval: float | None = None) -> None:
        """Watch every `interval` seconds ([monitoring].watch_interval, validated to 10..3600 s;
        tests pass a shorter one); the first pass starts now."""
        self.stop_watch()
        launch = launch_app(self)
        self.interval = interval or launch.sprint.document.sprint.monitoring.watch_interval
        self.passes = 0
        self._timer = self.set_interval(self.interval, self.watch_pass, name="watch")
        self._ticker = self.set_interval(1, self._on_watch, name="watch countdown")
        self.watch_pass()

    def stop_watch(self) -> None:
        self._stop_timers()
        self._on_watch()

    def _stop_timers(self) -> None:
        for timer in (self._timer, self._ticker):
            if timer is not None:
                timer.stop()
        self._timer = self._ticker = None

    def watch_pass(self) -> bool:
        """One pass, unless a run is in progress (a run of the stage, or of anything: they
        share the checks' connections and the history); True when one started."""
        self._last_pass = time.monotonic()
        launch = launch_app(self)
        started = False
        if not launch.runs_in_progress():
            launch.run_stage(STAGE, only=WATCH_CHECKS)
            self.passes += 1
            started = True
        self._on_watch()
        return started

    def on_unmount(self) -> None:  # quitting: the screen is going, nothing to redraw
        self._stop_timers()

    def watch_line(self) -> Text:
        if not self.watching:
            return Text("watch off (w)", style="dim")
        left = max(0, math.ceil(self._last_pass + self.interval - time.monotonic()))
        busy = launch_app(self).runs_in_progress()
        text = Text(f"watching every {self.interval:g} s, ", style="bold")
        text.append("pass running" if busy else f"next pass in {left} s")
        return text

    # Showing

    def show(self) -> None:
        sprint = launch_app(self).sprint
        config = sprint.document.sprint
        monitors = config.monitors
        lines = [self._monitor_line(monitor) for monitor in monitors.http]
        if monitors.missing:
            missing = Text(f"{'no monitor':<{NAME}}", style="dim")
            missing.append(", ".join(monitors.missing) + " (declare them in [flows])", "dim")
            lines.append(missing)
        lines.append(self._certificates_line())
        routes = _routes_line(alert_routes(config.monitoring, sprint.alert_proofs()))
        if routes.cell_len > self._room():  # one line per route where one line is too short
            routes = Text("\n" + " " * NAME).join(routes.split(ROUTE_SEP))
        lines.append(routes)
        lines.append(risk_line(config.logs, sprint.risk_notes()))
        self.update(Text("\n").join(lines))  # one line each, cut at the edge (app.tcss)

    def _room(self) -> int:
        """The board's width for its text (the terminal's before the first layout)."""
        return self.content_size.width or self.app.size.width

    def on_resize(self) -> None:
        self.show()

    def _monitor_line(self, monitor: Monitor) -> Text:
        sprint = launch_app(self).sprint
        key = (SYNTHETIC, Target.for_url(monitor.url).text)
        stored = sprint.results.get(key)
        line = Text(f"{literal(monitor.name):<{NAME}}")
        if key in sprint.running:
            line.append(f"{'running':<{NAME}}", style="italic cyan")
        elif stored is None:
            line.append(f"{'not run yet':<{NAME}}", style="dim")
        else:
            word, style = STATES.get(stored.status, (str(stored.status), ""))
            line.append(f"{word:<{NAME}}", style=style)
        line.append(f"{_answer(stored):<16}")
        values = [value for _, value in sprint.trend(key)][-HISTORY:]
        bars = sparkline(values) if len(values) > 1 else ""  # one run is no history yet
        line.append(f"{bars:<{HISTORY}}", style="cyan")
        line.append(f"  {literal(monitor.url)}", style="dim")
        return line

    def _certificates_line(self) -> Text:
        launch = launch_app(self)
        sprint = launch.sprint
        key = (CERTIFICATES, Target.for_setting("[site] hostnames").text)
        stored = sprint.results.get(key)
        line = Text(f"{'certificates':<{NAME}}")
        if key in sprint.running:
            return line.append("running", style="italic cyan")
        if stored is None:
            return line.append("not run yet", style="dim")
        line.append(f"{stored.status:<{NAME}}", style=STATUS_STYLES.get(stored.status, ""))
        soonest = stored.evidence.get("soonest")
        if isinstance(soonest, dict) and stored.status is not Status.ERROR:
            days = int(soonest.get("days_left", 0))
            left = f"{days} days left" if days >= 0 else f"expired {-days} days ago"
            line.append(f"soonest {literal(str(soonest.get('host', '')))}: {left}")
        else:
            line.append(literal(stored.summary), style="dim")
        return line


def _answer(stored: Result | None) -> str:
    """What the monitor's latest probe got: the HTTP status and time, or why none came."""
    if stored is None:
        return ""
    evidence = stored.evidence
    status, elapsed = evidence.get("status"), evidence.get("elapsed_ms")
    if isinstance(status, int) and isinstance(elapsed, int):
        return f"{status} {elapsed:>5} ms"
    return str(evidence.get("error") or "")


def _routes_line(routes: list[AlertRoute]) -> Text:
    line = Text(f"{'alerts':<{NAME}}")
    if not routes:
        return line.append("no route: set [monitoring] alert_email or slack_webhook", "dim")
    for n, route in enumerate(routes):
        if n:
            line.append(ROUTE_SEP, style="dim")
        to = route.to if route.route == "email" else f"credential {route.to}"
        line.append(f"{route.label} → {literal(to)} ")
        if route.proof is None:
            line.append("never proven", style=STATUS_STYLES["warn"])
        elif route.proof.ok:
            line.append(f"proven {_when(route.proof.at)}", style=STATUS_STYLES["pass"])
        else:
            line.append(f"failed {_when(route.proof.at)}", style=STATUS_STYLES["fail"])
    return line


def risk_line(patterns: tuple[str, ...], notes: list[RiskNote]) -> Text:
    """The daily risk note shown (the latest complete day's) and its counts, or how to get
    one: l reads the sprint's [logs]."""
    from launchtui.logs.pipeline import shown_note

    line = Text(f"{'risk note':<{NAME}}")
    note = shown_note(notes)
    if note is None:
        if patterns:
            return line.append("no risk note yet: l reads the logs of [logs]", style="dim")
        return line.append("no [logs] in the sprint (launchtui logs SPRINT FILE)", style="dim")
    line.append(f"{note.day.isoformat()}: ")
    line.append(f"{note.unusual} unusual", style=STATUS_STYLES["warn"] if note.unusual else "")
    line.append(f", {note.recurring} recurring, {note.new} new ")
    return line.append("(l)", style="dim")


def _when(at: str) -> str:
    """A proof's time as a short date and time (the minute is enough to tell proofs apart)."""
    return at[:16].replace("T", " ") if at else "at an unknown time"
