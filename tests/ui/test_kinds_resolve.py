"""`:KIND` resolution and completion, on plain Discovery values (kdash/ui/kinds.py, commands.py).

kubectl's rules: full names (plural, singular, Kind) before short names, case-insensitive; the core
group, then Kubernetes' own groups, then CRDs; a group-qualified name always reaches its group.
The dashboard's own commands keep their meaning; every other kind opens the generic list.
"""

from __future__ import annotations

from typing import Any

import pytest

from kdash.model.feeds import ApiResource, Discovery
from kdash.model.snapshot import SyncPhase
from kdash.ui.command_list import completions
from kdash.ui.commands import run_command
from kdash.ui.kinds import kind_names, not_found, resolve_kind

V = frozenset({"get", "list", "watch"})


def res(
    group: str, resource: str, kind: str, short: tuple[str, ...] = (), version: str = "v1"
) -> ApiResource:
    return ApiResource(
        group, version, resource, kind, True, singular=kind.lower(), short_names=short, verbs=V
    )


# discovery order as a server might send it, with CRDs listed *before* the built-in groups and
# claiming names the core group and `apps` use
CRD_SERVICES = res("example.com", "services", "Service", ("svc", "xs"))
CERTS = res("cert-manager.io", "certificates", "Certificate", ("cert", "certs"))
DISCOVERY = Discovery(
    (
        CRD_SERVICES,
        res("example.com", "rollsets", "RollSet", ("rs",)),
        res("", "pods", "Pod", ("po",)),
        res("", "services", "Service", ("svc",)),
        res("", "events", "Event", ("ev",)),
        res("", "configmaps", "ConfigMap", ("cm",)),
        CERTS,
        res("apps", "deployments", "Deployment", ("deploy",)),
        res("apps", "replicasets", "ReplicaSet", ("rs",)),
        res("events.k8s.io", "events", "Event", ("ev",)),
        res("certificates.k8s.io", "certificatesigningrequests", "CertificateSigningRequest", ("csr",)),
        res("autoscaling", "horizontalpodautoscalers", "HorizontalPodAutoscaler", ("hpa",), "v2"),
        res("autoscaling", "horizontalpodautoscalers", "HorizontalPodAutoscaler", ("hpa",), "v1"),
        res("apiextensions.k8s.io", "customresourcedefinitions", "CustomResourceDefinition", ("crd", "crds")),
        ApiResource(
            "authentication.k8s.io", "v1", "tokenreviews", "TokenReview", False, verbs=frozenset({"create"})
        ),
    ),
    SyncPhase.LIVE,
)


@pytest.mark.parametrize(
    ("word", "group", "resource"),
    [
        ("svc", "", "services"),  # the core group beats a CRD's short name
        ("services", "", "services"),  # ... and its plural
        ("Service", "", "services"),  # Kind, case-insensitive
        ("SVC", "", "services"),
        ("services.example.com", "example.com", "services"),  # qualified: always that group
        ("svc.example.com", "example.com", "services"),
        ("xs", "example.com", "services"),  # a name only the CRD has
        ("events", "", "events"),  # core before events.k8s.io
        ("events.events.k8s.io", "events.k8s.io", "events"),
        ("certificates", "cert-manager.io", "certificates"),
        ("certificate", "cert-manager.io", "certificates"),  # singular
        ("Certificate", "cert-manager.io", "certificates"),
        ("cert", "cert-manager.io", "certificates"),
        ("certificates.cert-manager.io", "cert-manager.io", "certificates"),
        ("csr", "certificates.k8s.io", "certificatesigningrequests"),
        ("deployments.apps", "apps", "deployments"),
        ("deployments.v1.apps", "apps", "deployments"),
        ("deploy.app", "apps", "deployments"),  # a group prefix, as kubectl accepts `hpa.autoscal`
        ("crd", "apiextensions.k8s.io", "customresourcedefinitions"),
        ("rs", "apps", "replicasets"),  # a built-in group beats a CRD listed before it
        ("rs.example.com", "example.com", "rollsets"),
    ],
)
def test_words_resolve_as_kubectl_resolves_them(word: str, group: str, resource: str) -> None:
    found = resolve_kind(word, DISCOVERY)
    assert found is not None, word
    assert (found.group, found.resource) == (group, resource)


def test_the_preferred_version_is_listed_and_an_explicit_one_is_honoured() -> None:
    hpa = resolve_kind("hpa", DISCOVERY)
    assert hpa is not None and hpa.version == "v2"
    v1 = resolve_kind("horizontalpodautoscalers.v1.autoscaling", DISCOVERY)
    assert v1 is not None and v1.version == "v1"


