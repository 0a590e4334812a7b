"""The sprint session without Textual: what the app drives, tested on its own against the lab."""

from __future__ import annotations

import asyncio
import socket
import time
from pathlib import Path
from typing import Any

import pytest
import tomlkit
from lab_fixtures import ZONE

from launchtui.checks.registry import checks_for_stages
from launchtui.model.targets import Target
from launchtui.model.tasks import tasks_for
from launchtui.plan import Key
from launchtui.session import Answer, Level, SprintSession
from launchtui.sprint import store
from launchtui.sprint.tasks_store import saved_tasks

pytest_plugins = ["lab_fixtures"]

FAILING = ("tls.certificate", f"community.{ZONE}")
PASSING = ("tls.certificate", f"www.{ZONE}")


class Recorder:
    """A Listener that keeps what it is told, and answers the disk question when told to."""

    def __init__(self) -> None:
        self.changed: list[set[Key]] = []
        self.reloads = 0
        self.task_changes = 0
        self.notices: list[tuple[str, Level]] = []
        self.asked: list[str] = []
        self.asked_unreachable: list[str] = []

    def results_changed(self, keys: set[Key]) -> None:
        self.changed.append(set(keys))

    def reloaded(self) -> None:
        self.reloads += 1

    def tasks_changed(self) -> None:
        self.task_changes += 1

    def notice(self, text: str, level: Level = "information", timeout: float = 5) -> None:
        self.notices.append((text, level))

    def ask_changed_on_disk(self, document: store.SprintDocument, what: str) -> None:
        self.asked.append(what)

    def ask_save_unreachable(self, what: str) -> None:
        self.asked_unreachable.append(what)


@pytest.fixture
def sprint_file(lab: Any, tmp_path: Path) -> Path:
    path = lab.write_sprint(tmp_path / "lab.toml")
    doc = tomlkit.parse(path.read_text())
    doc["site"]["hostnames"] = [f"www.{ZONE}", f"community.{ZONE}"]
    path.write_text(tomlkit.dumps(doc))
    return path


def hand_edit(path: Path) -> None:
    path.write_text(path.read_text().replace('client = "Harbor Club"', 'client = "Harbour"'))


def test_a_run_reports_each_result_as_it_arrives_and_saves_once_at_the_end(sprint_file):
    told = Recorder()
    session = SprintSession.open(sprint_file, told)
    checks = [c for c in checks_for_stages(["edge"]) if c.id == "tls.certificate"]
    asyncio.run(session.run(checks))
    keys = {("tls.certificate", host) for host in (ZONE, f"www.{ZONE}", f"community.{ZONE}")}
    assert told.changed[0] == keys  # marked running first
    assert {key for change in told.changed[1:-1] for key in change} == keys  # one by one
    assert session.running == set()
    assert session.results[FAILING].status == "fail"
    assert session.results[PASSING].status == "pass"
    saved = store.saved_results(store.load(sprint_file))
    assert saved[FAILING].status == "fail"
    assert told.notices[-1] == ("Saved 3 results to lab.toml.", "information")
    assert told.reloads == 1  # the run is over: views put their rows in order again
    passing, total = session.progress()["edge"]
    assert total == len(session.plan("edge")) + len(tasks_for("edge")) and passing >= 1

    asyncio.run(
        session.run_one(checks[0], Target.for_host(FAILING[1]))
    )  # the saved fail becomes previous
    previous = session.results[FAILING].previous
    assert previous is not None and previous.status == "fail"


def test_a_stage_without_checks_runs_nothing(sprint_file):
    told = Recorder()
    session = SprintSession.open(sprint_file, told)
    # handover: performance and then monitoring gained checks
    asyncio.run(session.run(checks_for_stages(["handover"])))
    assert told.notices == [("Nothing to run in this stage yet.", "information")]
    assert not store.saved_results(store.load(sprint_file))


