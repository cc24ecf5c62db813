"""The scenario builders' fast paths against the straightforward ones they replace: a pod copied
from its first replica (``sibling``) is byte for byte the pod ``pod`` builds, and the hand-made
uid and suffix are what ``uuid.UUID`` and the per-letter join made."""

from __future__ import annotations

import hashlib
import uuid
from datetime import timedelta

import orjson
from hypothesis import given, settings
from hypothesis import strategies as st

from kdash.sim.scenarios import builders as b
from kdash.sim.scenarios.builders import container, crash_loop, pod, sibling
from tests.sim.conftest import FROZEN

text = st.text("abcdefghijklmnopqrstuvwxyz0123456789-", min_size=1, max_size=20)


def _containers(with_port: bool, probes: bool) -> list[b.JSON]:
    return [
        container("app", "registry.example.com/a/b:1.2", port=8080 if with_port else None, probes=probes),
        container("proxy", "envoyproxy/envoy:v1.31.2", port=15001, env={"A": "b"}),
    ]


@settings(max_examples=150, deadline=None)
@given(
    ns=text,
    first=text,
    other=text,
    nodes=st.tuples(text, text),
    ips=st.tuples(st.ip_addresses(v=4).map(str), st.ip_addresses(v=4).map(str)),
    age=st.integers(10, 10**7),
    init=st.booleans(),
    owner=st.booleans(),
    with_port=st.booleans(),
    probes=st.booleans(),
)
def test_sibling_is_the_pod_pod_builds(
    ns: str,
    first: str,
    other: str,
    nodes: tuple[str, str],
    ips: tuple[str, str],
    age: int,
    init: bool,
    owner: bool,
    with_port: bool,
    probes: bool,
) -> None:
    cs = _containers(with_port, probes)
    inits = [container("init", "busybox:1.36", port=None, probes=False)] if init else None
    rs = {"apiVersion": "apps/v1", "kind": "ReplicaSet", "metadata": {"name": "rs", "uid": "u-1"}}

    def build(name: str, node: str, ip: str) -> b.JSON:
        return pod(
            ns,
            name,
            cs,
            now=FROZEN,
            age=timedelta(seconds=age),
            labels={"app": "x"},
            owner=rs if owner else None,
            node_name=node,
            ip=ip,
            init=inits,
            generate_name="x-",
        )

    template = build(first, nodes[0], ips[0])
    copy = sibling(template, other, node_name=nodes[1], ip=ips[1])
    assert orjson.dumps(copy) == orjson.dumps(build(other, nodes[1], ips[1]))
    crash_loop(copy, "app", now=FROZEN, restarts=3)  # bending one leaves the other alone
    assert orjson.dumps(template) == orjson.dumps(build(first, nodes[0], ips[0]))
    again = sibling(template, other, node_name=nodes[1], ip=ips[1])
    crash_loop(template, "app", now=FROZEN, restarts=3)
    b.refresh_conditions(template, FROZEN, timedelta(seconds=age))
    assert orjson.dumps(again) == orjson.dumps(build(other, nodes[1], ips[1]))


@settings(max_examples=300)
@given(seed=st.text(max_size=40), n=st.integers(1, 20))
def test_uid_and_suffix_are_the_straightforward_ones(seed: str, n: int) -> None:
    digest = hashlib.sha1(seed.encode()).digest()
    assert b.uid_for(seed) == str(uuid.UUID(bytes=digest[:16], version=4))
    assert b.suffix(seed, n) == "".join(b._ALNUM[x % len(b._ALNUM)] for x in digest[:n])  # noqa: SLF001
