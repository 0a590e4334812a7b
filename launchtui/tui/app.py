"""LaunchApp: the sprint's seven stages as screens over one sprint session.

The app is a view: the open sprint (document, results, running checks, task states, writes) is
a Textual-free SprintSession (launchtui.session), which tells the app what changed through the
Listener methods below. Checks and blocking work run in workers on the app (one exclusive
worker per stage, so switching screens never stops a run).
"""

from __future__ import annotations

import contextlib
import gc
import sys
from collections.abc import Callable, Collection, Iterable
from datetime import UTC, datetime
from pathlib import Path
from typing import ClassVar

from textual import events
from textual.app import App, AutopilotCallbackType
from textual.binding import Binding, BindingType

from launchtui.background import in_daemon_thread
from launchtui.checks.registry import all_checks, checks_for_stages
from launchtui.errors import LaunchtuiError, SprintFileError
from launchtui.model.stages import STAGE_NAMES, STAGES
from launchtui.model.targets import Target
from launchtui.model.tasks import find_task
from launchtui.plan import Key
from launchtui.reports.incident import INCIDENT_TASK
from launchtui.session import EMAIL_TEST_WAIT, Answer, Level, SprintSession
from launchtui.sprint import store
from launchtui.sprint.recent import record_recent
from launchtui.tui.commands import LaunchCommands
from launchtui.tui.screens.stage import StageScreen
from launchtui.tui.screens.task_editor import TaskEditor

Clock = Callable[[], datetime]


def _utc_now() -> datetime:
    return datetime.now(UTC)


