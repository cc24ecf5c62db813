"""The `kdash` command: parse arguments, pick a cluster (real or simulated), run the TUI, check or sim.

Every failure a person can cause or fix (no kubeconfig, unknown context, unreachable server) ends
here as one sentence on stderr and exit code 2; nothing below prints tracebacks at them.

Start-up order (DESIGN.md T1): the cluster service starts listing before Textual is even imported,
so the ~1 s of UI imports and app start-up overlaps the server's answers instead of preceding them;
the app then attaches to the running service and its first frame shows "syncing". Only what the
first request needs is imported before it (no Textual, no `kubernetes`, no `kdash check`).
"""

from __future__ import annotations

import argparse
import gc
import logging
import sys
import threading
from collections.abc import Callable, Sequence
from contextlib import ExitStack
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from kdash import __version__
from kdash.crashes import add_parser as add_crashes_parser
from kdash.crashes import crash_recorders
from kdash.errors import ConfigError, KdashError
from kdash.exporter import add_parser as add_exporter_parser
from kdash.k8s.redact import RedactingFormatter, redact
from kdash.model.logtext import clean
from kdash.serve import add_parser as add_serve_parser
from kdash.tail import add_parser as add_logs_parser
from kdash.watchcmd import add_hook_option
from kdash.watchcmd import add_parser as add_watch_parser

if TYPE_CHECKING:
    from kdash.config import KdashConfig
    from kdash.crashes import CrashRecorders
    from kdash.k8s.kubeconfig import KubeTarget
    from kdash.k8s.service import ClusterService
    from kdash.ui.app import KdashApp
    from kdash.ui.prefs import Preferences

EXIT_OK, EXIT_USAGE = 0, 2


def _add_target_options(parser: argparse.ArgumentParser, *, inherit: bool = False) -> None:
    """The kubectl-style options shared by `kdash` and `kdash check`.

    With `inherit` (the subcommand's copy) an option left out keeps the value given before the
    subcommand: `kdash --log-file x check` logs, as `kdash check --log-file x` does (argparse would
    otherwise overwrite it with the subcommand's default).
    """
    unset: dict[str, Any] = {"default": argparse.SUPPRESS} if inherit else {}
    group = parser.add_argument_group("cluster")
    group.add_argument(
        "--kubeconfig", metavar="PATH", help="kubeconfig file(s) to use (default: $KUBECONFIG)", **unset
    )
    group.add_argument(
        "--context", metavar="NAME", help="kubeconfig context (default: the current context)", **unset
    )
    group.add_argument(
        "-n", "--namespace", metavar="NS", help="namespace to show (default: the context's)", **unset
    )
    group.add_argument("-A", "--all-namespaces", action="store_true", help="show every namespace", **unset)
    group.add_argument("--demo", action="store_true", help="use the built-in simulated cluster", **unset)
    group.add_argument(
        "--log-file",
        metavar="PATH",
        help="write a debug log (requests and errors; credentials are masked)",
        **unset,
    )
    group.add_argument(
        "--config",
        metavar="PATH",
        help="config file (default: $XDG_CONFIG_HOME/kdash/config.toml)",
        **unset,
    )


def _add_alert_options(parser: argparse.ArgumentParser) -> None:
    """`--bell` / `--notify`: what the TUI does on a new alert, besides its toast ([alerts] too)."""
    group = parser.add_argument_group("alerts")
    group.add_argument(
        "--bell", action="store_true", help="ring the terminal bell on each new error alert ([alerts] bell)"
    )
    group.add_argument(
        "--notify",
        action="store_true",
        help="desktop notification for new alerts: OSC 9 / OSC 777, else notify-send ([alerts] notify)",
    )


def _add_fleet_options(parser: argparse.ArgumentParser) -> None:
    """`--fleet` / `--contexts a,b`: several clusters side by side, worst first (kdash/fleet_launch.py)."""
    group = parser.add_argument_group("fleet")
    group.add_argument(
        "--fleet", action="store_true", help="open the Fleet screen on every context of the kubeconfig"
    )
    group.add_argument("--contexts", metavar="A,B,...", help="open the Fleet screen on these contexts")


