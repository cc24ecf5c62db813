"""Exemption annotations: kdash's own, and those of Polaris and kube-score for the rules that match.

Teams that already silence a check for Polaris or kube-score are not nagged twice by kdash. The
mapping lives in each rule's metadata (`Rule.polaris`, `Rule.kube_score`) and is printed in
docs/rules.md.
"""

from __future__ import annotations

from collections.abc import Mapping

from kdash.health.config import split_ids
from kdash.health.registry import RULES

IGNORE = "kdash.io/ignore"  # "rule-a,rule-b", or "*" for every rule
POLARIS_PREFIX = "polaris.fairwinds.com/"
POLARIS_EXEMPT = POLARIS_PREFIX + "exempt"  # "true": every rule that has a Polaris counterpart
KUBE_SCORE_IGNORE = "kube-score/ignore"  # "check-a,check-b" (kube-score check ids)
_PREFIXES = (IGNORE, POLARIS_PREFIX, KUBE_SCORE_IGNORE)


def _true(value: str | None) -> bool:
    return (value or "").strip().lower() == "true"


def ignored_rules(annotations: Mapping[str, str]) -> frozenset[str]:
    """The kdash rule ids an object's annotations silence."""
    if not annotations or not any(k.startswith(_PREFIXES) for k in annotations):
        return frozenset()
    ids = set(split_ids(annotations.get(IGNORE, "")))
    if "*" in ids or "all" in ids:
        return frozenset(RULES)
    polaris_all = _true(annotations.get(POLARIS_EXEMPT))
    kube_score = split_ids(annotations.get(KUBE_SCORE_IGNORE, ""))
    for rule in RULES.values():
        if polaris_all and rule.polaris:
            ids.add(rule.id)
        if any(_true(annotations.get(f"{POLARIS_PREFIX}{check}-exempt")) for check in rule.polaris):
            ids.add(rule.id)
        if kube_score.intersection(rule.kube_score):
            ids.add(rule.id)
    return frozenset(ids)
