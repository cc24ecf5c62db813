"""docs/rules.md's peer mapping: every Polaris / kube-score id a rule honours is a real check of
that linter (a typo would silently never honour the exemption), and every rule has a stable
`#rule-id` anchor and a Peers line."""

from __future__ import annotations

from kdash.health import RULES
from kdash.health.check_rules import CHECK_RULES
from kdash.health.docs import KUBE_SCORE_CHECKS, POLARIS_CHECKS, render_rules_md


def test_mapped_ids_are_real_peer_checks() -> None:
    polaris = {c for r in RULES.values() for c in r.polaris}
    kube_score = {c for r in RULES.values() for c in r.kube_score}
    assert polaris - set(POLARIS_CHECKS) == set()
    assert kube_score - set(KUBE_SCORE_CHECKS) == set()


def test_each_rule_has_an_anchor_and_peers() -> None:
    sections = render_rules_md().split("\n### ")[1:]
    by_id = {s.split("`")[1]: s for s in sections}
    assert set(by_id) == set(RULES) | set(CHECK_RULES)  # kdash check's own rules have sections too
    for rule_id, section in by_id.items():
        if rule_id in CHECK_RULES:
            assert "\n- **Peers:** none (kdash only)" in section
            continue
        assert "\n- **Peers:** " in section, rule_id
        peers = section.split("\n- **Peers:** ")[1].split("\n")[0]
        for check in RULES[rule_id].polaris + RULES[rule_id].kube_score:
            assert f"`{check}`" in peers, (rule_id, check)


def test_unmapped_peer_checks_are_listed() -> None:
    text = render_rules_md()
    mapping = text.split("## Polaris and kube-score")[1]
    assert "| kube-score | `container-image-pull-policy` | kdash flags the opposite" in mapping
    assert "| Polaris | `notReadOnlyRootFilesystem` |" not in mapping  # mapped by a rule
