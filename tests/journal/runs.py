"""A first kdash run for the journal tests: the CLI's own service start-up (`cli._start_service`,
which wires CrashCapture to the journal) on a simulated cluster, with crashes driven in it."""

from __future__ import annotations

import argparse
from collections.abc import Iterator, Sequence
from contextlib import ExitStack, contextmanager
from typing import Any

from kdash import cli
from kdash.config import KdashConfig
from kdash.crashes import crash_recorders, open_journal
from kdash.journal import JournalEntry
from kdash.k8s.kubeconfig import load_target
from kdash.ui.prefs import Preferences
from tests.helpers import wait_for


@contextmanager
def kdash_run(sim: Any, config: KdashConfig) -> Iterator[Any]:
    """The cluster service and crash capture exactly as `kdash` starts them; stopped on exit."""
    target = load_target(kubeconfig=str(sim.kubeconfig_path))
    args = argparse.Namespace(namespace=None, all_namespaces=True)
    with ExitStack() as stack:
        recorders = crash_recorders(config)
        service, _logs = cli._start_service(args, target, config, Preferences(), stack, recorders)
        assert service.wait_until_synced(30)
        yield service


def cart_pods(sim: Any) -> list[str]:
    return sorted(
        p["metadata"]["name"] for p in sim.list("pods", "shop") if p["metadata"]["name"].startswith("cart")
    )


def crash(
    sim: Any,
    config: KdashConfig,
    pod: str,
    lines: Sequence[str],
    *,
    reason: str = "Error",
    exit_code: int = 1,
    message: str = "",
) -> JournalEntry:
    """Crash `pod`'s cart container with `lines` as its last words; the journal entry kdash wrote."""
    journal = open_journal(config)
    assert journal is not None
    context = load_target(kubeconfig=str(sim.kubeconfig_path)).context
    before = {(e.pod, e.restarts) for e in journal.read(context).entries}
    sim.append_log("shop", pod, "cart", list(lines))
    sim.restart_container("shop", pod, "cart", reason=reason, exit_code=exit_code, message=message)

    def written() -> JournalEntry | None:
        new = [e for e in journal.read(context).entries if e.pod == pod and (e.pod, e.restarts) not in before]
        return new[-1] if new else None

    found = wait_for(written, "the crash in the journal")
    assert found is not None
    return found
