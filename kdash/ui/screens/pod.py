"""Pod detail: everything an on-call engineer reads before the logs, on one scrolling page.

The page is a column of titled sections, each rebuilt from the newest snapshot by a pure function
(`kdash.ui.widgets.detail_sections`), so a new restart or event shows up without reopening. When the
pod goes away the last known state stays on screen, marked "deleted", rather than vanishing.

"Previous crashes" comes from the crash journal (kdash/journal): crashes of this pod and of earlier
pods of its workload that kdash captured in earlier runs, read once in a thread worker when the
page opens. A crash this run captured is shown once, in "Last crash log", not twice.
"""

from __future__ import annotations

from typing import ClassVar

from rich.console import RenderableType
from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.message import Message
from textual.widgets import Footer, Static

from kdash.health import RULES
from kdash.journal import JournalEntry, JournalRead, entries_for_pod
from kdash.model.meta import ObjectKey
from kdash.model.pods import PodRecord
from kdash.model.snapshot import ClusterSnapshot, SyncPhase
from kdash.model.source import ChangeSet, LogTarget
from kdash.model.workloads import WORKLOAD_KINDS
from kdash.ui.detail_format import BAD, DIM
from kdash.ui.format import clean, state_text
from kdash.ui.messages import OpenLogs, OpenObject, OpenPods, OpenRow
from kdash.ui.render.usage_detail import pod_usage_section
from kdash.ui.session import LiveSession
from kdash.ui.view import LiveView
from kdash.ui.widgets.crash_log import journal_text
from kdash.ui.widgets.detail_live import LiveScreen
from kdash.ui.widgets.detail_sections import (
    conditions_section,
    containers_section,
    crash_logs_section,
    events_section,
    findings_section,
    init_containers_section,
    owner_chain,
    owners_section,
    summary_section,
)

# Rules about a pod's live status: on the owner they summarise all its pods, so the pod detail shows
# only the pod's own (the owner's spec findings do apply to this pod's template).
RUNTIME_RULES = frozenset(rule.id for rule in RULES.values() if rule.scope == "pod")

SECTIONS = (
    ("summary", "Pod"),
    ("init", "Init containers (in order)"),
    ("usage", "Usage (metrics.k8s.io)"),
    ("containers", "Containers"),
    ("conditions", "Conditions"),
    ("crash", "Last crash log (captured when the restart was seen)"),
    ("journal", "Previous crashes (crash journal, kept across kdash runs)"),
    ("events", "Events (Warning first, newest first)"),
    ("owners", "Owner chain"),
    ("findings", "Findings"),
)


class DetailSection(Static):
    """One titled block of the detail page; the title sits in the border so it costs no line."""

    DEFAULT_CSS = """
    DetailSection {
        height: auto;
        border: round $primary-muted;
        border-title-color: $text-primary;
        padding: 0 1;
    }
    """


