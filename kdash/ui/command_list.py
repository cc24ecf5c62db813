"""The `:` command list, shared by the command bar and the ctrl+p palette (k9s aliases).

Not the key bindings: those, and the user's `[keymap]` overrides, are in kdash/ui/keymap.py."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class CommandSpec:
    """One `:` command: its name, k9s-style aliases and what it does, in words for help/palette."""

    name: str
    help: str
    aliases: tuple[str, ...] = ()
    takes_arg: bool = False


COMMANDS: tuple[CommandSpec, ...] = (
    CommandSpec("pods", "list the pods in scope", ("po", "pod")),
    CommandSpec("deploy", "workloads: Deployments", ("deployments", "dp", "deployment")),
    CommandSpec("sts", "workloads: StatefulSets", ("statefulsets", "statefulset")),
    CommandSpec("ds", "workloads: DaemonSets", ("daemonsets", "daemonset")),
    CommandSpec("jobs", "workloads: Jobs", ("job",)),
    CommandSpec("cj", "workloads: CronJobs", ("cronjobs", "cronjob")),
    CommandSpec("workloads", "all workloads", ("wk",)),
    CommandSpec("hpa", "the HPA pane", ("horizontalpodautoscalers",)),
    CommandSpec("quota", "the Quotas pane", ("quotas", "resourcequotas")),
    CommandSpec("restarts", "the Restarts pane", ()),
    CommandSpec("health", "the Health pane", ("findings",)),
    CommandSpec("events", "events in scope, Warning first", ("ev", "event")),
    CommandSpec("alerts", "open and recently resolved alerts (c: past crashes)", ("alert", "al")),
    CommandSpec("aliases", "every resource kind the server serves", ("api-resources", "resources")),
    CommandSpec("ns", "switch namespace (all: `:ns all`)", ("namespace",), takes_arg=True),
    CommandSpec("ctx", "switch kubeconfig context", ("context",), takes_arg=True),
    CommandSpec("fleet", "every context side by side, worst first", ("contexts", "clusters")),
    CommandSpec("help", "every key of this screen", ("?",)),
    CommandSpec("q", "quit", ("quit", "q!")),
)

WORKLOAD_FILTERS = {"deploy": "deploy", "sts": "sts", "ds": "ds", "jobs": "job", "cj": "cj"}
PANE_COMMANDS = {"hpa": "hpa", "quota": "quotas", "restarts": "restarts", "health": "health"}

# Discovered kinds the dashboard shows itself (group, plural) -> the command that shows them: their
# other names (`:deployment`, `:Deployment`, `:horizontalpodautoscaler`) keep the dashboard's view;
# only a group-qualified name (`:deployments.apps`) opens the generic list of the server's Table.
DASHBOARD_KINDS = {
    ("", "pods"): "pods",
    ("apps", "deployments"): "deploy",
    ("apps", "statefulsets"): "sts",
    ("apps", "daemonsets"): "ds",
    ("batch", "jobs"): "jobs",
    ("batch", "cronjobs"): "cj",
    ("autoscaling", "horizontalpodautoscalers"): "hpa",
    ("", "resourcequotas"): "quota",
    ("", "events"): "events",
    ("events.k8s.io", "events"): "events",
}

_BY_NAME = {alias: spec for spec in COMMANDS for alias in (spec.name, *spec.aliases)}


def resolve(word: str) -> CommandSpec | None:
    """The command a word (or alias) names."""
    return _BY_NAME.get(word.strip().lower())


def completions(
    text: str, namespaces: list[str], contexts: list[str], kinds: Sequence[str] = ()
) -> list[str]:
    """Every full command line that starts with `text` (`:ns sh` -> `ns shop`): the commands first,
    then the discovered kinds' names (`kinds`, see kdash.ui.kinds.kind_names)."""
    text = text.lstrip(":").lstrip()
    word, space, rest = text.partition(" ")
    if not space:
        names = [spec.name for spec in COMMANDS] + [a for spec in COMMANDS for a in spec.aliases]
        names += [k for k in kinds if k not in _BY_NAME]
        return [n for n in names if n.startswith(word.lower())]
    spec = resolve(word)
    if spec is None or not spec.takes_arg:
        return []
    choices = ["all", *namespaces] if spec.name == "ns" else contexts
    return [f"{word} {c}" for c in choices if c.startswith(rest.strip())]
