"""The sprint session without Textual: what the app drives, tested on its own against the lab."""

from __future__ import annotations

import asyncio
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
    asyncio.run(session.run(checks_for_stages(["deploy"])))
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
