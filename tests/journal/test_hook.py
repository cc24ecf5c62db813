"""CrashCapture's `on_capture` hook: told of every capture with the pod as it was, never fatal."""

from __future__ import annotations

from kdash.k8s.crash import CrashCapture
from kdash.model.pods import PodRecord
from tests.helpers import wait_for
from tests.k8s.test_crash import FakeService, pod


def test_the_hook_gets_each_capture_and_a_failing_hook_does_not_stop_capture() -> None:
    service = FakeService()
    seen: list[tuple[PodRecord, str, int, tuple[str, ...]]] = []

    def hook(record: PodRecord, container: str, restarts: int, lines: tuple[str, ...]) -> None:
        seen.append((record, container, restarts, lines))
        if record.meta.name == "a":
            raise OSError("disk full")

    capture = CrashCapture(service, None, fetch=lambda ns, name, c, tail: [f"{name} died"], on_capture=hook)
    assert service.cb is not None
    service.cb(pod("a"), "app", 0, 3)
    wait_for(lambda: len(seen) == 1, "the first capture")
    service.cb(pod("b"), "app", 1, 2)
    wait_for(lambda: len(seen) == 2, "the second capture despite the failed hook")
    capture.stop()
    assert [(r.meta.name, c, n, lines) for r, c, n, lines in seen] == [
        ("a", "app", 3, ("a died",)),
        ("b", "app", 2, ("b died",)),
    ]
    assert [a[1] for a in service.attached] == ["a", "b"]
