"""LaunchApp: the sprint's seven stages as screens over one sprint file.

The app owns the state every screen shows: the loaded document, the results by (check id,
target) and which of them are running. Checks run in async workers on the app (one exclusive
worker per stage, so switching screens never stops a run); each result updates the screens as
it arrives, and the whole run is recorded in the sprint file when it ends.
"""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from pathlib import Path
from typing import ClassVar

from textual.app import App
from textual.binding import Binding, BindingType

from launchtui.background import in_daemon_thread
from launchtui.checks.engine import now_iso, run_checks, run_one
from launchtui.checks.model import Result
from launchtui.checks.registry import Check, all_checks, checks_for_stages
from launchtui.errors import LaunchtuiError, SprintFileError
from launchtui.net.context import NetworkContext
from launchtui.sprint import store
from launchtui.sprint.recent import record_recent
from launchtui.sprint.results import StoredResult
from launchtui.sprint.tasks_store import TaskState, record_task, saved_tasks
from launchtui.stages import STAGE_NAMES, STAGES
from launchtui.tasks import Task, tasks_for
from launchtui.tui.commands import LaunchCommands
from launchtui.tui.rows import Key, PlannedRow, as_stored, planned_rows, progress
from launchtui.tui.screens.changed_on_disk import ChangedOnDisk
from launchtui.tui.screens.delivery_log import DeliveryLog
from launchtui.tui.screens.error import ErrorScreen
from launchtui.tui.screens.opener import OpenerScreen
from launchtui.tui.screens.stage import StageScreen

Clock = Callable[[], datetime]
EMAIL_TEST_WAIT = 60.0  # seconds to wait for the test messages in the seed inboxes
Write = Callable[[], store.SprintDocument]  # one of the app's writes: fresh load, change, save


def _utc_now() -> datetime:
    return datetime.now(UTC)


