"""Read a context's server and static credentials off the kubeconfig, without the official client.

Importing `kubernetes` costs ~0.3 s of start-up (oauthlib, requests, pydantic, dateutil), all to
read a few YAML fields. For the common kinds (token, tokenFile, client certificate and key as data
or files, CA as data or file, insecure-skip-tls-verify, tls-server-name, an http(s) proxy) this
module builds the same urllib3 pool arguments and Authorization header that
`kubernetes.config.kube_config.KubeConfigLoader` + `RESTClientObject` would, following their rules
line by line (data beats file; relative paths resolve against the file that defined the *cluster*,
tokenFile against the file that defined the user; TLS files only for https servers).

Anything else (exec plugins, auth providers, basic auth, proxies with NO_PROXY, values of unexpected
types, unreadable files) returns None and the official loader runs instead: it refreshes tokens
per request and words its own errors. tests/k8s/test_kubeconfig_fast.py checks both give the same.
"""

from __future__ import annotations

import base64
import binascii
import os
import ssl
import sys
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlparse

from kdash.k8s.transport import DirectSettings, data_file


class _Unusual(Exception):
    """Something the official loader handles (or rejects in its own words): use it."""


def direct_settings(
    cluster: Mapping[str, Any],
    cluster_path: str,
    user: Mapping[str, Any] | None,
    user_path: str,
) -> DirectSettings | None:
    """The connection of one context, or None when only the official client's loader can tell.

    `cluster_path`/`user_path` name the kubeconfig file each entry came from, as the loader's
    `ConfigNode.path` does.
    """
    try:
        return _read(cluster, cluster_path, user or {}, user_path)
    except (_Unusual, OSError, ValueError, binascii.Error):
        return None


def _read(
    cluster: Mapping[str, Any], cluster_path: str, user: Mapping[str, Any], user_path: str
) -> DirectSettings:
    server = _text(cluster, "server")
    if server is None:
        raise _Unusual
    host = server.rstrip("/")
    verify = True
    if "insecure-skip-tls-verify" in cluster:
        skip = cluster["insecure-skip-tls-verify"]
        if not isinstance(skip, bool):
            raise _Unusual
        verify = not skip
    ca = cert = key = None
    if host.startswith("https"):
        base = _base(cluster_path)
        ca = _file_or_data(cluster, "certificate-authority", base)
        cert = _file_or_data(user, "client-certificate", base)
        key = _file_or_data(user, "client-key", base)
    cpus = os.cpu_count()
    if not cpus:
        raise _Unusual  # the client's multiprocessing.cpu_count() would raise
    pool_kwargs: dict[str, Any] = {
        "cert_reqs": ssl.CERT_REQUIRED if verify else ssl.CERT_NONE,
        "ca_certs": ca,
        "cert_file": cert,
        "key_file": key,
        "ca_cert_data": None,
    }
    server_name = _text(cluster, "tls-server-name")
    if server_name:
        pool_kwargs["server_hostname"] = server_name
    pool_kwargs["maxsize"] = cpus * 5
    return DirectSettings(
        host=host,
        pool_kwargs=pool_kwargs,
        proxy_url=_proxy(cluster, host),
        authorization=_authorization(user, user_path),
    )


def _text(obj: Mapping[str, Any], key: str) -> str | None:
    """`obj[key]` when it is a string, None when absent; anything else is for the loader."""
    if key not in obj:
        return None
    value = obj[key]
    if not isinstance(value, str):
        raise _Unusual
    return value


def _base(config_path: str) -> str:
    return os.path.abspath(os.path.dirname(config_path))


def _file_or_data(obj: Mapping[str, Any], key: str, base: str) -> str | None:
    """The file of `key-data` (base64, written to a temp file) or of `key` (relative to `base`)."""
    data = _text(obj, f"{key}-data")
    if data is not None:
        if not data:
            raise _Unusual
        return data_file(base64.standard_b64decode(data.encode()))
    name = _text(obj, key)
    if name is None:
        return None
    path = os.path.normpath(os.path.join(base, name))
    if not os.path.isfile(path):
        raise _Unusual  # the loader says "File does not exist: ..."
    return path


def _authorization(user: Mapping[str, Any], user_path: str) -> str | None:
    """The loader's order: auth-provider, then token (or tokenFile), then exec, then basic auth."""
    if not user:
        return None
    if "auth-provider" in user:
        raise _Unusual
    token = _text(user, "token")
    if token is None:
        name = _text(user, "tokenFile")
        if name is not None:
            path = os.path.normpath(os.path.join(_base(user_path), name))
            with open(path, encoding="utf-8") as fh:  # read as is: the loader does not strip it
                token = fh.read()
    if token:
        return f"Bearer {token}"
    if "exec" in user or ("username" in user and "password" in user):
        raise _Unusual
    return None


def _proxies() -> dict[str, str]:
    """`urllib.request.getproxies()`, as the client's Configuration reads it; without importing
    urllib.request (~15 ms) in the usual case: on Linux it only reads `*_proxy` variables."""
    if sys.platform == "linux" and not any(
        value and name.lower().endswith("_proxy") for name, value in os.environ.items()
    ):
        return {}
    from urllib.request import getproxies

    return getproxies()


def _proxy(cluster: Mapping[str, Any], host: str) -> str | None:
    """The proxy the client would use: proxy-url, else $https_proxy/$http_proxy/$all_proxy."""
    proxies = _proxies()
    proxy = _text(cluster, "proxy-url")
    if proxy is None:
        proxy = proxies.get(urlparse(host).scheme) or proxies.get("all")
    if not proxy:
        return None
    if (
        not urlparse(host).hostname
        or proxies.get("no")
        or proxy.split("://")[0].lower() not in {"http", "https"}
    ):
        raise _Unusual  # NO_PROXY matching and SOCKS proxies: the client's own code decides
    return proxy
