# ruff: noqa: E501  (the case table keeps one case per line)
"""The security rules of kdash/health/rules_security.py: each fires, and has near-misses that must not.

Cases change one field of the factories' clean objects (test_rules.test_clean_baseline_has_no_findings
proves those trip nothing), and count only the rule they are about.
"""

from __future__ import annotations

from typing import Any

import pytest

from kdash.health import evaluate
from kdash.model.build import build_workload

from .factories import NOW, container, init_container, pod, snapshot, template, workload
from .test_rules import WEB, dep

DS = "DaemonSet"
HARMLESS = (
    "PASSWORD_MIN_LENGTH",
    "TOKEN_TTL",
    "SECRET_NAME",
    "MONKEY",
    "PUBLIC_KEY",
    "KAFKA_PARTITION_KEY",
    "PWD",
    "BYPASS",
)

# fmt: off
SECURITY_CASES: list[tuple[str, str, list[Any], int]] = [
    ('security-readonly-root-fs', 'not set', [dep(container(read_only_root_fs=None)), *WEB], 1),
    ('security-readonly-root-fs', 'false', [dep(container(read_only_root_fs=False)), *WEB], 1),
    ('security-readonly-root-fs', 'init container too', [dep(tkw={'init_containers': (init_container(read_only_root_fs=None),)}), *WEB], 1),
    ('security-readonly-root-fs', 'true', [dep(container(read_only_root_fs=True)), *WEB], 0),
    ('security-capabilities-added', 'NET_RAW', [dep(container(caps_add=('NET_RAW',))), *WEB], 1),
    ('security-capabilities-added', 'cap_ prefix and case', [dep(container(caps_add=('cap_sys_ptrace',))), *WEB], 1),
    ('security-capabilities-added', 'SYS_ADMIN', [dep(container(caps_add=('SYS_ADMIN',))), *WEB], 1),
    ('security-capabilities-added', 'NET_BIND_SERVICE is baseline', [dep(container(caps_add=('NET_BIND_SERVICE', 'CHOWN'))), *WEB], 0),
    ('security-capabilities-not-dropped', 'nothing dropped', [dep(container(caps_drop=())), *WEB], 1),
    ('security-capabilities-not-dropped', 'only some dropped', [dep(container(caps_drop=('NET_RAW', 'SETUID'))), *WEB], 1),
    ('security-capabilities-not-dropped', 'all dropped, lower case', [dep(container(caps_drop=('all',))), *WEB], 0),
    ('security-capabilities-not-dropped', 'every insecure one dropped', [dep(container(caps_drop=('AUDIT_WRITE', 'CHOWN', 'DAC_OVERRIDE', 'FOWNER', 'FSETID', 'KILL', 'MKNOD', 'NET_BIND_SERVICE', 'SETFCAP', 'SETGID', 'SETPCAP', 'SETUID', 'SYS_CHROOT', 'NET_ADMIN', 'NET_RAW'))), *WEB], 0),
    ('security-host-port', 'hostPort', [dep(container(host_ports=(8080,))), *WEB], 1),
    ('security-host-port', 'no hostPort', [dep(container(ports=(8080,))), *WEB], 0),
    ('security-host-port', 'hostNetwork pod: defaulted, reported as privileged', [dep(container(host_ports=(8080,)), tkw={'host_network': True}), *WEB], 0),
    ('security-proc-mount', 'Unmasked', [dep(container(proc_mount='Unmasked')), *WEB], 1),
    ('security-proc-mount', 'Default', [dep(container(proc_mount='Default')), *WEB], 0),
    ('security-run-as-group-root', 'container gid 0', [dep(container(run_as_group=0)), *WEB], 1),
    ('security-run-as-group-root', 'pod gid 0', [dep(tkw={'run_as_group': 0}), *WEB], 1),
    ('security-run-as-group-root', 'container overrides pod', [dep(container(run_as_group=10001), tkw={'run_as_group': 0}), *WEB], 0),
    ('security-run-as-group-root', 'not set', [dep(container(run_as_group=None)), *WEB], 0),
    ('security-env-secret-literal', 'password literal', [dep(container(env_names=('DB_PASSWORD',), env_literal=('DB_PASSWORD',))), *WEB], 1),
    ('security-env-secret-literal', 'camelCase token', [dep(container(env_names=('githubToken',), env_literal=('githubToken',))), *WEB], 1),
    ('security-env-secret-literal', 'api key', [dep(container(env_names=('STRIPE_API_KEY',), env_literal=('STRIPE_API_KEY',))), *WEB], 1),
    ('security-env-secret-literal', 'pem under a harmless name', [dep(container(env_names=('TLS',), env_literal=('TLS',), env_private_key=('TLS',))), *WEB], 1),
    ('security-env-secret-literal', 'password from a Secret', [dep(container(env_names=('DB_PASSWORD',), env_literal=())), *WEB], 0),
    ('security-env-secret-literal', 'redis pass', [dep(container(env_names=('REDIS_PASS',), env_literal=('REDIS_PASS',))), *WEB], 1),
    ('security-env-secret-literal', 'settings that mention a secret', [dep(container(env_names=HARMLESS, env_literal=HARMLESS)), *WEB], 0),
    ('security-host-path', 'hostPath volume', [workload(DS, template=template(host_paths=(('logs', '/var/log'),)))], 1),
    ('security-host-path', 'no hostPath', [workload(DS)], 0),
    ('security-host-process', 'pod level', [dep(tkw={'host_process': True}), *WEB], 1),
    ('security-host-process', 'container level', [dep(container(host_process=True)), *WEB], 1),
    ('security-host-process', 'explicitly false', [dep(container(host_process=False), tkw={'host_process': False}), *WEB], 0),
    ('security-seccomp-missing', 'none anywhere', [dep(tkw={'seccomp': ''}), *WEB], 1),
    ('security-seccomp-missing', 'container Unconfined overrides pod', [dep(container(seccomp='Unconfined')), *WEB], 1),
    ('security-seccomp-missing', 'pod Unconfined', [dep(tkw={'seccomp': 'Unconfined'}), *WEB], 1),
    ('security-seccomp-missing', 'pod RuntimeDefault', [dep(), *WEB], 0),
    ('security-seccomp-missing', 'each container Localhost', [dep(container(seccomp='Localhost'), tkw={'seccomp': ''}), *WEB], 0),
    ('security-service-account-token', 'default SA, automounted', [dep(tkw={'automount_token': None}), *WEB], 1),
    ('security-service-account-token', 'SA named default, automount true', [dep(tkw={'automount_token': True, 'service_account': 'default'}), *WEB], 1),
    ('security-service-account-token', 'bare pod too', [pod(owner=None, spec=template(automount_token=None))], 1),
    ('security-service-account-token', 'own service account', [dep(tkw={'automount_token': None, 'service_account': 'shop-api'}), *WEB], 0),
    ('security-service-account-token', 'disabled', [dep(tkw={'automount_token': False}), *WEB], 0),
]
# fmt: on


