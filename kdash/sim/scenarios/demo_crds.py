"""cert-manager's Certificate and ClusterIssuer CRDs (printer columns as cert-manager ships them) and
their instances: three Certificates, one of them not Ready, and the issuer they name."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from kdash.sim.scenarios.builders import meta, ts

JSON = dict[str, Any]
D, H = timedelta(days=1), timedelta(hours=1)
GROUP = "cert-manager.io"
_AGE_DOC = (
    "CreationTimestamp is a timestamp representing the server time when this object was created. It is "
    "not guaranteed to be set in happens-before order across separate operations. Clients may not set "
    "this value. It is represented in RFC3339 form and is in UTC."
)
_READY = '.status.conditions[?(@.type=="Ready")]'


def _crd(plural: str, kind: str, scope: str, short: list[str], columns: list[JSON], now: datetime) -> JSON:
    name = f"{plural}.{GROUP}"
    t = ts(now, 60 * D)
    return {
        "kind": "CustomResourceDefinition",
        "apiVersion": "apiextensions.k8s.io/v1",
        "metadata": meta(
            "CustomResourceDefinition",
            None,
            name,
            now,
            60 * D,
            labels={"app.kubernetes.io/name": "cert-manager", "app.kubernetes.io/instance": "cert-manager"},
            annotations={"cert-manager.io/inject-ca-from-secret": "cert-manager/cert-manager-webhook-ca"},
        ),
        "spec": {
            "group": GROUP,
            "names": {
                "plural": plural,
                "singular": kind.lower(),
                "kind": kind,
                "listKind": f"{kind}List",
                "shortNames": short,
                "categories": ["cert-manager"],
            },
            "scope": scope,
            "versions": [
                {
                    "name": "v1",
                    "served": True,
                    "storage": True,
                    "schema": {
                        "openAPIV3Schema": {"type": "object", "x-kubernetes-preserve-unknown-fields": True}
                    },
                    "subresources": {"status": {}},
                    "additionalPrinterColumns": columns,
                }
            ],
            "conversion": {"strategy": "None"},
        },
        "status": {
            "conditions": [
                {
                    "type": "NamesAccepted",
                    "status": "True",
                    "lastTransitionTime": t,
                    "reason": "NoConflicts",
                    "message": "no conflicts found",
                },
                {
                    "type": "Established",
                    "status": "True",
                    "lastTransitionTime": t,
                    "reason": "InitialNamesAccepted",
                    "message": "the initial names have been accepted",
                },
            ],
            "acceptedNames": {
                "plural": plural,
                "singular": kind.lower(),
                "kind": kind,
                "listKind": f"{kind}List",
                "shortNames": short,
                "categories": ["cert-manager"],
            },
            "storedVersions": ["v1"],
        },
    }


def crds(now: datetime) -> list[JSON]:
    age = {"jsonPath": ".metadata.creationTimestamp", "description": _AGE_DOC, "name": "Age", "type": "date"}
    certificate = _crd(
        "certificates",
        "Certificate",
        "Namespaced",
        ["cert", "certs"],
        [
            {"jsonPath": f"{_READY}.status", "name": "Ready", "type": "string"},
            {"jsonPath": ".spec.secretName", "name": "Secret", "type": "string"},
            {"jsonPath": ".spec.issuerRef.name", "name": "Issuer", "priority": 1, "type": "string"},
            {"jsonPath": f"{_READY}.message", "name": "Status", "priority": 1, "type": "string"},
            age,
        ],
        now,
    )
    issuer = _crd(
        "clusterissuers",
        "ClusterIssuer",
        "Cluster",
        ["ciss"],
        [
            {"jsonPath": f"{_READY}.status", "name": "Ready", "type": "string"},
            {"jsonPath": f"{_READY}.message", "name": "Status", "priority": 1, "type": "string"},
            age,
        ],
        now,
    )
    return [certificate, issuer]


def _ready(status: bool, reason: str, message: str, since: str) -> JSON:
    return {
        "type": "Ready",
        "status": "True" if status else "False",
        "lastTransitionTime": since,
        "reason": reason,
        "message": message,
        "observedGeneration": 1,
    }


def certificate(
    ns: str, name: str, secret: str, hosts: list[str], now: datetime, age: timedelta, *, ready: bool
) -> JSON:
    since = ts(now, age - timedelta(minutes=1))
    status: JSON
    if ready:
        status = {
            "conditions": [_ready(True, "Ready", "Certificate is up to date and has not expired", since)],
            "notBefore": ts(now, 10 * D),
            "notAfter": ts(now, -80 * D),
            "renewalTime": ts(now, -50 * D),
            "revision": 3,
        }
    else:
        status = {
            "conditions": [
                _ready(
                    False, "DoesNotExist", f'Issuing certificate as Secret "{secret}" does not exist', since
                ),
                {
                    "type": "Issuing",
                    "status": "True",
                    "lastTransitionTime": since,
                    "reason": "DoesNotExist",
                    "message": f'Issuing certificate as Secret "{secret}" does not exist',
                    "observedGeneration": 1,
                },
            ],
            "nextPrivateKeySecretName": f"{secret}-{name[:3]}x7k",
        }
    return {
        "kind": "Certificate",
        "apiVersion": f"{GROUP}/v1",
        "metadata": meta("Certificate", ns, name, now, age, generation=1),
        "spec": {
            "secretName": secret,
            "dnsNames": hosts,
            "issuerRef": {"name": "letsencrypt-prod", "kind": "ClusterIssuer", "group": GROUP},
            "privateKey": {"algorithm": "ECDSA", "size": 256, "rotationPolicy": "Always"},
        },
        "status": status,
    }


def custom_resources(now: datetime) -> list[JSON]:
    """The CRDs first, then three Certificates (shop/search-tls not Ready) and their ClusterIssuer."""
    issuer = {
        "kind": "ClusterIssuer",
        "apiVersion": f"{GROUP}/v1",
        "metadata": meta("ClusterIssuer", None, "letsencrypt-prod", now, 60 * D, generation=1),
        "spec": {
            "acme": {
                "server": "https://acme-v02.api.letsencrypt.org/directory",
                "email": "ops@example.com",
                "privateKeySecretRef": {"name": "letsencrypt-prod-account"},
                "solvers": [{"http01": {"ingress": {"ingressClassName": "nginx"}}}],
            }
        },
        "status": {
            "acme": {"uri": "https://acme-v02.api.letsencrypt.org/acme/acct/123456789"},
            "conditions": [
                _ready(
                    True,
                    "ACMEAccountRegistered",
                    "The ACME account was registered with the ACME server",
                    ts(now, 60 * D),
                )
            ],
        },
    }
    return [
        *crds(now),
        issuer,
        certificate("shop", "web-tls", "web-tls", ["shop.example.com"], now, 20 * D, ready=True),
        certificate("payments", "api-tls", "payments-tls", ["pay.example.com"], now, 7 * D, ready=True),
        certificate("shop", "search-tls", "search-tls", ["search.example.com"], now, 2 * H, ready=False),
    ]
