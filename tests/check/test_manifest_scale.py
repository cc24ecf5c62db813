"""Big manifests are read by faster paths (kdash/check/yamlfast.py, the document splitter, the
evaluator's hot loop); these tests hold each fast path to the straightforward result:

- the line-based YAML reader gives exactly `yaml.safe_load`'s objects, or declines: on documents
  PyYAML writes, on Helm-style variants, and on randomly corrupted ones;
- the document splitter finds the documents the `^`-regex splitter found;
- `kdash check -f` on generated manifests (the `demo` and `big` scenarios, Deployments like the
  benchmark's) gives the report of the straightforward pipeline: `yaml.safe_load_all`, the record
  builders, and a plain evaluation loop over every registered rule.
"""

from __future__ import annotations

import io
import json
import math
import random
import re
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from rich.console import Console

from benchmarks.check_manifest import deployment, write_json_list, write_yaml
from kdash.check.manifests import iter_documents, load_manifests
from kdash.check.render import render_json, render_text
from kdash.check.scope import manifest_scope
from kdash.check.yamlfast import Declined, load_simple
from kdash.check.yamlload import MAX_DEPTH
from kdash.health import HealthConfig, evaluate
from kdash.health.context import Ctx
from kdash.health.evaluate import SUBSUMES
from kdash.health.exemptions import ignored_rules
from kdash.health.registry import CONTAINER_CHECKS, OBJECT_CHECKS, Hit, Rule
from kdash.model.build.manifests import records_from_manifests
from kdash.model.findings import Finding
from kdash.model.meta import ObjectKey
from kdash.sim.scenarios import build_scenario

NOW = datetime(2026, 5, 1, 12, 0, tzinfo=UTC)
LOADER = yaml.CSafeLoader("") if hasattr(yaml, "CSafeLoader") else yaml.SafeLoader("")
DUMPER: Any = getattr(yaml, "CSafeDumper", yaml.SafeDumper)


def same(a: Any, b: Any) -> bool:
    """Equal, with equal types all the way down (1 is not True, not 1.0) and keys in the same order."""
    if type(a) is not type(b):
        return False
    if isinstance(a, dict):
        return list(a) == list(b) and all(same(a[k], b[k]) for k in a)
    if isinstance(a, list):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, float) and math.isnan(a):
        return math.isnan(b)
    return bool(a == b)


def fast(text: str) -> tuple[bool, Any]:
    try:
        return True, load_simple(text, LOADER, MAX_DEPTH)
    except Declined:
        return False, None


def safe_load(text: str) -> Any:
    """What kdash read documents with before: PyYAML's safe loader on libyaml (when built with it)."""
    return yaml.load(text, Loader=type(LOADER))  # noqa: S506 - CSafeLoader or SafeLoader


def check_like_safe_load(text: str) -> bool:
    """The fast reader declines or agrees with the safe loader; True when it did not decline."""
    took, value = fast(text)
    try:
        expected = safe_load(text)
    except (yaml.YAMLError, ValueError, TypeError, RecursionError):  # PyYAML's own odd errors too
        assert not took, f"read a document PyYAML rejects: {text!r}"
        return False
    if took:
        assert same(value, expected), f"{text!r}: {value!r} != {expected!r}"
    return took


# Scalars chosen to hit YAML's implicit types and indicators: what a line-based reader gets wrong.
TRICKY = st.sampled_from(
    ["yes", "No", "on", "OFF", "true", "False", "null", "~", "", " ", "0", "-1", "+1", "0755", "0o17", "0x1F",
     "1_000", "1:30", "190:20:30", "1e3", "1.5", ".5", "-.inf", ".NaN", "2001-12-14", "2001-12-14t21:59:43.10-05:00",
     "<<", "=", "-", "- a", "a: b", "a:b", "a #b", "a# b", "#x", "'q'", '"dq"', "it's", "x'", "{}", "[]", "{a: 1}",
     "[1]", "&a", "*a", "!tag", "|", ">", "%x", "@x", "`x", "?x", ":x", ",x", "x,", "x:", "a  b", "tab\there",
     "line\nbreak", "trailing ", " leading", "25%", "1Gi", "100m", "é", "\u2028", "\x85", "\ufeff", "\x07"]
)  # fmt: skip
KEYS = st.one_of(
    st.sampled_from(
        ["name", "app.kubernetes.io/name", "a-b_c", "1", "true", "null", "on", "2001-12-14", "k"]
    ),
    TRICKY,
    st.text(max_size=6),
)
SCALARS = st.one_of(
    TRICKY,
    st.text(max_size=12),
    st.integers(-(10**12), 10**12),
    st.floats(allow_nan=False),
    st.booleans(),
    st.none(),
)
VALUES = st.recursive(
    SCALARS,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(KEYS, inner, max_size=4),
    max_leaves=20,
)


