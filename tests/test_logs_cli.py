"""`kdash logs` against the simulated cluster (real HTTP, no mocks), with the sim's clock frozen so
the log generator's output is known exactly: what `kdash logs web -n shop --no-follow -o json`
prints is compared with what the scenario serves for those pods, line for line and field by field.

--no-follow runs call `kdash.cli.main` in-process (its output captured); following runs are real
processes (joined and left pods, Ctrl-C).
"""

from __future__ import annotations

import copy
import json
import re
import signal
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest

from kdash.cli import main
from kdash.sim import start_sim
from kdash.sim.logs import default_lines
from kdash.sim.scenarios.demo_logs import access_log
from tests.helpers import wait_for
from tests.test_watch import Proc

FIXED = datetime(2026, 11, 29, 12, 0, tzinfo=UTC)
HOSTILE = "\x1b[31mred\x1b[0m \x1b]52;c;ZXZpbA==\x07clip \x1b[2J\u202eevil\u202c [bold]markup[/bold] \x9b1m"
HOSTILE_SHOWN = "red clip evil [bold]markup[/bold] "  # colour, OSC 52, clear, bidi and C1 all gone

JSON = dict[str, Any]


@pytest.fixture(scope="module")
def sim() -> Iterator[Any]:
    cluster = start_sim("demo", now=lambda: FIXED)
    try:
        yield cluster
    finally:
        cluster.stop()


def web_pods(sim: Any) -> dict[str, JSON]:
    pods = {p["metadata"]["name"]: p for p in sim.list("Pod", "shop")}
    return {n: p for n, p in pods.items() if n.startswith("web-") and "-extra" not in n and "-evil" not in n}


def run(capsys: pytest.CaptureFixture[str], sim: Any, *args: str) -> tuple[int, list[str], list[str]]:
    code = main(["logs", *args, "--kubeconfig", str(sim.kubeconfig_path)])
    out, err = capsys.readouterr()
    return code, out.splitlines(), err.splitlines()


def _ns(stamp: str) -> datetime:
    """`2026-11-29T11:55:00.000000000Z` (nanoseconds) as a datetime, to microseconds."""
    m = re.fullmatch(r"(.*T\d\d:\d\d:\d\d)\.(\d{9})Z", stamp)
    assert m, stamp
    return datetime.fromisoformat(m.group(1)).replace(tzinfo=UTC, microsecond=int(m.group(2)[:6]))


def test_logs_json_prints_what_the_sim_serves_for_each_web_container(
    capsys: pytest.CaptureFixture[str], sim: Any
) -> None:
    code, out, err = run(capsys, sim, "web", "-n", "shop", "--no-follow", "-o", "json")
    assert code == 0
    docs = [json.loads(line) for line in out]
    pods = web_pods(sim)
    assert len(pods) == 3
    got: dict[tuple[str, str], list[JSON]] = {}
    for doc in docs:
        assert set(doc) == {"namespace", "pod", "container", "node", "labels", "timestamp", "message"}
        got.setdefault((doc["pod"], doc["container"]), []).append(doc)
    assert set(got) == {(p, c) for p in pods for c in ("nginx", "log-shipper")}
    # nginx: the scenario's access log (seed = the pod's place in the deployment); each pod one seed
    by_seed = {seed: access_log(FIXED, 60, seed=seed) for seed in range(3)}
    seeds = set()
    for name, pod in pods.items():
        nginx = got[(name, "nginx")]
        seed = next(
            s for s, lines in by_seed.items() if [t for _, t in lines] == [d["message"] for d in nginx]
        )
        seeds.add(seed)
        assert [_ns(d["timestamp"]) for d in nginx] == [ts for ts, _ in by_seed[seed]]
        shipper = default_lines("shop", name, "log-shipper", FIXED)  # the generator for unscripted ones
        assert [d["message"] for d in got[(name, "log-shipper")]] == [t for _, t in shipper]
        for doc in nginx:
            assert doc["namespace"] == "shop" and doc["node"] == pod["spec"]["nodeName"]
            assert doc["labels"] == pod["metadata"]["labels"]
    assert seeds == {0, 1, 2}
    assert sorted(line for line in err if line.startswith("+ ")) == sorted(
        f"+ {p} › {c}" for p in pods for c in ("nginx", "log-shipper")
    )
    assert err[-1] == f"kdash: {len(docs)} lines, 0 dropped" and len(docs) == 3 * (60 + 20)


