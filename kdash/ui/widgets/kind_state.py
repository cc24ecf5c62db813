"""The sync state of the kinds a table draws, in words, for every table kdash shows.

The dashboard panes and the list screens (`:pods`, a workload's pods, `:events`) share this, so
each says forbidden (with the API's own sentence), failing, syncing or stale the same way: a table
must never show kept rows as live during an outage, nor "no pods" when the server said 403.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime

from rich.text import Text

from kdash.model.snapshot import KindState, SyncPhase
from kdash.ui.format import ERROR_STYLE, WARNING_STYLE, clean

#: (css state class, words); ("", "") while every kind drawn is live.
State = tuple[str, str]

STATE_STYLES: dict[str, str] = {
    "-forbidden": ERROR_STYLE,
    "-error": ERROR_STYLE,
    "-syncing": WARNING_STYLE,
    "-stale": WARNING_STYLE,
}


def kinds_state(
    states: Mapping[str, KindState], kinds: Iterable[str], namespace: str | None, now: datetime
) -> State:
    """The worst state among `kinds` (plural resource names): forbidden, then error, then
    syncing, then stale. A kind without a state yet counts as syncing."""
    found = [states[k] for k in kinds if k in states]
    where = namespace or "any namespace"
    for st in found:
        if st.phase is SyncPhase.FORBIDDEN:
            return "-forbidden", st.message or f"no permission to list {st.kind} in {where}"
    for st in found:
        if st.phase is SyncPhase.ERROR:
            retry = ""
            if st.retry_at is not None:
                retry = f" (retry in {max(0, int((st.retry_at - now).total_seconds()))} s)"
            return "-error", f"{st.message or f'cannot list {st.kind}'}{retry}"
    if not found or any(st.phase is SyncPhase.SYNCING for st in found):
        return "-syncing", "syncing…"
    stale = [st.stale_since for st in found if st.stale_since is not None]
    if stale:
        seconds = max(0, int((now - min(stale)).total_seconds()))
        return "-stale", f"stale for {seconds} s"
    return "", ""


def state_badge(state: State) -> Text:
    """The state's words in its colour, for a screen's title line (empty while live)."""
    css, words = state
    if not words:
        return Text(end="")
    return Text(f"● {clean(words)}", style=STATE_STYLES.get(css, ""), end="")


def empty_text(state: State, empty: str) -> str:
    """What an empty table says: the state's words (the 403 sentence, "syncing…"), else `empty`."""
    return clean(state[1]) if state[1] else empty