class IndentedDumper(yaml.SafeDumper):
    """Sequences indented under their key, as Helm charts usually write them."""

    def increase_indent(self, flow: bool = False, indentless: bool = False) -> None:
        super().increase_indent(flow, False)


@st.composite
def dumped(draw: st.DrawFn) -> str:
    """A document as PyYAML writes it, in the block styles kubectl and Helm produce."""
    value = draw(
        st.dictionaries(KEYS, VALUES, min_size=1, max_size=5) | st.lists(VALUES, min_size=1, max_size=4)
    )
    text = yaml.dump(
        value,
        Dumper=draw(st.sampled_from([yaml.SafeDumper, IndentedDumper])),
        default_flow_style=draw(st.sampled_from([False, None])),
        indent=draw(st.sampled_from([2, 4])),
        width=draw(st.sampled_from([80, 20, 10**6])),
        allow_unicode=draw(st.booleans()),
        sort_keys=draw(st.booleans()),
    )
    if draw(st.booleans()):  # comments and blank lines between the lines
        lines = text.split("\n")
        at = draw(st.integers(0, len(lines)))
        lines.insert(at, draw(st.sampled_from(["# Source: chart/templates/x.yaml", "", "   ", "  # note"])))
        text = "\n".join(lines)
    return text


@given(dumped())
@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@example("a: 1\nb:\n- x\n- y: 2\n  z: [3]\n")
@example("key: value\n    # comment\nnext: 1\n")
@example("a:\n  - x\n  b: 1\n")
@example("- a: 1\n - b: 2\n")
@example("k: v # c\nq: 'it''s' \nd: \"x\"\n")
def test_fast_yaml_reader_agrees_with_safe_load(text: str) -> None:
    check_like_safe_load(text)


MUTATIONS = st.lists(
    st.tuples(st.integers(0, 10**6), st.sampled_from(["insert", "delete", "replace"]),
              st.sampled_from(list(" :-#'\"\n\t{}[],&*!|>?%@`~a1.") + ["- ", ": ", "  ", "\n  ", "\n- "])),
    min_size=1,
    max_size=4,
)  # fmt: skip


