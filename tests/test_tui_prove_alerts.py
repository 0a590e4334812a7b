"""`p` on the monitoring screen: a test alert through each alert route of the lab sprint (the
relay to the seed inbox over IMAP, the lab's Slack-shaped webhook), the proofs shown on the
dashboard and kept as the task's evidence, without a secret on screen or in the file."""

from __future__ import annotations

from tui_helpers import NoticedApp, notifications, sync, wait_until

from launchtui.sprint import store
from launchtui.sprint.history import History
from launchtui.sprint.tasks_store import saved_tasks
from launchtui.tui.widgets.monitor_board import MonitorBoard

pytest_plugins = ["mail_fixtures"]

SIZE = (100, 30)


def board_text(app: NoticedApp) -> str:
    return str(app.screen.query_one(MonitorBoard).content)


@sync
async def test_p_proves_each_route_and_the_board_shows_it(mail_sprint, lab_credentials, mail_lab):
    app = NoticedApp(mail_sprint)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("6")
        assert "never proven" in board_text(app)
        await pilot.press("p")
        await wait_until(lambda: sum("Alert route" in m for m in notifications(app)) == 2, pilot)
        messages = [m for m in notifications(app) if "Alert route" in m]
        assert any(m.startswith("Alert route email proven") for m in messages), messages
        assert any(m.startswith("Alert route slack proven") for m in messages), messages
        await wait_until(lambda: "never proven" not in board_text(app), pilot)
        assert board_text(app).count("proven 20") == 2
        screen = app.export_screenshot()
        for value in lab_credentials.values():
            assert value not in screen
    assert set(History(mail_sprint).latest_proofs()) == {"email", "slack"}
    state = saved_tasks(store.load(mail_sprint))[("monitoring", "alert-routes-proven")]
    assert state.done and "ok" in state.evidence
    assert mail_lab.chat is not None and mail_lab.chat.received()
    saved = mail_sprint.read_text()
    for value in lab_credentials.values():
        assert value not in saved


@sync
async def test_p_belongs_to_the_monitoring_screen(mail_sprint):
    app = NoticedApp(mail_sprint)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("5", "p")
        await pilot.pause()
        assert not [w for w in app.workers if w.group == "prove-alerts"]