def build_parser(*, check_options: bool = True) -> argparse.ArgumentParser:
    """The whole command line; without `check_options` the `check` subcommand is only named
    (its options live in kdash.check.command, ~0.5 s of imports a dashboard launch never needs)."""
    parser = argparse.ArgumentParser(
        prog="kdash",
        description="A live Kubernetes dashboard for the terminal.",
        epilog="Subcommands: `kdash check --help` (health report for CI), `kdash sim --help` (simulated cluster).",
    )
    parser.add_argument("--version", action="version", version=f"kdash {__version__}")
    _add_target_options(parser)
    add_hook_option(parser)
    _add_alert_options(parser)
    _add_fleet_options(parser)
    sub = parser.add_subparsers(dest="command", metavar="{check,crashes,exporter,logs,serve,sim,watch}")
    check = sub.add_parser("check", help="print the health report (exit 1 when a threshold is broken)")
    _add_target_options(check, inherit=True)
    if check_options:
        try:
            from kdash.check.command import add_arguments
        except ImportError:  # the health report ships with the check package; keep --help working
            pass
        else:
            add_arguments(check)
    sub.add_parser("sim", help="run the simulated cluster as a standalone API server", add_help=False)
    add_crashes_parser(sub)
    add_watch_parser(sub, lambda p: _add_target_options(p, inherit=True))
    add_logs_parser(sub, lambda p: _add_target_options(p, inherit=True))
    add_exporter_parser(sub, lambda p: _add_target_options(p, inherit=True))
    add_serve_parser(sub, lambda p: _add_target_options(p, inherit=True))
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args_list = list(sys.argv[1:] if argv is None else argv)
    if args_list[:1] == ["sim"]:
        from kdash.sim.cli import main as sim_main

        return sim_main(args_list[1:])
    # argparse has no abbreviations of subcommands: `check` is chosen only if the word is there
    parser = build_parser(check_options="check" in args_list)
    args = parser.parse_args(args_list)
    _setup_logging(args.log_file)
    try:
        if args.command == "check":
            return _run_check(args)
        if args.command in ("watch", "logs"):
            return _run_headless(args, f"kdash.{'watchcmd' if args.command == 'watch' else 'tail'}.command")
        if args.command == "exporter":
            return _run_headless(args, "kdash.exporter.command")
        if args.command == "serve":  # --demo: one simulated cluster in this process, shared by every tab
            return _run_headless(args, "kdash.serve.command")
        if args.command == "crashes":
            from kdash.crashes import run as run_crashes

            return run_crashes(args)
        code = _run_tui(args)
        # Everything alive now goes with the process: without this the interpreter's last
        # collection walks the whole cluster picture the service unfroze (seconds at 100,000 pods).
        gc.freeze()
        return code
    except KdashError as exc:
        print(f"kdash: {redact(clean(exc))}", file=sys.stderr)  # messages may quote cluster strings
        return exc.exit_code
    except KeyboardInterrupt:
        return 130


def _setup_logging(path: str | None) -> None:
    """kdash's own log to --log-file; libraries' warnings (the kubernetes client logs a failing exec
    credential plugin on the root logger) to the same file, never to stderr, where they would draw
    over the dashboard: what matters of them reaches the user as kdash's own sentence."""
    root = logging.getLogger()
    if not path:
        for logger in (logging.getLogger("kdash"), root):
            if not any(isinstance(h, logging.NullHandler) for h in logger.handlers):  # once a process
                logger.addHandler(logging.NullHandler())
        return
    handler = logging.FileHandler(path, encoding="utf-8")
    handler.setFormatter(RedactingFormatter("%(asctime)s %(levelname)s %(name)s %(threadName)s: %(message)s"))
    root.addHandler(handler)  # WARNING and above from libraries
    own = logging.getLogger("kdash")
    own.setLevel(logging.DEBUG)


def _load_config(args: argparse.Namespace) -> KdashConfig:
    from pathlib import Path

    from kdash.config import load_config

    return load_config(Path(args.config) if args.config else None)


