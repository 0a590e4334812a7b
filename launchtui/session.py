"""SprintSession: one open sprint as the terminal app works on it, without Textual.

It holds what every screen shows (the loaded document, the results by (check id, target), the
checks running, the task states) and does the work behind the keys: running checks, writing the
sprint file, the handover export and the seed inbox test. The app is one view over it: it is
told of changes through a Listener and answers the changed-on-disk question through `answer`.

Every write changes only its own keys and saves at once. It changes the document in memory
while the file holds what the session last read or wrote (a key press never parses the file
again); when the file changed on disk, nothing is written: the listener is asked, and the writes
wait for the answer (reload: apply them to the file as it is now, so hand edits are merged;
keep: write over it, keeping a copy; None: drop them).

A run is saved in full to the run history beside the file and as verdicts in the file
(launchtui.sprint.recorded); a file of the old form moves its results there when it is opened.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from contextlib import AbstractAsyncContextManager
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, Protocol

from launchtui.background import in_daemon_thread
from launchtui.checks.engine import now_iso, run_checks, run_one
from launchtui.checks.registry import Check, all_checks
from launchtui.errors import SprintFileError, UsageError
from launchtui.model.monitoring import AlertProof
from launchtui.model.results import Previous, Result, Status
from launchtui.model.sprint import Sprint
from launchtui.model.stages import STAGE_NAMES
from launchtui.model.targets import Target
from launchtui.model.tasks import Task, tasks_for
from launchtui.plan import Key, PlannedRow, planned_rows, progress
from launchtui.sprint import recorded, store
from launchtui.sprint.history import History, HistoryError, RiskNote
from launchtui.sprint.tasks_store import TaskState, record_task, saved_tasks

if TYPE_CHECKING:
    from launchtui.checks.context import CheckContext
    from launchtui.email.delivery import DeliveryRun
    from launchtui.logs.pipeline import LogsRead

Level = Literal["information", "warning", "error"]
Answer = Literal["reload", "keep"] | None
Write = Callable[[], store.SprintDocument]  # one write: change the current document, save
TEST_SENDS_TASK = ("email", "test-sends-logged")  # the manual task the delivery log proves
# ...and the one its sender rules prove, when every template's From rule is met
SENDER_NAMES_TASK = ("email", "sender-names-match-domain")
PROOF_TASK = ("monitoring", "alert-routes-proven")  # the task alert-route proofs fill in
DEPLOY_DOCS_TASK = ("deploy", "deploy-steps-documented")  # what deploy.repo found documents it
EMAIL_TEST_WAIT = 60.0  # seconds to wait for the test messages in the seed inboxes


class Listener(Protocol):
    """What a view of the session is told."""

    def results_changed(self, keys: set[Key]) -> None:
        """These rows changed: a result arrived, or a check started or stopped running."""

    def reloaded(self) -> None:
        """The document was loaded again: everything may have changed."""

    def tasks_changed(self) -> None:
        """A write of the session's own changed the task states (nothing else changed)."""

    def notice(self, text: str, level: Level = "information", timeout: float = 5) -> None:
        """Tell the engineer something; `text` is shown literally."""

    def ask_changed_on_disk(self, document: store.SprintDocument, what: str) -> None:
        """The file changed on disk since it was read: ask, then call SprintSession.answer."""

    def ask_save_unreachable(self, what: str) -> None:
        """A run gave nothing but connection errors (refused, timeout) where earlier results
        were not errors: ask whether to save it over them, then call
        SprintSession.answer_unreachable (True: save anyway; False: keep the old results)."""