@pytest.mark.parametrize("word", ["foo", "", "services.nope.io", ".apps", "pods."])
def test_unknown_words_name_nothing(word: str) -> None:
    assert resolve_kind(word, DISCOVERY) is None


def test_completion_offers_kinds_short_names_and_qualified_names_after_the_commands() -> None:
    names = kind_names(DISCOVERY)
    found = completions("cert", [], [], names)
    assert "certificates.cert-manager.io" in found
    assert found[0] == "cert"  # shortest first: what Tab gives is what Enter runs
    assert "certificatesigningrequests" in found
    # the commands come first, and a kind's name that is a command is not offered twice
    pods = completions("po", [], [], names)
    assert pods[0] == "pods" and pods.count("pods") == 1 and pods.count("po") == 1
    assert "tokenreviews" not in names  # not listable: not offered
    assert completions("svc.", [], [], names) == []  # no such spelling is offered
    assert completions("services.e", [], [], names) == ["services.example.com"]


def test_not_found_says_whether_the_server_lacks_it_or_discovery_is_not_in_yet() -> None:
    assert not_found("foo", DISCOVERY) == 'no resource "foo" on this server'
    syncing = not_found("foo", Discovery())
    assert "still loading" in syncing and "no resource" not in syncing


class Host:
    """The CommandHost protocol, recording what a command asked for."""

    def __init__(self, discovery: Discovery | None) -> None:
        self._discovery = discovery
        self.calls: list[tuple[str, Any]] = []

    def notify(self, message: str, **_kw: Any) -> None:
        self.calls.append(("notify", message))

    def exit(self, result: int | None = None) -> None:
        self.calls.append(("exit", result))

    def action_help(self) -> None:
        self.calls.append(("help", None))

    def action_pick_namespace(self) -> None:
        self.calls.append(("pick", None))

    def set_namespace(self, namespace: str | None) -> None:
        self.calls.append(("ns", namespace))

    def switch_context(self, context: str) -> None:
        self.calls.append(("ctx", context))

    def namespace_names(self) -> list[str]:
        return ["shop"]

    def contexts(self) -> list[str]:
        return ["a"]

    def show_pods(self) -> None:
        self.calls.append(("pods", None))

    def show_events(self) -> None:
        self.calls.append(("events", None))

    def focus_pane(self, pane_id: str, filter_text: str | None) -> None:
        self.calls.append(("pane", (pane_id, filter_text)))

    def discovery(self) -> Discovery | None:
        return self._discovery

    def open_kind(self, resource: ApiResource) -> None:
        self.calls.append(("kind", resource.qualified))

    def show_aliases(self) -> None:
        self.calls.append(("aliases", None))

    def show_alerts(self) -> None:
        self.calls.append(("alerts", None))


@pytest.mark.parametrize(
    ("line", "call"),
    [
        ("svc", ("kind", "services")),
        ("cm", ("kind", "configmaps")),
        ("certs", ("kind", "certificates.cert-manager.io")),
        (
            "certif",
            ("kind", "certificates.cert-manager.io"),
        ),  # a prefix runs the first completion, as the bar shows it
        ("Certificate", ("kind", "certificates.cert-manager.io")),
        ("rs", ("kind", "replicasets.apps")),
        ("deployments.apps", ("kind", "deployments.apps")),  # qualified: the server's Table
        # the dashboard's own views keep their meaning, by any of their names
        ("deploy", ("pane", ("workloads", r"^\S* deploy\b"))),
        ("Deployment", ("pane", ("workloads", r"^\S* deploy\b"))),
        ("pods", ("pods", None)),
        ("pod", ("pods", None)),
        ("Pod", ("pods", None)),
        ("horizontalpodautoscaler", ("pane", ("hpa", None))),
        ("ev", ("events", None)),
        ("dep", ("pane", ("workloads", r"^\S* deploy\b"))),  # a command's prefix, as before
        ("aliases", ("aliases", None)),
        ("api-resources", ("aliases", None)),
        ("resources", ("aliases", None)),
        ("foo", ("notify", 'no resource "foo" on this server')),
        (
            "tokenreviews",
            ("notify", "tokenreviews.authentication.k8s.io cannot be listed (the server allows create)"),
        ),
    ],
)
def test_commands_open_the_dashboard_view_or_the_kind_list(line: str, call: tuple[str, Any]) -> None:
    host = Host(DISCOVERY)
    run_command(host, line)
    assert host.calls == [call]


def test_a_kind_while_discovery_is_syncing_says_so() -> None:
    host = Host(Discovery())
    run_command(host, "svc")
    assert len(host.calls) == 1 and host.calls[0][0] == "notify"
    assert "still loading" in host.calls[0][1]
    host = Host(Discovery())
    run_command(host, "pods")  # the dashboard's own kinds never wait for discovery
    assert host.calls == [("pods", None)]
