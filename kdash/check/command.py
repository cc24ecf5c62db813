"""`kdash check`: the health report for CI, against a live cluster or offline on manifest files.

Exit codes: 0 ok, 1 a threshold is broken (`--fail-on`, `--min-score`), 2 a usage or connection
error, or an incomplete report: a kind the rules read was forbidden or failing, or an input or
document could not be read (the report is still printed for the rest, and says what is missing).

The live check reads the cluster through the same `ClusterService` and `[service]` settings as
the TUI, so a user whose cluster-wide lists are forbidden gets the namespaces the dashboard shows.
"""

from __future__ import annotations

import argparse
import re
import sys
import time
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TextIO

from rich.console import Console

from kdash.check.locate import container_lines
from kdash.check.manifests import MAX_INPUT_BYTES, collector_paused, load_manifests
from kdash.check.render import render_json, render_junit, render_markdown, render_text
from kdash.check.sarif import DEFAULT_RULES_URL, Location, render_sarif
from kdash.check.scope import CheckScope, live_scope, manifest_scope
from kdash.check.unnamed import unnamed_findings, with_findings
from kdash.check.usage_note import usage_note
from kdash.check.yamlload import MAX_DEPTH
from kdash.config import KdashConfig, load_config
from kdash.errors import ConnectionFailed, KdashError, UsageError
from kdash.health import CrashLogs, HealthConfig, HealthReport, check_rule_ids, evaluate, split_ids
from kdash.health.scoring import GRADED_KINDS
from kdash.k8s.redact import redact
from kdash.model.findings import Finding, Severity
from kdash.model.logtext import clean
from kdash.model.meta import ObjectKey
from kdash.model.snapshot import ClusterSnapshot, SyncPhase

