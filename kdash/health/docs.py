"""Generate docs/rules.md from the rules' own metadata: `python -m kdash.health.docs > docs/rules.md`.

A test regenerates it and compares, so the page always says what the code does.
"""

from __future__ import annotations

import sys

from kdash.health import RULES
from kdash.health.check_rules import CHECK_RULES
from kdash.health.config import DEFAULT_REQUIRED_ANNOTATIONS, HealthConfig
from kdash.health.evaluate import SUBSUMES
from kdash.health.exemptions import IGNORE, KUBE_SCORE_IGNORE, POLARIS_EXEMPT, POLARIS_PREFIX
from kdash.health.registry import SCOPES, Rule
from kdash.health.scoring import INFO_CAP, PENALTY
from kdash.model.findings import Severity


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


ESCALATING = frozenset({"quota-near-limit", "usage-memory-near-limit", "security-capabilities-added"})

# Every check of the peer linters (Polaris pkg/config/checks, kube-score README_CHECKS.md), so
# the mapping can also say which of theirs kdash has no rule for, and why.
POLARIS_CHECKS = (
    "automountServiceAccountToken", "clusterrolePodExecAttach", "clusterrolebindingClusterAdmin",
    "clusterrolebindingPodExecAttach", "cpuLimitsMissing", "cpuRequestsMissing", "dangerousCapabilities",
    "deploymentMissingReplicas", "hostIPCSet", "hostNetworkSet", "hostPIDSet", "hostPathSet",
    "hostPortSet", "hostProcess", "hpaMaxAvailability", "hpaMinAvailability", "insecureCapabilities",
    "linuxHardening", "livenessProbeMissing", "memoryLimitsMissing", "memoryRequestsMissing",
    "metadataAndInstanceMismatched", "missingNetworkPolicy", "missingPodDisruptionBudget",
    "notReadOnlyRootFilesystem", "pdbDisruptionsIsZero", "pdbMinAvailableGreaterThanHPAMinReplicas",
    "priorityClassNotSet", "privilegeEscalationAllowed", "procMount", "pullPolicyNotAlways",
    "readinessProbeMissing", "rolePodExecAttach", "rolebindingClusterAdminClusterRole",
    "rolebindingClusterAdminRole", "rolebindingClusterRolePodExecAttach", "rolebindingRolePodExecAttach",
    "runAsPrivileged", "runAsRootAllowed", "sensitiveConfigmapContent", "sensitiveContainerEnvVar",
    "tagNotSpecified", "tlsSettingsMissing", "topologySpreadConstraint",
)  # fmt: skip
KUBE_SCORE_CHECKS = (
    "container-cpu-requests-equal-limits", "container-ephemeral-storage-request-and-limit",
    "container-ephemeral-storage-request-equals-limit", "container-image-pull-policy",
    "container-image-tag", "container-memory-requests-equal-limits", "container-ports-check",
    "container-resource-requests-equal-limits", "container-resources", "container-seccomp-profile",
    "container-security-context-privileged", "container-security-context-readonlyrootfilesystem",
    "container-security-context-user-group-id", "cronjob-has-deadline", "cronjob-restartpolicy",
    "deployment-has-host-podantiaffinity", "deployment-has-poddisruptionbudget",
    "deployment-pod-selector-labels-match-template-metadata-labels", "deployment-replicas",
    "deployment-strategy", "deployment-targeted-by-hpa-does-not-have-replicas-configured",
    "environment-variable-key-duplication", "horizontalpodautoscaler-has-target",
    "horizontalpodautoscaler-replicas", "ingress-targets-service", "label-values",
    "networkpolicy-targets-pod", "pod-networkpolicy", "pod-probes", "pod-probes-identical",
    "pod-topology-spread-constraints", "poddisruptionbudget-has-policy", "service-targets-pod",
    "service-type", "stable-version", "statefulset-has-host-podantiaffinity",
    "statefulset-has-poddisruptionbudget", "statefulset-has-servicename",
    "statefulset-pod-selector-labels-match-template-metadata-labels",
)  # fmt: skip
DEPARTS = "see [where kdash departs](health.md#where-kdash-departs-from-polaris-and-kube-score)"
# Where a mapped rule judges differently from the peer check it honours.
RULE_NOTES = {
    "image-pull-always": f"it flags the opposite of Polaris `pullPolicyNotAlways` and kube-score "
    f"`container-image-pull-policy`, which demand Always; {DEPARTS}",
    "resources-requests-missing": f"a limit counts as the request; {DEPARTS}",
    "pdb-missing": f"only for 2 or more replicas; {DEPARTS}",
    "security-root": f"any non-zero UID passes (kube-score wants one above 10000); {DEPARTS}",
    "security-run-as-group-root": f"only GID 0 fails (kube-score wants one above 10000); {DEPARTS}",
    "security-service-account-token": f"only the default service account; {DEPARTS}",
}
# Peer checks with no kdash rule: why not (checks a rule of another kdash helper may take up are
# listed as "not covered" automatically, without an entry here).
UNMAPPED_NOTES = {
    "pullPolicyNotAlways": "kdash flags the opposite, `image-pull-always` on a pinned image",
    "container-image-pull-policy": "kdash flags the opposite, `image-pull-always` on a pinned image",
    "container-resource-requests-equal-limits": "Guaranteed QoS is a choice, not a defect",
    "container-cpu-requests-equal-limits": "Guaranteed QoS is a choice, not a defect",
    "container-memory-requests-equal-limits": "Guaranteed QoS is a choice, not a defect",
    "container-ephemeral-storage-request-equals-limit": "a limit above the request is fine; "
    "`resources-ephemeral-storage-missing` asks for a limit",
    "linuxHardening": "kdash checks seccomp (`security-seccomp-missing`) and capabilities "
    "(`security-capabilities-not-dropped`) each on its own, instead of accepting any one of four",
    "deployment-strategy": "Recreate is a deliberate choice (single-writer volumes); "
    "`deployment-max-unavailable-all` flags a rolling update that may stop every pod",
    "pod-topology-spread-constraints": "the API server rejects the invalid constraints it looks for",
    "label-values": "the API server rejects invalid label values",
    "stable-version": "not covered: deprecated API versions are not read",
    "container-ports-check": "not covered (optional in kube-score)",
    "metadataAndInstanceMismatched": "not covered: `labels-missing` asks for a name label",
    "tlsSettingsMissing": "not covered: Ingresses without TLS are often behind a TLS proxy",
}