def test_container_regex_include_exclude_and_the_default_format(
    capsys: pytest.CaptureFixture[str], sim: Any
) -> None:
    code, out, err = run(
        capsys, sim, "^web-", "-n", "shop", "--no-follow", "-c", "^ngin", "-i", "GET /products", "-e", "/42 "
    )
    assert code == 0
    pods = web_pods(sim)
    assert out, err
    for line in out:
        pod, container, text = line.split(" ", 2)
        assert pod in pods and container == "nginx"
        assert "GET /products" in text and "/42 " not in text
    assert {line.split(" ", 1)[0] for line in out} == set(pods)
    summary = err[-1]
    shown, filtered = re.fullmatch(r"kdash: (\d+) lines, 0 dropped, (\d+) filtered out", summary).groups()  # type: ignore[union-attr]
    assert int(shown) == len(out) and int(shown) + int(filtered) == 3 * 60


def test_all_namespaces_prefix_tail_and_the_stream_cap(capsys: pytest.CaptureFixture[str], sim: Any) -> None:
    code, out, err = run(capsys, sim, "^web-", "-A", "--no-follow", "--tail", "2", "--max-log-requests", "2")
    assert code == 0
    assert "kdash: following 2 of 6 containers (raise --max-log-requests)" in err
    followed = sorted(line[2:] for line in err if line.startswith("+ "))
    assert len(followed) == 2 and all(f.startswith("shop web-") for f in followed)  # -A: namespace first
    assert len(out) == 4 and all(line.startswith("shop web-") for line in out)  # --tail 2 of each of 2


def test_exclude_pod_exclude_container_and_container_state_choose_what_is_followed(
    capsys: pytest.CaptureFixture[str], sim: Any
) -> None:
    pods = sorted(web_pods(sim))
    code, out, err = run(
        capsys,
        sim,
        "^web-",
        "-n",
        "shop",
        "--no-follow",
        "--exclude-pod",
        pods[0],
        "-E",
        "^ngin",
        "-o",
        "raw",
    )
    assert code == 0 and out
    followed = {tuple(line[2:].split(" ")[:3:2]) for line in err if line.startswith("+ ")}
    others = {
        (name, c["name"])
        for name in pods[1:]
        for c in web_pods(sim)[name]["spec"]["containers"]
        if c["name"] != "nginx"
    }
    assert others and followed == others  # the excluded pod and every nginx container left out

    # stern's --container-state: only containers whose current state is the one asked for
    waiting = {
        (p["metadata"]["namespace"], p["metadata"]["name"], st["name"])
        for p in sim.list("Pod")
        if p["spec"].get("nodeName")
        for st in p.get("status", {}).get("containerStatuses", [])
        if "waiting" in st.get("state", {})
    }
    code, _, err = run(
        capsys, sim, ".", "-A", "--no-follow", "--container-state", "waiting", "--max-log-requests", "500"
    )
    assert code == 0 and waiting
    shown = {tuple(line[2:].replace(" › ", " ").split(" ")[:3]) for line in err if line.startswith("+ ")}
    assert shown == waiting
    code, _, err = run(capsys, sim, "web", "--container-state", "asleep", "--no-follow")
    assert code == 2 and err == [
        "kdash: --container-state: expected running, waiting, terminated or all, got 'asleep'."
    ]


def evil_pod(sim: Any, name: str) -> JSON:
    """A one-container copy of a web pod (nginx only), stored in the sim."""
    template = copy.deepcopy(next(iter(web_pods(sim).values())))
    meta = template["metadata"]
    meta["name"], meta["uid"] = name, f"uid-{name}"
    meta.pop("resourceVersion", None)
    template["spec"]["containers"] = template["spec"]["containers"][:1]
    template["status"]["containerStatuses"] = template["status"]["containerStatuses"][:1]
    stored: JSON = sim.apply(template)
    return stored


