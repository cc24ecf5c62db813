"""Text builders for the drill-down screens (pod detail, workload pods, YAML/describe).

Every string that comes from the cluster (names, messages, termination messages, event text) is
untrusted: it may carry Rich/Textual markup (`[@click=app.quit]`), malformed tags (`[/bold]`) or
terminal escape sequences (OSC 52 clipboard writes, screen clears). Rich `Text` stops markup from
being parsed but lets ESC through to the terminal (FACTS §7), so everything shown here first goes
through `clean()` and is then wrapped in `Text`, never in a markup string.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime

from rich.text import Text

from kdash.model.meta import Condition
from kdash.model.pods import ContainerState, ProbeSpec
from kdash.model.timefmt import age
from kdash.ui.format import clean

DIM = "dim"
OK = "green"
BAD = "bold red"
WARN = "yellow"


def plain(value: object, style: str = "", *, multiline: bool = False) -> Text:
    """Untrusted text as a literal `Text` (markup is never parsed)."""
    return Text(clean(value, multiline=multiline), style=style)


def first_line(value: str, limit: int = 200) -> str:
    """The first non-empty line of a message, cut at `limit` characters (termination messages are
    often whole stack traces; the detail shows the rest below)."""
    for line in value.splitlines():
        stripped = line.strip()
        if stripped:
            return stripped if len(stripped) <= limit else stripped[: limit - 1] + "…"
    return ""


def ago(when: datetime | None, now: datetime) -> Text:
    """ "5m ago" (dim), or "–" when unknown."""
    if when is None:
        return Text("–", style=DIM)
    return Text(f"{age(when, now)} ago", style=DIM)


def join(parts: Iterable[Text], sep: str = "  ") -> Text:
    """Join Text fragments, skipping empty ones."""
    return Text(sep).join(p for p in parts if p.plain)


def state_style(state: ContainerState) -> str:
    """Running is fine, Completed is fine, anything waiting or failed draws the eye."""
    if state.state == "running":
        return OK
    if state.state == "terminated":
        return OK if state.exit_code == 0 else BAD
    if state.state == "waiting":
        return BAD if state.reason in _BAD_WAITING else WARN
    return DIM


_BAD_WAITING = frozenset(
    {"CrashLoopBackOff", "ImagePullBackOff", "ErrImagePull", "CreateContainerConfigError", "InvalidImageName"}
)


def state_text(state: ContainerState, now: datetime) -> Text:
    """One line for a container's current state, kubectl-describe style."""
    style = state_style(state)
    out = Text()
    if state.state == "running":
        out.append("Running", style=style)
        if state.started is not None:
            out.append(f" since {age(state.started, now)}", style=DIM)
        return out
    if state.state == "waiting":
        out.append("Waiting", style=style)
        if state.reason:
            out.append(": ")
            out.append(clean(state.reason), style=style)
        if state.message:
            out.append("  ")
            out.append(first_line(clean(state.message, multiline=True)), style=DIM)
        return out
    if state.state == "terminated":
        return termination_text(state, now)
    return Text(clean(state.state or "unknown"), style=DIM)


def termination_text(state: ContainerState, now: datetime) -> Text:
    """ "Terminated: OOMKilled, exit code 137, signal 9, 3m ago" (the message is shown separately)."""
    style = state_style(state)
    out = Text()
    out.append("Terminated", style=style)
    if state.reason:
        out.append(": ")
        out.append(clean(state.reason), style=style)
    if state.exit_code is not None:
        out.append(f", exit code {state.exit_code}", style=style)
    if state.signal:
        out.append(f", signal {state.signal}")
    if state.finished is not None:
        out.append(f", {age(state.finished, now)} ago", style=DIM)
    return out


def message_block(message: str, indent: str = "") -> Text:
    """A multi-line untrusted message (termination messages are often stack traces), kept literal."""
    lines = [clean(line) for line in clean(message, multiline=True).splitlines() if line.strip()]
    out = Text()
    for i, line in enumerate(lines[:20]):
        if i:
            out.append("\n")
        out.append(indent + line)
    if len(lines) > 20:
        out.append(f"\n{indent}… {len(lines) - 20} more lines", style=DIM)
    return out


def probe_text(kind: str, probe: ProbeSpec | None) -> Text:
    """ "readiness GET /healthz :8080" or "readiness none" (dim)."""
    out = Text(f"{kind} ")
    if probe is None:
        out.append("none", style=DIM)
    else:
        out.append(clean(probe.detail or probe.handler))
    return out


def resources_text(requests: Mapping[str, str], limits: Mapping[str, str]) -> Text:
    """ "requests cpu 100m, memory 128Mi   limits memory 256Mi" ("none" when unset)."""

    def pairs(values: Mapping[str, str]) -> Text:
        if not values:
            return Text("none", style=WARN)
        return Text(", ").join(Text(f"{clean(k)} {clean(v)}") for k, v in sorted(values.items()))

    out = Text("requests ")
    out.append_text(pairs(requests))
    out.append("   limits ")
    out.append_text(pairs(limits))
    return out


def condition_status(cond: Condition) -> Text:
    """True green, False red (for the conditions a healthy object has True), Unknown dim."""
    style = {"True": OK, "False": BAD}.get(cond.status, DIM)
    return Text(clean(cond.status), style=style)


def bool_mark(value: bool) -> Text:
    return Text("✓", style=OK) if value else Text("✗", style=BAD)
