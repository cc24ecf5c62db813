"""The harness's screen reader (benchmarks/screen.py, benchmarks/emulator.py) on generated screens.

The real-terminal benchmarks stop T1's clock and date T4's changes by reading an emulated screen;
a reader that accepted a half-drawn dashboard, or missed a count, would make those numbers wrong.
The screens here are drawn the way the dashboard draws them (rounded boxes, `Title [N]`, state
words on the bottom border) and fed through pyte as terminal output, colours included.
"""

from __future__ import annotations

from collections.abc import Sequence

import pytest

from benchmarks.emulator import TextTerminal
from benchmarks.screen import Expect, find_panes, log_tail_status, missing, restart_values

WIDTH = 120
HALF = WIDTH // 2

WORKLOAD_HEADER = "NAMESPACE  KIND   NAME    READY  HEALTH WORST FINDING"
WORKLOAD_ROW = "team-000   deploy svc-00    5/5    64 D container app may run as root"
UNSCORED_ROW = "team-000   deploy svc-00    5/5       -"
RESTART_HEADER = "NAMESPACE  POD                     CONTAINER  RESTARTS STATE"
HEALTH_HEADER = "SEVERITY RULE            OBJECT"
HPA_HEADER = "NAMESPACE  NAME   TARGET   MIN/MAX"
QUOTA_HEADER = "NAMESPACE  QUOTA  RESOURCE   USED/HARD"


def restart_row(count: str, pod: str = "svc-44-v2z9d827dd-mnb6d") -> str:
    return f"team-005   {pod} app        {count:>8} CrashLoopBackOff"


def box(
    title: str, count: int | None, rows: Sequence[str], width: int, height: int, subtitle: str = ""
) -> list[str]:
    label = f" {title} [{count:,}] " if count else f" {title} "
    top = "╭─" + label + "─" * (width - 3 - len(label)) + "╮"
    tail = f" {subtitle} ─" if subtitle else ""
    bottom = "╰" + "─" * (width - 2 - len(tail)) + tail + "╯"
    body = [("│" + r[: width - 2].ljust(width - 2) + "│") for r in rows]
    body += ["│" + " " * (width - 2) + "│"] * (height - 2 - len(body))
    return [top, *body, bottom]


def beside(left: list[str], right: list[str]) -> list[str]:
    return [a + b for a, b in zip(left, right, strict=True)]


def dashboard(
    *,
    state: str = "live",
    pods: str = "10,000",
    grade: str = "grade  64 D",
    workloads: Sequence[str] = (WORKLOAD_ROW,),
    restarts: Sequence[str] | None = None,
    restarts_subtitle: str = "",
    health: int = 20_000,
    hpas: Sequence[str] = (),
    quotas: Sequence[str] = (),
) -> list[str]:
    restarts = [restart_row("7")] if restarts is None else restarts
    header = f" ⎈ kdash-sim │ ns all │ ● {state} │ pods {pods}  workloads 2,000 │ {grade} │ v1.36.2"
    restart_rows = [
        RESTART_HEADER,
        *(restarts or ["syncing…" if restarts_subtitle else "no restarts in any namespace"]),
    ]
    lines = [header.ljust(WIDTH)]
    lines += box("Workloads", 2000 if workloads else None, [WORKLOAD_HEADER, *workloads], WIDTH, 6)
    lines += beside(
        box("HPA", len(hpas) or None, [HPA_HEADER, *(hpas or ["no autoscalers in any namespace"])], HALF, 5),
        box(
            "Quotas",
            len(quotas) or None,
            [QUOTA_HEADER, *(quotas or ["no quotas in any namespace"])],
            HALF,
            5,
        ),
    )
    health_rows = (
        [HEALTH_HEADER, "warning  security-root   Deployment/team-000/svc-00"] if health else [HEALTH_HEADER]
    )
    lines += beside(
        box("Restarts", len(restarts) or None, restart_rows, HALF, 7, restarts_subtitle),
        box("Health", health or None, health_rows, HALF, 7),
    )
    lines += box("Log tail", None, ["", "Deployment team-000/svc-00 · following 10 containers"], WIDTH, 4)
    return lines


