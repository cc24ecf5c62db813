"""Text builders shared by every kdash screen: safe cells, ages, ratios, bars, badges, severities.

They live in kdash/ui/render because the row builders use them and may import nothing of the UI
but this package; `kdash.ui.format` re-exports them for the screens and widgets.

Everything that came from the cluster (names, messages, images, labels) is untrusted. It may carry
Rich/Textual markup (`[@click=app.quit]x`), broken tags (`[/bold]` raises MarkupError when parsed),
or terminal escape sequences (OSC 52 clipboard writes, screen clears) that `Text` would pass to the
terminal untouched (FACTS §7). So nothing here ever parses markup: strings are cleaned of escape
sequences and control characters and wrapped in `rich.text.Text`; styles are applied as spans.

`now` is always a parameter, so snapshots and tests can freeze the clock.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable
from datetime import datetime

from rich.text import Text

from kdash.model import logtext
from kdash.model.findings import Severity
from kdash.model.timefmt import age
from kdash.ui.render.table import Cell

_DIGEST = re.compile(r"@[a-z0-9]+:([0-9a-f]{8,})$")

# Rich style names (ANSI colours follow the terminal palette; NO_COLOR is applied by Textual).
ERROR_STYLE = "bold red"
WARNING_STYLE = "yellow"
INFO_STYLE = "cyan"
OK_STYLE = "green"
MUTED_STYLE = "dim"

SEVERITY_STYLES: dict[Severity, str] = {
    Severity.ERROR: ERROR_STYLE,
    Severity.WARNING: WARNING_STYLE,
    Severity.INFO: INFO_STYLE,
}
# The ResourceTable row class for each severity (styled by theme variables in the table's CSS).
SEVERITY_CLASSES: dict[Severity, str] = {
    Severity.ERROR: "error",
    Severity.WARNING: "warning",
    Severity.INFO: "info",
}
GRADE_STYLES = {"A": OK_STYLE, "B": OK_STYLE, "C": WARNING_STYLE, "D": ERROR_STYLE, "F": ERROR_STYLE}

BAD_STATES = frozenset(
    {
        "CrashLoopBackOff",
        "Error",
        "OOMKilled",
        "ImagePullBackOff",
        "ErrImagePull",
        "InvalidImageName",
        "CreateContainerConfigError",
        "CreateContainerError",
        "RunContainerError",
        "Failed",
        "Evicted",
        "BackOff",
    }
)
WAITING_STATES = frozenset({"Pending", "ContainerCreating", "PodInitializing", "Terminating", "Unknown"})


def clean(value: object, *, multiline: bool = False) -> str:
    """`value` as a string with escape sequences, control and invisible characters removed.

    Single-line by default (newlines and tabs become spaces) because most cells are one line; this
    is `kdash.model.logtext.clean`, the one sanitiser, which knows the sequences.
    """
    return logtext.clean(value, multiline=multiline)


def safe(value: object, style: str = "") -> Text:
    """An untrusted value as literal, single-line Text (never parsed as markup)."""
    return Text(clean(value), style=style, end="")


def first_line(value: str) -> str:
    """The first non-empty line of a (termination) message."""
    for line in value.splitlines():
        if line.strip():
            return line.strip()
    return ""


def age_text(when: datetime | None, now: datetime) -> Text:
    """kubectl's AGE cell ("5d3h"), dim when unknown."""
    value = age(when, now)
    return Text(value, style=MUTED_STYLE if value == "<unknown>" else "", end="")


def age_seconds(when: datetime | None, now: datetime) -> float | None:
    """How old, in seconds, for sorting an AGE column (None sorts last)."""
    if when is None:
        return None
    return (now - when).total_seconds()


def age_cell(when: datetime | None, now: datetime) -> Cell:
    """An AGE (or WHEN, SCALED) cell: kubectl's text, sorted by seconds."""
    return Cell(age_text(when, now), age_seconds(when, now))


# kubectl's age text counts in a unit that grows with the age (kdash.model.timefmt.format_age):
# (age below, unit) in seconds; every tier starts on a multiple of its unit.
_AGE_UNITS = (
    (600, 1),  # 59s, 9m59s
    (8 * 3600, 60),  # 179m, 7h59m
    (8 * 86400, 3600),  # 47h, 7d23h
    (8 * 365 * 86400, 86400),  # 729d, 7y364d
)
_YEAR = 365 * 86400


