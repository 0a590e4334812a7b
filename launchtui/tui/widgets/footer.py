"""A Footer that rebuilds its keys only when the keys it shows change.

Textual's Footer rebuilds all its keys after every change of the screen's bindings; opening a
stage screen announces several in a row (the screen resumes when its mode starts, then the
table takes the focus), and each rebuild mounts and styles every key again, which was most of
the time the first screen took. Here the changes that arrive before a scheduled rebuild has
run share it, and a rebuild that would show the same keys as now is skipped.
"""

from __future__ import annotations

from typing import Any

from textual.screen import Screen
from textual.widgets import Footer


class CoalescingFooter(Footer):
    _rebuild_pending = False
    _shown: tuple[Any, ...] | None = None  # what the keys on screen were built from

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
        if not self.is_attached:  # its screen was popped before the rebuild ran
            return
        shown = self._keys()
        if shown == self._shown:
            return
        self._shown = shown
        await super().recompose()

    def _keys(self) -> tuple[Any, ...]:
        """Everything Footer.compose reads from the bindings, for the bindings it shows."""
        palette = self.app.COMMAND_PALETTE_BINDING
        return tuple(
            (key, binding.action, binding.description, binding.group, enabled, tooltip)
            for key, (_, binding, enabled, tooltip) in self.screen.active_bindings.items()
            if binding.show or key == palette
        )
