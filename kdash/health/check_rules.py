"""Rules of `kdash check` itself: findings about a manifest file, not about an object's health.

They are not in `kdash.health.RULES` (the health rules see only objects that exist, and these run
on no object), but they are documented in docs/rules.md next to them and described in SARIF.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

from kdash.health.rule import Rule
from kdash.model.findings import Severity

NAME_RULE = Rule(
    id="manifest-name-missing",
    severity=Severity.ERROR,
    scope="object",
    category="metadata",
    fires="a manifest object has neither metadata.name nor metadata.generateName (kdash check -f only)",
    why="The API server rejects an object without a name, so applying the file fails, and kdash "
    "cannot check what it does not know the name of: nothing in the object was checked.",
    fix="Set `metadata.name`, or `metadata.generateName` (a prefix, e.g. `generateName: migrate-`) "
    "for objects made with `kubectl create`, as Jobs often are.",
)
CHECK_RULES: Mapping[str, Rule] = MappingProxyType({NAME_RULE.id: NAME_RULE})  # rules of kdash check itself