class SprintSession:
    def __init__(self, document: store.SprintDocument, listener: Listener) -> None:
        self.listener = listener
        self.document = document
        self.results: dict[Key, Result] = {}
        self.task_states: dict[tuple[str, str], TaskState] = {}
        self.running: set[Key] = set()
        self.history_problem: str | None = None  # why the run history cannot be used, if so
        self._checks = {check.id: check for check in all_checks()}
        self._plans: dict[str, list[PlannedRow]] = {}
        self._pending: list[tuple[Write, str]] = []  # writes waiting for an answer
        self._held: list[Result] | None = None  # a run of connection errors, while asked
        self._take(document)

    @classmethod
    def open(cls, path: Path, listener: Listener) -> SprintSession:
        """Load a sprint file, moving old-form results into the run history; SprintFileError
        says why it cannot be opened."""
        document = store.load(path)
        problem = recorded.open_migrated(document)
        session = cls(document, listener)
        session.history_problem = problem or session.history_problem
        return session

    @property
    def path(self) -> Path:
        return self.document.path

    # What the views read

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

    def trend(self, key: Key) -> list[tuple[str, float]]:
        """The check's trend figure (Check.trend: a flow's p95, say) over this row's runs,
        oldest first, from the run history; empty without one or without a usable history."""
        check = self._checks.get(key[0])
        if check is None or not check.trend:
            return []
        try:
            return History(self.path).series(key[0], key[1], check.trend)
        except HistoryError:
            return []

    def alert_proofs(self) -> dict[str, AlertProof]:
        """The latest `monitor prove` result of each alert route, by route, from the run
        history; empty without one or without a usable history."""
        try:
            return History(self.path).latest_proofs()
        except HistoryError:
            return {}

    def risk_notes(self, limit: int = 30) -> list[RiskNote]:
        """The daily risk notes kept in the run history (launchtui logs, or l on the
        monitoring screen), oldest first; empty without a usable history."""
        try:
            return History(self.path).risk_notes(limit=limit)
        except HistoryError:
            return []

    async def read_logs(self) -> LogsRead:
        """Read the sprint's [logs] files into daily risk notes kept in the run history, in a
        daemon thread (a week of logs takes a few seconds). Raises UsageError without [logs]
        or files, HistoryError when the notes cannot be kept."""
        from launchtui.logs.pipeline import read_sprint_logs

        sprint, path = self.document.sprint, self.path
        return await in_daemon_thread(lambda: read_sprint_logs(sprint, path))

    @property
    def busy(self) -> bool:
        """Checks are running, or a run's save waits for an answer (connection errors only,
        or the file changed on disk)."""
        return bool(self.running) or self._held is not None or bool(self._pending)

    def saved_stage(self) -> str:
        stage = store.saved_stage(self.document)
        return stage if stage in STAGE_NAMES else STAGE_NAMES[0]

    # Writing the sprint file

    def record_stage(self, name: str) -> bool | None:
        return self.write("the stage you are on", lambda: store.record_stage(self._current(), name))

    def tool_evidence(self, task: Task) -> str | None:
        """Evidence a launchtui tool produced for a manual task, where one does: the delivery
        test log (the seed inbox test) for "Test sends logged"; what the latest deploy.repo
        result found documenting the deploy for "Deploy steps documented"; the From rule of
        the latest judged test sends for "Sender names match the domain"."""
        if (task.stage, task.id) == DEPLOY_DOCS_TASK:
            return self._deploy_docs_evidence()
        if (task.stage, task.id) not in (TEST_SENDS_TASK, SENDER_NAMES_TASK):
            return None
        from launchtui.email.delivery_log import saved_email_tests

        entries = saved_email_tests(self.document)
        if not entries:
            return None
        if (task.stage, task.id) == SENDER_NAMES_TASK:
            return _sender_names_evidence(entries)
        count = f"{len(entries)} test message{'s' if len(entries) > 1 else ''}"
        return (
            f"delivery log at {store.display_path(self.path)} [[email_tests]] ({count}, "
            f"last sent {entries[-1]['at'] or 'at an unknown time'})"
        )

    def _deploy_docs_evidence(self) -> str | None:
        """The deploy files and sections the latest deploy.repo result found, or None (no
        result, or one that found none or could not read the repository)."""
        found = [r for (check_id, _), r in self.results.items() if check_id == "deploy.repo"]
        if not found:
            return None
        latest = max(found, key=lambda result: result.checked_at)
        docs = latest.evidence.get("deploy_docs")
        if latest.status in (Status.ERROR, Status.SKIP) or not docs:
            return None
        where = latest.evidence.get("path", "[deploy].repo")
        text = f"deploy.repo found in {where}: {', '.join(str(doc) for doc in docs)}"
        if locks := latest.evidence.get("lockfiles"):
            text += f"; lockfile {', '.join(str(lock) for lock in locks)}"
        return f"{text} (checked {latest.checked_at or 'at an unknown time'})"

    def save_task(self, task: Task, **changes: str | bool) -> bool | None:
        """Write a task's changed fields (done, owner, note, evidence); see write. A task ticked
        done with no evidence of its own records the evidence a tool produced for it."""
        state = self.task_states.get((task.stage, task.id))
        if changes.get("done") is True and "evidence" not in changes:
            produced = self.tool_evidence(task)
            if produced and not (state is not None and state.evidence):
                changes["evidence"] = produced
        done = changes.pop("done", None)
        texts = {name: str(value) for name, value in changes.items()}

        def change() -> store.SprintDocument:
            return record_task(
                self._current(),
                task.stage,
                task.id,
                done=None if done is None else bool(done),
                updated_at=now_iso(),
                **texts,
            )

        return self.write(f"the task {task.title!r}", change)

    def write(self, what: str, change: Write, saved: str = "") -> bool | None:
        """Make one change to the sprint file: True once written, False if refused (with a
        notice), None while the engineer decides about a file that changed on disk."""
        self._pending.append((change, saved))
        if len(self._pending) > 1:  # the question is being asked already
            return None
        try:
            changed = store.changed_on_disk(self.document)
        except SprintFileError:
            changed = True
        if changed:
            self.listener.ask_changed_on_disk(self.document, what)
            return None
        return self._write_pending()

    def answer(self, choice: Answer) -> None:
        """The engineer's answer about the file that changed on disk."""
        if choice == "keep":
            try:
                copy = store.overwrite(self.document)
            except SprintFileError as exc:
                self._pending.clear()
                self.listener.notice(f"Nothing saved: {exc}", "error")
                return
            if copy is not None:
                shown = store.display_path(copy)
                self.listener.notice(f"Kept launchtui's version; what was on disk is in {shown}.")
        if choice is None:
            count = len(self._pending)
            self._pending.clear()
            self.listener.notice(
                f"Nothing saved ({count} change{'s' if count > 1 else ''} left unsaved); the app "
                "shows them until you quit, and asks again at the next save.",
                "warning",
                timeout=10,
            )
            return
        self._write_pending()  # on reload, each change applies to the file as it is now

    def _current(self) -> store.SprintDocument:
        """The document a write changes: the one in memory, or when the file changed on disk
        since (the engineer chose to reload), the file as it is now."""
        if store.changed_on_disk(self.document):
            return store.load(self.path)
        return self.document

    def _write_pending(self) -> bool:
        pending, self._pending = self._pending, []
        written = True
        for change, saved in pending:
            try:
                document = change()
            except SprintFileError as exc:
                self.listener.notice(f"Not saved: {exc}", "error", timeout=15)
                written = False
                self._drop_unsaved()
                continue
            if saved:
                self.listener.notice(saved)
            if document is self.document:  # changed in memory: the results shown are current
                states = saved_tasks(document)
                if states != self.task_states:
                    self.task_states = states
                    self.listener.tasks_changed()
            else:
                self._reloaded(document)
        return written

    def _drop_unsaved(self) -> None:
        """After a refused write, forget its change to the document in memory (the file as it
        is on disk is the truth)."""
        try:
            self.document = store.load(self.path)
        except SprintFileError:
            return  # the next write asks about the file again

    def reload(self) -> None:
        """Show the sprint file as it is on disk now (after a hand edit, say)."""
        try:
            self._reloaded(store.load(self.path))
        except SprintFileError as exc:
            self.listener.notice(f"Not reloaded: {exc}", "error")
            return
        self.listener.notice(f"Reloaded {store.display_path(self.path)}.")

    # Running checks

    async def run(self, checks: list[Check]) -> None:
        """Run checks, showing each result as it arrives; the whole run is saved at the end
        (a run stopped half-way saves nothing)."""
        sprint = self.document.sprint
        keys = {(c.id, t.text) for c in checks for t in c.targets(sprint)}
        if not keys:
            self.listener.notice("Nothing to run in this stage yet.")
            return
        self._mark_running(keys)
        try:
            async with _context(sprint) as ctx:
                results = await run_checks(checks, ctx, on_result=self._arrived)
        except Exception as exc:  # a broken [network] setting must not take the app down
            self.listener.notice(f"The run stopped: {exc}", "error")
            return
        finally:
            self._mark_running(keys, running=False)
        self._save(results)

    async def run_one(self, check: Check, target: Target) -> None:
        sprint = self.document.sprint
        key = (check.id, target.text)
        self._mark_running({key})
        try:
            async with _context(sprint) as ctx:
                result = await run_one(check, target, ctx)
        except Exception as exc:
            self.listener.notice(f"The run stopped: {exc}", "error")
            return
        finally:
            self._mark_running({key}, running=False)
        self._arrived(result)
        self._save([result])

    def _mark_running(self, keys: set[Key], *, running: bool = True) -> None:
        if running:
            self.running |= keys
        else:
            self.running -= keys
        self.listener.results_changed(keys)

    def _arrived(self, result: Result) -> None:
        key = (result.id, result.target)
        earlier = self.results.get(key)
        previous = None if earlier is None else Previous.of(earlier)
        self.results[key] = replace(result, previous=previous)
        self.running.discard(key)
        self.listener.results_changed({key})

    def _save(self, results: list[Result]) -> None:
        if self._held is None and self._only_unreachable(results):
            self._held = results
            count = f"{len(results)} result{'s' if len(results) > 1 else ''}"
            self.listener.ask_save_unreachable(count)
            return
        self._save_now(results)

    def _only_unreachable(self, results: list[Result]) -> bool:
        """Every judged result of the run is a connection error, and some result it replaces
        was not an error: saving would hide good results behind "the server was not there"."""
        judged = [r for r in results if r.status not in (Status.SKIP, Status.MANUAL)]
        if not judged or not all(connection_error(r) for r in judged):
            return False
        replaced = [self.results.get((r.id, r.target)) for r in judged]
        return any(
            shown is not None
            and shown.previous is not None
            and shown.previous.status is not Status.ERROR
            for shown in replaced
        )

    def answer_unreachable(self, save: bool) -> None:
        """The engineer's answer about a run of connection errors: save it, or keep the
        results saved before it (shown again in its place)."""
        results, self._held = self._held, None
        if results is None:
            return
        if save:
            self._save_now(results)
            return
        self.results, self.history_problem = recorded.latest_results(self.document)
        self.listener.reloaded()
        self.listener.notice(
            f"Kept the earlier results; the run's {len(results)} connection errors were not saved.",
            timeout=10,
        )

    def lab_problem(self) -> str | None:
        """When the sprint is the lab's ([lab].dns) and the lab does not answer: what to say,
        with how to start it. Blocks for a fraction of a second (a TCP connection on loopback):
        call it off the UI thread."""
        from launchtui.net.probe import lab_down

        down = lab_down(self.document.sprint)
        if down is None:
            return None
        shown = store.display_path(self.path)
        return (
            f"The lab this sprint was written for is not running (its DNS server at {down}), "
            "so every check would fail to connect. Start it: quit and "
            f"run `launchtui demo --sprint {shown}` (from a checkout: `./dev demo --sprint "
            f"{shown}`), or run `launchtui lab --sprint {shown}` in another terminal, then "
            "run the checks again."
        )

    def _save_now(self, results: list[Result]) -> None:
        run_at = now_iso()
        count = f"{len(results)} result{'s' if len(results) > 1 else ''}"

        def change() -> store.SprintDocument:
            document, problem = recorded.record_run(self._current(), results, run_at)
            if problem is not None:
                self.listener.notice(
                    f"Saved the verdicts only; the run history: {problem}", "warning", timeout=15
                )
            return document

        if self.write(count, change, saved=f"Saved {count} to {self.path.name}."):
            self.listener.reloaded()  # the run is over: the views may put rows in order again

    # Handover and the seed inbox test: blocking work (keyring, SMTP, IMAP) in daemon threads,
    # so that an unanswering keyring never keeps the app from exiting.

    async def export_handover(self) -> Path:
        """Write the handover checklist next to the sprint file; returns where.
        Raises LaunchtuiError or OSError."""
        from launchtui.reports.handover_markdown import render_markdown

        path = self.path
        target = path.with_name(f"{path.stem}-handover.md")

        def write() -> None:
            document = store.load(path)
            store.write_atomic(target, render_markdown(document).encode("utf-8"))

        await in_daemon_thread(write)
        return target

    async def email_test(self) -> DeliveryRun:
        """Send every template to the seed inboxes and read them back (launchtui email-test).
        Raises on a configuration or credential problem."""
        from launchtui.email import delivery
        from launchtui.email.templates import TEMPLATE_NAMES

        sprint = self.document.sprint
        return await in_daemon_thread(
            lambda: delivery.run(sprint, list(TEMPLATE_NAMES), timeout=EMAIL_TEST_WAIT)
        )

    async def prove_alert_routes(self) -> list[AlertProof]:
        """A test alert through each alert route [monitoring] declares, confirmed where it
        lands (launchtui monitor prove), stored in the run history and as the evidence of
        the "alert routes proven" task. Raises UsageError when no route is declared."""
        from launchtui.monitoring import routes

        sprint = self.document.sprint
        declared = routes.declared_routes(sprint.monitoring)
        if not declared:
            raise UsageError(
                "[monitoring] declares no alert route: set alert_email or slack_webhook"
            )
        proofs = await in_daemon_thread(lambda: routes.prove(sprint, declared))
        evidence, done = routes.store_proofs(self.path, proofs, declared)
        task = next(t for t in tasks_for(PROOF_TASK[0]) if t.id == PROOF_TASK[1])
        self.save_task(task, done=done, evidence=evidence)
        return proofs

    def save_email_log(self, report: DeliveryRun) -> bool | None:
        from launchtui.email.delivery_log import record_email_tests

        written = self.write(
            "the delivery test log",
            lambda: record_email_tests(self._current(), report),
            saved=f"Saved the delivery test log to {self.path.name}.",
        )
        if written:
            self._offer_tool_evidence()
        return written

    def _offer_tool_evidence(self) -> None:
        """Say that the test sends task now has its evidence, and how to tick it."""
        task = next(t for t in tasks_for(TEST_SENDS_TASK[0]) if t.id == TEST_SENDS_TASK[1])
        state = self.task_states.get(TEST_SENDS_TASK)
        evidence = self.tool_evidence(task)
        if evidence is None or (state is not None and state.done):
            return
        self.listener.notice(
            f"{task.title!r}: evidence: {evidence}; select the task and press x to mark it done.",
            timeout=15,
        )

    def _reloaded(self, document: store.SprintDocument) -> None:
        self._take(document)
        self.listener.reloaded()

    def _take(self, document: store.SprintDocument) -> None:
        self.document = document
        self._plans.clear()  # a hand edit may have changed the hostnames
        self.results, self.history_problem = recorded.latest_results(document)
        self.task_states = saved_tasks(document)


_CONNECTION_ERROR = re.compile(
    r"refused|timed out|timeout|cannot connect|connect call failed|no answer|no result within"
    r"|unreachable|network is down|no route to host",
    re.IGNORECASE,
)


def connection_error(result: Result) -> bool:
    """An `error` result because the other side was not there: refused, or no answer in time."""
    return result.status is Status.ERROR and _CONNECTION_ERROR.search(result.summary) is not None


def _context(sprint: Sprint) -> AbstractAsyncContextManager[CheckContext]:
    """A run's check context. Imported here: the network stack (dnspython, httpx,
    cryptography) loads when a check first runs, not when the app opens."""
    from launchtui.checks.context import check_context

    return check_context(sprint)


def _sender_names_evidence(entries: list[dict[str, Any]]) -> str | None:
    """What the delivery log shows of the From of every template's latest judged test, when
    each meets the From rule (the name [email].from gives, an address on the mail domain)."""
    from launchtui.email.sender_rules import PASS, latest_judged

    judged = latest_judged(entries)[0]
    if not judged or any(t.rules["from"] != PASS for t in judged):
        return None
    names = ", ".join(t.template for t in judged)
    return f"the delivery log's sender rules: From matches [email].from for {names}"
