"""The app as its screens and commands see it: typed, without `# type: ignore`."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Protocol, cast

from textual.app import App

if TYPE_CHECKING:
    from launchtui.tui.app import LaunchApp


class InApp(Protocol):
    @property
    def app(self) -> App[Any]: ...


def launch_app(node: InApp) -> LaunchApp:
    """The LaunchApp a screen, widget or command provider runs in (the only app there is)."""
    return cast("LaunchApp", node.app)