class LaunchApp(App[int]):
    CSS_PATH = "app.tcss"
    TITLE = "launchtui"
    COMMANDS = App.COMMANDS | {LaunchCommands}
    # Below 100 columns the stage sidebar gives its room to the table (see app.tcss).
    HORIZONTAL_BREAKPOINTS: ClassVar[list[tuple[int, str]]] = [(0, "-narrow"), (100, "-wide")]
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
        self.sprint_path: Path | None = None
        self.now = now  # injectable so that ages render the same in snapshot tests
        self.results: dict[Key, StoredResult] = {}
        self.task_states: dict[tuple[str, str], TaskState] = {}
        self.running: set[Key] = set()
        self.error = ""
        self._screens = {s.name: StageScreen(s) for s in STAGES}
        self._checks = {check.id: check for check in all_checks()}
        self._plans: dict[str, list[PlannedRow]] = {}
        # Writes waiting for the engineer's answer about a file changed on disk.
        self._pending: list[tuple[Write, str]] = []
        if sprint_path is not None:
            try:
                self._load(Path(sprint_path))
            except SprintFileError as exc:
                self.error = str(exc)

    def _load(self, path: Path) -> None:
        document = store.load(path)
        self.sprint_path = path
        self._reloaded(document)

    def on_mount(self) -> None:
        if self.error:
            self.push_screen(ErrorScreen(f"launchtui: {self.error}"))
        elif self.sprint_path is None:
            self.push_screen(OpenerScreen())
        else:
            self._show_stages()

    def open_sprint(self, path: Path) -> str | None:
        """Open a sprint chosen on the opener: its stages replace the opener; or the error."""
        try:
            self._load(path)
        except SprintFileError as exc:
            return str(exc)
        self._show_stages()
        return None

    def _show_stages(self) -> None:
        for name, screen in self._screens.items():
            self.add_mode(name, lambda screen=screen: screen)
        with contextlib.suppress(OSError):  # the recent list is a convenience
            record_recent(self.document.path)
        stage = store.saved_stage(self.document)
        self.switch_mode(stage if stage in STAGE_NAMES else STAGE_NAMES[0])

    # What the screens read

    def plan(self, stage: str) -> list[PlannedRow]:
        """The stage's (check, target) rows, kept until a save reloads the sprint."""
        if stage not in self._plans:
            self._plans[stage] = planned_rows(stage, self.document.sprint)
        return self._plans[stage]

    def progress(self) -> dict[str, tuple[int, int]]:
        return {
            name: progress(self.plan(name), self.results, tasks_for(name), self.task_states)
            for name in STAGE_NAMES
        }

    def check(self, check_id: str) -> Check | None:
        return self._checks.get(check_id)

    @property
    def stage_name(self) -> str:
        return self.current_mode if self.current_mode in STAGE_NAMES else STAGE_NAMES[0]

    # Stages

    def action_stage(self, name: str) -> None:
        if self.sprint_path is None or name == self.current_mode:
            return
        # Imported on first use, like the handover export: both load the keyring, which
        # opening the app does not need.
        from launchtui.tui.screens.credentials import CredentialsScreen

        if isinstance(self.screen, CredentialsScreen):  # a stage key leaves it for the stage
            self.pop_screen()
        self.switch_mode(name)
        self.write("the stage you are on", lambda: store.record_stage(self.sprint_path, name))

    # Credentials

    def action_credentials(self) -> None:
        """Show the sprint's credentials over the stage (not over a dialog, nor twice)."""
        if not self.error and isinstance(self.screen, StageScreen):
            from launchtui.tui.screens.credentials import CredentialsScreen

            self.push_screen(CredentialsScreen())

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        # No sprint open: no stages nor credentials to show, and no footer keys for them.
        return self.sprint_path is not None or action not in ("stage", "credentials")

    # Manual tasks

    def save_task(self, task: Task, **changes: str | bool) -> bool | None:
        """Write a task's changed fields to the sprint file (see write)."""

        def change() -> store.SprintDocument:
            return record_task(
                self.sprint_path, task.stage, task.id, updated_at=now_iso(), **changes
            )

        return self.write(f"the task {task.title!r}", change)

    # Writing the sprint file

    def write(self, what: str, change: Write, saved: str = "") -> bool | None:
        """Make one change to the sprint file: True once written, False if refused (with a
        notice), None while the engineer decides about a file that changed on disk.

        Each change loads the file fresh and saves it at once, so hand edits are merged. But
        when the file no longer holds what the app last read or wrote, the engineer is asked
        first (reload or keep), and nothing is written until they answer.
        """
        self._pending.append((change, saved))
        if len(self._pending) > 1:  # the question is on screen already
            return None
        try:
            changed = store.changed_on_disk(self.document)
        except SprintFileError:
            changed = True
        if changed:
            self.push_screen(ChangedOnDisk(self.document, what), self._answered)
            return None
        return self._flush()

    def _answered(self, choice: str | None) -> None:
        if choice == "keep":
            try:
                copy = store.overwrite(self.document)
            except SprintFileError as exc:
                self._pending.clear()
                self.notify(f"Nothing saved: {exc}", severity="error", markup=False)
                return
            if copy is not None:
                shown = store.display_path(copy)
                self.notify(f"Kept launchtui's version; what was on disk is in {shown}.")
        if choice is None:
            count = len(self._pending)
            self._pending.clear()
            self.notify(
                f"Nothing saved ({count} change{'s' if count > 1 else ''} left unsaved); the app "
                "shows them until you quit, and asks again at the next save.",
                severity="warning",
                timeout=10,
                markup=False,
            )
            return
        self._flush()  # on reload, each change applies to the file as it is now

    def _flush(self) -> bool:
        pending, self._pending = self._pending, []
        written = True
        for change, saved in pending:
            try:
                document = change()
            except SprintFileError as exc:
                self.notify(f"Not saved: {exc}", severity="error", timeout=15, markup=False)
                written = False
                continue
            if saved:
                self.notify(saved, markup=False)
            self._reloaded(document)
        return written

    def action_reload(self) -> None:
        """Show the sprint file as it is on disk now (after a hand edit, say)."""
        try:
            self._reloaded(store.load(self.sprint_path))
        except SprintFileError as exc:
            self.notify(f"Not reloaded: {exc}", severity="error", markup=False)
            return
        self.notify(f"Reloaded {store.display_path(self.sprint_path)}.", markup=False)

    # Handover

    def export_handover(self) -> None:
        """Write the handover checklist next to the sprint file, off the event loop (the
        credential lookups can wait on the keyring)."""
        self.run_worker(self._export(), group="export", exclusive=True, exit_on_error=False)

    async def _export(self) -> None:
        from launchtui.reports.handover_markdown import render_markdown

        path = self.sprint_path
        target = path.with_name(f"{path.stem}-handover.md")

        def write() -> None:
            document = store.load(path)
            store.write_atomic(target, render_markdown(document).encode("utf-8"))

        try:
            await in_daemon_thread(write)
        except (LaunchtuiError, OSError) as exc:
            self.notify(f"Handover not written: {exc}", severity="error", markup=False)
            return
        self.notify(f"Wrote the handover checklist to {store.display_path(target)}.", markup=False)

    # Seed inbox test

    def send_test_emails(self) -> None:
        """Send every template to the seed inboxes and read them back (launchtui email-test),
        off the UI thread: SMTP and IMAP block, and the wait for delivery can take a minute."""
        if self.sprint_path is None:
            return
        self.notify(
            "Sending test messages to the seed inboxes; the log shows when they arrive "
            f"(up to {EMAIL_TEST_WAIT:g} s).",
            markup=False,
        )
        self.run_worker(self._email_test(), group="email-test", exclusive=True, exit_on_error=False)

    async def _email_test(self) -> None:
        from launchtui.email import delivery
        from launchtui.email.templates import TEMPLATE_NAMES
        from launchtui.reports.delivery_text import render_text
        from launchtui.sprint.email_log import record_email_tests

        sprint, path = self.document.sprint, self.sprint_path
        try:
            report = await in_daemon_thread(
                lambda: delivery.run(sprint, list(TEMPLATE_NAMES), timeout=EMAIL_TEST_WAIT)
            )
        except Exception as exc:  # a config or credential problem, said in one line
            self.notify(f"Test sends not made: {exc}", severity="error", markup=False)
            return
        self.push_screen(DeliveryLog("Seed inbox test", render_text(report)))
        self.write(
            "the delivery test log",
            lambda: record_email_tests(path, report),
            saved=f"Saved the delivery test log to {path.name}.",
        )

    # Running checks

    def run_stage(self, stage: str) -> None:
        checks = checks_for_stages([stage])
        self.run_worker(self._run(checks), group=f"run:{stage}", exclusive=True, name=stage)

    def run_current_stage(self) -> None:
        self.run_stage(self.stage_name)

    def run_all(self) -> None:
        self.run_worker(self._run(all_checks()), group="run:all", exclusive=True, name="all")

    def run_one(self, check_id: str, target: str) -> None:
        check = self.check(check_id)
        if check is not None:
            group = f"one:{check_id}:{target}"
            self.run_worker(self._run_one(check, target), group=group, exclusive=True)

    async def _run(self, checks: list[Check]) -> None:
        sprint = self.document.sprint
        keys = {(c.id, t) for c in checks for t in c.targets(sprint)}
        if not keys:
            self.notify("Nothing to run in this stage yet.")
            return
        self._mark_running(keys)
        try:
            async with NetworkContext.create(sprint.network, None, sprint) as ctx:
                results = await run_checks(checks, sprint, ctx, on_result=self._arrived)
        except Exception as exc:  # a broken [network] setting must not take the app down
            self.notify(f"The run stopped: {exc}", severity="error", markup=False)
            return
        finally:
            self._mark_running(keys, running=False)
        self._save(results)

    async def _run_one(self, check: Check, target: str) -> None:
        sprint = self.document.sprint
        self._mark_running({(check.id, target)})
        try:
            async with NetworkContext.create(sprint.network, None, sprint) as ctx:
                result = await run_one(check, target, ctx)
        except Exception as exc:
            self.notify(f"The run stopped: {exc}", severity="error", markup=False)
            return
        finally:
            self._mark_running({(check.id, target)}, running=False)
        self._arrived(result)
        self._save([result])

    def _mark_running(self, keys: set[Key], *, running: bool = True) -> None:
        if running:
            self.running |= keys
        else:
            self.running -= keys
        self._show(keys)

    def _arrived(self, result: Result) -> None:
        key = (result.id, result.target)
        self.results[key] = as_stored(result, self.results.get(key))
        self.running.discard(key)
        self._show({key})

    def _save(self, results: list[Result]) -> None:
        run_at = now_iso()
        count = f"{len(results)} result{'s' if len(results) > 1 else ''}"
        self.write(
            count,
            lambda: store.record_results(self.sprint_path, results, run_at),
            saved=f"Saved {count} to {self.sprint_path.name}.",
        )

    def _reloaded(self, document: store.SprintDocument) -> None:
        """Show a loaded document: what a save wrote, hand edits made meanwhile included."""
        self.document = document
        self._plans.clear()  # a hand edit may have changed the hostnames
        self.results = store.saved_results(document)
        self.task_states = saved_tasks(document)
        for screen in self._mounted_screens():
            screen.rebuild()

    def _show(self, keys: set[Key]) -> None:
        for screen in self._mounted_screens():
            screen.show_results(keys)

    def _mounted_screens(self) -> Iterable[StageScreen]:
        return (screen for screen in self._screens.values() if screen.is_mounted)


def run(sprint_path: str | Path | None) -> int:
    """Open the app on a sprint file, or on the opener without one; a file that cannot be
    opened is one line on stderr."""
    app = LaunchApp(sprint_path)
    if app.error:
        print(f"launchtui: {app.error}", file=sys.stderr)
        return 2
    app.run()
    return 0