class PodDetailScreen(LiveScreen):
    """The detail of one pod; `l`/`p` open its logs, `d`/`y` the describe and YAML views."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "back", "Back", id="drill-back"),
        Binding("l", "logs(False)", "Logs", id="drill-logs"),
        Binding("p", "logs(True)", "Previous logs", id="drill-previous-logs"),
        Binding("d", "describe", "Describe", id="drill-describe"),
        Binding("y", "yaml", "YAML", id="drill-yaml"),
        Binding("o", "owner", "Open owner", id="drill-owner"),
        Binding("N", "node", "Node", id="drill-node"),
        Binding("c", "next_crash", "Next crash", show=False, id="drill-next-crash"),
    ]

    DEFAULT_CSS = """
    PodDetailScreen > #pod-title { height: auto; padding: 0 1; background: $panel; }
    PodDetailScreen > #pod-body { height: 1fr; }
    """

    def __init__(self, session: LiveSession, key: ObjectKey) -> None:
        super().__init__(session)
        self.key = key
        self.pod: PodRecord | None = None
        self.deleted = False
        self.journal: JournalRead | None = None  # this context's journal, once read
        self.journal_entries: list[JournalEntry] = []  # the ones about this pod, newest first
        self._journal_selected = 0

    def compose(self) -> ComposeResult:
        yield Static(id="pod-title")
        with VerticalScroll(id="pod-body"):
            for section_id, title in SECTIONS:
                section = DetailSection(id=f"pod-{section_id}")
                section.border_title = title
                section.display = section_id not in ("init", "crash", "journal")  # shown with content
                yield section
        yield Footer()

    def on_mount(self) -> None:
        super().on_mount()
        self.query_one("#pod-body", VerticalScroll).focus()
        if self.session.journal is not None:
            self._read_journal(self.session.source.snapshot().context)

    # -- the crash journal -------------------------------------------------------------------------

    class JournalLoaded(Message):
        def __init__(self, read: JournalRead) -> None:
            super().__init__()
            self.read = read

    @work(thread=True, exclusive=True, group="pod-journal", exit_on_error=False)
    def _read_journal(self, context: str) -> None:
        """File I/O, off the event loop; a bad file is a count of skipped lines, not an error."""
        journal = self.session.journal
        if journal is not None:
            self.post_message(self.JournalLoaded(journal.recent(context, limit=None)))

    @on(JournalLoaded)
    def _journal_loaded(self, message: JournalLoaded) -> None:
        self.journal = message.read
        if self.view is not None:
            self.refresh_from(self.view)

    def _show_journal(self, view: LiveView, pod: PodRecord) -> None:
        section = self.query_one("#pod-journal", DetailSection)
        read = self.journal
        if read is None:
            return
        live = {
            (r.pod, r.container, r.restarts)
            for r in view.snapshot.restarts
            if r.crash_log and r.namespace == self.key.namespace
        }
        self.journal_entries = [
            e for e in entries_for_pod(read.entries, pod) if (e.pod, e.container, e.restarts) not in live
        ]
        section.display = bool(self.journal_entries or read.skipped or read.error)
        if section.display:
            section.update(
                journal_text(
                    self.journal_entries,
                    self._journal_selected,
                    view.now,
                    skipped=read.skipped,
                    error=read.error,
                )
            )

    def action_next_crash(self) -> None:
        """Open the next (older) journal entry's log tail."""
        if not self.journal_entries:
            self.notify("no earlier crashes of this pod in the crash journal", markup=False)
            return
        self._journal_selected = (self._journal_selected + 1) % len(self.journal_entries)
        if self.view is not None:
            self.refresh_from(self.view)

    # -- live updates ------------------------------------------------------------------------------

    def relevant(self, changes: ChangeSet) -> bool:
        """This pod, its owners, an event named after it (events are `<pod>.<hash>`), or a metrics
        poll (the usage section)."""
        if changes.usage_changed:
            return True
        prefix = self.key.name + "."
        for key in changes.added | changes.modified | changes.deleted:
            if key == self.key:
                return True
            if key.namespace != self.key.namespace:
                continue
            if key.kind == "Event" and key.name.startswith(prefix):
                return True
            if key.kind == "ReplicaSet" or key.kind in WORKLOAD_KINDS:
                return True
        return False

    def refresh_from(self, view: LiveView) -> None:
        snapshot, now = view.snapshot, view.now
        pod = snapshot.pods.get(self.key)
        if pod is None:
            # Not found while pods are still being listed is not "deleted", just not known yet.
            self.deleted = self.pod is not None or _pods_synced(snapshot)
        else:
            self.deleted = False
            self.pod = pod
        self._render_title()
        current = self.pod
        if current is None:
            message = "deleted: this pod is no longer in the cluster" if self.deleted else "loading…"
            self._section("summary", Text(message, style=BAD if self.deleted else DIM))
            return
        self._section("summary", summary_section(current, now, deleted=self.deleted))
        self._section("init", init_containers_section(current, now))
        if not self.deleted:  # a deleted pod keeps the usage it last had (its history is dropped)
            self._section("usage", pod_usage_section(current, snapshot.usage))
        self._section("containers", containers_section(current, now))
        self._section("conditions", conditions_section(current.conditions, now))
        crash = crash_logs_section(
            [r for r in snapshot.restarts if r.namespace == self.key.namespace and r.pod == self.key.name]
        )
        crash_section = self.query_one("#pod-crash", DetailSection)
        crash_section.display = crash is not None
        if crash is not None:
            crash_section.update(crash)
        self._show_journal(view, current)
        self._section("events", events_section(snapshot.events_for(self.key), now))
        self._section("owners", owners_section(snapshot, self.key))
        self.query_one("#pod-init", DetailSection).display = bool(
            current.spec.init_containers or current.init_containers
        )
        if not self.deleted:  # a deleted pod keeps the findings it had
            self.watch_findings(view, [self.key, *owner_chain(snapshot, self.key)])
        self.show_findings()

    def show_findings(self) -> None:
        if self.findings is None:
            self._section("findings", findings_section(None))
            return
        seen: set[tuple[str, str | None, str]] = set()
        merged = []
        for key, findings in self.findings.items():
            for finding in findings:
                if key != self.key and finding.rule in RUNTIME_RULES:
                    continue  # rolled up from this workload's pods, maybe not this one
                ident = (finding.rule, finding.container, finding.message)
                if ident not in seen:
                    seen.add(ident)
                    merged.append(finding)
        self._section("findings", findings_section(merged))

    def _render_title(self) -> None:
        title = Text("Pod ", style="bold")
        title.append(clean(self.key.namespace), style=DIM)
        title.append("/")
        title.append(clean(self.key.name), style="bold")
        if self.deleted:
            title.append("  deleted", style=BAD)
        elif self.pod is not None:
            title.append("  ")
            title.append_text(state_text(self.pod.status_text or self.pod.phase or "Unknown"))
        else:
            title.append("  loading…", style=DIM)
        self.query_one("#pod-title", Static).update(title)

    def _section(self, section_id: str, body: RenderableType) -> None:
        self.query_one(f"#pod-{section_id}", DetailSection).update(body)

    # -- actions -----------------------------------------------------------------------------------

    def action_describe(self) -> None:
        self.post_message(OpenObject(self.key, "describe"))

    def action_yaml(self) -> None:
        self.post_message(OpenObject(self.key, "yaml"))

    def action_owner(self) -> None:
        """Jump to the workload that runs this pod (its pods list)."""
        snapshot = self.session.view.snapshot
        for owner in owner_chain(snapshot, self.key):
            if owner in snapshot.workloads:
                self.post_message(OpenPods(owner))
                return
        self.notify("this pod has no workload in view", markup=False)

    def action_node(self) -> None:
        """`N`: the node this pod runs on (its typed screen: conditions, allocation, its pods)."""
        pod = self.pod
        node = (pod.node or pod.spec.node_name) if pod is not None else ""
        if not node:
            self.notify("this pod is not scheduled on a node yet", markup=False)
            return
        self.post_message(OpenRow("pods", ObjectKey("Node", "", node)))

    def action_logs(self, previous: bool) -> None:
        """This pod's logs; `previous` reads the container that crashed last, once."""
        target = LogTarget(
            namespace=self.key.namespace,
            pod=self.key.name,
            container=self._log_container(previous),
            previous=previous,
            follow=not previous,
        )
        self.post_message(OpenLogs(target))

    def _log_container(self, previous: bool) -> str | None:
        """The container that restarted (for previous logs) or the first one; None lets the log
        view pick (it offers a container picker)."""
        pod = self.pod
        if pod is None:
            return None
        if previous:
            crashed = [c for c in pod.containers + pod.init_containers if c.last_termination is not None]
            if crashed:
                return max(crashed, key=lambda c: c.restart_count).name
        return pod.containers[0].name if len(pod.containers) == 1 else None


def _pods_synced(snapshot: ClusterSnapshot) -> bool:
    state = snapshot.states.get("pods")
    return state is not None and state.phase is not SyncPhase.SYNCING
