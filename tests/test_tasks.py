"""Manual tasks: the catalogue, and their state in the sprint file."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
import tomlkit

from launchtui.errors import SprintFileError
from launchtui.model.stages import STAGE_NAMES
from launchtui.model.tasks import all_tasks, find_task, tasks_for
from launchtui.sprint import store
from launchtui.sprint.tasks_store import TaskState, record_task, saved_tasks

FIXTURES = Path(__file__).parent / "sprint_fixtures"
AT = "2026-11-27T22:00:00Z"
LATER = "2026-11-28T08:15:00Z"

HANDOVER = [
    "registrar-settings",
    "cloudflare-access",
    "where-secrets-live",
    "deployment-steps",
    "key-rotation",
    "uptime-alerts-howto",
    "billing-owners",
]

HOSTILE = [
    "\x1b[2J\x1b[31mred\x1b[0m",
    "[bold red]x[/] | pipe `tick` ``` fence *star* _under_ <b>html</b> &amp;",
    "quotes \" and ' and \"\"\" and '''",
    "back\\slash \\n not a newline \\u0041",
    "new\nline",
    '\n leading newline and trailing quote"',
    "trailing backslash\\",
    "nul \x00 del \x7f bell \x07 tab \t",
    "carriage\rreturn and\r\nCRLF",
    "\u2028 line separator, emoji 😀, RTL \u202e",
]


@pytest.fixture
def sprint(tmp_path: Path) -> Path:
    shutil.copy(FIXTURES / "lab-ca.pem", tmp_path / "lab-ca.pem")
    return Path(shutil.copy(FIXTURES / "acme.toml", tmp_path / "acme.toml"))


def test_catalogue_ids_are_unique_and_stages_valid():
    tasks = all_tasks()
    ids = [task.id for task in tasks]
    assert len(ids) == len(set(ids))
    assert all(re.fullmatch(r"[a-z][a-z0-9-]*", task_id) for task_id in ids)
    assert [t.stage for t in tasks] == sorted((t.stage for t in tasks), key=STAGE_NAMES.index)
    assert all(task.title and task.why and task.how for task in tasks)
    assert [t.id for t in tasks_for("handover")] == HANDOVER
    assert {t.stage for t in tasks} == set(STAGE_NAMES)
    assert find_task("deploy", "rollback-tested") is not None
    assert find_task("edge", "rollback-tested") is None


def test_record_task_round_trip_keeps_the_rest_of_the_file(sprint):
    before = sprint.read_text()
    record_task(sprint, "deploy", "rollback-tested", done=True, owner="Sam", updated_at=AT)
    after = sprint.read_text()
    assert after.startswith(before)  # comments, order and spacing of everything else kept
    assert '[tasks.deploy.rollback-tested]\ndone = true\nowner = "Sam"\n' in after
    document = record_task(
        sprint,
        "deploy",
        "rollback-tested",
        note="v41 -> v40 in 3 min\nworkers ok",
        updated_at=LATER,
    )
    state = saved_tasks(store.load(sprint))[("deploy", "rollback-tested")]
    assert state == TaskState(
        done=True, owner="Sam", note="v41 -> v40 in 3 min\nworkers ok", updated_at=LATER
    )
    assert saved_tasks(document) == saved_tasks(store.load(sprint))
    assert 'note = """v41 -> v40 in 3 min\nworkers ok"""' in sprint.read_text()


def test_record_task_keeps_hand_edits_made_meanwhile(sprint):
    record_task(sprint, "handover", "billing-owners", owner="Ana", updated_at=AT)
    stale = store.load(sprint)  # what the app holds
    text = sprint.read_text().replace(
        'owner = "Ana"', 'owner = "Ana"   # finance lead\nteam = "finance"'
    )
    sprint.write_text(text.replace('client = "Acme Co"', 'client = "Acme Cooperative"'))
    record_task(sprint, "handover", "billing-owners", done=True, updated_at=LATER)
    after = sprint.read_text()
    assert '# finance lead\nteam = "finance"' in after
    assert 'client = "Acme Cooperative"' in after
    assert saved_tasks(store.load(sprint))[("handover", "billing-owners")].done is True
    stale.doc["sprint"]["name"] = "Renamed"  # the app's own stale copy is never saved over it
    with pytest.raises(SprintFileError, match="changed on disk"):
        store.save(stale)


@pytest.mark.parametrize("value", HOSTILE)
def test_hostile_text_round_trips_exactly(sprint, value):
    record_task(sprint, "email", "test-sends-logged", note=value, evidence=value, updated_at=AT)
    state = saved_tasks(store.load(sprint))[("email", "test-sends-logged")]
    assert (state.note, state.evidence) == (value, value)


def test_crlf_file_stays_crlf(sprint):
    sprint.write_bytes(sprint.read_bytes().replace(b"\n", b"\r\n"))
    record_task(sprint, "deploy", "deploy-steps-documented", note="a\nb", updated_at=AT)
    data = sprint.read_bytes()
    assert data.count(b"\n") == data.count(b"\r\n")
    assert saved_tasks(store.load(sprint))[("deploy", "deploy-steps-documented")].note == "a\nb"


def test_unknown_ids_refused_unless_already_in_the_file(sprint):
    before = sprint.read_bytes()
    with pytest.raises(SprintFileError, match="no task 'rollback-tsted' in stage deploy"):
        record_task(sprint, "deploy", "rollback-tsted", done=True, updated_at=AT)
    with pytest.raises(SprintFileError, match="unknown stage 'launch'"):
        record_task(sprint, "launch", "rollback-tested", done=True, updated_at=AT)
    assert sprint.read_bytes() == before
    sprint.write_text(sprint.read_text() + '\n[tasks.deploy.cron-backups]\nowner = "Ops"\n')
    record_task(sprint, "deploy", "cron-backups", done=True, updated_at=AT)
    assert saved_tasks(store.load(sprint))[("deploy", "cron-backups")] == TaskState(
        done=True, owner="Ops", updated_at=AT
    )


@pytest.mark.parametrize(
    ("written", "line", "message"),
    [
        (
            '[tasks.deploy.x]\ndone = "yes"',
            2,
            'x.done: expected true or false, got a string ("yes")',
        ),
        ("[tasks.deploy.x]\nowner = 3", 2, "x.owner: expected a string, got a number (3)"),
        ("[tasks.deploy.x]\n\nnote = [1]", 3, "x.note: expected a string, got a list"),
        ("[tasks.deploy.x]\nupdated_at = 2026-11-27", 2, "updated_at: expected a string, got"),
        ("[tasks.deploy]\nrollback-tested = true", 2, "rollback-tested: expected a table"),
        ("[tasks]\ndeploy = 1", 2, "tasks.deploy: expected a table, got a number (1)"),
        ("[tasks.launch.x]\ndone = true", 1, 'tasks.launch: unknown stage "launch"'),
    ],
)
def test_bad_values_are_one_line_errors_naming_the_line(sprint, written, line, message):
    first = sprint.read_text().count("\n") + 2  # after one blank line
    sprint.write_text(sprint.read_text() + "\n" + written + "\n")
    before = sprint.read_bytes()
    with pytest.raises(SprintFileError) as error:
        store.load(sprint)
    text = str(error.value)
    assert "\n" not in text
    assert text.startswith(f"{sprint}:{first + line - 1}: tasks.")
    assert message in text
    with pytest.raises(SprintFileError):
        record_task(sprint, "deploy", "rollback-tested", done=True, updated_at=AT)
    assert sprint.read_bytes() == before


def test_saved_tasks_defaults(sprint):
    sprint.write_text(sprint.read_text() + "\n[tasks.handover.key-rotation]\n")
    assert saved_tasks(store.load(sprint)) == {("handover", "key-rotation"): TaskState()}
    doc = tomlkit.parse(sprint.read_text())
    assert "tasks" in doc
