"""`:alerts` (key `a`): the alerts open now and those resolved lately; `c` the past crashes.

Open alerts come first, worst first; resolved ones follow, muted, newest first. The row under the
cursor is shown in full below the table (message, last termination, exit code). `enter` drills down
to the object (a pod's detail, a workload's or quota's pods, an HPA's target, else describe);
`l` / `p` open the pod's logs / previous logs (the crash). `c` switches to the crash journal: the
crashes kdash captured in this and earlier runs, with each one's last log lines below the table.
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from typing import ClassVar

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.content import Content
from textual.message import Message
from textual.widgets import Footer, Static

from kdash.alerts.model import Alert
from kdash.journal import JournalEntry, JournalRead
from kdash.model.logtext import clean
from kdash.model.meta import ObjectKey
from kdash.model.source import LogTarget
from kdash.model.workloads import WORKLOAD_KINDS
from kdash.ui.alert_rows import (
    ALERT_COLUMNS,
    CRASH_COLUMNS,
    alert_detail,
    alert_row,
    alert_row_key,
    crash_row,
    crash_row_key,
)
from kdash.ui.messages import OpenLogs, OpenPod, OpenPods, OpenRow, OpenRowLogs
from kdash.ui.render.table import Column
from kdash.ui.session import LiveSession
from kdash.ui.view import LiveView
from kdash.ui.widgets.crash_log import crash_log_text
from kdash.ui.widgets.list_keys import FilterBar
from kdash.ui.widgets.list_live import TableScreen, age_step
from kdash.ui.widgets.resource_table import ResourceTable

CRASHES_SHOWN = 500


class _AlertTables(TableScreen):
    """What both lists share: the title, the detail of the cursor row below, the drill-down."""

    DEFAULT_CSS = """
    _AlertTables .alerts-detail { height: auto; max-height: 12; padding: 0 1; border-top: solid $primary; }
    """

    COLUMNS: ClassVar[tuple[Column, ...]] = ()

    def __init__(self, session: LiveSession) -> None:
        super().__init__(session)
        self._title: Text | None = None

    def compose(self) -> ComposeResult:
        yield Static(Content(""), id="alerts-title", classes="screen-title")
        yield FilterBar()
        yield ResourceTable(self.COLUMNS, id=f"{self.ORIGIN}-table")
        yield Static(Content(""), id="alerts-detail", classes="alerts-detail")
        yield Footer()

    def on_mount(self) -> None:
        # no super().on_mount(): Textual dispatches every class's on_mount (LiveScreen's subscribes)
        self.query_one(ResourceTable).focus()

    def set_title(self, title: Text) -> None:
        if title != self._title:  # Static.update re-lays out the screen: only on change
            self._title = title
            self.query_one("#alerts-title", Static).update(title)

    def on_resource_table_highlighted(self, _event: ResourceTable.Highlighted) -> None:
        self.show_detail()

    def show_detail(self) -> None:
        key = self.filter_table.cursor_key
        self.query_one("#alerts-detail", Static).update(self.detail(key) if key is not None else Text(""))

    def detail(self, row_key: Hashable) -> Text:
        raise NotImplementedError

    def target(self, row_key: Hashable) -> tuple[ObjectKey, str, ObjectKey | None] | None:
        """(object, container, owner) a row is about."""
        raise NotImplementedError

    def open_row(self, origin: str, row_key: Hashable) -> Message | None:  # noqa: ARG002 - one kind
        """`enter`: a pod → its detail; a Deployment or quota → its pods; an HPA → its target; any
        other object → where the navigator opens it (typed screen or describe). A crash whose pod is
        gone opens its workload's pods."""
        target = self.target(row_key)
        if target is None:
            return None
        key, _container, owner = target
        snapshot = self.session.latest().snapshot
        if key.kind == "Pod":
            if key in snapshot.pods:
                return OpenPod(key)
            if owner is not None:
                return OpenPods(owner)
            self.notify(f"pod {clean(key.name)} no longer exists", severity="warning", markup=False)
            return None
        if key.kind in WORKLOAD_KINDS or key.kind == "ResourceQuota":
            return OpenPods(key)
        if key.kind == "HorizontalPodAutoscaler":
            return OpenRow("hpa", key)
        return OpenRow(self.ORIGIN, key)

    def action_logs(self, previous: bool) -> None:
        """`l` / `p`: the pod's (container's) logs or previous logs; a workload's pods' logs."""
        row = self.current_row()
        target = self.target(row[1]) if row is not None else None
        if target is None:
            self.notify("no row selected", severity="warning", markup=False)
            return
        key, container, _owner = target
        if key.kind == "Pod":
            self.post_message(
                OpenLogs(
                    LogTarget(key.namespace, pod=key.name, container=container or None, previous=previous)
                )
            )
        elif key.kind in WORKLOAD_KINDS:
            self.post_message(OpenRowLogs(self.ORIGIN, key, previous))
        else:
            self.notify(f"{key.kind} has no logs", severity="warning", markup=False)


