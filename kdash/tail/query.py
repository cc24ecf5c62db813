"""What `kdash logs` follows: stern's query (pod regex, `-l`, `-c` regex) checked and applied.

Pure: the command line becomes a `Query` (bad input is one sentence, `UsageError`), and a cluster
snapshot becomes the containers to follow, each with the pod record its JSON lines quote (node,
labels). Re-applied on every snapshot the service publishes, so pods that start are joined and
pods that go are left, as stern does.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from kdash.errors import UsageError
from kdash.k8s.logs_select import ContainerRef
from kdash.model.meta import LabelSelector
from kdash.model.pods import PodRecord
from kdash.model.selectors import parse_label_selector
from kdash.model.snapshot import ClusterSnapshot

CONTAINER_STATES = ("running", "waiting", "terminated")
_DURATION = re.compile(r"(\d+(?:\.\d+)?)(ms|s|m|h|d)")
_UNIT_SECONDS = {"ms": 0.001, "s": 1, "m": 60, "h": 3600, "d": 86400}


def parse_duration(text: str, option: str = "--since") -> int:
    """`5m`, `1h`, `1h30m`, `90s`, `2d` (Go's units plus days) in whole seconds, at least 1."""
    value = text.strip()
    pos, total = 0, 0.0
    for m in _DURATION.finditer(value):
        if m.start() != pos:
            break
        total += float(m.group(1)) * _UNIT_SECONDS[m.group(2)]
        pos = m.end()
    if not value or pos != len(value):
        raise UsageError(f"{option}: expected a duration such as 30s, 5m, 1h or 1h30m, got {text!r}.")
    return max(1, int(total))


def compile_regex(text: str, option: str) -> re.Pattern[str]:
    try:
        return re.compile(text)
    except re.error as exc:
        raise UsageError(f"{option}: {text!r} is not a regular expression ({exc}).") from None


def parse_states(values: Sequence[str]) -> frozenset[str]:
    """`--container-state running,waiting` (repeatable, comma-separated, or `all`) as a set; empty
    means every state."""
    states = {part.strip() for value in values for part in value.split(",") if part.strip()}
    if not states or "all" in states:
        return frozenset()
    unknown = sorted(states.difference(CONTAINER_STATES))
    if unknown:
        raise UsageError(
            f"--container-state: expected running, waiting, terminated or all, got {', '.join(map(repr, unknown))}."
        )
    return frozenset(states)


@dataclass(frozen=True)
class Query:
    """Which pods and containers (`pod`/`container` are searched anywhere in the name, like stern's)."""

    pod: re.Pattern[str] | None = None
    selector: LabelSelector | None = None
    container: re.Pattern[str] | None = None
    previous: bool = False
    include: tuple[re.Pattern[str], ...] = field(default=())
    exclude: tuple[re.Pattern[str], ...] = field(default=())
    exclude_pod: tuple[re.Pattern[str], ...] = field(default=())
    exclude_container: tuple[re.Pattern[str], ...] = field(default=())
    states: frozenset[str] = frozenset()  # empty: every state (stern's --container-state all)

    @classmethod
    def from_options(
        cls,
        pod: str | None,
        selector: str | None,
        container: str | None,
        *,
        previous: bool = False,
        include: Sequence[str] = (),
        exclude: Sequence[str] = (),
        exclude_pod: Sequence[str] = (),
        exclude_container: Sequence[str] = (),
        container_state: Sequence[str] = (),
    ) -> Query:
        if not pod and not selector:
            raise UsageError("give a pod-name regex (kdash logs web) or a label selector (-l app=web).")
        parsed: LabelSelector | None = None
        if selector:
            try:
                parsed = parse_label_selector(selector)
            except ValueError as exc:
                raise UsageError(f"-l: {exc}") from None
        return cls(
            pod=compile_regex(pod, "QUERY") if pod else None,
            selector=parsed,
            container=compile_regex(container, "-c") if container else None,
            previous=previous,
            include=tuple(compile_regex(p, "--include") for p in include),
            exclude=tuple(compile_regex(p, "--exclude") for p in exclude),
            exclude_pod=tuple(compile_regex(p, "--exclude-pod") for p in exclude_pod),
            exclude_container=tuple(compile_regex(p, "--exclude-container") for p in exclude_container),
            states=parse_states(container_state),
        )

    def wants_line(self, plain: str) -> bool:
        """`--include` (any of them must match, when given) and `--exclude` (none may match)."""
        if self.include and not any(p.search(plain) for p in self.include):
            return False
        return not any(p.search(plain) for p in self.exclude)

    def wants_pod(self, pod: PodRecord) -> bool:
        name = pod.meta.name
        if self.pod is not None and self.pod.search(name) is None:
            return False
        if any(p.search(name) for p in self.exclude_pod):
            return False
        return self.selector is None or self.selector.matches(pod.meta.labels)

    def containers(self, pod: PodRecord) -> list[str]:
        """The pod's app containers the query means. A pod not on a node yet has no log (it joins
        when scheduled); `--previous` wants containers that have a previous instance."""
        if not pod.node and not pod.spec.node_name:
            return []
        names = [c.name for c in pod.spec.containers] or [c.name for c in pod.containers]
        if self.container is not None:
            names = [n for n in names if self.container.search(n)]
        if self.exclude_container:
            names = [n for n in names if not any(p.search(n) for p in self.exclude_container)]
        if self.states:
            state_of = {s.name: s.state.state for s in pod.containers}
            names = [n for n in names if state_of.get(n) in self.states]
        if self.previous:
            restarted = {s.name for s in pod.containers if s.restart_count > 0 or s.last_termination}
            names = [n for n in names if n in restarted]
        return names


def select(snapshot: ClusterSnapshot, query: Query) -> dict[ContainerRef, PodRecord]:
    """Every container of the snapshot's pods the query means, sorted, with its pod record."""
    found: dict[ContainerRef, PodRecord] = {}
    for pod in snapshot.pods.values():
        if not query.wants_pod(pod):
            continue
        for name in query.containers(pod):
            found[ContainerRef(pod.meta.namespace, pod.meta.name, name)] = pod
    return dict(sorted(found.items()))
