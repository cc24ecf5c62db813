"""Failure handling: 410 relists, dropped watches, forbidden kinds, fallbacks, server outages, 429."""

from __future__ import annotations

from typing import Any

from kdash.model.meta import ObjectKey
from kdash.model.snapshot import SyncPhase
from kdash.sim import start_sim
from tests.helpers import wait_for

from .conftest import pod


def _pod_keys_in_sim(sim: Any) -> set[ObjectKey]:
    return {ObjectKey("Pod", o["metadata"]["namespace"], o["metadata"]["name"]) for o in sim.list("pods")}


def _verbs(sim: Any, verb: str, path: str) -> list[dict[str, Any]]:
    return [e for e in sim.audit if e["verb"] == verb and e["path"] == path]


def test_watch_410_error_event_triggers_relist_without_loss(sim: Any, make_service: Any) -> None:
    svc = make_service(sim)
    svc.start()
    assert svc.wait_until_synced(15)
    lists_before = len(_verbs(sim, "list", "/api/v1/pods"))
    sim.set_faults("gone-every=0.3s")  # ERROR 410 on every open watch, history expired
    for i in range(6):
        sim.apply(pod(f"churn-{i}"))
    sim.delete("pods", "shop", "web-5d4f8-a")
    wait_for(lambda: len(_verbs(sim, "list", "/api/v1/pods")) > lists_before, what="a relist after 410")
    sim.set_faults(None)
    expected = _pod_keys_in_sim(sim)
    wait_for(lambda: set(svc.snapshot().pods) == expected, what="pods equal to the server's")
    snap = svc.snapshot()
    assert snap.states["pods"].phase is SyncPhase.LIVE
    assert snap.states["pods"].count == len(expected)


def test_expired_history_on_reconnect_relists(sim: Any, make_service: Any) -> None:
    svc = make_service(sim)
    svc.start()
    assert svc.wait_until_synced(15)
    lists_before = len(_verbs(sim, "list", "/api/v1/pods"))
    watches_before = len(_verbs(sim, "watch", "/api/v1/pods"))
    sim.go_down(1)  # watches end without a final bookmark
    sim.apply(pod("while-away"))
    sim.delete("pods", "shop", "web-5d4f8-a")
    sim.expire_history()  # the pods watch's resourceVersion is now older than the server's history
    wait_for(lambda: len(_verbs(sim, "list", "/api/v1/pods")) > lists_before, what="a relist after 410")
    reconnects = _verbs(sim, "watch", "/api/v1/pods")[watches_before:]
    assert reconnects
    assert "resourceVersion" in str(reconnects[0].get("query"))
    expected = _pod_keys_in_sim(sim)
    assert ObjectKey("Pod", "shop", "while-away") in expected
    wait_for(lambda: set(svc.snapshot().pods) == expected, what="pods equal to the server's")


def test_dropped_watch_reconnects_from_last_version(sim: Any, make_service: Any) -> None:
    svc = make_service(sim)
    svc.start()
    assert svc.wait_until_synced(15)
    sim.set_faults("drop-watch-every=0.3s")
    watches_before = len(_verbs(sim, "watch", "/api/v1/pods"))
    wait_for(lambda: len(_verbs(sim, "watch", "/api/v1/pods")) >= watches_before + 3, what="watch reconnects")
    sim.apply(pod("during-drops"))
    wait_for(
        lambda: ObjectKey("Pod", "shop", "during-drops") in svc.snapshot().pods, what="change after reconnect"
    )
    watches = _verbs(sim, "watch", "/api/v1/pods")
    assert all("resourceVersion" in str(w.get("query")) for w in watches)
    assert svc.snapshot().states["pods"].phase is SyncPhase.LIVE


def test_forbidden_kind_reported_others_live(make_service: Any) -> None:
    sim = start_sim("empty", faults="forbid=resourcequotas")
    try:
        svc = make_service(sim)
        svc.start()
        assert svc.wait_until_synced(15)
        states = svc.snapshot().states
        quota = states["resourcequotas"]
        assert quota.phase is SyncPhase.FORBIDDEN
        assert "forbidden" in quota.message
        assert "resourcequotas" in quota.message
        assert all(
            s.phase in (SyncPhase.LIVE, SyncPhase.UNAVAILABLE)
            for k, s in states.items()
            if k != "resourcequotas"
        )
    finally:
        sim.stop()