@given(dumped(), MUTATIONS)
@settings(max_examples=600, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_fast_yaml_reader_on_corrupted_documents(text: str, mutations: list[tuple[int, str, str]]) -> None:
    """Broken indentation, stray indicators, half-quoted strings: declined or read right, never
    read differently from PyYAML and never accepted where PyYAML raises."""
    for at, how, piece in mutations:
        i = at % (len(text) + 1)
        if how == "insert":
            text = text[:i] + piece + text[i:]
        elif how == "delete":
            text = text[:i] + text[i + len(piece) :]
        else:
            text = text[:i] + piece + text[i + len(piece) :]
    check_like_safe_load(text)


def test_fast_yaml_reader_takes_kubectl_and_helm_output() -> None:
    """Not vacuous: the documents of the benchmark (and so of Helm/kubectl) are read by it."""
    rng = random.Random(3)
    for i in range(50):
        for dumper in (yaml.SafeDumper, IndentedDumper):
            text = yaml.dump(deployment(rng, i), Dumper=dumper, sort_keys=False)
            assert check_like_safe_load("# Source: x/templates/deployment.yaml\n" + text)


def test_fast_yaml_reader_declines_past_the_depth_limit() -> None:
    deep = "".join(" " * i + "a:\n" for i in range(MAX_DEPTH + 5)) + " " * (MAX_DEPTH + 5) + "b: 1\n"
    assert fast(deep) == (False, None)
    within = "".join(" " * i + "a:\n" for i in range(MAX_DEPTH - 1)) + " " * (MAX_DEPTH - 1) + "b: {}\n"
    assert fast(within)[0] is False  # the {} would be level MAX_DEPTH + 1
    ok = "".join(" " * i + "a:\n" for i in range(MAX_DEPTH - 1)) + " " * (MAX_DEPTH - 1) + "b: 1\n"
    assert same(fast(ok)[1], safe_load(ok))


# The splitter as it was (a `^` regex with MULTILINE, matched at every character): the reference.
_OLD_SEPARATOR = re.compile(r"^(?:---(?:[ \t]+(.*))?|(\.\.\.)[ \t]*)$", re.MULTILINE)
_OLD_CONTENT = re.compile(r"^[ \t]*[^\s#]", re.MULTILINE)


def _old_documents(text: str) -> Iterator[tuple[str, int]]:
    current: str | None = ""
    start, preamble = 1, True
    pos, line = 0, 1

    def extend(current: str | None, start: int, region: str, line: int) -> tuple[str | None, int]:
        if not region:
            return current, start
        segment = region[:-1] if region.endswith("\n") else region
        if current is None:
            return segment, line
        return (f"{current}\n{segment}" if current else segment), start

    for match in _OLD_SEPARATOR.finditer(text):
        current, start = extend(current, start, text[pos : match.start()], line)
        line += text.count("\n", pos, match.start())
        if current is not None and (not preamble or _OLD_CONTENT.search(current)):
            yield current, start
        preamble = False
        inline = match.group(1) or ""
        current = None if match.group(2) else inline
        start = line if inline else line + 1
        pos, line = match.end() + 1, line + 1
    current, start = extend(current, start, text[pos:], line)
    if current is not None and _OLD_CONTENT.search(current):
        yield current, start


@given(st.lists(st.sampled_from(["---", "--- x: 1", "---  # c", "...", "... ", "a: 1", "# c", "", " ---", "----",
                                 "---x", "b:", "  - c", "--- |", "...x"]), max_size=14).map("\n".join),
       st.booleans())  # fmt: skip
@settings(max_examples=500, deadline=None)
def test_documents_are_split_as_before(text: str, trailing_newline: bool) -> None:
    text += "\n" if trailing_newline else ""
    assert [(d.text, d.line) for d in iter_documents(text)] == list(_old_documents(text))


def _reference_report(objects: list[Any]) -> list[Finding]:
    """The straightforward evaluation of workload templates and bare pods: every enabled object
    and container rule, target by target, then one sort of all findings."""
    from kdash.health.evaluate import _targets  # which objects are targets is not what is tested

    snapshot, _ = records_from_manifests(objects)
    config = HealthConfig()
    ctx = Ctx.build(snapshot, config, NOW, None)
    found: list[Finding] = []

    def add(key: ObjectKey, ignores: frozenset[str], rule: Rule, hits: Iterable[Hit]) -> None:
        for hit in hits:
            found.append(
                Finding(
                    rule.id,
                    hit.severity or rule.severity,
                    key.kind,
                    key.namespace,
                    key.name,
                    hit.message,
                    rule.why,
                    rule.fix,
                    hit.container,
                    rule.id in ignores,
                )  # fmt: skip
            )

    for t in _targets(snapshot):
        ignores = ignored_rules(t.annotations)
        for rule, check in OBJECT_CHECKS:
            if config.is_enabled(rule.id, rule.default_enabled):
                add(t.key, ignores, rule, check(ctx, t))
        for rule, ccheck in CONTAINER_CHECKS:
            if config.is_enabled(rule.id, rule.default_enabled):
                for c in t.template.init_containers:
                    add(t.key, ignores, rule, ccheck(ctx, t, c, True))
                for c in t.template.containers:
                    add(t.key, ignores, rule, ccheck(ctx, t, c, False))

    def order(f: Finding) -> tuple[Any, ...]:
        return (f.ignored, -f.severity, f.namespace, f.kind, f.name, f.container or "", f.rule)

    return sorted(found, key=order)


def _load_all(path: Path) -> list[Any]:
    """The straightforward reading: every document with the safe loader."""
    return list(yaml.load_all(path.read_text(encoding="utf-8"), Loader=type(LOADER)))  # noqa: S506


def _deployments(n: int) -> list[dict[str, Any]]:
    rng = random.Random(11)
    return [deployment(rng, i) for i in range(n)]


def _scenario(name: str, pods: int) -> list[dict[str, Any]]:
    return list(build_scenario(name, pods=pods, now=NOW).objects)


@pytest.mark.parametrize(
    "objects",
    [
        pytest.param(lambda: _scenario("demo", 0), id="demo"),
        pytest.param(lambda: _scenario("big", 150), id="big-150"),
        pytest.param(lambda: _deployments(150), id="deployments-150"),
    ],
)
@pytest.mark.parametrize("form", ["yaml", "json-list"])
def test_check_f_reports_what_the_straightforward_pipeline_reports(
    tmp_path: Path, objects: Any, form: str
) -> None:
    objs = objects()
    path = tmp_path / ("m.yaml" if form == "yaml" else "m.json")
    if form == "yaml":
        path.write_text(yaml.dump_all(objs, Dumper=DUMPER, sort_keys=False), encoding="utf-8")
    else:
        path.write_text(json.dumps({"apiVersion": "v1", "kind": "List", "items": objs}), encoding="utf-8")
    loaded = load_manifests([str(path)])
    straight, _ = records_from_manifests(_load_all(path))
    report = evaluate(loaded.snapshot, HealthConfig(), now=NOW)
    expected = evaluate(straight, HealthConfig(), now=NOW)
    assert report.findings == expected.findings
    assert report.objects == expected.objects
    assert (report.score, report.grade, dict(report.summary)) == (
        expected.score,
        expected.grade,
        dict(expected.summary),
    )
    scope = manifest_scope(loaded.not_read)
    assert render_json(report, True, scope) == render_json(expected, True, scope)
    texts = []
    for r in (report, expected):
        buf = io.StringIO()
        render_text(r, Console(file=buf, width=100, force_terminal=True, color_system="256"), True, scope)
        texts.append(buf.getvalue())
    assert texts[0] == texts[1]
    # and the evaluator's hot loop against the plain one, on what the template rules find
    template_rules = {rule.id for rule, _ in OBJECT_CHECKS} | {rule.id for rule, _ in CONTAINER_CHECKS}
    findings = _reference_report(_load_all(path))
    # a broader finding on an object stands for the narrower ones (kdash.health.evaluate.SUBSUMES)
    broad: dict[tuple[str, str, str], set[str]] = {}
    for f in report.findings:
        if f.rule in SUBSUMES and not f.ignored:
            broad.setdefault((f.kind, f.namespace, f.name), set()).update(SUBSUMES[f.rule])
    findings = [f for f in findings if f.rule not in broad.get((f.kind, f.namespace, f.name), ())]
    assert [f for f in report.findings if f.rule in template_rules] == findings
    assert len(findings) > 20


@pytest.mark.parametrize("write", [write_yaml, write_json_list], ids=["yaml", "json-list"])
def test_the_benchmark_manifests_read_like_the_straightforward_way(tmp_path: Path, write: Any) -> None:
    """The benchmark's own files (small here): the same records as the straightforward reading."""
    path = tmp_path / "bench"
    write(path, 300_000, 5)
    text = path.read_text(encoding="utf-8")
    docs = list(yaml.load_all(text, Loader=type(LOADER)))  # noqa: S506 - a safe loader
    straight, _ = records_from_manifests(docs)
    loaded = load_manifests([str(path)])
    assert loaded.snapshot.workloads == straight.workloads and len(straight.workloads) > 50
    assert not loaded.problems
