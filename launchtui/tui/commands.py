"""Command palette entries: run checks, open stages by name, show the credentials, draft the
incident response note."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from functools import partial

from textual.command import DiscoveryHit, Hit, Provider

from launchtui.model.stages import STAGES
from launchtui.tui.typed import launch_app


class LaunchCommands(Provider):
    def _commands(self) -> list[tuple[str, Callable[[], object], str]]:
        app = launch_app(self)
        if app.sprint_path is None:  # no sprint open: nothing to run or open
            return []
        commands: list[tuple[str, Callable[[], object], str]] = [
            ("Run all checks", app.run_all, "Run every automated check of every stage"),
            ("Run this stage", app.run_current_stage, "Run the checks of the stage on screen"),
            (
                "Export handover",
                app.export_handover,
                "Write the handover checklist (Markdown) next to the sprint file",
            ),
            (
                "Draft incident response note",
                app.draft_incident_note,
                "Open stage 6's incident response note, drafted from the sprint when empty",
            ),
            (
                "Prove alert routes",
                app.prove_alert_routes,
                "Send a test alert through each alert route and confirm where it lands",
            ),
            (
                "Read logs into risk notes",
                app.read_logs,
                "Read the sprint's [logs] files into daily risk notes, then show the latest",
            ),
            (
                "Send test emails",
                app.send_test_emails,
                "Send every template to the seed inboxes and log where each landed",
            ),
            (
                "Reload the sprint file",
                app.action_reload,
                "Show the sprint file as it is on disk now (after editing it by hand)",
            ),
            (
                "Credentials",
                app.action_credentials,
                "Whether each declared credential is set; set or delete values in the keyring",
            ),
        ]
        for stage in STAGES:
            commands.append(
                (
                    f"Open stage {stage.number}: {stage.title}",
                    partial(app.action_stage, stage.name),
                    stage.goal,
                )
            )
        return commands

    async def discover(self) -> AsyncIterator[DiscoveryHit]:
        for name, command, help_text in self._commands():
            yield DiscoveryHit(name, command, help=help_text)

    async def search(self, query: str) -> AsyncIterator[Hit]:
        matcher = self.matcher(query)
        for name, command, help_text in self._commands():
            score = matcher.match(name)
            if score > 0:
                yield Hit(score, matcher.highlight(name), command, help=help_text)
