"""kdash's own kubeconfig reader (kdash.k8s.kubeauth) against the official client's loader.

For every kubeconfig, `load_target(...)` (direct when it can) and `load_target(..., official=True)`
(always the `kubernetes` loader) must give the same target: the same server URL, headers and urllib3
pool arguments (certificate files compared by content), or the same error. Kubeconfigs are real
files: the simulator's own (TLS + token), hand-written ones, and generated ones (hypothesis); the
client is never patched. What kdash does not read itself (exec plugins, basic auth, NO_PROXY, odd
values) must go through the official loader.
"""

from __future__ import annotations

import base64
import json
import os
import stat
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kdash.errors import ConfigError
from kdash.k8s.kubeconfig import KubeTarget, load_target
from kdash.k8s.rawapi import RawApi
from kdash.sim import tls

UA = "kdash/test"
FILE_KEYS = ("ca_certs", "cert_file", "key_file")
PEM = tls.generate(["127.0.0.1"])  # a real certificate and key, for TLS files and data


@pytest.fixture(autouse=True)
def _no_proxy_env(monkeypatch: pytest.MonkeyPatch) -> None:
    """Proxy variables of the machine running the tests must not decide which path runs."""
    for name in list(os.environ):
        if name.lower().endswith("_proxy"):
            monkeypatch.delenv(name)


def described(target: KubeTarget) -> dict[str, Any]:
    """Everything a request depends on: where it goes, its headers, and the pool's arguments."""
    conn = target.connection(UA)
    try:
        url, headers = conn.prepare("/api/v1/pods", {"Accept": "application/json"})
        pool = conn.pool
        kwargs = {}
        for key, value in pool.connection_pool_kw.items():
            if key in FILE_KEYS and value is not None:
                value = Path(value).read_bytes()  # temp files differ by name, not by content
            elif key in ("_proxy", "_proxy_config"):
                value = str(value)
            kwargs[key] = value
        return {
            "target": (target.context, target.server, target.namespace, target.contexts, target.paths),
            "url": url,
            "headers": headers,
            "pool": type(pool).__name__,
            "proxy": str(getattr(pool, "proxy", None)),
            "kwargs": kwargs,
        }
    finally:
        conn.close()


def outcome(kubeconfig: str, *, official: bool, context: str | None = None) -> Any:
    try:
        return described(load_target(kubeconfig=kubeconfig, context=context, official=official))
    except ConfigError as exc:
        return ("error", str(exc))