EXIT_OK, EXIT_THRESHOLD, EXIT_USAGE = 0, 1, 2
EXIT_INCOMPLETE = EXIT_USAGE  # what could not be read is named in the report
EXIT_CODES_HELP = (
    "exit codes: 0 ok; 1 a threshold is broken (--fail-on, --min-score); 2 a usage or connection "
    "error, or an incomplete report (a kind the health rules read was forbidden or failing, or a "
    "file or document could not be read: the report names it and grades only what was read)"
)
FAIL_ON = {"error": Severity.ERROR, "warning": Severity.WARNING, "info": Severity.INFO, "none": None}
SYNC_TIMEOUT = 30.0
_DURATION = re.compile(r"(\d+(?:\.\d+)?)([smh]?)")
_UNITS = {"s": 1.0, "m": 60.0, "h": 3600.0}
METRICS_SUFFIX = ".metrics.k8s.io"  # pods.metrics.k8s.io, nodes.metrics.k8s.io
MAX_CRASH_LOGS = 20  # previous-log reads for crash-looping containers, one request each
CRASH_LOG_TAIL = 20


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The check-specific options (the caller adds --kubeconfig, --context, -n, -A, --config)."""
    parser.epilog = (
        f"{EXIT_CODES_HELP}. Limits of -f: regular files, directories and - (stdin) only, at most "
        f"{MAX_INPUT_BYTES // (1024 * 1024)} MiB each, documents nested at most {MAX_DEPTH} levels deep; "
        "past a limit the input is named as not read (exit 2)."
    )
    fleet = parser.add_argument_group("several clusters (kdash/check/fleet.py)")
    fleet.add_argument(
        "--contexts",
        metavar="A,B,...",
        help="check these contexts: a report each, a summary, the worst exit code",
    )
    fleet.add_argument("--all-contexts", action="store_true", help="check every context of the kubeconfig")
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
    group.add_argument(
        "-o",
        "--output",
        choices=("text", "json", "junit", "markdown", "sarif"),
        default="text",
        help="report format (default: text); sarif is SARIF 2.1.0, for GitHub code scanning",
    )
    group.add_argument(
        "--rules-url",
        default=DEFAULT_RULES_URL,
        metavar="URL",
        help="with -o sarif: where docs/rules.md is, for each rule's helpUri (URL#rule-id); default "
        f"{DEFAULT_RULES_URL}, relative to the repository (SARIF readers prefer an absolute URL)",
    )
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
    group.add_argument(
        "--usage-window",
        type=duration,
        default=0.0,
        metavar="DURATION",
        help="sample metrics.k8s.io for this long (e.g. 90s, 40m) before reporting, so the usage "
        "rules see a history: right-sizing needs [health] rightsizing_minutes of it (default 30, "
        "counted in whole 5-minute blocks); default: one sample",
    )
    group.add_argument(
        "--push-gateway",
        metavar="URL",
        help="also push the report's metrics (those of `kdash exporter`) to this Prometheus "
        "Pushgateway once, e.g. from a CronJob; exit 2 when the push fails",
    )


def run(args: argparse.Namespace, stdout: TextIO | None = None, stderr: TextIO | None = None) -> int:
    """Evaluate, print the report, and return the exit code."""
    out, err = stdout or sys.stdout, stderr or sys.stderr
    if getattr(args, "contexts", None) or getattr(args, "all_contexts", False):
        from kdash.check.fleet import run_contexts

        return run_contexts(args, out, err, run)
    try:
        file_config = _load_config(args)
        config = _health_config(args, file_config)
        min_score = getattr(args, "min_score", None)
        if min_score is not None and not 0 <= min_score <= 100:
            raise UsageError(f"--min-score must be between 0 and 100, got {min_score:g}.")
        files = getattr(args, "files", None)
        crash_logs: CrashLogs = {}
        locations: dict[ObjectKey, Location] = {}
        unnamed: list[Finding] = []  # manifest objects with no name: errors, not scored
        if files:
            snapshot, scope, locations, unnamed = _offline(files, err)
        else:
            snapshot, scope, crash_logs = _live(args, file_config, err)
            scope = replace(scope, usage=usage_note(snapshot.usage, config))
    except KdashError as exc:
        err.write(f"kdash: {redact(clean(exc))}\n")
        return exc.exit_code
    with collector_paused():  # scoring and printing a big manifest allocate millions of objects
        report = evaluate(snapshot, config, now=datetime.now(UTC), crash_logs=crash_logs)
        report = with_findings(report, unnamed)
        output = getattr(args, "output", "text")
        rules_url = getattr(args, "rules_url", DEFAULT_RULES_URL)
        _write(report, output, config.show_ignored, scope, out, locations, rules_url)
    if getattr(args, "push_gateway", None):
        from kdash.exporter.push import push_report

        try:
            push_report(args.push_gateway, snapshot, report, file_config.alerts)
        except KdashError as exc:
            err.write(f"kdash: {redact(clean(exc))}\n")
            return exc.exit_code
    if not scope.complete:
        return EXIT_INCOMPLETE
    return (
        EXIT_THRESHOLD if threshold_broken(report, getattr(args, "fail_on", "error"), min_score) else EXIT_OK
    )


def duration(text: str) -> float:
    """ "90s", "2m", "1h", "1.5m" or plain seconds -> seconds (argparse type)."""
    match = _DURATION.fullmatch(text.strip())
    if match is None:
        raise argparse.ArgumentTypeError(f"not a duration: {text!r} (try 90s, 2m or 1h)")
    return float(match.group(1)) * _UNITS[match.group(2) or "s"]


def threshold_broken(report: HealthReport, fail_on: str, min_score: float | None) -> bool:
    """True when a finding (not ignored) is at least `fail_on`, or the score is below `min_score`
    (a report with no object has no score, so `min_score` cannot be broken by it)."""
    floor = FAIL_ON[fail_on]
    if floor is not None and any(f.severity >= floor for f in report.findings if not f.ignored):
        return True
    return min_score is not None and bool(report.objects) and report.score < min_score


def _load_config(args: argparse.Namespace) -> KdashConfig:
    path = getattr(args, "config", None)
    return load_config(Path(path) if path else None)


def _health_config(args: argparse.Namespace, file_config: KdashConfig) -> HealthConfig:
    """config.toml's [health] table, then the command line on top of it."""
    try:
        base = HealthConfig.from_mapping(file_config.health)
    except ValueError as exc:
        raise UsageError(f"{file_config.source or 'config'}: {exc}") from None
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


def _rules_not_run(kind: str) -> str:
    """What a kind that could not be read costs the report: the cross-object rules that read it
    did not run (the rest of the report is whole)."""
    from kdash.health.cross import rules_reading

    rules = rules_reading(kind)
    return f" (not run: {', '.join(rules)})" if rules else " (the health rules do not read it)"


def _offline(
    files: list[str], err: TextIO
) -> tuple[ClusterSnapshot, CheckScope, dict[ObjectKey, Location], list[Finding]]:
    """The manifests' snapshot and scope, where each object is (file, line), and an error finding
    for each object with neither a name nor a generateName."""
    loaded = load_manifests(files)
    for problem in loaded.problems:
        err.write(f"kdash: {clean(problem)}\n")  # file names and parser sentences quote the input
    if loaded.unreadable and loaded.objects == 0 and not loaded.snapshot.workloads:
        raise UsageError("no manifest could be read.")
    unnamed, where = unnamed_findings(loaded.unnamed)
    return loaded.snapshot, manifest_scope(loaded.not_read), {**loaded.locations, **where}, unnamed


