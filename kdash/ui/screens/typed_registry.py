"""Which kinds have a typed detail screen (Node, Service, Ingress, PVC, ConfigMap, HPA...).

Navigation asks here before falling back to describe/YAML, so no screen imports another to open
it. Each typed screen module registers its factory in `TYPED_SCREENS` below (one line per kind).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from textual.screen import Screen

from kdash.model.meta import ObjectKey
from kdash.ui.screens.configmap import ConfigMapScreen
from kdash.ui.screens.hpa import HpaScreen
from kdash.ui.screens.ingress import IngressScreen
from kdash.ui.screens.node import NodeScreen
from kdash.ui.screens.pvc import ClaimScreen
from kdash.ui.screens.service import ServiceScreen

# kind -> factory(session, key) building the screen; `session` is the app's LiveSession, whose
# `source` is also a kdash.model.feeds.FeedSource (open_objects / open_table / discovery).
ScreenFactory = Callable[[Any, ObjectKey], Screen[Any]]

TYPED_SCREENS: dict[str, ScreenFactory] = {}
TYPED_SCREENS["Node"] = NodeScreen
TYPED_SCREENS["Service"] = ServiceScreen
TYPED_SCREENS["Ingress"] = IngressScreen
TYPED_SCREENS["PersistentVolumeClaim"] = ClaimScreen
TYPED_SCREENS["ConfigMap"] = ConfigMapScreen
TYPED_SCREENS["HorizontalPodAutoscaler"] = HpaScreen


def screen_for(kind: str) -> ScreenFactory | None:
    return TYPED_SCREENS.get(kind)