def age_valid_until(when: datetime | None, now: datetime) -> float:
    """A POSIX time before which `age(when, t)` reads as `age(when, now)` for every t from `now`:
    a row showing an age need not be looked at again until then (ten renders a second over 2,000
    workloads formatted 20,000 ages a second that had not changed). Errs early, never late.
    -inf: look every time (the future, naive times); inf: it never changes ("<unknown>")."""
    if when is None:
        return math.inf
    if when.tzinfo is None or now.tzinfo is None:
        return -math.inf  # age() compares them as they are: do not second-guess it
    try:
        born = when.timestamp()
        # 1 ms less than it is: float rounding near a boundary can then only make it look early
        seconds = now.timestamp() - born - 0.001
    except (OverflowError, ValueError):
        return -math.inf
    if not seconds >= 0:
        return -math.inf  # a moment old, or clock skew ("0s", "<invalid>")
    unit = next((u for limit, u in _AGE_UNITS if seconds < limit), _YEAR)
    return born + (seconds // unit + 1) * unit - 0.001


def number(value: int | float | None, style: str = "") -> Text:
    """A right-aligned count with thousands separators; "-" when unknown."""
    if value is None:
        return Text("-", style=MUTED_STYLE, end="")
    return Text(f"{value:,}", style=style, end="")


def ratio(have: int, want: int, text: str | None = None) -> Text:
    """ "3/4" coloured: green when complete, yellow when short, red when none of several."""
    shown = text if text is not None else f"{have}/{want}"
    if want == 0 or have >= want:
        style = OK_STYLE if want else MUTED_STYLE
    elif have == 0:
        style = ERROR_STYLE
    else:
        style = WARNING_STYLE
    return Text(clean(shown), style=style, end="")


def state_text(state: str) -> Text:
    """A pod/container state ("CrashLoopBackOff", "Running") coloured by how bad it is."""
    if state in BAD_STATES or state.startswith(("Init:Error", "Init:CrashLoop", "Init:ErrImage")):
        style = ERROR_STYLE
    elif state in WAITING_STATES or state.startswith("Init:"):
        style = WARNING_STYLE
    elif state in {"Running", "Completed", "Succeeded"}:
        style = OK_STYLE
    else:
        style = ""
    return safe(state, style)


def usage_bar(percent: float | None, width: int = 10, warn: float = 80, error: float = 95) -> Text:
    """A quota usage bar with the percentage: yellow from `warn` %, red from `error` %."""
    if percent is None:
        return Text("-".ljust(width + 5), style=MUTED_STYLE, end="")
    percent = max(0.0, percent)  # 0.0 first: max(0.0, -0.0) is 0.0, so "-0%" cannot be printed
    style = ERROR_STYLE if percent >= error else WARNING_STYLE if percent >= warn else OK_STYLE
    filled = max(0, min(width, round(percent / 100 * width)))
    bar = Text(end="")
    bar.append("█" * filled, style=style)
    bar.append("░" * (width - filled), style=MUTED_STYLE)
    bar.append(f" {percent:3.0f}%", style=style)
    return bar


def severity_text(severity: Severity) -> Text:
    """ "error" / "warning" / "info" in the severity's colour."""
    return Text(severity.label, style=SEVERITY_STYLES[severity], end="")


def severity_class(severity: Severity | None) -> str | None:
    """The ResourceTable row class for a severity (None: no colouring)."""
    return None if severity is None else SEVERITY_CLASSES[severity]


def grade_text(grade: str, score: float | None = None) -> Text:
    """A health grade ("B") or score+grade ("82 B") in the grade's colour."""
    style = GRADE_STYLES.get(grade[:1], "")
    shown = grade if score is None else f"{score:3.0f} {grade}"
    return Text(shown, style=style, end="")


def short_image(image: str) -> str:
    """`registry.example.com/team/api:1.4.2` -> `api:1.4.2` (the tag stays visible)."""
    image = clean(image)
    match = _DIGEST.search(image)
    name = image[: match.start()] if match else image
    base = name.rsplit("/", 1)[-1]
    if match:
        return f"{base}@{match.group(1)[:12]}"
    return base


def images_text(images: Iterable[str]) -> Text:
    """Images of a workload, short names, `:latest`/untagged in yellow."""
    out = Text(end="")
    for i, image in enumerate(images):
        if i:
            out.append(", ")
        short = short_image(image)
        untagged = ":" not in short and "@" not in short
        out.append(short, style=WARNING_STYLE if untagged or short.endswith(":latest") else "")
    return out


def joined(parts: Iterable[Text], sep: str = " ") -> Text:
    return Text(sep, end="").join(parts)