def _severity(rule: Rule) -> str:
    return "warning / error" if rule.id in ESCALATING else rule.severity.label


def _codes(ids: tuple[str, ...]) -> str:
    return ", ".join(f"`{c}`" for c in ids) or "-"


def _peers(rule: Rule) -> str:
    """'Polaris `x`; kube-score `y`' (or 'none'), with how kdash differs where it does."""
    parts = [f"Polaris {_codes(rule.polaris)}"] if rule.polaris else []
    parts += [f"kube-score {_codes(rule.kube_score)}"] if rule.kube_score else []
    note = RULE_NOTES.get(rule.id)
    if not parts:
        return f"none: {note}" if note else "none (kdash only)"
    text = "; ".join(parts)
    return f"{text} ({note})" if note else text


def _rule_section(rule: Rule) -> list[str]:
    defaults = HealthConfig()
    lines = [
        f"### `{rule.id}`",
        "",
        f"- **Severity:** {_severity(rule)} (penalty {PENALTY[rule.severity]})",
        f"- **Runs on:** {SCOPES[rule.scope]}",
        f"- **Fires when:** {rule.fires}",
        f"- **Why:** {rule.why}",
        f"- **Fix:** {rule.fix.replace(chr(10), ' ')}",
        f"- **Peers:** {_peers(rule)}",
    ]
    covers = sorted(SUBSUMES.get(rule.id, ()))
    if covers:
        named = ", ".join(f"`{c}`" for c in covers)
        lines.append(
            f"- **Covers:** {named} on the same object: while this finding stands, those are not reported"
        )
    by = sorted(broad for broad, narrow in SUBSUMES.items() if rule.id in narrow)
    if by:
        named = ", ".join(f"`{b}`" for b in by)
        lines.append(
            f"- **Covered by:** {named}: not reported on an object that has that finding (unless it is ignored)"
        )
    if rule.config:
        tuned = ", ".join(f"`{name}` (default `{getattr(defaults, name)!r}`)" for name in rule.config)
        lines.append(f"- **Settings:** {tuned}")
    if not rule.default_enabled:
        lines.append("- **Off by default;** enable it with `only`.")
    return [*lines, ""]


def _mapping() -> list[str]:
    """Every rule with its peer checks, then the peer checks no rule maps, for migrating users."""
    out = [
        "## Polaris and kube-score",
        "",
        "| kdash rule | Polaris check | kube-score test |",
        "|---|---|---|",
    ]
    out += [f"| [`{r.id}`](#{r.id}) | {_codes(r.polaris)} | {_codes(r.kube_score)} |" for r in RULES.values()]
    polaris = {c for r in RULES.values() for c in r.polaris}
    kube_score = {c for r in RULES.values() for c in r.kube_score}
    left = [("Polaris", c) for c in POLARIS_CHECKS if c not in polaris]
    left += [("kube-score", c) for c in KUBE_SCORE_CHECKS if c not in kube_score]
    out += [
        "",
        "Peer checks no kdash rule maps to (and why):",
        "",
        "| linter | check | in kdash |",
        "|---|---|---|",
    ]
    out += [f"| {peer} | `{c}` | {_cell(UNMAPPED_NOTES.get(c, 'not covered'))} |" for peer, c in left]
    return out


