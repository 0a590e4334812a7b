"""The footer rebuilds its keys when the keys to show change, and only then."""

from __future__ import annotations

from typing import Any, ClassVar

from textual.app import App
from textual.binding import Binding, BindingType
from textual.widgets import Static
from tui_helpers import sync

from launchtui.tui.widgets.footer import CoalescingFooter


class Toggling(App[None]):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("a", "noop", "Always", id="always"),
        Binding("s", "sometimes", "Sometimes", id="sometimes"),
    ]
    shown = False

    def compose(self) -> Any:
        yield Static("body")
        yield CoalescingFooter()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        return self.shown if action == "sometimes" else True

    def action_noop(self) -> None:
        pass

    def action_sometimes(self) -> None:
        pass


def keys(app: App[None]) -> list[str]:
    return [str(key.key) for key in app.screen.query("FooterKey")]


@sync
async def test_the_footer_follows_the_bindings_and_skips_identical_rebuilds():
    app = Toggling()
    async with app.run_test(size=(80, 5)) as pilot:
        await pilot.pause()
        assert "a" in keys(app) and "s" not in keys(app)
        footer = app.screen.query_one(CoalescingFooter)
        first = list(app.screen.query("FooterKey"))
        app.refresh_bindings()  # nothing to show differently: the same key widgets stay
        await pilot.pause()
        await pilot.pause()
        assert list(app.screen.query("FooterKey")) == first
        app.shown = True
        app.refresh_bindings()
        await pilot.pause()
        await pilot.pause()
        assert "s" in keys(app)
        assert footer.is_mounted
