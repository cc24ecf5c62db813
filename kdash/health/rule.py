"""The `Rule` metadata type and the id -> rule table, apart from the typed registries.

A leaf module (it imports only the model) so that the config can check rule ids against it without
importing the registries, which import the evaluation context, which imports the config.
"""

from __future__ import annotations

from dataclasses import dataclass

from kdash.model.findings import Severity


@dataclass(frozen=True, slots=True)
class Rule:
    """What a rule is for. `fires` is the one-line condition; `config` names the HealthConfig
    fields that tune it; `polaris`/`kube_score` are the check ids whose exemptions it honours."""

    id: str
    severity: Severity
    scope: str
    category: str
    fires: str
    why: str
    fix: str
    default_enabled: bool = True
    config: tuple[str, ...] = ()
    polaris: tuple[str, ...] = ()
    kube_score: tuple[str, ...] = ()


RULES: dict[str, Rule] = {}  # filled by the registry decorators as the rule modules load