def assert_same(kubeconfig: Path | str, context: str | None = None) -> KubeTarget:
    """Direct and official agree; returns the direct target (which must not need the client)."""
    fast = outcome(str(kubeconfig), official=False, context=context)
    assert fast == outcome(str(kubeconfig), official=True, context=context)
    target = load_target(kubeconfig=str(kubeconfig), context=context)
    assert not target.via_client
    return target


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def write(path: Path, doc: dict[str, Any]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(yaml.safe_dump(doc), encoding="utf-8")
    return path


def config(
    cluster: dict[str, Any], user: dict[str, Any] | None, namespace: str | None = None
) -> dict[str, Any]:
    context: dict[str, Any] = {"cluster": "c"}
    if user is not None:
        context["user"] = "u"
    if namespace:
        context["namespace"] = namespace
    return {
        "apiVersion": "v1",
        "kind": "Config",
        "current-context": "x",
        "clusters": [{"name": "c", "cluster": cluster}],
        "users": [{"name": "u", "user": user}] if user is not None else [],
        "contexts": [{"name": "x", "context": context}],
    }


# --- the simulator's kubeconfig: TLS with CA data and a bearer token ------------------------------


def test_sim_kubeconfig_direct_equals_official_and_both_list(sim: Any) -> None:
    kubeconfig = str(sim.kubeconfig_path)
    target = assert_same(kubeconfig)
    official = load_target(kubeconfig=kubeconfig, official=True)
    assert official.via_client
    listed = []
    for each in (target, official):
        api = RawApi(each)
        try:
            listed.append(sorted(p["metadata"]["name"] for p in api.get_json("/api/v1/pods")["items"]))
        finally:
            api.close()
    assert listed[0] == listed[1] and listed[0]


def test_direct_path_does_not_import_the_client(sim: Any) -> None:
    """The reason for the direct path: a launch never imports `kubernetes` for a token kubeconfig."""
    code = (
        "import sys; from kdash.k8s.kubeconfig import load_target; from kdash.k8s.rawapi import RawApi; "
        f"api = RawApi(load_target(kubeconfig={str(sim.kubeconfig_path)!r})); "
        "n = len(api.get_json('/api/v1/pods')['items']); api.close(); "
        "print(n, 'kubernetes' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True)
    count, imported = out.stdout.split()
    assert int(count) > 0 and imported == "False"


def test_client_certificate_kubeconfig_connects_to_the_sim(sim: Any, tmp_path: Path) -> None:
    """Client certificate and key as data (written to private temp files) plus the sim's token."""
    sim_doc = yaml.safe_load(Path(sim.kubeconfig_path).read_text())
    cluster = sim_doc["clusters"][0]["cluster"]
    user = {
        "token": sim.token,
        "client-certificate-data": b64(PEM.cert_pem),
        "client-key-data": b64(PEM.key_pem),
    }
    path = write(tmp_path / "kc", config(cluster, user, namespace="shop"))
    target = assert_same(path)
    assert target.namespace == "shop"
    conn = target.connection(UA)
    key_file = conn.pool.connection_pool_kw["key_file"]
    assert stat.S_IMODE(os.stat(key_file).st_mode) == 0o600  # a private key is never world-readable
    conn.close()
    api = RawApi(target)
    try:
        assert api.get_json("/version")["gitVersion"]
    finally:
        api.close()


# --- hand-written kubeconfigs ---------------------------------------------------------------------


def test_files_resolve_like_the_official_loader(tmp_path: Path) -> None:
    """CA, client certificate and key relative to the file that defined the *cluster*; tokenFile
    relative to the file that defined the user (the loader's rule), across two merged files."""
    a, b = tmp_path / "a", tmp_path / "b"
    (a / "pki").mkdir(parents=True)
    (b / "pki").mkdir(parents=True)
    (a / "pki" / "ca.crt").write_bytes(PEM.ca_pem)
    (a / "pki" / "me.crt").write_bytes(PEM.cert_pem)
    (a / "pki" / "me.key").write_bytes(PEM.key_pem)
    (b / "token").write_text("from-b")
    first = write(
        a / "config",
        {
            "current-context": "x",
            "clusters": [
                {
                    "name": "c",
                    "cluster": {"server": "https://10.1.2.3:6443/", "certificate-authority": "pki/ca.crt"},
                }
            ],
            "contexts": [{"name": "x", "context": {"cluster": "c", "user": "u", "namespace": "ns-a"}}],
        },
    )
    second = write(
        b / "config",
        {
            "users": [
                {
                    "name": "u",
                    "user": {
                        "tokenFile": "token",
                        "client-certificate": "pki/me.crt",
                        "client-key": "pki/me.key",
                    },
                }
            ]
        },
    )
    target = assert_same(f"{first}{os.pathsep}{second}")
    described_ = described(target)
    assert described_["headers"]["authorization"] == "Bearer from-b"
    assert described_["url"] == "https://10.1.2.3:6443/api/v1/pods"
    assert described_["kwargs"]["ca_certs"] == PEM.ca_pem


CASES: dict[str, tuple[dict[str, Any], dict[str, Any] | None]] = {
    "token-and-ca-data": (
        {"server": "https://h:6443", "certificate-authority-data": b64(PEM.ca_pem)},
        {"token": "t"},
    ),
    "insecure-and-server-name": (
        {"server": "https://h:6443", "insecure-skip-tls-verify": True, "tls-server-name": "api.internal"},
        {"token": "t"},
    ),
    "verify-explicitly": ({"server": "https://h:6443", "insecure-skip-tls-verify": False}, {"token": "t"}),
    "plain-http": ({"server": "http://h:8080", "certificate-authority-data": "bm90IHJlYWQ="}, {"token": "t"}),
    "no-user": ({"server": "https://h:6443"}, None),
    "empty-user": ({"server": "https://h:6443"}, {}),
    "empty-token": ({"server": "https://h:6443"}, {"token": ""}),
    "token-beats-token-file": ({"server": "https://h:6443"}, {"token": "t", "tokenFile": "/nonexistent"}),
    "http-proxy": ({"server": "https://h:6443", "proxy-url": "http://proxy.example:3128"}, {"token": "t"}),
    "ignored-keys": (
        {"server": "https://h:6443", "extensions": [], "disable-compression": True},
        {"token": "t", "extensions": [], "as": "someone"},
    ),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_hand_written_kubeconfigs(tmp_path: Path, case: str) -> None:
    cluster, user = CASES[case]
    assert_same(write(tmp_path / "kc", config(cluster, user, namespace="ns")))


def test_environment_proxy_is_used_like_the_client(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HTTPS_PROXY", "http://envproxy.example:8080")
    target = assert_same(write(tmp_path / "kc", config({"server": "https://h:6443"}, {"token": "t"})))
    assert described(target)["pool"] == "ProxyManager"


# --- what only the official loader does -----------------------------------------------------------


def _exec_plugin(tmp_path: Path, token: str) -> Path:
    """A plugin printing `token` with an expiry inside the loader's 5-minute skew (so every request
    refreshes it), and counting its runs in `runs`."""
    script = tmp_path / "plugin.py"
    runs = tmp_path / "runs"
    credential = {
        "apiVersion": "client.authentication.k8s.io/v1",
        "kind": "ExecCredential",
        "status": {"token": token, "expirationTimestamp": "2000-01-01T00:00:00Z"},
    }
    script.write_text(
        f"import json\nwith open({str(runs)!r}, 'a') as fh:\n    fh.write('x')\n"
        f"print(json.dumps({json.dumps(credential)}))\n"
    )
    return script


def test_exec_plugin_goes_through_the_official_loader_and_refreshes(sim: Any, tmp_path: Path) -> None:
    """An exec plugin's token (here: the sim's) is fetched by the client's loader, works, and is
    fetched again when it expires: `param_serialize` runs the loader's refresh hook per request."""
    sim_doc = yaml.safe_load(Path(sim.kubeconfig_path).read_text())
    user = {
        "exec": {
            "apiVersion": "client.authentication.k8s.io/v1",
            "command": sys.executable,
            "args": [str(_exec_plugin(tmp_path, sim.token))],
            "interactiveMode": "Never",
        }
    }
    target = load_target(
        kubeconfig=str(write(tmp_path / "kc", config(sim_doc["clusters"][0]["cluster"], user)))
    )
    assert target.via_client
    loaded = len((tmp_path / "runs").read_text())
    api = RawApi(target)
    try:
        assert api.get_json("/version")["gitVersion"]
        assert api.get_json("/api/v1/pods")["items"]
    finally:
        api.close()
    assert len((tmp_path / "runs").read_text()) >= loaded + 2  # refreshed for each request


@pytest.mark.parametrize(
    ("cluster", "user"),
    [
        ({"server": "https://h:6443"}, {"username": "alice", "password": "pw"}),
        ({"server": "https://h:6443"}, {"auth-provider": {"name": "oidc", "config": {}}}),
        ({"server": "https://h:6443", "insecure-skip-tls-verify": "true"}, {"token": "t"}),
        ({"server": "https://h:6443", "certificate-authority-data": ""}, {"token": "t"}),
        ({"server": "https://h:6443"}, {"token": 12345}),
    ],
    ids=["basic-auth", "auth-provider", "string-bool", "empty-ca-data", "number-token"],
)
def test_unusual_credentials_use_the_official_loader(
    tmp_path: Path, cluster: dict[str, Any], user: dict[str, Any]
) -> None:
    path = str(write(tmp_path / "kc", config(cluster, user)))
    fast = outcome(path, official=False)
    assert fast == outcome(path, official=True)
    if isinstance(fast, dict):  # the loader accepts it: kdash used the loader too
        assert load_target(kubeconfig=path).via_client


def test_socks_proxy_uses_the_official_loader(tmp_path: Path) -> None:
    """(Connecting needs PySocks, which is not installed: only the choice of loader is checked.)"""
    cluster = {"server": "https://h:6443", "proxy-url": "socks5://p:1080"}
    assert load_target(kubeconfig=str(write(tmp_path / "kc", config(cluster, {"token": "t"})))).via_client


def test_no_proxy_uses_the_official_loader(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HTTPS_PROXY", "http://envproxy.example:8080")
    monkeypatch.setenv("NO_PROXY", "h")
    path = write(tmp_path / "kc", config({"server": "https://h:6443"}, {"token": "t"}))
    assert load_target(kubeconfig=str(path)).via_client
    assert described(load_target(kubeconfig=str(path)))["pool"] == "PoolManager"  # h bypasses the proxy


@pytest.mark.parametrize(
    "text",
    [
        "",  # an empty file among the merged ones: the loader refuses it
        "clusters: {c: {}}\n",
        "users:\n- user: {token: t}\n",  # an entry without a name
    ],
    ids=["empty-file", "clusters-not-a-list", "nameless-user"],
)
def test_irregular_files_give_the_loaders_answer(tmp_path: Path, text: str) -> None:
    good = write(tmp_path / "good", config({"server": "https://h:6443"}, {"token": "t"}))
    odd = tmp_path / "odd"
    odd.write_text(text)
    path = f"{good}{os.pathsep}{odd}"
    assert outcome(path, official=False) == outcome(path, official=True)


def test_missing_files_are_the_loaders_sentences(tmp_path: Path) -> None:
    for cluster, user in (
        ({"server": "https://h:6443", "certificate-authority": "missing.crt"}, {"token": "t"}),
        ({"server": "https://h:6443"}, {"tokenFile": "missing-token"}),
    ):
        path = str(write(tmp_path / "kc", config(cluster, user)))
        fast = outcome(path, official=False)
        assert fast == outcome(path, official=True)
        assert isinstance(fast, tuple) and "Cannot use context" in fast[1]


# --- generated kubeconfigs ------------------------------------------------------------------------

ABSENT = object()


def _field(*values: Any) -> st.SearchStrategy[Any]:
    return st.sampled_from([ABSENT, *values])


CLUSTERS = st.fixed_dictionaries(
    {
        "server": st.sampled_from(["https://127.0.0.1:6443", "https://h/", "http://h:8080", "HTTPS://h", ""]),
        "certificate-authority-data": _field(b64(PEM.ca_pem), "", "!!", None, 7),
        "certificate-authority": _field("ca.crt", "missing.crt", "", None),
        "insecure-skip-tls-verify": _field(True, False, "true", None),
        "tls-server-name": _field("api.internal", "", None),
        "proxy-url": _field("http://p:3128", "https://p:3128", "", None),
    }
)
USERS = st.one_of(
    st.none(),
    st.fixed_dictionaries(
        {
            "token": _field("t0k3n", "", None, 5),
            "tokenFile": _field("token", "missing-token", ""),
            "client-certificate-data": _field(b64(PEM.cert_pem), "", None),
            "client-certificate": _field("me.crt", "missing.crt"),
            "client-key-data": _field(b64(PEM.key_pem), ""),
            "client-key": _field("me.key", "missing.key"),
            "username": _field("alice"),
            "password": _field("pw"),
        }
    ),
)


def _present(doc: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in doc.items() if v is not ABSENT}


@pytest.fixture(scope="module")
def pki_dir() -> Iterator[Path]:
    with tempfile.TemporaryDirectory(prefix="kdash-kubeauth-") as tmp:
        root = Path(tmp)
        (root / "ca.crt").write_bytes(PEM.ca_pem)
        (root / "me.crt").write_bytes(PEM.cert_pem)
        (root / "me.key").write_bytes(PEM.key_pem)
        (root / "token").write_text("from-file")
        yield root


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(cluster=CLUSTERS, user=USERS, namespace=st.sampled_from([None, "shop"]))
def test_generated_kubeconfigs_agree_with_the_official_loader(
    pki_dir: Path, cluster: dict[str, Any], user: dict[str, Any] | None, namespace: str | None
) -> None:
    """Either the direct reader declines (and the loader answers) or both give the same target."""
    path = pki_dir / "config"
    doc = config(_present(cluster), None if user is None else _present(user), namespace)
    path.write_text(yaml.safe_dump(doc), encoding="utf-8")
    assert outcome(str(path), official=False) == outcome(str(path), official=True)


def test_generated_cases_also_reach_the_direct_path(pki_dir: Path) -> None:
    """The comparison above is not vacuous: a typical generated file is read without the client."""
    path = pki_dir / "typical"
    doc = config(
        {"server": "https://127.0.0.1:6443", "certificate-authority": "ca.crt"}, {"tokenFile": "token"}
    )
    path.write_text(yaml.safe_dump(doc), encoding="utf-8")
    assert not load_target(kubeconfig=str(path)).via_client
    assert described(load_target(kubeconfig=str(path)))["headers"]["authorization"] == "Bearer from-file"
