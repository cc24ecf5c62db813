"""``kdash sim``: run the simulated cluster in the foreground until Ctrl-C."""

from __future__ import annotations

import argparse
import signal
import sys
import threading
from pathlib import Path

from kdash.sim.faults import FaultSpecError, parse_faults
from kdash.sim.runner import start_sim
from kdash.sim.scenarios import ScenarioError


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="kdash sim", description="Run a simulated Kubernetes API server.")
    p.add_argument("--scenario", default="demo", help="demo, big, empty, or a YAML manifest file")
    p.add_argument("--pods", type=int, default=None, help="pod count for the big scenario (default 10000)")
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=0, help="0 picks any free port")
    p.add_argument("--kubeconfig-out", default="./kdash-sim.kubeconfig", help="where to write the kubeconfig")
    p.add_argument("--faults", default=None, help="e.g. forbid=resourcequotas,latency=200ms,down=10s@30s")
    p.add_argument("--audit-log", default=None, help="append one JSON line per request here")
    p.add_argument("--time-scale", type=float, default=1.0, help="speed factor for simulated behaviour")
    p.add_argument(
        "--no-engine",
        action="store_true",
        help="keep the cluster still: no live logs, crash-loop restarts, HPA load or quota changes",
    )
    p.add_argument(
        "--clusters",
        type=int,
        default=0,
        metavar="N",
        help="run N clusters (prod, staging, dev, ...) behind one kubeconfig with a context each; "
        "--pods sizes prod (default 1000 then)",
    )
    p.add_argument("--insecure-http", action="store_true", help=argparse.SUPPRESS)
    return p


def _say(text: str) -> None:
    sys.stdout.write(text + "\n")
    sys.stdout.flush()


def main(argv: list[str] | None = None) -> int:
    """Entry point for ``kdash sim ...`` (``argv`` excludes the word ``sim``)."""
    args = _parser().parse_args(argv)
    if args.pods is not None and args.pods < 0:
        sys.stderr.write("kdash sim: --pods must be zero or more.\n")
        return 2
    try:
        parse_faults(args.faults)
    except FaultSpecError as exc:
        sys.stderr.write(f"kdash sim: bad --faults: {exc}.\n")
        return 2
    out = Path(args.kubeconfig_out)
    if args.clusters < 0:
        sys.stderr.write("kdash sim: --clusters must be zero or more.\n")
        return 2
    if args.clusters:
        return _run_fleet(args, out)
    try:
        sim = start_sim(
            args.scenario,
            pods=10000 if args.pods is None else args.pods,
            host=args.host,
            port=args.port,
            faults=args.faults,
            kubeconfig_path=out,
            audit_log=args.audit_log,
            time_scale=args.time_scale,
            tls=not args.insecure_http,
            engine=not args.no_engine,
        )
    except ScenarioError as exc:
        sys.stderr.write(f"kdash sim: {exc}.\n")
        return 2
    except OSError as exc:
        sys.stderr.write(f"kdash sim: cannot listen on {args.host}:{args.port}: {exc.strerror or exc}.\n")
        return 2
    with sim:
        _say(f"kdash sim: serving scenario {args.scenario!r} at {sim.url}")
        _say(f"kubeconfig written to {sim.kubeconfig_path} (context {sim.context})")
        _say(f"  kubectl --kubeconfig {sim.kubeconfig_path} get pods -A")
        _say(f"  kdash --kubeconfig {sim.kubeconfig_path}")
        _serve_until_stopped()
    _say("kdash sim: stopped.")
    return 0


def _run_fleet(args: argparse.Namespace, out: Path) -> int:
    """`--clusters N`: N simulators, one kubeconfig; their scenarios and faults from `demo_specs`."""
    from kdash.sim.fleet import demo_specs, start_fleet

    pods = 1000 if args.pods is None else args.pods
    specs = demo_specs(args.clusters, pods=pods)
    try:
        fleet = start_fleet(specs, kubeconfig_path=out, engine=not args.no_engine, tls=not args.insecure_http)
    except OSError as exc:
        sys.stderr.write(f"kdash sim: cannot start the clusters: {exc.strerror or exc}.\n")
        return 2
    with fleet:
        for spec in specs:
            sim = fleet.sims[spec.context]
            faults = f", faults {spec.faults}" if spec.faults else ""
            _say(f"kdash sim: context {spec.context}: scenario {spec.scenario!r}{faults} at {sim.url}")
        _say(f"kubeconfig written to {fleet.kubeconfig_path} ({len(specs)} contexts)")
        _say(f"  kdash --kubeconfig {fleet.kubeconfig_path} --fleet")
        _serve_until_stopped()
    _say("kdash sim: stopped.")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())


def _serve_until_stopped() -> None:
    """Until Ctrl-C or SIGTERM."""
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    _say("Press Ctrl-C to stop.")
    try:
        while not stop.wait(0.5):
            pass
    except KeyboardInterrupt:
        pass
