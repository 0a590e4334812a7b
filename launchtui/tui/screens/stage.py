"""One screen per stage: its checks as a live table, the risk list on the audit, and details.

The screen holds no results of its own: it reads them from the sprint session (results,
running) and is told to refresh when they change.
"""

from __future__ import annotations

from typing import Any, ClassVar

from rich.text import Text
from textual import events
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import Screen
from textual.widgets import DataTable, OptionList, Static

from launchtui.model.stages import Stage
from launchtui.model.tasks import Task, tasks_for
from launchtui.plan import Key, PlannedRow
from launchtui.reports.literal import literal
from launchtui.reports.risks import Risk, rank_risks
from launchtui.tui.rows import age, plain, status_text
from launchtui.tui.screens.task_editor import TaskEditor
from launchtui.tui.typed import Launch, launch_app
from launchtui.tui.widgets.detail import Detail
from launchtui.tui.widgets.footer import CoalescingFooter
from launchtui.tui.widgets.stage_list import StageList

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


def _folded(risk: Risk) -> str:
    """The risk's target, and how many more hosts and related results it stands for."""
    more = [risk.result.target]
    if risk.also:
        more.append(f"+{len(risk.also)} more hosts")
    linked = len(risk.related) - len(risk.blocked)
    if linked:
        more.append(f"+{linked} related")
    return " ".join(more)


