"""`kdash check`: the health report for CI, against a live cluster or offline on manifest files.

Exit codes: 0 ok, 1 a threshold is broken (`--fail-on`, `--min-score`), 2 a usage or connection
error, or an input that could not be read (the report is still printed for the rest).
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TextIO

from rich.console import Console

from kdash.check.manifests import load_manifests
from kdash.check.render import render_json, render_junit, render_markdown, render_text
from kdash.errors import ConnectionFailed, KdashError, UsageError
from kdash.health import CrashLogs, HealthConfig, HealthReport, check_rule_ids, evaluate, split_ids
from kdash.model.findings import Severity
from kdash.model.snapshot import ClusterSnapshot, SyncPhase

EXIT_OK, EXIT_THRESHOLD, EXIT_USAGE = 0, 1, 2
FAIL_ON = {"error": Severity.ERROR, "warning": Severity.WARNING, "info": Severity.INFO, "none": None}
SYNC_TIMEOUT = 30.0
MAX_CRASH_LOGS = 20  # previous-log reads for crash-looping containers, one request each
CRASH_LOG_TAIL = 20


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The check-specific options (the caller adds --kubeconfig, --context, -n, -A, --config)."""
    group = parser.add_argument_group("check")
    group.add_argument(
        "-f",
        "--filename",
        dest="files",
        action="append",
        metavar="FILE|DIR|-",
        help="check manifests offline instead of a cluster (repeatable; directories are searched "
        "for .yaml/.yml/.json; - reads stdin)",
    )
    group.add_argument("-o", "--output", choices=("text", "json", "junit", "markdown"), default="text")
    group.add_argument(
        "--fail-on",
        choices=tuple(FAIL_ON),
        default="error",
        help="exit 1 when a finding of this severity or worse exists (default: error)",
    )
    group.add_argument(
        "--min-score", type=float, metavar="N", help="exit 1 when the cluster score is below N"
    )
    group.add_argument("--disable", action="append", metavar="RULE[,RULE]", help="do not run these rules")
    group.add_argument("--only", action="append", metavar="RULE[,RULE]", help="run only these rules")
    group.add_argument(
        "--show-ignored", action="store_true", help="also show findings silenced by exemption annotations"
    )


def run(args: argparse.Namespace, stdout: TextIO | None = None, stderr: TextIO | None = None) -> int:
    """Evaluate, print the report, and return the exit code."""
    out, err = stdout or sys.stdout, stderr or sys.stderr
    try:
        config = _health_config(args)
        min_score = getattr(args, "min_score", None)
        if min_score is not None and not 0 <= min_score <= 100:
            raise UsageError(f"--min-score must be between 0 and 100, got {min_score:g}.")
        files = getattr(args, "files", None)
        crash_logs: CrashLogs = {}
        if files:
            snapshot, input_failed = _offline(files, err)
        else:
            (snapshot, crash_logs), input_failed = _live(args, err), False
    except KdashError as exc:
        err.write(f"kdash: {exc}\n")
        return exc.exit_code
    report = evaluate(snapshot, config, now=datetime.now(UTC), crash_logs=crash_logs)
    _write(report, getattr(args, "output", "text"), config.show_ignored, out)
    if input_failed:
        return EXIT_USAGE
    return (
        EXIT_THRESHOLD if threshold_broken(report, getattr(args, "fail_on", "error"), min_score) else EXIT_OK
    )


def threshold_broken(report: HealthReport, fail_on: str, min_score: float | None) -> bool:
    """True when a finding (not ignored) is at least `fail_on`, or the score is below `min_score`."""
    floor = FAIL_ON[fail_on]
    if floor is not None and any(f.severity >= floor for f in report.findings if not f.ignored):
        return True
    return min_score is not None and report.score < min_score