def _ui_settings(config: KdashConfig) -> dict[str, str]:
    """Check what only the TUI can (theme names, binding ids and keys) and return the keymap for
    `App.set_keymap`. Runs while the informers list (it imports Textual), before any wait on the
    cluster: a bad config still stops kdash at once."""
    from kdash.config_schema import did_you_mean
    from kdash.ui.keymap import check_keymap

    source = config.source or "config"
    if config.theme:
        from textual.theme import BUILTIN_THEMES

        if config.theme not in BUILTIN_THEMES:
            raise ConfigError(
                f"{source}: theme: unknown theme {config.theme!r}{did_you_mean(config.theme, BUILTIN_THEMES)}"
            )
    return check_keymap(config.keymap, source)


def _resolve_target(args: argparse.Namespace, stack: ExitStack) -> KubeTarget:
    """The kubeconfig target, starting the simulated cluster first for --demo."""
    from kdash.k8s.kubeconfig import load_target

    if args.demo:
        from kdash.sim import start_sim

        sim = stack.enter_context(start_sim("demo", engine=True))
        return load_target(kubeconfig=str(sim.kubeconfig_path))
    return load_target(kubeconfig=args.kubeconfig, context=args.context)


def _scope(args: argparse.Namespace, target: KubeTarget, config: KdashConfig) -> str | None:
    """Namespace to open: -A beats -n beats the config file beats the context; None means all."""
    if args.all_namespaces:
        return None
    return args.namespace or config.namespace or target.namespace


def _open_namespace(
    args: argparse.Namespace, target: KubeTarget, config: KdashConfig, prefs: Preferences
) -> str | None:
    """The namespace the app will show first, by kdash.ui.scope's rule (-n or -A as given, else the
    one remembered for the context, else `_scope`): the service lists it from the start, so the
    app's first `NamespaceScope.apply()` finds nothing to change and no list is thrown away."""
    if args.namespace is not None or args.all_namespaces:
        return str(args.namespace) if args.namespace is not None else None
    if prefs.has_namespace(target.context):
        return prefs.last_namespace(target.context)
    return _scope(args, target, config)


def _service_settings(config: KdashConfig) -> Any:
    from kdash.k8s.settings import ServiceSettings

    # The config's default namespace is one the user expects to read: try it too when a
    # cluster-wide list is forbidden (after [service] namespaces; the context's comes last).
    extra = (config.namespace,) if config.namespace else ()
    return ServiceSettings.from_mapping(config.service, config.source or "config", namespaces=extra)


def _health_config(config: KdashConfig) -> Any:
    from kdash.health import HealthConfig

    try:
        return HealthConfig.from_mapping(config.health)
    except ValueError as exc:
        raise KdashError(f"{config.source or 'config'}: {exc}") from None


def _run_check(args: argparse.Namespace) -> int:
    from kdash.check.command import run

    with ExitStack() as stack:
        if args.demo:
            args.kubeconfig = str(_resolve_target(args, stack).paths[0])
            args.context = None
        return run(args)


def _run_headless(args: argparse.Namespace, module: str) -> int:
    """`kdash watch` / `kdash logs`: `module.run(args)`, after starting the simulator for --demo."""
    import importlib

    with ExitStack() as stack:
        if args.demo:
            args.kubeconfig, args.context = str(_resolve_target(args, stack).paths[0]), None
        return int(importlib.import_module(module).run(args))


def _start_service(
    args: argparse.Namespace,
    target: KubeTarget,
    config: KdashConfig,
    prefs: Preferences,
    stack: ExitStack,
    recorders: CrashRecorders | None,
) -> tuple[ClusterService, Any]:
    """The cluster service, listing already, and its log service; both stopped by `stack`."""
    from kdash.k8s.crash import CrashCapture
    from kdash.k8s.logs import LogService
    from kdash.k8s.service import ClusterService

    namespace = _open_namespace(args, target, config, prefs)
    service = ClusterService(target, namespace=namespace, settings=_service_settings(config))
    stack.callback(service.stop)  # idempotent: the app stops it first when it ran
    logs = LogService(
        target, service, buffer_lines=config.log_buffer_lines, max_streams=config.max_log_streams
    )
    # each capture also goes to the crash journal
    record = None if recorders is None else recorders.recorder(lambda: service.target.context)
    capture = CrashCapture(service, target, on_capture=record)  # subscribed before the first publish
    stack.callback(logs.stop_all)
    stack.callback(capture.stop)
    service.start()
    return service, logs


