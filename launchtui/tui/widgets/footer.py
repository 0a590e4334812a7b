"""A Footer that rebuilds its keys once for a burst of binding changes.

Textual's Footer rebuilds all its keys after every change of the screen's bindings; opening a
stage screen announces several in a row (the screen resumes twice when its mode starts, then
the table takes the focus), and each rebuild mounts and styles every key again. Here the
changes that arrive before a scheduled rebuild has run share it: it reads the bindings when
it runs, so it shows the latest ones.
"""

from __future__ import annotations

from textual.screen import Screen
from textual.widgets import Footer


class CoalescingFooter(Footer):
    _rebuild_pending = False

    def bindings_changed(self, screen: Screen[object]) -> None:
        if self._rebuild_pending:
            return
        super().bindings_changed(screen)
        # The conditions under which Footer.bindings_changed schedules a rebuild.
        self._rebuild_pending = bool(
            screen.app.app_focus and self.is_attached and screen is self.screen
        )

    async def recompose(self) -> None:
        self._rebuild_pending = False  # changes from now on need a rebuild of their own
        await super().recompose()
