"""One screen per stage: its checks as a live table, most urgent first, its manual tasks, its
risk list and the detail of the selected row.

The screen holds no results of its own: it reads them from the sprint session (results,
running) and is told to refresh when they change.

The keys act on the row under the cursor of the focused table at the moment the key is
handled (see `_sync_selection`), never on a selection remembered from highlight messages,
which arrive after the keys typed before them.
"""

from __future__ import annotations

from typing import Any, ClassVar

from rich.text import Text
from textual import events
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.coordinate import Coordinate
from textual.screen import Screen
from textual.widgets import DataTable, OptionList, Static

from launchtui.model.stages import STAGES, Stage
from launchtui.model.tasks import Task, tasks_for
from launchtui.plan import FAILING, GROUPINGS, Key, PlannedRow, Tally, by_urgency, grouped, tally
from launchtui.reports.risks import Risk, rank_risks
from launchtui.text.literal import literal
from launchtui.tui.rows import age, plain, status_text, tally_text
from launchtui.tui.screens.task_editor import TaskEditor
from launchtui.tui.typed import Launch, launch_app
from launchtui.tui.widgets.detail import Detail
from launchtui.tui.widgets.footer import CoalescingFooter
from launchtui.tui.widgets.monitor_board import MonitorBoard
from launchtui.tui.widgets.stage_list import StageList

_SEP = "\x1f"  # joins check id and target into a row key; neither holds a unit separator
COLUMNS = ("status", "severity", "check", "age", "target")
# Fixed widths where the values are known: the status fits "running", "error new" and
# "pass fixed". The open-ended columns (target, task, owner) share what is left of the width
# (see `_fit_columns`) and end in an ellipsis when cut; the detail pane shows them whole.
WIDTHS = {"status": 10, "severity": 8, "check": 21, "age": 4}
RISK_WIDTHS = {"#": 3, "group": 12, "check": 21}
SIDEBAR = 26  # StageList's width in app.tcss, shown from WIDE columns on
WIDE = 100  # LaunchApp.HORIZONTAL_BREAKPOINTS
_GUTTER = 2  # a table's vertical scrollbar
_PAD = 2  # a DataTable column's cell padding, both sides


BOARD_STAGE = "monitoring"  # the stage whose screen shows the monitors' dashboard

_GROUP = "\x1e"  # starts a group header row's key; no check id starts with a record separator


def row_key(key: Key) -> str:
    return _SEP.join(key)


def group_key(name: str) -> str:
    return f"{_GROUP}{name}"


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


def _left(width: int, fixed: dict[str, int], columns: int) -> int:
    """What is left of a table `width` wide for its open-ended columns."""
    return width - _GUTTER - sum(fixed.values()) - _PAD * columns


def _cursor_value(table: DataTable[Any]) -> str | None:
    """The key of the row under the table's cursor, now."""
    if not table.row_count:
        return None
    row = min(table.cursor_row, table.row_count - 1)
    return table.coordinate_to_cell_key(Coordinate(row, 0)).row_key.value


def _move_to(table: DataTable[Any], value: str | None, fallback: int) -> None:
    """Put the cursor on the row keyed `value`, else on row `fallback` (or the last row)."""
    if not table.row_count:
        return
    if value is not None and value in table.rows:
        table.move_cursor(row=table.get_row_index(value))
    else:
        table.move_cursor(row=max(0, min(fallback, table.row_count - 1)))