def test_cluster_wide_forbidden_falls_back_to_namespaces(make_service: Any) -> None:
    from kdash.k8s.settings import ServiceSettings

    from .conftest import FAST

    sim = start_sim("empty", faults="forbid-ns=kube-system")
    try:
        sim.apply(pod("mine", ns="default"))
        settings = ServiceSettings(**{**FAST.__dict__, "namespaces": ("default", "kube-system")})
        svc = make_service(sim, settings=settings)
        svc.start()
        assert svc.wait_until_synced(15)
        snap = svc.snapshot()
        assert ObjectKey("Pod", "default", "mine") in snap.pods
        pods_state = snap.states["pods"]
        assert pods_state.phase is SyncPhase.LIVE
        assert "kube-system" in pods_state.message  # the forbidden namespace is named, the rest works
        assert snap.states["nodes"].phase is SyncPhase.LIVE
    finally:
        sim.stop()


def test_server_down_goes_error_then_recovers(sim: Any, make_service: Any) -> None:
    svc = make_service(sim)
    svc.start()
    assert svc.wait_until_synced(15)
    sim.go_down(2)

    def erroring() -> bool:
        st = svc.snapshot().states["pods"]
        return st.phase is SyncPhase.ERROR and st.stale_since is not None and st.retry_at is not None

    wait_for(erroring, timeout=5, what="ERROR with stale_since")
    state = svc.snapshot().states["pods"]
    assert "cannot reach" in state.message or "lost the connection" in state.message
    assert ObjectKey("Pod", "shop", "web-5d4f8-a") in svc.snapshot().pods  # data kept, marked stale
    wait_for(svc.connection_error, timeout=5, what="connection_error()")
    sim.apply(pod("while-down"))
    wait_for(
        lambda: ObjectKey("Pod", "shop", "while-down") in svc.snapshot().pods, timeout=15, what="fresh data"
    )

    def live_again() -> bool:
        st = svc.snapshot().states
        return all(
            s.phase in (SyncPhase.LIVE, SyncPhase.UNAVAILABLE) and s.stale_since is None for s in st.values()
        )

    wait_for(live_again, timeout=15, what="every kind live again")
    assert svc.connection_error() is None


def test_throttled_requests_are_retried(make_service: Any) -> None:
    sim = start_sim("empty", faults="throttle-rate=0.3")
    try:
        svc = make_service(sim)
        svc.start()
        # Every request has a 30 % chance of a 429 and each costs a 1 s Retry-After, so on a loaded
        # machine 15 kinds can take a while to be live at the same moment: the bound is generous.
        assert svc.wait_until_synced(60)
        wait_for(
            lambda: all(
                s.phase in (SyncPhase.LIVE, SyncPhase.UNAVAILABLE) for s in svc.snapshot().states.values()
            ),
            timeout=60,
            what="every kind live despite 429s",
        )
        assert any(e["status"] == 429 for e in sim.audit)
    finally:
        sim.stop()


def test_watch_is_renewed_when_the_server_times_it_out(sim: Any, make_service: Any) -> None:
    from dataclasses import replace

    from .conftest import FAST

    svc = make_service(sim, settings=replace(FAST, watch_timeout_seconds=1.0, read_timeout_seconds=2.0))
    seen_states: list[SyncPhase] = []
    svc.subscribe(lambda cs: seen_states.append(svc.snapshot().states["pods"].phase))
    svc.start()
    assert svc.wait_until_synced(15)
    watches = _verbs(sim, "watch", "/api/v1/pods")
    wait_for(lambda: len(_verbs(sim, "watch", "/api/v1/pods")) >= len(watches) + 2, what="renewed watches")
    queries = [str(w.get("query")) for w in _verbs(sim, "watch", "/api/v1/pods")]
    assert all("allowWatchBookmarks" in q and "timeoutSeconds" in q for q in queries)
    sim.apply(pod("after-renewal"))
    wait_for(
        lambda: ObjectKey("Pod", "shop", "after-renewal") in svc.snapshot().pods, what="change after renewal"
    )
    assert SyncPhase.ERROR not in seen_states  # a renewal is not an error