def as_output(lines: Sequence[str]) -> bytes:
    """The screen as a terminal app writes it: positioned rows, each cell run in its own colour."""
    out = ["\x1b[?1049h\x1b[2J"]
    for y, line in enumerate(lines):
        out.append(f"\x1b[{y + 1};1H")
        for i in range(0, len(line), 7):
            out.append(f"\x1b[38;2;{i % 256};100;200;48;2;36;47;56m{line[i : i + 7]}\x1b[0m")
    return "".join(out).encode()


def on_terminal(lines: Sequence[str]) -> list[str]:
    term = TextTerminal(WIDTH, len(lines) + 2)
    data = as_output(lines)
    for i in range(0, len(data), 4095):  # in pty-sized chunks: sequences split across reads
        term.feed(data[i : i + 4095])
    return term.lines()


EXPECT = Expect(pods=10_000, restarts=True)


def test_a_complete_dashboard_through_the_emulator_is_populated() -> None:
    screen = on_terminal(dashboard())
    assert missing(screen, EXPECT) == []
    panes = find_panes(screen)
    assert {"Workloads", "HPA", "Quotas", "Restarts", "Health", "Log tail"} <= set(panes)
    assert panes["Workloads"].count == 2000
    assert panes["Health"].count == 20_000
    assert log_tail_status(screen)[0] == "Deployment team-000/svc-00 · following 10 containers"


@pytest.mark.parametrize(
    ("screen", "expect", "reason"),
    [
        (dashboard(state="syncing"), EXPECT, "header says syncing"),
        (dashboard(pods="9,500"), EXPECT, "header pods 9500 != 10000"),
        (dashboard(grade=""), EXPECT, "no grade"),
        (dashboard(workloads=[UNSCORED_ROW]), EXPECT, "Workloads rows have no health score"),
        (dashboard(workloads=[]), EXPECT, "Workloads empty"),
        (dashboard(restarts=[], restarts_subtitle="syncing…"), EXPECT, "Restarts: syncing…"),
        (dashboard(restarts=[]), EXPECT, "Restarts empty"),
        (dashboard(health=0), EXPECT, "Health empty"),
        (dashboard(), Expect(pods=10_000, hpas=3), "HPA empty"),
        (dashboard(), Expect(pods=10_000, quotas=1), "Quotas empty"),
        (dashboard(health=20_134), Expect(pods=10_000, health=20_175), "Health [20134] != 20175"),
        (dashboard(grade="grade  66 D"), Expect(pods=10_000, grade="65 D"), "grade 66 D != 65 D"),
    ],
)
def test_a_half_drawn_dashboard_is_not_populated(screen: list[str], expect: Expect, reason: str) -> None:
    assert reason in missing(on_terminal(screen), expect)


def test_empty_panes_pass_when_the_cluster_has_nothing_for_them() -> None:
    screen = on_terminal(dashboard(restarts=[]))
    assert missing(screen, Expect(pods=10_000, restarts=False)) == []
    with_hpas = dashboard(hpas=["shop  web  Deployment/web  2/10"], quotas=["shop  q  cpu  1/4"])
    assert missing(on_terminal(with_hpas), Expect(pods=10_000, hpas=1, quotas=1)) == []


def test_a_grade_of_100_needs_no_health_rows() -> None:
    assert missing(on_terminal(dashboard(grade="grade 100 A", health=0)), EXPECT) == []


def test_restart_values_reads_the_restarts_column_top_first() -> None:
    rows = [restart_row("100,017"), restart_row("100,016", pod="svc-1-100,200-xx-abcdef"), restart_row("7")]
    assert restart_values(on_terminal(dashboard(restarts=rows))) == [100_017, 100_016, 7]


def test_wide_characters_keep_columns_aligned() -> None:
    term = TextTerminal(20, 3)
    term.feed("\x1b[1;1H日本│x\x1b[2;1H\x1b[1mabcd│y".encode())
    first, second = term.lines()[:2]
    assert first.index("│") == second.index("│") == 4
    assert len(first) == len(second) == 20


def test_the_settled_picture_of_a_headless_run_becomes_the_expectation() -> None:
    picture = {
        "header": "⎈ kdash-sim │ ns all │ ● live │ pods 10,000 │ grade  64 D │ v1.36.2",
        "health": "Health [20,000]",
    }
    expect = EXPECT.settled_as(picture)
    assert (expect.health, expect.grade) == (20_000, "64 D")
    assert missing(on_terminal(dashboard()), expect) == []
    assert EXPECT.settled_as({}) == EXPECT  # no picture (the app's insides moved): check less