class StageScreen(Screen[None]):
    AUTO_FOCUS = "#checks"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("r", "run_stage", "Run", id="run-stage"),
        Binding("c", "copy_fix", "Copy", id="copy-fix"),
        Binding("full_stop", "rerun_row", "Re-run", key_display=".", id="rerun-row"),
        Binding("t", "email_test", "Test mail", id="email-test"),
        Binding("w", "watch", "Watch", id="watch"),
        # "Prove" and "Logs": short, so that the monitoring screen's keys and q fit at 80
        # columns; the board's alerts and risk note lines say what they act on, and the
        # palette has both in full ("Prove alert routes", "Read logs into risk notes").
        Binding("p", "prove_alerts", "Prove", id="prove-alerts"),
        Binding("l", "read_logs", "Logs", id="read-logs"),
        # One key, two bindings: the footer shows the one that applies (see check_action).
        Binding("f", "only_failing(True)", "Filter", id="only-failing"),
        Binding("f", "only_failing(False)", "All rows", id="all-rows"),
        # Not in the footer, to leave room for the keys above at 80 columns: n and N are
        # named in the detail of a failing row, and the keyring is also "Credentials" in the
        # command palette.
        Binding("g", "group", "Group", id="group"),
        Binding("n", "next_failing(1)", "Next fail", show=False, id="next-failing"),
        Binding("N", "next_failing(-1)", "Previous fail", show=False, id="previous-failing"),
        Binding("k", "app.credentials", "Keyring", show=False, id="stage-credentials"),
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
        self.only_failing = False  # f: hide the rows whose latest result passes
        self.group_by: str | None = None  # g: rows grouped by check or host (plan.GROUPINGS)
        self._width = 0  # the terminal width the columns were fitted to

    @property
    def launch(self) -> Launch:
        return launch_app(self)

    def compose(self) -> Any:
        with Horizontal():
            yield StageList(self.stage.name, self._tallies())
            with Vertical(id="main"):
                yield Static(self._title(), id="stage-title")
                if self.stage.name == BOARD_STAGE:  # the dashboard, in the risk list's place
                    yield Static(classes="section", id="board-title")
                    yield MonitorBoard(self._show_watch, id="board")
                yield DataTable(id="checks", cursor_type="row")
                if self.tasks:
                    yield Static("Manual tasks  (x marks done, e edits)", classes="section")
                    yield DataTable(id="tasks", cursor_type="row")
                yield Static("Risk list, in fix order", classes="section", id="risks-title")
                yield DataTable(id="risks", cursor_type="row")
                yield Detail(id="detail")
        yield CoalescingFooter(compact=True)  # room for the stage's keys at 80 columns

    def on_mount(self) -> None:
        self._fit_columns(self.app.size.width)

    def on_screen_resume(self) -> None:
        self._fit_columns(self.app.size.width)

    def on_resize(self, event: events.Resize) -> None:
        self._fit_columns(event.size.width)

    def _fit_columns(self, width: int) -> None:
        """(Re)build the columns for a terminal `width` columns wide, then the rows. The
        labels are Text: a str label would be parsed as markup (and load Rich's emoji table)."""
        if width == self._width:
            return
        self._width = width
        main = width - SIDEBAR if width >= WIDE else width
        table = self.query_one("#checks", DataTable)
        table.clear(columns=True)
        for column in COLUMNS:
            size = WIDTHS.get(column, max(12, _left(main, WIDTHS, len(COLUMNS))))
            table.add_column(Text(column), key=column, width=size)
        if self.tasks:
            tasks = self.query_one("#tasks", DataTable)
            tasks.clear(columns=True)
            left = max(24, _left(main, {"done": 4}, 3))
            owner = max(8, left // 3)
            tasks.add_column(Text("done"), key="done", width=4)
            tasks.add_column(Text("task"), key="task", width=left - owner)
            tasks.add_column(Text("owner"), key="owner", width=owner)
        risks = self.query_one("#risks", DataTable)
        risks.clear(columns=True)
        for column, size in RISK_WIDTHS.items():
            risks.add_column(Text(column), key=column, width=size)
        left = max(12, _left(main, RISK_WIDTHS, len(RISK_WIDTHS) + 1))
        risks.add_column(Text("target"), key="target", width=left)
        self.rebuild()

    # Showing results

    def rebuild(self) -> None:
        """Fill the tables from the plan and the app's results, most urgent first, keeping
        the cursor on the row it was on (or at its place, if that row went)."""
        table = self.query_one("#checks", DataTable)
        keep, place = _cursor_value(table), table.cursor_row
        table.clear()
        plan = self.launch.sprint.plan(self.stage.name)
        self.rows = {row.key: row for row in plan}
        shown = self._shown(plan)
        if self.group_by is None:
            for row in shown:
                table.add_row(*self._cells(row), key=row_key(row.key))
        else:
            results = self.launch.sprint.results
            for name, rows in grouped(shown, results, self.group_by):
                table.add_row(*self._group_cells(name, rows), key=group_key(name))
                for row in rows:
                    table.add_row(*self._cells(row), key=row_key(row.key))
        table.display = bool(plan)
        self.set_class(not plan, "-tasks-only")  # a stage of manual tasks gives them the room
        _move_to(table, keep, place)
        if not plan and self.tasks and self.focused is table:
            self.query_one("#tasks", DataTable).focus()
        if not plan and self.selected_task is None:
            self.query_one(Detail).query_one(Static).update(
                Text("No automated checks in this stage yet.", style="dim")
            )
        self._rebuild_tasks()
        self._rebuild_risks()
        self._show_board()
        self.show_progress()
        self._show_selected()

    def _shown(self, plan: list[PlannedRow]) -> list[PlannedRow]:
        results = self.launch.sprint.results
        rows = by_urgency(plan, results)
        if self.only_failing:
            rows = [row for row in rows if not self._passes(row.key)]
        return rows

    def _passes(self, key: Key) -> bool:
        stored = self.launch.sprint.results.get(key)
        return stored is not None and stored.status == "pass"

    def show_results(self, keys: set[Key]) -> None:
        """Update the rows of these keys in place (a live run reports one result at a time);
        rows are put in order again only by `rebuild`, so that they never move under the
        cursor during a run."""
        table = self.query_one("#checks", DataTable)
        for key in keys & self.rows.keys():
            if row_key(key) not in table.rows:  # hidden by f
                continue
            for column, cell in zip(COLUMNS, self._cells(self.rows[key]), strict=True):
                table.update_cell(row_key(key), column, cell)
        if keys & self.rows.keys():  # the board reads the run history: only for its own rows
            self._show_board()
        self.show_progress()
        if self.selected in keys:
            self._show_selected()

    def show_tasks(self) -> None:
        """The task states changed (a task was ticked or edited): only the task list, the
        progress and a selected task's detail are redrawn, not the checks."""
        self._rebuild_tasks()
        self._show_board()
        self.show_progress()
        if self.selected_task is not None:
            self._show_selected()

    def show_progress(self) -> None:
        self.query_one(StageList).show_progress(self._tallies())
        self.query_one("#stage-title", Static).update(self._title())

    def _tallies(self) -> dict[str, Tally]:
        sprint = self.launch.sprint
        return {
            name: tally(sprint.plan(name), sprint.results, tasks_for(name), sprint.task_states)
            for name in (stage.name for stage in STAGES)
        }

    def _title(self) -> Text:
        """The stage, its counts (the sidebar is hidden on narrow terminals), how many rows
        f leaves shown, and the stage's goal."""
        sprint = self.launch.sprint
        plan = sprint.plan(self.stage.name)
        counts = tally(plan, sprint.results, tasks_for(self.stage.name), sprint.task_states)
        title = Text(no_wrap=True, overflow="ellipsis")  # one line: the goal gets what is left
        title.append(f"{self.stage.number} {self.stage.title}", style="bold")
        if counts.total:
            title.append("  ")
            title.append_text(tally_text(counts, 40))
        if self.only_failing:
            shown = sum(1 for row in plan if not self._passes(row.key))
            title.append(f"  showing {shown} of {len(plan)} (f shows all)", style="bold")
        if self.group_by is not None:
            title.append(f"  by {self.group_by}", style="bold")
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
            plain(row.target.text),
        )

    def _group_cells(self, name: str, rows: list[PlannedRow]) -> tuple[Text, ...]:
        """A group's header row: its name, and what its rows' latest results say."""
        counts = tally(rows, self.launch.sprint.results, [], {})
        label = Text(f"▸ {name}", style="bold", no_wrap=True, overflow="ellipsis")
        where = "check" if self.group_by == "check" else "target"
        cells = {column: Text("") for column in COLUMNS}
        cells[where] = label
        cells["target" if where == "check" else "check"] = tally_text(counts, 30)
        return tuple(cells[column] for column in COLUMNS)

    def _rebuild_tasks(self) -> None:
        if not self.tasks:
            return
        table = self.query_one("#tasks", DataTable)
        keep, place = _cursor_value(table), table.cursor_row
        table.clear()
        for task in self.tasks.values():
            state = self.launch.sprint.task_states.get((task.stage, task.id))
            is_done = state is not None and state.done
            done = Text("[x]" if is_done else "[ ]", style="green" if is_done else "")
            owner = plain(state.owner if state else "")
            table.add_row(done, plain(task.title), owner, key=task.id)
        _move_to(table, keep, place)

    def _board(self) -> MonitorBoard | None:
        boards = self.query(MonitorBoard)
        return boards.first() if boards else None

    def _show_board(self) -> None:
        board = self._board()
        if board is not None:
            board.show()
            self._show_watch()

    def _show_watch(self) -> None:
        """The board's title line: what it is, and the watch mode's state."""
        board = self._board()
        if board is not None:
            title = Text("Monitors  ", style="bold")
            self.query_one("#board-title", Static).update(title.append_text(board.watch_line()))

    def _rebuild_risks(self) -> None:
        """The audit ranks every result of the sprint; the other stages their own rows'."""
        table = self.query_one("#risks", DataTable)
        keep, place = _cursor_value(table), table.cursor_row
        table.clear()
        results = self.launch.sprint.results
        if self.stage.name != "audit":
            results = {key: results[key] for key in self.rows.keys() & results.keys()}
        risks = rank_risks(list(results.values()))
        for risk in risks:
            r = risk.result
            cells = (Text(str(risk.rank)), Text(risk.group), plain(r.id), plain(_folded(risk)))
            table.add_row(*cells, key=row_key((r.id, r.target)))
        if not risks:
            none = "nothing found yet" if results else "run the stage to rank risks"
            table.add_row(Text(""), Text(""), Text(""), Text(none, style="dim"), key="")
        _move_to(table, keep, place)

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
        sprint = self.launch.sprint
        trend = sprint.trend(key) if check.trend else []
        self.query_one(Detail).show(check, key[1], sprint.results.get(key), running, trend)

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
        value = _cursor_value(table)
        if not value:  # an empty table, or the risk list's "nothing found" line
            return
        if value.startswith(_GROUP):  # a group's header row: nothing to act on
            self.selected_task = None
            self.selected = None
            self.query_one(Detail).query_one(Static).update(
                Text(
                    f"{value.removeprefix(_GROUP)}: the rows below, most urgent first "
                    "(g groups differently).",
                    style="dim",
                )
            )
            return
        if table.id == "tasks":
            self.selected_task = self.tasks[value]
        else:
            self.selected_task = None
            self.selected = split_key(value)
        self._show_selected()

    def _sync_selection(self) -> None:
        """Select the row under the focused table's cursor as it is now. Called by every key
        that acts on a row: the highlight messages that also select it arrive after any
        keys typed before them were handled, and a rebuild after a save may move rows."""
        if isinstance(self.focused, DataTable):
            self._select_from(self.focused)

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        if event.option.id is not None:
            self.launch.action_stage(event.option.id)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "email_test":  # the seed inbox test belongs to the email stage only
            return self.stage.name == "email"
        if action == "prove_alerts":  # a test alert through the routes: monitoring only
            return self.stage.name == "monitoring"
        if action in ("watch", "read_logs"):  # the dashboard's keys: monitoring screen only
            return self.stage.name == BOARD_STAGE
        if action == "only_failing":  # the f that applies: hide passes, or show all again
            return parameters != (self.only_failing,)
        return True

    def action_email_test(self) -> None:
        self.launch.send_test_emails()

    def action_run_stage(self) -> None:
        self.launch.run_stage(self.stage.name)

    def action_prove_alerts(self) -> None:
        self.launch.prove_alert_routes()

    def action_read_logs(self) -> None:
        """l: read the sprint's [logs] into daily risk notes, then show the latest."""
        self.launch.read_logs()

    def show_board(self) -> None:
        """Redraw the dashboard (the risk notes changed)."""
        self._show_board()

    def action_watch(self) -> None:
        """w: watch the monitors (a pass every [monitoring].watch_interval), or stop."""
        board = self._board()
        if board is None:
            return
        if board.watching:
            board.stop_watch()
            self.notify("Watch off.")
        else:
            board.start_watch()
            self.notify(f"Watching the monitors every {board.interval:g} s (w stops).")

    def on_screen_suspend(self) -> None:
        """Leaving the screen (another stage, a dialog over it) stops watching."""
        board = self._board()
        if board is not None and board.watching:
            board.stop_watch()

    def action_group(self) -> None:
        """g: group the rows by check, then by host, then not at all."""
        order = [None, *GROUPINGS]
        self.group_by = order[(order.index(self.group_by) + 1) % len(order)]
        self.rebuild()
        self.show_progress()
        self.notify(
            "Rows not grouped." if self.group_by is None else f"Rows grouped by {self.group_by}."
        )

    def action_only_failing(self, only: bool) -> None:
        self.only_failing = only
        self.refresh_bindings()
        self.rebuild()

    def action_next_failing(self, step: int) -> None:
        """Move the checks' cursor to the next (step 1) or previous (-1) failing row, wrapping
        round; to a warning when nothing fails."""
        table = self.query_one("#checks", DataTable)
        results = self.launch.sprint.results
        keys = [split_key(str(key.value)) for key in table.rows]  # in table order
        for wanted in (FAILING, {"warn"}):
            hits = [
                index
                for index, key in enumerate(keys)
                if (stored := results.get(key)) is not None and stored.status in wanted
            ]
            if hits:
                break
        else:
            self.notify("Nothing fails or warns in this stage.")
            return
        here = table.cursor_row if table.row_count else 0
        if step > 0:
            target = next((i for i in hits if i > here), hits[0])
        else:
            target = next((i for i in reversed(hits) if i < here), hits[-1])
        table.focus()
        table.move_cursor(row=target)
        self._select_from(table)

    def action_toggle_task(self) -> None:
        task = self._task_under_cursor()
        if task is None:
            return
        state = self.launch.sprint.task_states.get((task.stage, task.id))
        self.launch.sprint.save_task(task, done=not (state is not None and state.done))

    def action_edit_task(self) -> None:
        task = self._task_under_cursor()
        if task is None:
            return
        state = self.launch.sprint.task_states.get((task.stage, task.id))
        self.app.push_screen(TaskEditor(task, state))

    def _task_under_cursor(self) -> Task | None:
        self._sync_selection()
        if self.selected_task is None:
            self.notify("Select a manual task first (tab moves to the task list).")
        return self.selected_task

    def action_copy_fix(self) -> None:
        self._sync_selection()
        if self.selected_task is not None:
            self.launch.copy_text(self.selected_task.how, "how to do this task")
            return
        stored = None if self.selected is None else self.launch.sprint.results.get(self.selected)
        if stored is None or not stored.fix:
            self.notify("This row has no fix to copy.", markup=False)
            return
        self.launch.copy_text(stored.fix, f"the fix for {literal(stored.id)}")

    def action_rerun_row(self) -> None:
        self._sync_selection()
        if self.selected_task is None and self.selected is not None:
            self.launch.run_one(*self.selected)
