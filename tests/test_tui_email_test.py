"""The seed inbox test from the email stage: sent through the lab relay, read back over IMAP
from Dovecot, shown, and logged in the sprint file without a password."""

from __future__ import annotations

from textual.widgets import DataTable, Static
from tui_helpers import NoticedApp, notifications, sync, wait_until

from launchtui.email.delivery_log import saved_email_tests
from launchtui.sprint import store
from launchtui.sprint.tasks_store import saved_tasks
from launchtui.tui.screens.delivery_log import DeliveryLog
from launchtui.tui.screens.stage import StageScreen

pytest_plugins = ["mail_fixtures"]

SIZE = (100, 30)


@sync
async def test_test_sends_from_the_email_stage_are_shown_and_logged(mail_sprint, lab_credentials):
    app = NoticedApp(mail_sprint)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("5")
        await pilot.press("t")
        await wait_until(lambda: isinstance(app.screen, DeliveryLog), pilot)
        text = str(app.screen.query_one("#delivery-text", Static).content)
        assert "welcome -> ana@seedmail.test: INBOX" in text
        assert "ben@strictmail.test: SPAM" in text  # the strict inbox: no DMARC record
        assert "dkim=pass" in text
        await wait_until(lambda: any("delivery test log" in m for m in notifications(app)), pilot)
        offer = [m for m in notifications(app) if "'Test sends logged': evidence:" in m]
        assert offer and "delivery log at" in offer[0] and "press x to mark it done" in offer[0]
        await pilot.press("escape")
        assert isinstance(app.screen, StageScreen)
        # The task's detail offers the log as its evidence; x ticks it and records it.
        tasks = app.screen.query_one("#tasks", DataTable)
        tasks.focus()
        tasks.move_cursor(row=0)
        await pilot.pause()
        assert "evidence: delivery log at" in str(app.screen.query_one("#detail-text").content)
        assert "press x to mark done" in str(app.screen.query_one("#detail-text").content)
        await pilot.press("x")
        await pilot.pause()
    state = saved_tasks(store.load(mail_sprint))[("email", "test-sends-logged")]
    assert state.done and state.evidence.startswith("delivery log at")
    entries = saved_email_tests(store.load(mail_sprint))
    assert entries, "the delivery test log is saved in the sprint file"
    saved = mail_sprint.read_text()
    for value in lab_credentials.values():
        assert value not in saved


@sync
async def test_test_sends_belong_to_the_email_stage(mail_sprint):
    app = NoticedApp(mail_sprint)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("2", "t")
        await pilot.pause()
        assert not [w for w in app.workers if w.group == "email-test"]  # not outside email
        assert not any("Sending test messages" in m for m in notifications(app))


@sync
async def test_a_missing_credential_is_named(mail_sprint, monkeypatch, private_keyring):
    monkeypatch.delenv("LAUNCHTUI_CRED_SMTP_PASSWORD")
    app = NoticedApp(mail_sprint)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("5", "t")
        await wait_until(lambda: bool(notifications(app, "error")), pilot)
        assert "smtp_password" in notifications(app, "error")[0]
        assert isinstance(app.screen, StageScreen)
    assert saved_email_tests(store.load(mail_sprint)) == []