def _start_fleet(
    args: argparse.Namespace,
    config: KdashConfig,
    prefs: Preferences,
    stack: ExitStack,
    recorders: CrashRecorders | None,
) -> tuple[Any, Any, dict[str, Any]]:
    """`--fleet` / `--contexts` (with --demo: three simulated clusters), listing already."""
    from kdash import fleet_launch

    kubeconfig = args.kubeconfig
    if args.demo:
        from kdash.sim.fleet import demo_specs, start_fleet

        sims = stack.enter_context(start_fleet(demo_specs(3, pods=500), engine=True))
        kubeconfig, args.context = str(sims.kubeconfig_path), None
    source, logs, fleet = fleet_launch.start(
        args,
        _service_settings(config),
        stack,
        kubeconfig=kubeconfig,
        namespace=lambda target: _open_namespace(args, target, config, prefs),
        on_service=fleet_launch.crash_captures(recorders),
    )
    return source, logs, {"fleet": fleet}


def _probe_in_background(target: KubeTarget) -> Callable[[], None]:
    """GET /version on a thread while the UI imports; the returned call waits for it and raises
    its error (ConnectionFailed: one sentence, exit 2) when the server is not there."""
    from kdash.k8s.probe import probe

    failure: list[BaseException] = []

    def run() -> None:
        try:
            probe(target, timeout=10.0)
        except BaseException as exc:  # raised again on the main thread, where it is worded
            failure.append(exc)

    thread = threading.Thread(target=run, name="kdash-probe", daemon=True)
    thread.start()

    def wait() -> None:
        thread.join()
        if failure:
            raise failure[0]

    return wait


def _run_app(app: KdashApp) -> int:
    return int(app.run() or 0)


def _run_tui(args: argparse.Namespace, run: Callable[[KdashApp], int] = _run_app) -> int:
    """The dashboard; `run` runs the built app (tests pass one that drives it headless)."""
    from kdash import fleet_launch

    config = _load_config(args)
    with ExitStack() as stack:
        from kdash.ui.prefs import Preferences  # state.json only: no Textual

        prefs = Preferences.load()
        recorders = crash_recorders(config)  # one journal for every capture of this process
        fleet: dict[str, Any]
        if fleet_launch.wanted(args):  # no probe: an unreachable context is its row's business
            service, logs, fleet = _start_fleet(args, config, prefs, stack, recorders)
            reachable: Callable[[], None] = lambda: None  # noqa: E731
        else:
            target = _resolve_target(args, stack)
            service, logs = _start_service(args, target, config, prefs, stack, recorders)
            reachable = _probe_in_background(target)
            fleet = {
                "fleet_factory": fleet_launch.factory(
                    target.paths, _service_settings(config), fleet_launch.crash_captures(recorders)
                )
            }
        # The informers are listing: import the UI meanwhile (~1 s of it at 10,000 pods).
        keymap = _ui_settings(config)
        health_config = _health_config(config)
        from kdash.ui.app import KdashApp

        reachable()
        app = KdashApp(
            service,
            logs,
            health_config=health_config,
            prefs=prefs,
            # Only what the user asked for: otherwise the app reopens the namespace remembered
            # for this context, then falls back to the service's (config file, then context).
            start_namespace=args.namespace,
            all_namespaces=args.all_namespaces,
            journal=None if recorders is None else recorders.journal,
            alerts_config=replace(
                config.alerts,
                bell=config.alerts.bell or bool(getattr(args, "bell", False)),
                notify=config.alerts.notify or bool(getattr(args, "notify", False)),
                command=config.alerts.command if args.on_alert is None else args.on_alert,  # --on-alert wins
            ),
            **fleet,
        )
        if config.theme:
            app.theme = config.theme
        app.set_keymap(keymap)  # [keymap]: binding id -> keys, as posting applies its keymap
        return run(app)