def test_a_task_saves_at_once_and_shows_in_the_session(sprint_file):
    told = Recorder()
    session = SprintSession.open(sprint_file, told)
    task = tasks_for("deploy")[0]
    assert session.save_task(task, done=True, owner="Ana") is True
    assert session.task_states[(task.stage, task.id)].owner == "Ana"
    state = saved_tasks(store.load(sprint_file))[(task.stage, task.id)]
    assert state.done and state.owner == "Ana"
    # Changed in memory and saved: only the task list is redrawn, nothing is reloaded.
    assert told.task_changes == 1 and told.reloads == 0 and told.asked == []


@pytest.mark.parametrize("answer", ["reload", "keep", None])
def test_a_file_changed_on_disk_waits_for_the_answer(sprint_file, answer: Answer):
    told = Recorder()
    session = SprintSession.open(sprint_file, told)
    task = tasks_for("deploy")[0]
    hand_edit(sprint_file)
    edited = sprint_file.read_bytes()
    assert session.save_task(task, done=True) is None
    assert session.record_stage("deploy") is None  # queued behind the same question
    assert told.asked == [f"the task {task.title!r}"]
    assert sprint_file.read_bytes() == edited  # nothing written while the question is open

    session.answer(answer)
    document = store.load(sprint_file)
    replaced = sprint_file.with_name("lab.toml.replaced")
    if answer is None:
        assert sprint_file.read_bytes() == edited
        assert told.notices[-1][1] == "warning" and "2 changes left unsaved" in told.notices[-1][0]
        return
    assert saved_tasks(document)[(task.stage, task.id)].done
    assert store.saved_stage(document) == "deploy"
    if answer == "reload":
        assert document.sprint.client == "Harbour" and not replaced.exists()
    else:
        assert document.sprint.client == "Harbor Club"
        assert b'client = "Harbour"' in replaced.read_bytes()


def test_reload_of_a_broken_file_says_why_and_keeps_what_was_shown(sprint_file):
    told = Recorder()
    session = SprintSession.open(sprint_file, told)
    sprint_file.write_text("[sprint\n")
    session.reload()
    text, level = told.notices[-1]
    assert level == "error" and text.startswith("Not reloaded: ")
    assert session.document.sprint.site.apex == ZONE


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _lab_gone(path: Path) -> None:
    """As if the lab had stopped: its DNS and HTTPS addresses refuse connections."""
    doc = tomlkit.parse(path.read_text())
    closed = f"127.0.0.1:{_closed_port()}"
    for name in list(doc["network"]["connect_to"]):
        doc["network"]["connect_to"][name] = closed
    doc["network"]["nameservers"] = [closed]
    doc["lab"]["dns"] = closed
    path.write_text(tomlkit.dumps(doc))


def test_the_labs_sprint_says_how_to_start_the_lab_when_it_does_not_answer(sprint_file):
    session = SprintSession.open(sprint_file, Recorder())
    assert session.document.sprint.lab_dns is not None  # the lab marked its sprint
    assert session.lab_problem() is None  # the lab answers
    _lab_gone(sprint_file)
    session.reload()
    started = time.monotonic()
    problem = session.lab_problem()
    assert time.monotonic() - started < 1.0  # a fast probe
    assert problem is not None
    assert "connection refused" in problem
    assert f"`launchtui demo --sprint {store.display_path(sprint_file)}`" in problem
    assert "`./dev demo" in problem


def test_a_sprint_not_written_by_the_lab_is_not_probed(sprint_file):
    doc = tomlkit.parse(sprint_file.read_text())
    del doc["lab"]
    sprint_file.write_text(tomlkit.dumps(doc))
    assert SprintSession.open(sprint_file, Recorder()).lab_problem() is None


@pytest.mark.parametrize("save", [False, True])
def test_a_run_of_connection_errors_is_not_saved_over_results_without_asking(sprint_file, save):
    told = Recorder()
    session = SprintSession.open(sprint_file, told)
    checks = [c for c in checks_for_stages(["edge"]) if c.id == "tls.certificate"]
    asyncio.run(session.run(checks))
    assert told.asked_unreachable == []
    before = store.saved_results(store.load(sprint_file))
    assert before[FAILING].status == "fail" and before[PASSING].status == "pass"

    _lab_gone(sprint_file)
    session.reload()
    asyncio.run(session.run(checks))
    assert session.results[PASSING].status == "error"  # shown while the question is open
    assert told.asked_unreachable == ["3 results"]
    on_disk = store.saved_results(store.load(sprint_file))
    assert on_disk[PASSING].status == "pass"  # nothing saved while asked

    session.answer_unreachable(save)
    saved = store.saved_results(store.load(sprint_file))
    if save:
        assert saved[PASSING].status == "error"
        assert "refused" in saved[PASSING].summary
    else:
        assert saved[PASSING].status == "pass" and saved[FAILING].status == "fail"
        assert session.results[PASSING].status == "pass"  # the old results are shown again
        assert "were not saved" in told.notices[-1][0]