@pytest.mark.parametrize(
    ("rule", "case", "records", "expected"),
    SECURITY_CASES,
    ids=[f"{c[0]}: {c[1]}" for c in SECURITY_CASES],
)
def test_rule(rule: str, case: str, records: list[Any], expected: int) -> None:
    report = evaluate(snapshot(*records), now=NOW)
    found = [f for f in report.findings if f.rule == rule]
    assert len(found) == expected, [f.message for f in found]


def test_sys_admin_is_an_error_and_net_raw_a_warning() -> None:
    report = evaluate(
        snapshot(dep(container(caps_add=("NET_RAW",)), container("b", caps_add=("SYS_ADMIN",))), *WEB)
    )
    found = {f.container: f for f in report.findings if f.rule == "security-capabilities-added"}
    assert (found["app"].severity.label, found["b"].severity.label) == ("warning", "error")
    assert found["b"].message.endswith("container b adds capabilities SYS_ADMIN")


def test_env_values_are_never_kept_or_printed() -> None:
    """From a manifest to the finding: the name is reported, the value exists nowhere in the model."""
    secret = "hunter2-do-not-print"
    raw = {
        "kind": "Deployment",
        "metadata": {"name": "api", "namespace": "shop"},
        "spec": {
            "template": {
                "spec": {
                    "containers": [
                        {
                            "name": "app",
                            "image": "app:1",
                            "env": [
                                {"name": "DB_PASSWORD", "value": secret},
                                {
                                    "name": "API_TOKEN",
                                    "valueFrom": {"secretKeyRef": {"name": "s", "key": "k"}},
                                },
                                {"name": "ALIAS_TOKEN", "value": "$(API_TOKEN)"},
                                {"name": "EMPTY_SECRET", "value": ""},
                            ],
                        }
                    ]
                }
            }
        },
    }
    wl = build_workload(raw)
    (c,) = wl.template.containers
    assert c.env_names == ("DB_PASSWORD", "API_TOKEN", "ALIAS_TOKEN", "EMPTY_SECRET")
    assert c.env_literal == ("DB_PASSWORD",)  # a $(VAR) reference and an empty value are no literal
    assert secret not in repr(wl)
    report = evaluate(snapshot(wl))
    (finding,) = [f for f in report.findings if f.rule == "security-env-secret-literal"]
    assert "DB_PASSWORD" in finding.message
    assert all(secret not in f"{f.message} {f.why} {f.fix}" for f in report.findings)


def test_host_path_names_the_path_and_volume() -> None:
    tpl = template(host_paths=(("sock", "/var/run/docker.sock"), ("logs", "/var/log")))
    report = evaluate(snapshot(workload(DS, "agent", template=tpl)))
    (finding,) = [f for f in report.findings if f.rule == "security-host-path"]
    assert finding.message == (
        "DaemonSet shop/agent mounts the node's /var/run/docker.sock (volume sock), /var/log (volume logs)"
    )


def test_peer_exemptions_silence_the_mapped_rules() -> None:
    annotations = {
        "polaris.fairwinds.com/notReadOnlyRootFilesystem-exempt": "true",
        "kube-score/ignore": "container-seccomp-profile",
    }
    exempt = dep(container(read_only_root_fs=None), tkw={"seccomp": "", "annotations": annotations})
    report = evaluate(snapshot(exempt, *WEB))
    found = {f.rule: f.ignored for f in report.findings if f.rule.startswith("security-")}
    assert found == {"security-readonly-root-fs": True, "security-seccomp-missing": True}
