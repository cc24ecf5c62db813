"""Read the dashboard off a terminal's text, the way a person reads it: the header, the boxed panes
with their `[N]` counts, and the Restarts pane's counts.

Pure functions over the screen's lines (one string per row, one character per column; see
benchmarks/emulator.py), so they are tested on recorded or generated screens without a terminal.
What "every pane populated" means (T1) is `missing()`: it names what the screen still lacks, and
an empty list is the moment the clock stops.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, replace

TOP_LEFT, TOP_RIGHT = "╭┌┏╔", "╮┐┓╗"
BOTTOM_LEFT, SIDES = "╰└┗╚", "│┃║"
_TITLE = re.compile(r"^[─━═]\s?(?P<title>.*?)(?:\s\[(?P<count>[\d,]+)(?:/[\d,]+)?\])?\s?[─━═]")
_STATE = re.compile(r"● (\w+)")
_PODS = re.compile(r"\bpods ([\d,]+)")
_GRADE = re.compile(r"\bgrade\s+(\d{1,3}) ([A-F])\b")
_SCORE_CELL = re.compile(r"\s\d{1,3} [A-F](\s|$)")
READY_STATES = ("live", "polling")  # every list done (polling: watches unavailable, lists still whole)
# Workloads' bottom line on a cluster without metrics-server (the `big` scenario): a note, not a state
METRICS_NOTE = "metrics unavailable"


@dataclass(frozen=True)
class Expect:
    """What the simulated cluster holds, so the screen can be checked against it."""

    pods: int
    restarts: bool = True  # some container restarted or is crash-looping: Restarts must have rows
    hpas: int = 0
    quotas: int = 0
    # the settled picture, from a headless run of the same app on the same cluster: until the
    # first full score is drawn, the Health count and the grade are an older report's
    health: int | None = None  # rows in the Health pane ("Health [20,175]")
    grade: str | None = None  # the header's grade ("65 D")

    def settled_as(self, picture: dict[str, str]) -> Expect:
        """This expectation, plus the header grade and Health count a settled app drew."""
        title = _TITLE.match("─ " + picture.get("health", "") + " ─")
        count = title.group("count") if title else None
        return replace(
            self,
            health=int(count.replace(",", "")) if count else self.health,
            grade=header_grade_text(picture.get("header", "")) or self.grade,
        )


@dataclass(frozen=True)
class PaneText:
    """One bordered pane as drawn: title, `[N]` count, bottom-border words and the lines inside."""

    title: str
    count: int | None
    subtitle: str
    lines: tuple[str, ...]
    top: int  # screen row of the top border
    left: int  # screen column of the left border

    @property
    def header(self) -> str:
        return self.lines[0] if self.lines else ""

    def data_rows(self) -> list[str]:
        """Non-blank lines below the column header (a table pane's rows, or its placeholder)."""
        return [line for line in self.lines[1:] if line.strip()]

    @property
    def filled(self) -> bool:
        """A counted title ("Restarts [21]") and at least one row drawn: the placeholder
        ("no quotas in any namespace", "syncing…") comes only with an uncounted title."""
        return bool(self.count) and bool(self.data_rows())


def find_panes(lines: Sequence[str]) -> dict[str, PaneText]:
    """Every bordered box on the screen, by title (the first one wins on a duplicate)."""
    panes: dict[str, PaneText] = {}
    for y, line in enumerate(lines):
        for x, ch in enumerate(line):
            if ch not in TOP_LEFT:
                continue
            right = _right_corner(line, x)
            if right < 0:
                continue
            match = _TITLE.match(line[x + 1 : right + 1])
            if match is None:
                continue
            bottom = _bottom(lines, y, x)
            if bottom < 0:
                continue
            count = match.group("count")
            title = match.group("title").strip()
            inner = tuple(row[x + 1 : right] for row in lines[y + 1 : bottom])
            subtitle = lines[bottom][x + 1 : right].strip("─━═ ")
            panes.setdefault(
                title,
                PaneText(title, int(count.replace(",", "")) if count else None, subtitle, inner, y, x),
            )
    return panes


def _right_corner(line: str, left: int) -> int:
    for x in range(left + 1, len(line)):
        if line[x] in TOP_RIGHT:
            return x
        if line[x] in TOP_LEFT:
            return -1
    return -1


def _bottom(lines: Sequence[str], top: int, x: int) -> int:
    for y in range(top + 1, len(lines)):
        ch = lines[y][x] if x < len(lines[y]) else ""
        if ch in BOTTOM_LEFT:
            return y
        if ch not in SIDES:
            return -1
    return -1


def header_state(header: str) -> str:
    """The sync word after the dot: live, syncing, reconnecting, stale, polling ("" if none)."""
    match = _STATE.search(header)
    return match.group(1) if match else ""


def header_pods(header: str) -> int | None:
    match = _PODS.search(header)
    return int(match.group(1).replace(",", "")) if match else None


def header_grade(header: str) -> int | None:
    """The cluster score the header shows (None before the first score)."""
    match = _GRADE.search(header)
    return int(match.group(1)) if match else None


def header_grade_text(header: str) -> str | None:
    """ "65 D" from "… │ grade  65 D │ …"."""
    match = _GRADE.search(header)
    return f"{match.group(1)} {match.group(2)}" if match else None


def missing(lines: Sequence[str], expect: Expect) -> list[str]:
    """What keeps this screen from "every pane populated"; [] once it is.

    The header: every list done (live), the cluster's pod count, a grade. The panes: Workloads
    has rows with a health score; Restarts has rows when the cluster has restarts; Health has
    rows when the grade is below 100 (there are findings); HPA and Quotas have rows when the
    cluster has any; no pane says "syncing…" (or any state) on its bottom border. With a settled
    picture in `expect`, the grade and the Health count must be that picture's too (a screen can
    look complete while it still shows the score of a half-listed cluster). The log tail follows
    a selection and streams on its own; `log_tail_status()` reports it separately.
    """
    if not lines:
        return ["blank screen"]
    header = lines[0]
    out: list[str] = []
    state = header_state(header)
    if state not in READY_STATES:
        out.append(f"header says {state or 'nothing'}")
    pods = header_pods(header)
    if pods != expect.pods:
        out.append(f"header pods {pods} != {expect.pods}")
    grade = header_grade(header)
    if grade is None:
        out.append("no grade")
    elif expect.grade is not None and header_grade_text(header) != expect.grade:
        out.append(f"grade {header_grade_text(header)} != {expect.grade}")
    panes = find_panes(lines)
    wanted = {
        "Workloads": True,
        "Restarts": expect.restarts,
        "Health": grade is not None and grade < 100,
        "HPA": expect.hpas > 0,
        "Quotas": expect.quotas > 0,
    }
    for title, need in wanted.items():
        pane = panes.get(title)
        if pane is None:
            out.append(f"no {title} pane on screen")
            continue
        if pane.subtitle and not pane.subtitle.startswith(METRICS_NOTE):
            out.append(f"{title}: {pane.subtitle}")
        if need and not pane.filled:
            out.append(f"{title} empty")
    health = panes.get("Health")
    if health is not None and expect.health is not None and (health.count or 0) != expect.health:
        out.append(f"Health [{health.count}] != {expect.health}")
    workloads = panes.get("Workloads")
    if workloads is not None and not any(_SCORE_CELL.search(r) for r in workloads.data_rows()):
        out.append("Workloads rows have no health score")
    return out


def restart_values(lines: Sequence[str], column: str = "RESTARTS") -> list[int]:
    """The counts in the Restarts pane's RESTARTS column, top row first (right-aligned under
    the header, thousands separated: "100,017")."""
    pane = find_panes(lines).get("Restarts")
    if pane is None:
        return []
    at = pane.header.find(column)
    if at < 0:
        return []
    values = []
    for row in pane.data_rows():
        cell = row[at : at + len(column)].strip().replace(",", "")
        if cell.isdigit():
            values.append(int(cell))
    return values


def log_tail_status(lines: Sequence[str]) -> tuple[str, int]:
    """(the log tail's status line, how many log lines it shows): the last non-blank line of
    the box is its status ("Deployment team-000/svc-00 · following 10 containers")."""
    pane = find_panes(lines).get("Log tail")
    if pane is None:
        return "", 0
    rows = [line.rstrip() for line in pane.lines if line.strip()]
    if not rows:
        return "", 0
    return rows[-1].strip(), len(rows) - 1
