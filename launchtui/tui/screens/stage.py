"""One screen per stage: its checks as a live table, the risk list on the audit, and details.

The screen holds no results of its own: it reads them from the app (LaunchApp.results,
LaunchApp.running) and is told to refresh when they change.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar

from rich.text import Text
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import Screen
from textual.widgets import DataTable, Footer, OptionList, Static

from launchtui.reports.literal import literal
from launchtui.reports.risks import rank_risks
from launchtui.stages import Stage
from launchtui.tui.rows import Key, PlannedRow, age, as_result, plain, status_text
from launchtui.tui.widgets.detail import Detail
from launchtui.tui.widgets.stage_list import StageList

if TYPE_CHECKING:
    from launchtui.tui.app import LaunchApp

_SEP = "\x1f"  # joins check id and target into a row key; neither holds a unit separator
COLUMNS = ("status", "severity", "check", "age", "target")
# Fixed widths where the values are known, so that a live "running" never gets cut; the
# target, the only open-ended value, comes last.
WIDTHS = {"status": 7, "severity": 8, "check": 21, "age": 4}


def row_key(key: Key) -> str:
    return _SEP.join(key)


def split_key(value: str) -> Key:
    check_id, _, target = value.partition(_SEP)
    return check_id, target


class StageScreen(Screen[None]):
    AUTO_FOCUS = "#checks"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("r", "run_stage", "Run stage"),
        Binding("c", "copy_fix", "Copy fix"),
        Binding("full_stop", "rerun_row", "Re-run row", key_display="."),
    ]

    def __init__(self, stage: Stage) -> None:
        super().__init__(name=stage.name, id=f"stage-{stage.name}")
        self.stage = stage
        self.rows: dict[Key, PlannedRow] = {}
        self.selected: Key | None = None

    @property
    def launch(self) -> LaunchApp:
        return self.app  # type: ignore[return-value]

    def compose(self) -> Any:
        with Horizontal():
            yield StageList(self.stage.name, self.launch.progress())
            with Vertical(id="main"):
                yield Static(self._title(), id="stage-title")
                yield DataTable(id="checks", cursor_type="row")
                if self.stage.name == "audit":
                    yield Static("Risk list, in fix order", classes="section")
                    yield DataTable(id="risks", cursor_type="row")
                yield Detail(id="detail")
        yield Footer()

    def on_mount(self) -> None:
        table = self.query_one("#checks", DataTable)
        for column in COLUMNS:
            table.add_column(column, key=column, width=WIDTHS.get(column))
        if self.stage.name == "audit":
            risks = self.query_one("#risks", DataTable)
            for column in ("#", "group", "check", "target"):
                risks.add_column(column, key=column)
        self.rebuild()

    # Showing results

    def rebuild(self) -> None:
        """Fill the tables from the plan and the app's results, keeping the cursor row."""
        table = self.query_one("#checks", DataTable)
        cursor = table.cursor_row
        table.clear()
        plan = self.launch.plan(self.stage.name)
        self.rows = {row.key: row for row in plan}
        for row in plan:
            table.add_row(*self._cells(row), key=row_key(row.key))
        if plan:
            table.move_cursor(row=min(cursor, len(plan) - 1))
        if not plan:
            self.query_one(Detail).query_one(Static).update(
                Text("No automated checks in this stage yet.", style="dim")
            )
        self._rebuild_risks()
        self.show_progress()
        self._show_selected()

    def show_results(self, keys: set[Key]) -> None:
        """Update the rows of these keys in place (a live run reports one result at a time)."""
        table = self.query_one("#checks", DataTable)
        for key in keys & self.rows.keys():
            for column, cell in zip(COLUMNS, self._cells(self.rows[key]), strict=True):
                table.update_cell(row_key(key), column, cell)
        self.show_progress()
        if self.selected in keys:
            self._show_selected()

    def show_progress(self) -> None:
        self.query_one(StageList).show_progress(self.launch.progress())
        self.query_one("#stage-title", Static).update(self._title())

    def _title(self) -> Text:
        """The stage, its progress (the sidebar is hidden on narrow terminals) and its goal."""
        title = Text(f"{self.stage.number} {self.stage.title}", style="bold")
        passing, total = self.launch.progress()[self.stage.name]
        if total:
            title.append(f"  {passing}/{total} pass", style="green" if passing == total else "")
        title.append(f"  {self.stage.goal}", style="dim")
        return title

    def _cells(self, row: PlannedRow) -> tuple[Text, Text, Text, Text, Text]:
        stored = self.launch.results.get(row.key)
        running = row.key in self.launch.running
        when = "" if stored is None or running else age(stored.checked_at, self.launch.now())
        return (
            status_text(stored, running),
            Text(str(row.check.severity)),
            plain(row.check.id),
            Text(when, style="dim"),
            plain(row.target),
        )

    def _rebuild_risks(self) -> None:
        if self.stage.name != "audit":
            return
        table = self.query_one("#risks", DataTable)
        table.clear()
        results = [as_result(stored) for stored in self.launch.results.values()]
        for risk in rank_risks(results):
            r = risk.result
            cells = (Text(str(risk.rank)), Text(risk.group), plain(r.id), plain(r.target))
            table.add_row(*cells, key=row_key((r.id, r.target)))

    def _show_selected(self) -> None:
        if self.selected is None:
            return
        check = self.launch.check(self.selected[0])
        if check is None:
            return
        key = self.selected
        running = key in self.launch.running
        self.query_one(Detail).show(check, key[1], self.launch.results.get(key), running)

    # Events and actions

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        if event.row_key.value is not None:
            self.selected = split_key(event.row_key.value)
            self._show_selected()

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        if event.option.id is not None:
            self.launch.action_stage(event.option.id)

    def action_run_stage(self) -> None:
        self.launch.run_stage(self.stage.name)

    def action_copy_fix(self) -> None:
        stored = None if self.selected is None else self.launch.results.get(self.selected)
        if stored is None or not stored.fix:
            self.notify("This row has no fix to copy.", markup=False)
            return
        self.app.copy_to_clipboard(stored.fix)
        self.notify(f"Copied the fix for {literal(stored.id)}.", markup=False)

    def action_rerun_row(self) -> None:
        if self.selected is not None:
            self.launch.run_one(*self.selected)