class AlertsScreen(_AlertTables):
    """Alerts from the session's engine (the view's `alerts` board)."""

    ORIGIN = "alerts"
    COLUMNS = ALERT_COLUMNS

    BINDINGS: ClassVar[list[BindingType]] = [  # added to TableScreen's (Textual merges the MRO's)
        Binding("c", "crashes", "Past crashes", id="alerts-crashes"),
    ]

    def __init__(self, session: LiveSession) -> None:
        super().__init__(session)
        self._by_key: dict[Hashable, Alert] = {}

    def refresh_from(self, view: LiveView) -> None:
        board = view.alerts
        if not self.unchanged(board, age_step(view.now)):
            alerts: Sequence[Alert] = (*board.open, *board.resolved)
            self._by_key = {alert_row_key(a): a for a in alerts}
            table = self.query_one(ResourceTable)
            table.set_rows([alert_row(a, view.now) for a in alerts])
            table.placeholder = "no alerts: nothing has broken since kdash started"
        title = Text(
            f"Alerts: {board.open_count} open, {len(board.resolved)} recently resolved{self.filter_note()}",
            end="",
        )
        error = self.session.alerts.error
        if error:
            title.append(f"  {clean(error)}", style="bold red")
        self.set_title(title)
        self.show_detail()

    def detail(self, row_key: Hashable) -> Text:
        alert = self._by_key.get(row_key)
        if alert is None or self.view is None:
            return Text("")
        return alert_detail(alert, self.view.now)

    def target(self, row_key: Hashable) -> tuple[ObjectKey, str, ObjectKey | None] | None:
        alert = self._by_key.get(row_key)
        return None if alert is None else (alert.key, alert.container, None)

    def action_crashes(self) -> None:
        """`c`: the crashes kept in the journal, in this and earlier runs."""
        self.app.push_screen(CrashesScreen(self.session))


class CrashesScreen(_AlertTables):
    """The crash journal of the current context, newest first; the cursor row's log tail below."""

    ORIGIN = "crashes"
    COLUMNS = CRASH_COLUMNS

    def __init__(self, session: LiveSession) -> None:
        super().__init__(session)
        self._entries: dict[Hashable, JournalEntry] = {}
        self._journal: JournalRead | None = None

    def on_mount(self) -> None:
        self._read_journal()

    @work(thread=True, exclusive=True, group="alerts-journal", exit_on_error=False)
    def _read_journal(self) -> None:
        """Worker: the journal is a file (small, but a file: never on the event loop)."""
        journal = self.session.journal
        if journal is None:
            return
        read = journal.recent(self.session.source.snapshot().context, limit=CRASHES_SHOWN)
        self.app.call_from_thread(self._journal_read, read)

    def _journal_read(self, read: JournalRead) -> None:
        self._journal = read
        if self.view is not None and self.is_mounted:
            self.refresh_from(self.view)

    def refresh_from(self, view: LiveView) -> None:
        read = self._journal
        table = self.query_one(ResourceTable)
        if not self.unchanged(read, age_step(view.now)):
            entries = list(reversed(read.entries)) if read is not None else []  # newest first
            self._entries = {crash_row_key(e): e for e in entries}
            table.set_rows([crash_row(e, view.now) for e in entries])
        if self.session.journal is None:
            table.placeholder = "the crash journal is off"
        elif read is None:
            table.placeholder = "reading the crash journal…"
        elif read.error:
            table.placeholder = clean(read.error)
        else:
            table.placeholder = "no crashes captured in this context yet"
        self.set_title(Text(f"Past crashes [{self.shown_count()}]{self.filter_note()}", end=""))
        self.show_detail()

    def detail(self, row_key: Hashable) -> Text:
        entry = self._entries.get(row_key)
        if entry is None:
            return Text("")
        code = f", exit code {entry.exit_code}" if entry.exit_code is not None else ""
        title = clean(
            f"{entry.pod} [{entry.container}] {entry.reason or 'crashed'}{code}, restart {entry.restarts}"
        )
        return crash_log_text(entry.log_tail, title=title)

    def target(self, row_key: Hashable) -> tuple[ObjectKey, str, ObjectKey | None] | None:
        entry = self._entries.get(row_key)
        return None if entry is None else (entry.pod_key, entry.container, entry.owner_key)