class StageScreen(Screen[None]):
    AUTO_FOCUS = "#checks"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("r", "run_stage", "Run", id="run-stage"),
        Binding("c", "copy_fix", "Copy", id="copy-fix"),
        Binding("full_stop", "rerun_row", "Re-run", key_display=".", id="rerun-row"),
        Binding("t", "email_test", "Test mail", id="email-test"),
        Binding("x", "toggle_task", "Done", show=False, id="toggle-task"),
        Binding("e", "edit_task", "Edit task", show=False, id="edit-task"),
    ]

    def __init__(self, stage: Stage) -> None:
        super().__init__(name=stage.name, id=f"stage-{stage.name}")
        self.stage = stage
        self.rows: dict[Key, PlannedRow] = {}
        self.tasks = {task.id: task for task in tasks_for(stage.name)}
        self.selected: Key | None = None  # the check row shown in the detail pane
        self.selected_task: Task | None = None  # or the task, when that was selected last

    @property
    def launch(self) -> Launch:
        return launch_app(self)

    def compose(self) -> Any:
        with Horizontal():
            yield StageList(self.stage.name, self.launch.sprint.progress())
            with Vertical(id="main"):
                yield Static(self._title(), id="stage-title")
                yield DataTable(id="checks", cursor_type="row")
                if self.tasks:
                    yield Static("Manual tasks  (x marks done, e edits)", classes="section")
                    yield DataTable(id="tasks", cursor_type="row")
                if self.stage.name == "audit":
                    yield Static("Risk list, in fix order", classes="section")
                    yield DataTable(id="risks", cursor_type="row")
                yield Detail(id="detail")
        yield CoalescingFooter()

    def on_mount(self) -> None:
        table = self.query_one("#checks", DataTable)
        for column in COLUMNS:
            table.add_column(column, key=column, width=WIDTHS.get(column))
        if self.tasks:
            tasks = self.query_one("#tasks", DataTable)
            tasks.add_column("done", key="done", width=4)
            tasks.add_column("task", key="task")
            tasks.add_column("owner", key="owner")
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
        plan = self.launch.sprint.plan(self.stage.name)
        self.rows = {row.key: row for row in plan}
        for row in plan:
            table.add_row(*self._cells(row), key=row_key(row.key))
        table.display = bool(plan)
        self.set_class(not plan, "-tasks-only")  # a stage of manual tasks gives them the room
        if plan:
            table.move_cursor(row=min(cursor, len(plan) - 1))
        elif self.tasks and self.focused is table:
            self.query_one("#tasks", DataTable).focus()
        if not plan and self.selected_task is None:
            self.query_one(Detail).query_one(Static).update(
                Text("No automated checks in this stage yet.", style="dim")
            )
        self._rebuild_tasks()
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
        self.query_one(StageList).show_progress(self.launch.sprint.progress())
        self.query_one("#stage-title", Static).update(self._title())

    def _title(self) -> Text:
        """The stage, its progress (the sidebar is hidden on narrow terminals) and its goal."""
        title = Text(f"{self.stage.number} {self.stage.title}", style="bold")
        passing, total = self.launch.sprint.progress()[self.stage.name]
        if total:
            title.append(f"  {passing}/{total} pass", style="green" if passing == total else "")
        title.append(f"  {self.stage.goal}", style="dim")
        return title

    def _cells(self, row: PlannedRow) -> tuple[Text, Text, Text, Text, Text]:
        stored = self.launch.sprint.results.get(row.key)
        running = row.key in self.launch.sprint.running
        when = "" if stored is None or running else age(stored.checked_at, self.launch.now())
        return (
            status_text(stored, running),
            Text(str(row.check.severity)),
            plain(row.check.id),
            Text(when, style="dim"),
            plain(row.target),
        )

    def _rebuild_tasks(self) -> None:
        if not self.tasks:
            return
        table = self.query_one("#tasks", DataTable)
        cursor = table.cursor_row
        table.clear()
        for task in self.tasks.values():
            state = self.launch.sprint.task_states.get((task.stage, task.id))
            is_done = state is not None and state.done
            done = Text("[x]" if is_done else "[ ]", style="green" if is_done else "")
            owner = plain(state.owner if state else "")
            table.add_row(done, Text(task.title), owner, key=task.id)
        table.move_cursor(row=min(cursor, len(self.tasks) - 1))

    def _rebuild_risks(self) -> None:
        if self.stage.name != "audit":
            return
        table = self.query_one("#risks", DataTable)
        table.clear()
        results = list(self.launch.sprint.results.values())
        for risk in rank_risks(results):
            r = risk.result
            cells = (Text(str(risk.rank)), Text(risk.group), plain(r.id), plain(_folded(risk)))
            table.add_row(*cells, key=row_key((r.id, r.target)))

    def _show_selected(self) -> None:
        if self.selected_task is not None:
            task = self.selected_task
            state = self.launch.sprint.task_states.get((task.stage, task.id))
            self.query_one(Detail).show_task(task, state)
            return
        if self.selected is None:
            return
        check = self.launch.sprint.check(self.selected[0])
        if check is None:
            return
        key = self.selected
        running = key in self.launch.sprint.running
        self.query_one(Detail).show(check, key[1], self.launch.sprint.results.get(key), running)

    # Events and actions

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        # A table refilled after a save highlights a row too: only the focused one counts.
        table = event.data_table
        if table.has_focus or (self.selected is None and self.selected_task is None):
            self._select_from(table)

    def on_descendant_focus(self, event: events.DescendantFocus) -> None:
        """Moving into a table shows its highlighted row in the detail pane."""
        if isinstance(event.widget, DataTable):
            self._select_from(event.widget)

    def _select_from(self, table: DataTable[Any]) -> None:
        if not table.row_count:
            return
        value = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
        if value is None:
            return
        if table.id == "tasks":
            self.selected_task = self.tasks[value]
        else:
            self.selected_task = None
            self.selected = split_key(value)
        self._show_selected()

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        if event.option.id is not None:
            self.launch.action_stage(event.option.id)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        # The seed inbox test belongs to the email stage (and its footer) only.
        return action != "email_test" or self.stage.name == "email"

    def action_email_test(self) -> None:
        self.launch.send_test_emails()

    def action_run_stage(self) -> None:
        self.launch.run_stage(self.stage.name)

    def action_toggle_task(self) -> None:
        task = self.selected_task
        if task is None:
            self.notify("Select a manual task first (tab moves to the task list).")
            return
        state = self.launch.sprint.task_states.get((task.stage, task.id))
        self.launch.sprint.save_task(task, done=not (state is not None and state.done))

    def action_edit_task(self) -> None:
        task = self.selected_task
        if task is None:
            self.notify("Select a manual task first (tab moves to the task list).")
            return
        state = self.launch.sprint.task_states.get((task.stage, task.id))
        self.app.push_screen(TaskEditor(task, state))

    def action_copy_fix(self) -> None:
        if self.selected_task is not None:
            self.launch.copy_text(self.selected_task.how, "how to do this task")
            return
        stored = None if self.selected is None else self.launch.sprint.results.get(self.selected)
        if stored is None or not stored.fix:
            self.notify("This row has no fix to copy.", markup=False)
            return
        self.launch.copy_text(stored.fix, f"the fix for {literal(stored.id)}")

    def action_rerun_row(self) -> None:
        if self.selected_task is None and self.selected is not None:
            self.launch.run_one(*self.selected)
