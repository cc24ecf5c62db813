"""The typed screens' sections and rows are pure (kdash/ui/render/{nodes,network,storage}.py): hostile
strings from the cluster come out literal, without escape sequences, and odd objects never raise."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from rich.console import Console, RenderableType

from kdash.model.build import build_node, build_pod, build_service
from kdash.model.build.network import build_endpoint_slice, build_ingress, service_ports
from kdash.model.build.nodes import build_node_detail
from kdash.model.build.storage import build_claim, build_configmap, build_volume
from kdash.model.meta import ObjectKey
from kdash.model.relations import (
    StatefulClaim,
    check_backends,
    ingress_routes,
    node_allocation,
    service_endpoints,
)
from kdash.ui.render import network, nodes, storage
from kdash.ui.render.table import Row

NOW = datetime(2026, 11, 29, 12, 0, tzinfo=UTC)
EVIL = "[@click=app.quit]x[/] \x1b]52;c;aGk=\x07\x1b[2J"


def shown(*parts: RenderableType | Row) -> str:
    console = Console(width=100, record=True, color_system=None, force_terminal=False)
    for part in parts:
        if isinstance(part, Row):
            for cell in part.cells:
                console.print(cell.as_text())
        else:
            console.print(part)
    return console.export_text()


def hostile() -> dict[str, Any]:
    meta = {"name": EVIL, "namespace": "ns", "labels": {EVIL: EVIL}}
    return {
        "metadata": meta,
        "spec": {
            "taints": [{"key": EVIL, "value": EVIL, "effect": "NoExecute"}],
            "rules": [
                {
                    "host": EVIL,
                    "http": {
                        "paths": [
                            {"path": EVIL, "backend": {"service": {"name": EVIL, "port": {"name": EVIL}}}}
                        ]
                    },
                }
            ],
            "tls": [{"hosts": [EVIL], "secretName": EVIL}],
            "selector": {EVIL: EVIL},
            "ports": [{"name": EVIL, "port": 80}],
            "volumeName": EVIL,
            "storageClassName": EVIL,
            "containers": [{"name": EVIL, "resources": {"requests": {"cpu": EVIL, "memory": "1Gi"}}}],
        },
        "status": {
            "phase": EVIL,
            "conditions": [{"type": "Ready", "status": "False", "reason": EVIL, "message": EVIL}],
            "nodeInfo": {"kubeletVersion": EVIL, "osImage": EVIL},
            "addresses": [{"type": EVIL, "address": EVIL}],
            "allocatable": {"cpu": EVIL, "memory": "1Gi", "pods": "0"},
        },
        "endpoints": [
            {"addresses": [EVIL], "conditions": {"ready": False}, "targetRef": {"kind": "Pod", "name": EVIL}}
        ],
        "data": {EVIL: EVIL},
    }


def test_hostile_strings_are_shown_literally_and_without_escapes() -> None:
    raw = hostile()
    node, detail, pod = build_node(raw), build_node_detail(raw), build_pod(raw)
    allocations = node_allocation([pod], detail.allocatable, detail.capacity)
    eslice = build_endpoint_slice(raw)
    rows = service_endpoints([eslice], {pod.meta.key: pod}, [pod])
    service = build_service(raw)
    ingress = build_ingress(raw)
    checks = check_backends(ingress, {EVIL: service_ports(raw)})
    claim, volume, cm = build_claim(raw), build_volume(raw), build_configmap(raw)
    out = shown(
        nodes.summary_section(node, detail, NOW),
        nodes.conditions_section(node, detail, NOW),
        nodes.taints_section(node, detail, NOW),
        nodes.allocation_section(allocations),
        nodes.pod_row(pod, NOW, detail.allocatable),
        network.service_summary(service, [eslice], rows, NOW),
        *(network.endpoint_row(r) for r in rows),
        network.ingresses_section(ingress_routes([ingress], ObjectKey("Service", "ns", EVIL)), None),
        network.ingress_summary(ingress, checks, NOW),
        *(network.route_row(ingress.meta.key, i, c, (0, 1)) for i, c in enumerate(checks)),
        storage.claim_summary(claim, [], NOW),
        storage.volume_section(claim, volume),
        storage.mount_row(pod.meta.key, EVIL, pod, NOW),
        storage.configmap_summary(cm, 0, NOW),
        storage.keys_section(cm),
        storage.user_row(ObjectKey("Deployment", "ns", EVIL), [EVIL], None),
        storage.statefulset_claims_section([StatefulClaim(EVIL, EVIL, 0, claim)], None),
    )
    assert "\x1b" not in out and "\x07" not in out
    assert "[@click=app.quit]x[/]" in out  # literal, never parsed as markup
    assert "NoExecute" in out


def test_empty_objects_render_placeholders() -> None:
    empty = build_node_detail(None)
    out = shown(
        nodes.summary_section(None, None, NOW),
        nodes.conditions_section(None, empty, NOW),
        nodes.taints_section(None, empty, NOW),
        network.service_summary(None, [], [], NOW),
        network.ingress_summary(None, [], NOW),
        storage.claim_summary(None, [], NOW),
        storage.volume_section(build_claim({"status": {"phase": "Pending"}}), None),
        storage.configmap_summary(None, None, NOW),
        storage.statefulset_claims_section([], None),
    )
    assert "not bound yet" in out and "none: any pod may be scheduled here" in out