def test_connection_errors_over_errors_are_saved_without_asking(sprint_file):
    _lab_gone(sprint_file)
    told = Recorder()
    session = SprintSession.open(sprint_file, told)
    checks = [c for c in checks_for_stages(["edge"]) if c.id == "tls.certificate"]
    asyncio.run(session.run(checks))  # a first run: nothing to protect
    asyncio.run(session.run(checks))  # errors over errors
    assert told.asked_unreachable == []
    assert store.saved_results(store.load(sprint_file))[PASSING].status == "error"


def test_the_delivery_log_is_offered_as_evidence_of_its_manual_task(sprint_file):
    task = next(t for t in tasks_for("email") if t.id == "test-sends-logged")
    session = SprintSession.open(sprint_file, Recorder())
    assert session.tool_evidence(task) is None  # no test sends yet
    other = next(t for t in tasks_for("email") if t.id != "test-sends-logged")
    with sprint_file.open("a") as file:
        file.write(
            '\n[[email_tests]]\nat = "2026-12-01T09:30:00Z"\ntemplate = "welcome"\n'
            'inbox = "ana@seedmail.test"\nstatus = "inbox"\n'
        )
    session.reload()
    evidence = session.tool_evidence(task)
    assert evidence is not None
    assert evidence.startswith("delivery log at ") and "1 test message, " in evidence
    assert session.tool_evidence(other) is None
    assert session.save_task(task, done=True) is True
    state = saved_tasks(store.load(sprint_file))[("email", "test-sends-logged")]
    assert state.done and state.evidence == evidence  # the tool's evidence, recorded


def test_what_deploy_repo_found_is_offered_as_evidence_of_the_deploy_steps_task(sprint_file):
    task = next(t for t in tasks_for("deploy") if t.id == "deploy-steps-documented")
    session = SprintSession.open(sprint_file, Recorder())
    assert session.tool_evidence(task) is None  # deploy.repo has not run yet
    asyncio.run(session.run([c for c in checks_for_stages(["deploy"]) if c.id == "deploy.repo"]))
    evidence = session.tool_evidence(task)
    assert evidence is not None, session.results
    repo = sprint_file.parent / "harborclub-app"
    assert evidence.startswith(
        f"deploy.repo found in {repo.resolve()}: Procfile, README.md: section 'Deploying'; "
        "lockfile package-lock.json (checked 20"
    )
    assert session.save_task(task, done=True) is True
    state = saved_tasks(store.load(sprint_file))[("deploy", "deploy-steps-documented")]
    assert state.done and state.evidence == evidence


def test_the_sender_rules_are_offered_as_evidence_that_sender_names_match(sprint_file):
    task = next(t for t in tasks_for("email") if t.id == "sender-names-match-domain")
    session = SprintSession.open(sprint_file, Recorder())
    entry = (
        '\n[[email_tests]]\nat = "2026-12-01T09:30:00Z"\ntemplate = "{template}"\n'
        'inbox = "ana@seedmail.test"\nstatus = "inbox"\nsender_rules = {{from = "{status}"}}\n'
    )
    with sprint_file.open("a") as file:
        file.write(entry.format(template="welcome", status="pass"))
        file.write(entry.format(template="invite", status="warn"))
    session.reload()
    assert session.tool_evidence(task) is None  # the invite's From name is not [email].from's
    with sprint_file.open("a") as file:
        file.write(entry.format(template="invite", status="pass").replace("09:30", "10:30"))
    session.reload()
    assert session.tool_evidence(task) == (
        "the delivery log's sender rules: From matches [email].from for welcome, invite"
    )