def render_rules_md() -> str:
    """The whole of docs/rules.md."""
    out = [
        "# kdash health rules",
        "",
        "<!-- Generated by `python -m kdash.health.docs > docs/rules.md`; do not edit by hand. -->",
        "",
        "Scores, grades and how findings roll up are described in [health.md](health.md).",
        "",
        "Each rule names the [Polaris](https://polaris.docs.fairwinds.com/checks/security/) check and",
        "[kube-score](https://github.com/zegl/kube-score/blob/master/README_CHECKS.md) test that mean the",
        "same (their exemption annotations silence it too); the [mapping](#polaris-and-kube-score) lists",
        "them all, and the peer checks kdash has no rule for.",
        "",
        "| id | severity | fires when |",
        "|---|---|---|",
    ]
    out += [f"| [`{r.id}`](#{r.id}) | {_severity(r)} | {_cell(r.fires)} |" for r in RULES.values()]
    out.append("")
    category = ""
    for rule in RULES.values():
        if rule.category != category:
            category = rule.category
            out += [f"## {category.capitalize()}", ""]
        out += _rule_section(rule)
    out += [
        "## Rules of `kdash check` itself",
        "",
        "Findings about a manifest file rather than about an object's health (`kdash check -f` only;",
        "they have no score and are not run on a live cluster).",
        "",
        *[line for rule in CHECK_RULES.values() for line in _rule_section(rule)],
        "## Exemptions",
        "",
        f"- `{IGNORE}: rule-a,rule-b` on an object silences those kdash rules (`*` silences all).",
        f'- `{POLARIS_EXEMPT}: "true"` silences every rule with a Polaris counterpart below;',
        f'  `{POLARIS_PREFIX}<check>-exempt: "true"` silences the rules mapped to that check.',
        f"- `{KUBE_SCORE_IGNORE}: check-a,check-b` silences the rules mapped to those kube-score checks.",
        "",
        "Annotations are read from the object and from its pod template. Silenced findings are kept",
        "with `ignored: true`, do not count towards scores, and are shown dimmed with `--show-ignored`.",
        "",
        *_mapping(),
    ]
    d = HealthConfig()
    out += ["", "## Configuration (`[health]` in config.toml)", "", "```toml", "[health]"]
    out += [
        '# disabled = ["termination-message-missing"]   # rule ids never run',
        '# only = ["pod-crashloop", "pod-oomkilled"]   # run just these',
        f"restarts_threshold = {d.restarts_threshold}",
        f"pending_minutes = {d.pending_minutes}",
        f"not_ready_minutes = {d.not_ready_minutes}",
        f"quota_warn = {d.quota_warn}      # percent of hard: warning",
        f"quota_error = {d.quota_error}     # percent of hard: error",
        f"usage_memory_warn = {d.usage_memory_warn}      # percent of a container's memory limit: warning",
        f"usage_memory_error = {d.usage_memory_error}     # ... error (OOMKill risk)",
        f"usage_cpu_limit = {d.usage_cpu_limit}        # percent of a container's CPU limit: throttled",
        f"rightsizing_minutes = {d.rightsizing_minutes}    # usage history needed before requests are judged",
        f"rightsizing_factor = {d.rightsizing_factor}     # request >= factor x p95 of usage: oversized",
        f"rightsizing_headroom = {d.rightsizing_headroom}   # suggested request = p95 x headroom, rounded up",
        "# each entry is a key pattern or a list of alternatives; one of each must be present",
        "required_annotations = [",
    ]
    out += [
        f"  [{', '.join(repr(p).replace(chr(39), chr(34)) for p in g)}],"
        for g in DEFAULT_REQUIRED_ANNOTATIONS
    ]
    out += ["]", "show_ignored = false", "```", ""]
    out += [
        (
            f"Severities: {', '.join(f'{s.label} = -{PENALTY[s]}' for s in sorted(Severity, reverse=True))}"
            f" (an object's infos together at most -{INFO_CAP})."
        ),
        "",
    ]
    return "\n".join(out)


def main() -> None:
    sys.stdout.write(render_rules_md())


if __name__ == "__main__":
    main()
