"""kubectl (its own discovery, its own Table handling) against issue 13's kinds on the demo."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from kdash.sim import SimCluster
from tests.sim.test_kubectl import kubectl

pytestmark = pytest.mark.skipif(shutil.which("kubectl") is None, reason="kubectl not installed")


def test_get_every_new_kind(demo: SimCluster, tmp_path: Path) -> None:
    kinds = (
        "svc,ep,endpointslices,ing,pvc,pv,cm,secret,sa,netpol,sc,ingressclass,crd,certificates,clusterissuers"
    )
    r = kubectl(demo, tmp_path, "get", kinds, "-A")
    assert r.returncode == 0, r.stderr
    for needle in [
        "service/frontend",
        "LoadBalancer",
        "endpoints/web",
        "endpointslice.discovery.k8s.io/legacy-search-",
        "ingress.networking.k8s.io/search",
        "persistentvolumeclaim/data-redis-0",
        "Pending",
        "persistentvolume/nfs-archive",
        "configmap/legacy-flags",
        "kubernetes.io/tls",
        "serviceaccount/legacy-ci",
        "networkpolicy.networking.k8s.io/allow-web",
        "storageclass.storage.k8s.io/standard (default)",
        "customresourcedefinition.apiextensions.k8s.io/certificates.cert-manager.io",
        "certificate.cert-manager.io/search-tls",
        "clusterissuer.cert-manager.io/letsencrypt-prod",
        "VOLUMEATTRIBUTESCLASS",
        "ADDRESSTYPE",
        "CREATED AT",
    ]:
        assert needle in r.stdout, needle
    assert "v1 Endpoints is deprecated" in r.stderr  # the real server's Warning header, printed


def test_short_names_wide_columns_and_api_resources(demo: SimCluster, tmp_path: Path) -> None:
    certs = kubectl(demo, tmp_path, "get", "cert", "-n", "shop", "-o", "wide")
    assert certs.returncode == 0, certs.stderr
    header, *rows = certs.stdout.splitlines()
    assert header.split() == ["NAME", "READY", "SECRET", "ISSUER", "STATUS", "AGE"]
    assert any(r.startswith("search-tls") and " False " in r for r in rows)
    hpa = kubectl(demo, tmp_path, "get", "hpa", "-n", "shop", "web")
    assert "memory: 120Mi/500Mi, 1k/2k + 1 more..." in hpa.stdout, hpa.stderr
    res = kubectl(demo, tmp_path, "api-resources")
    assert res.returncode == 0, res.stderr
    lines = {line.split()[0]: line.split() for line in res.stdout.splitlines()[1:]}
    assert lines["certificates"][1:3] == ["cert,certs", "cert-manager.io/v1"]
    assert lines["endpointslices"][1] == "discovery.k8s.io/v1"
    assert lines["networkpolicies"][1] == "netpol"