def test_hostile_lines_are_neutralised_in_text_raw_and_json(
    capsys: pytest.CaptureFixture[str], sim: Any
) -> None:
    evil_pod(sim, "web-evil-1")
    sim.append_log("shop", "web-evil-1", "nginx", ["plain", HOSTILE])
    try:
        results = {
            mode: run(capsys, sim, "web-evil", "-n", "shop", "--no-follow", "-o", mode, "--color", "always")
            for mode in ("default", "raw", "json")
        }
    finally:
        sim.delete("Pod", "shop", "web-evil-1")
    default, raw, as_json = (results[m][1] for m in ("default", "raw", "json"))
    # the only escapes left are our own pod colours (asked for with --color always)
    assert [re.sub(r"\x1b\[\d+m", "", line) for line in default] == [
        "web-evil-1 nginx plain",
        f"web-evil-1 nginx {HOSTILE_SHOWN}",
    ]
    assert all(line.startswith("\x1b[9") for line in default)
    assert raw == ["plain", HOSTILE_SHOWN]  # raw and json carry no colour at all
    assert [json.loads(line)["message"] for line in as_json] == ["plain", HOSTILE_SHOWN]
    for line in [*raw, *as_json]:
        assert not any(ch in line for ch in ("\x1b", "\x07", "\u202e", "\u202c", "\x9b"))


def test_previous_prints_the_crashed_instance(capsys: pytest.CaptureFixture[str], sim: Any) -> None:
    evil_pod(sim, "web-prev-1")
    sim.append_log("shop", "web-prev-1", "nginx", ["starting", "panic: out of cheese"])
    sim.restart_container("shop", "web-prev-1", "nginx", reason="Error", exit_code=2)
    sim.append_log("shop", "web-prev-1", "nginx", ["starting again"])
    try:
        code, out, _ = run(capsys, sim, "web-prev", "-n", "shop", "-p", "-o", "raw", "-t")
        _, now_lines, _ = run(capsys, sim, "web-prev", "-n", "shop", "--no-follow", "-o", "raw")
    finally:
        sim.delete("Pod", "shop", "web-prev-1")
    assert code == 0
    assert [line.split(" ", 1)[1] for line in out] == ["starting", "panic: out of cheese"]
    assert all(_ns(line.split(" ", 1)[0]) == FIXED for line in out)  # -t: the kubelet's timestamp
    assert now_lines == ["starting again"]


@pytest.mark.parametrize(
    ("argv", "said"),
    [
        (["--no-follow"], "give a pod-name regex"),
        (["web(", "--no-follow"], "QUERY: 'web(' is not a regular expression"),
        (["web", "-c", "[", "--no-follow"], "-c: '[' is not a regular expression"),
        (["web", "--since", "5 minutes", "--no-follow"], "--since: expected a duration"),
        (["web", "-l", "app in (", "--no-follow"], "-l: "),
    ],
)
def test_bad_input_is_one_sentence_and_exit_2(
    capsys: pytest.CaptureFixture[str], sim: Any, argv: list[str], said: str
) -> None:
    code, out, err = run(capsys, sim, *argv)
    assert code == 2 and out == []
    assert len(err) == 1 and err[0].startswith(f"kdash: {said}")


def test_following_joins_new_pods_reports_gone_ones_and_ctrl_c_prints_the_count(sim: Any) -> None:
    logs = Proc(
        "logs", "web-extra", "-n", "shop", "--kubeconfig", str(sim.kubeconfig_path), env={"NO_COLOR": "1"}
    )
    try:
        wait_for(lambda: "waiting for one to start" in logs.stderr_text(), "the no-match note")
        sim.append_log("shop", "web-extra-1", "nginx", ["hello from the new pod"])  # its log, then the pod
        evil_pod(sim, "web-extra-1")
        wait_for(lambda: "+ web-extra-1 › nginx" in logs.stderr_text(), "the join line")
        wait_for(lambda: logs.out, "its first line")
        sim.append_log("shop", "web-extra-1", "nginx", ["[red]second[/red]"])  # followed as it comes
        wait_for(lambda: len(logs.out) >= 2, "the next line")
        sim.delete("Pod", "shop", "web-extra-1")
        wait_for(lambda: "- web-extra-1 › nginx" in logs.stderr_text(), "the leave line")
    finally:
        code = logs.end(signal.SIGINT)
    assert code == 0
    assert [line.decode() for line in logs.out] == [
        "web-extra-1 nginx hello from the new pod\n",
        "web-extra-1 nginx [red]second[/red]\n",
    ]
    err = logs.stderr_text()
    assert "Traceback" not in err and "KeyboardInterrupt" not in err
    assert err.rstrip().splitlines()[-1] == "kdash: 2 lines, 0 dropped"