def _health_config(args: argparse.Namespace) -> HealthConfig:
    """config.toml's [health] table, then the command line on top of it."""
    base = _file_config(args)
    try:
        disabled = split_ids(getattr(args, "disable", None) or [])
        only = split_ids(args.only) if getattr(args, "only", None) else None
        check_rule_ids(disabled, "--disable")
        if only is not None:
            check_rule_ids(only, "--only")
    except ValueError as exc:
        raise UsageError(str(exc)) from None
    return replace(
        base,
        disabled=base.disabled | disabled,
        only=only if only is not None else base.only,
        show_ignored=base.show_ignored or bool(getattr(args, "show_ignored", False)),
    )


def _file_config(args: argparse.Namespace) -> HealthConfig:
    from kdash.config import load_config

    path = getattr(args, "config", None)
    config = load_config(Path(path) if path else None)
    try:
        return HealthConfig.from_mapping(config.health)
    except ValueError as exc:
        raise UsageError(f"{config.source or 'config'}: {exc}") from None


def _offline(files: list[str], err: TextIO) -> tuple[ClusterSnapshot, bool]:
    loaded = load_manifests(files)
    for problem in loaded.problems:
        err.write(f"kdash: {problem}\n")
    if loaded.unreadable and loaded.objects == 0 and not loaded.snapshot.workloads:
        raise UsageError("no manifest could be read.")
    return loaded.snapshot, loaded.unreadable


def _live(args: argparse.Namespace, err: TextIO) -> tuple[ClusterSnapshot, CrashLogs]:
    from kdash.config import load_config
    from kdash.k8s.kubeconfig import load_target
    from kdash.k8s.probe import probe
    from kdash.k8s.service import ClusterService

    target = load_target(kubeconfig=getattr(args, "kubeconfig", None), context=getattr(args, "context", None))
    probe(target, timeout=10.0)
    if getattr(args, "all_namespaces", False):
        namespace = None
    else:
        path = getattr(args, "config", None)
        namespace = getattr(args, "namespace", None) or load_config(Path(path) if path else None).namespace
        namespace = namespace or target.namespace
    service: Any = ClusterService(target, namespace=namespace)
    service.start()
    try:
        if not service.wait_until_synced(timeout=SYNC_TIMEOUT):
            reason = service.connection_error() or "the cluster did not answer in time"
            raise ConnectionFailed(f"Could not read the cluster: {reason}")
        snapshot: ClusterSnapshot = service.snapshot()
    finally:
        service.stop()
    for kind, state in sorted(snapshot.states.items()):
        if state.phase in (SyncPhase.FORBIDDEN, SyncPhase.ERROR):
            err.write(f"kdash: {kind} not checked ({state.phase.value}): {state.message}\n")
    return snapshot, _crash_logs(target, snapshot)


def _crash_logs(target: Any, snapshot: ClusterSnapshot) -> CrashLogs:
    """The previous log tail of crash-looping containers, so findings can quote the crash (bounded)."""
    from kdash.k8s.logs_follow import fetch_lines
    from kdash.k8s.logs_select import ContainerRef

    wanted = [r for r in snapshot.restarts if r.state_text == "CrashLoopBackOff" and not r.crash_log]
    logs: dict[tuple[str, str, str], list[str]] = {}
    if not wanted:
        return logs
    client = target.api_client()
    for r in wanted[:MAX_CRASH_LOGS]:
        try:
            ref = ContainerRef(r.namespace, r.pod, r.container)
            logs[(r.namespace, r.pod, r.container)] = fetch_lines(
                client, ref, previous=True, tail=CRASH_LOG_TAIL
            )
        except Exception:  # noqa: BLE001 - evidence is a bonus; the finding stands without it
            continue
    return logs


def _write(report: HealthReport, output: str, show_ignored: bool, out: TextIO) -> None:
    if output == "json":
        out.write(render_json(report, show_ignored))
    elif output == "junit":
        out.write(render_junit(report, show_ignored))
    elif output == "markdown":
        out.write(render_markdown(report, show_ignored))
    else:
        render_text(report, Console(file=out, highlight=False), show_ignored)