def _live(
    args: argparse.Namespace, file_config: KdashConfig, err: TextIO
) -> tuple[ClusterSnapshot, CheckScope, CrashLogs]:
    from kdash.k8s.kubeconfig import load_target
    from kdash.k8s.probe import probe
    from kdash.k8s.service import ClusterService
    from kdash.k8s.settings import ServiceSettings

    target = load_target(kubeconfig=getattr(args, "kubeconfig", None), context=getattr(args, "context", None))
    probe(target, timeout=10.0)
    namespace: str | None = None
    if not getattr(args, "all_namespaces", False):
        namespace = getattr(args, "namespace", None) or file_config.namespace or target.namespace
    # The TUI's settings: [service] namespaces (and the config's namespace) are tried when a
    # cluster-wide list is forbidden, then the context's namespace.
    extra = (file_config.namespace,) if file_config.namespace else ()
    settings = ServiceSettings.from_mapping(
        file_config.service, file_config.source or "config", namespaces=extra
    )
    service: Any = ClusterService(target, namespace=namespace, settings=settings)
    service.start()
    try:
        if not service.wait_until_synced(timeout=SYNC_TIMEOUT):
            reason = service.connection_error() or "the cluster did not answer in time"
            raise ConnectionFailed(f"Could not read the cluster: {reason}")
        snapshot: ClusterSnapshot = service.snapshot()
        window = float(getattr(args, "usage_window", 0.0) or 0.0)
        if window > 0 and snapshot.usage.available:  # the service polls metrics meanwhile
            err.write(f"kdash: sampling usage for {window:g} s\n")
            time.sleep(window)
            snapshot = service.snapshot()
    finally:
        service.stop()
    for kind, state in sorted(snapshot.states.items()):
        if kind.endswith(METRICS_SUFFIX):
            continue  # the usage note says what metrics gave (absent metrics are no error)
        if state.phase in (SyncPhase.FORBIDDEN, SyncPhase.ERROR) and not (
            state.phase is SyncPhase.ERROR and state.stale_since is not None
        ):
            unused = "" if kind in GRADED_KINDS else _rules_not_run(kind)
            err.write(
                redact(f"kdash: {kind} not checked ({state.phase.value}){unused}: {clean(state.message)}\n")
            )
    scope = live_scope(snapshot.states, namespace)
    if (
        namespace is None
        and not scope.namespaces
        and len(scope.not_checked) == len([k for k in GRADED_KINDS if k in snapshot.states])
    ):
        err.write(
            "kdash: nothing could be read cluster-wide; name the namespaces you may read in "
            "[service] namespaces (config.toml), or pass -n NAMESPACE\n"
        )
    if scope.namespaces:
        err.write(
            f"kdash: cluster-wide lists are forbidden; checked namespaces {clean(', '.join(scope.namespaces))}\n"
        )
    return snapshot, scope, _crash_logs(target, snapshot)


def _crash_logs(target: Any, snapshot: ClusterSnapshot) -> CrashLogs:
    """The previous log tail of crash-looping containers, so findings can quote the crash (bounded)."""
    from kdash.k8s.logs_follow import fetch_lines
    from kdash.k8s.logs_select import ContainerRef
    from kdash.k8s.rawapi import RawApi

    wanted = [r for r in snapshot.restarts if r.state_text == "CrashLoopBackOff" and not r.crash_log]
    logs: dict[tuple[str, str, str], list[str]] = {}
    if not wanted:
        return logs
    client = RawApi(target)
    try:
        for r in wanted[:MAX_CRASH_LOGS]:
            try:
                ref = ContainerRef(r.namespace, r.pod, r.container)
                logs[(r.namespace, r.pod, r.container)] = fetch_lines(
                    client, ref, previous=True, tail=CRASH_LOG_TAIL
                )
            except Exception:  # noqa: BLE001 - evidence is a bonus; the finding stands without it
                continue
    finally:
        client.close()
    return logs


def _write(
    report: HealthReport,
    output: str,
    show_ignored: bool,
    scope: CheckScope,
    out: TextIO,
    locations: dict[ObjectKey, Location] | None = None,
    rules_url: str = DEFAULT_RULES_URL,
) -> None:
    if output == "json":
        out.write(render_json(report, show_ignored, scope))
    elif output == "junit":
        out.write(render_junit(report, show_ignored, scope, locations))
    elif output == "sarif":
        wanted = [
            (ObjectKey(f.kind, f.namespace, f.name), f.container)
            for f in report.findings
            if f.container and (show_ignored or not f.ignored)
        ]
        lines = container_lines(locations, wanted) if locations and wanted else {}
        out.write(render_sarif(report, show_ignored, scope, locations, rules_url, lines))
    elif output == "markdown":
        out.write(render_markdown(report, show_ignored, scope))
    else:
        render_text(report, Console(file=out, highlight=False), show_ignored, scope)