class LaunchApp(App[int]):
    CSS_PATH = "app.tcss"
    TITLE = "launchtui"
    COMMANDS = App.COMMANDS | {LaunchCommands}
    # Below 100 columns the stage sidebar gives its room to the table (see app.tcss).
    # Textual declares this as an instance attribute, so it is overridden as one (RUF012
    # asks for a ClassVar, which mypy then refuses as a different kind of attribute).
    HORIZONTAL_BREAKPOINTS: list[tuple[int, str]] | None = [(0, "-narrow"), (100, "-wide")]  # noqa: RUF012
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("q", "quit", "Quit", id="quit"),
        Binding("k", "credentials", "Keyring", id="credentials"),
        *(
            Binding(
                str(s.number),
                f"stage('{s.name}')",
                "Stage",
                key_display="1-7",
                show=s.number == 1,
                id=f"stage-{s.number}",
            )
            for s in STAGES
        ),
    ]

    def __init__(self, sprint_path: str | Path | None, *, now: Clock = _utc_now) -> None:
        """Open a sprint file, or with None, start on the opener to choose or create one."""
        super().__init__()
        self.session: SprintSession | None = None
        self.now = now  # injectable so that ages render the same in snapshot tests
        self.error = ""
        self._screens = {s.name: StageScreen(s) for s in STAGES}
        self._stage = STAGE_NAMES[0]
        if sprint_path is not None:
            try:
                self.session = SprintSession.open(Path(sprint_path), self)
            except SprintFileError as exc:
                self.error = str(exc)

    @property
    def sprint(self) -> SprintSession:
        """The open sprint; only stage screens and their dialogs ask, and they exist only
        once one is open."""
        if self.session is None:
            raise RuntimeError("no sprint is open")
        return self.session

    @property
    def sprint_path(self) -> Path | None:
        return None if self.session is None else self.session.path

    def on_mount(self) -> None:
        # The screens other than the stages' are imported when first shown: opening a sprint,
        # the usual start, loads none of them.
        if self.error:
            from launchtui.tui.screens.error import ErrorScreen

            self.push_screen(ErrorScreen(f"launchtui: {self.error}"))
        elif self.session is None:
            from launchtui.tui.screens.opener import OpenerScreen

            self.push_screen(OpenerScreen())
        else:
            self._show_stages(over_opener=False)

    def open_sprint(self, path: Path) -> str | None:
        """Open a sprint chosen on the opener: its stages replace the opener; or the error."""
        try:
            self.session = SprintSession.open(path, self)
        except SprintFileError as exc:
            return str(exc)
        self._show_stages(over_opener=True)
        return None

    def _show_stages(self, *, over_opener: bool) -> None:
        """Show the stage the sprint was left on, in place of the opener if it is open. The stage
        screens are installed, so each keeps its table and cursor while another is shown
        (and switching screens, unlike switching modes, does not restyle the whole app)."""
        for name, screen in self._screens.items():
            self.install_screen(screen, name=f"stage-{name}")
        with contextlib.suppress(OSError):  # the recent list is a convenience
            record_recent(self.sprint.path)
        if self.sprint.history_problem:
            self.notify(
                f"Run history unavailable, evidence and changes are not shown: "
                f"{self.sprint.history_problem}",
                severity="warning",
                timeout=15,
                markup=False,
            )
        self._stage = self.sprint.saved_stage()
        if over_opener:
            self.switch_screen(f"stage-{self._stage}")
        else:  # over Textual's blank first screen, which the stack may never lose
            self.push_screen(f"stage-{self._stage}")
        self._probe_lab()

    @property
    def stage_name(self) -> str:
        """The stage on screen (or under the dialog on screen)."""
        return self._stage

    # Listener: what the session tells the app

    def results_changed(self, keys: set[Key]) -> None:
        for screen in self._mounted_screens():
            screen.show_results(keys)

    def reloaded(self) -> None:
        for screen in self._mounted_screens():
            screen.rebuild()

    def tasks_changed(self) -> None:
        for screen in self._mounted_screens():
            screen.show_tasks()

    def notice(self, text: str, level: Level = "information", timeout: float = 5) -> None:
        self.notify(text, severity=level, timeout=timeout, markup=False)

    def ask_changed_on_disk(self, document: store.SprintDocument, what: str) -> None:
        from launchtui.tui.screens.changed_on_disk import ChangedOnDisk

        self.push_screen(ChangedOnDisk(document, what), self._answered)

    def _answered(self, choice: Answer) -> None:
        self.sprint.answer(choice)

    def on_key(self, event: events.Key) -> None:
        """A key typed before the task editor opened, for the stage screen under it: Textual
        sends each key to the focused widget of the screen on top when the key is read, and
        looks up its binding when the key comes back up to the app; by then the editor may be
        on top, and its Input's bindings would take the key (enter would close the editor).
        Dropped, as the editor's Input drops the early keys it receives."""
        if isinstance(self.screen, TaskEditor) and event.time < self.screen.opened_at:
            event.prevent_default()

    def ask_save_unreachable(self, what: str) -> None:
        self.run_worker(self._ask_unreachable(what), group="unreachable", exit_on_error=False)

    async def _ask_unreachable(self, what: str) -> None:
        """Ask, saying how to start the lab if it is the lab that is gone (probed again: it
        may have stopped since the app opened)."""
        from launchtui.tui.screens.unreachable_run import UnreachableRun

        session = self.sprint
        hint = await in_daemon_thread(session.lab_problem)
        self.push_screen(
            UnreachableRun(what, hint), lambda save: session.answer_unreachable(bool(save))
        )

    # The lab: a sprint the lab wrote, opened while the lab is not running

    def _probe_lab(self) -> None:
        if self.session is not None and self.session.document.sprint.lab_dns is not None:
            self.run_worker(self._lab_check(), group="lab-probe", exit_on_error=False)

    async def _lab_check(self) -> None:
        session = self.sprint
        hint = await in_daemon_thread(session.lab_problem)
        if hint is not None:
            self.notice(hint, "warning", timeout=30)

    # Stages

    def action_stage(self, name: str) -> None:
        if self.session is None or name == self._stage:
            return
        # Imported on first use, like the handover export: both load the keyring, which
        # opening the app does not need.
        from launchtui.tui.screens.credentials import CredentialsScreen
        from launchtui.tui.screens.risk_note import RiskNoteScreen

        # A stage key leaves these for the stage.
        if isinstance(self.screen, CredentialsScreen | RiskNoteScreen):
            self.pop_screen()
        self._stage = name
        self.switch_screen(f"stage-{name}")
        self.session.record_stage(name)

    # Credentials

    def action_credentials(self) -> None:
        """Show the sprint's credentials over the stage (not over a dialog, nor twice)."""
        if not self.error and isinstance(self.screen, StageScreen):
            from launchtui.tui.screens.credentials import CredentialsScreen

            self.push_screen(CredentialsScreen())

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        # No sprint open: no stages nor credentials to show, and no footer keys for them. The
        # credentials open over a stage only: elsewhere (a risk note, a dialog) k is not shown.
        if action == "credentials":
            return self.session is not None and isinstance(self.screen, StageScreen)
        return self.session is not None or action != "stage"

    def action_reload(self) -> None:
        if self.session is not None:
            self.session.reload()

    # Handover

    def export_handover(self) -> None:
        """Write the handover checklist next to the sprint file, off the event loop (the
        credential lookups can wait on the keyring)."""
        self.run_worker(self._export(), group="export", exclusive=True, exit_on_error=False)

    async def _export(self) -> None:
        try:
            target = await self.sprint.export_handover()
        except (LaunchtuiError, OSError) as exc:
            self.notice(f"Handover not written: {exc}", "error")
            return
        self.notice(f"Wrote the handover checklist to {store.display_path(target)}.")

    def draft_incident_note(self) -> None:
        """Open stage 6's incident response note in the task editor, its empty note filled with
        the draft (a note already written is opened as it is)."""
        # Over a stage only: from over a dialog, switching stage would close it unsaved.
        if self.session is None:
            return
        if not isinstance(self.screen, StageScreen):
            self.notice("Close the dialog first, then draft the incident response note.")
            return
        task = find_task(*INCIDENT_TASK)
        if task is None:
            return
        self.action_stage(task.stage)
        state = self.sprint.task_states.get(INCIDENT_TASK)
        if state is not None and state.note.strip():
            self.notice("The incident response note is already written: opened as it is.")
        # Once the stage is on screen, so that closing the editor returns to it.
        self.call_after_refresh(self.push_screen, TaskEditor(task, state, draft=True))

    # Seed inbox test

    def send_test_emails(self) -> None:
        """Send every template to the seed inboxes and read them back (launchtui email-test),
        off the UI thread: SMTP and IMAP block, and the wait for delivery can take a minute."""
        if self.session is None:
            return
        self.notice(
            "Sending test messages to the seed inboxes; the log shows when they arrive "
            f"(up to {EMAIL_TEST_WAIT:g} s)."
        )
        self.run_worker(self._email_test(), group="email-test", exclusive=True, exit_on_error=False)

    async def _email_test(self) -> None:
        from launchtui.reports.delivery_text import render_text
        from launchtui.tui.screens.delivery_log import DeliveryLog

        try:
            report = await self.sprint.email_test()
        except Exception as exc:  # a config or credential problem, said in one line
            self.notice(f"Test sends not made: {exc}", "error")
            return
        self.push_screen(DeliveryLog("Seed inbox test", render_text(report)))
        self.sprint.save_email_log(report)

    def prove_alert_routes(self) -> None:
        """A test alert through each alert route (launchtui monitor prove), off the UI thread:
        SMTP, IMAP and the wait for the email's arrival block for up to a minute."""
        if self.session is None:
            return
        self.notice("Sending a test alert through each alert route; confirming where it lands.")
        self.run_worker(
            self._prove_alert_routes(), group="prove-alerts", exclusive=True, exit_on_error=False
        )

    async def _prove_alert_routes(self) -> None:
        try:
            proofs = await self.sprint.prove_alert_routes()
        except Exception as exc:  # a config or history problem, said in one line
            self.notice(f"Test alert not sent: {exc}", "error")
            return
        for proof in proofs:
            state = "proven" if proof.ok else "NOT proven"
            self.notice(
                f"Alert route {proof.route} {state}: {proof.detail}",
                "information" if proof.ok else "warning",
            )

    # Daily risk notes

    def read_logs(self) -> None:
        """Read the sprint's [logs] into daily risk notes kept in the run history (launchtui
        logs SPRINT), in a worker: a week of logs takes a few seconds. Then show the latest."""
        if self.session is None:
            return
        self.notice("Reading the logs of [logs] into daily risk notes.")
        self.run_worker(self._read_logs(), group="read-logs", exclusive=True, exit_on_error=False)

    async def _read_logs(self) -> None:
        try:
            read = await self.sprint.read_logs()
        except (LaunchtuiError, OSError) as exc:
            self.notice(f"Logs not read: {exc}", "error", timeout=10)
            return
        for problem in read.problems:
            self.notice(f"Logs: {problem}", "warning", timeout=10)
        for screen in self._mounted_screens():
            screen.show_board()
        self.show_risk_notes()

    def show_risk_notes(self) -> None:
        """The kept daily risk notes, the latest complete day's first (over a stage only)."""
        from launchtui.logs.pipeline import shown_note
        from launchtui.tui.screens.risk_note import RiskNoteScreen

        notes = self.sprint.risk_notes()
        note = shown_note(notes)
        if note is None:
            self.notice("No risk note yet: the logs of [logs] gave no day.", "warning")
            return
        if not isinstance(self.screen, StageScreen):  # a dialog opened meanwhile
            self.notice(f"Risk notes kept up to {notes[-1].day.isoformat()}.")
            return
        self.push_screen(RiskNoteScreen(notes, notes.index(note)))

    # Copying a fix

    def copy_text(self, text: str, what: str) -> None:
        """Copy `text` (the fix of `what`) with a local clipboard tool, in a worker thread (a
        tool may wait on a display); without one, send OSC 52 and show the text to select."""
        self.run_worker(self._copy(text, what), group="copy", exclusive=True, exit_on_error=False)

    async def _copy(self, text: str, what: str) -> None:
        from launchtui.clipboard import copy_with_tool
        from launchtui.tui.screens.copy_text import CopyText

        copied = await in_daemon_thread(lambda: copy_with_tool(text))
        if copied.tool is not None:
            self.notice(f"{what.capitalize()}: {copied.message}; it is also in the detail pane.")
            return
        self.copy_to_clipboard(text)
        self.push_screen(CopyText(what, text, copied.message))

    # Running checks

    def run_stage(self, stage: str, only: Collection[str] = ()) -> None:
        """Run the stage's checks, or `only` those of them (the dashboard's watch pass)."""
        checks = checks_for_stages([stage])
        if only:
            checks = [check for check in checks if check.id in only]
        self.run_worker(self.sprint.run(checks), group=f"run:{stage}", exclusive=True, name=stage)

    def runs_in_progress(self) -> bool:
        """A run is going (of a stage, all, or one row) or waits for its save to be answered."""
        running = any(
            not worker.is_finished and worker.group.startswith(("run:", "one:"))
            for worker in self.workers
        )
        return running or (self.session is not None and self.session.busy)

    def run_current_stage(self) -> None:
        self.run_stage(self.stage_name)

    def run_all(self) -> None:
        self.run_worker(self.sprint.run(all_checks()), group="run:all", exclusive=True, name="all")

    def run_one(self, check_id: str, target: str) -> None:
        check = self.sprint.check(check_id)
        if check is not None:
            group = f"one:{check_id}:{target}"
            self.run_worker(
                self.sprint.run_one(check, Target.parse(target)), group=group, exclusive=True
            )

    def _mounted_screens(self) -> Iterable[StageScreen]:
        # None once the app is exiting: its screens are being taken down, and a run's last
        # results arriving then would look for tables that are no longer there.
        if self._exit:
            return ()
        return (screen for screen in self._screens.values() if screen.is_mounted)


def run(
    sprint_path: str | Path | None,
    *,
    headless: bool = False,
    size: tuple[int, int] | None = None,
    auto_pilot: AutopilotCallbackType | None = None,
) -> int:
    """Open the app on a sprint file, or on the opener without one; a file that cannot be
    opened is one line on stderr. The options are App.run's (benchmarks/startup.py starts the
    app here, as a user does)."""
    app = LaunchApp(sprint_path)
    if app.error:
        print(f"launchtui: {app.error}", file=sys.stderr)
        return 2
    # What is loaded by now (the modules, the sprint) lives as long as the app: frozen, the
    # garbage collector stops walking it at every collection, which otherwise costs about a
    # third of the time to the first screen (benchmarks/startup.py).
    gc.freeze()
    app.run(headless=headless, size=size, auto_pilot=auto_pilot)
    return 0
