"""`kdash check -f` on hostile or accidental input: one sentence and exit 2, never a hang, a
traceback or a MemoryError. The CLI runs as a subprocess (with a timeout) where the input could
hang or exhaust the process; the timeout only bounds a failure, nothing asserts on speed.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from kdash.check.manifests import MAX_INPUT_BYTES, load_manifests
from kdash.check.yamlload import MAX_DEPTH, TooDeepError, load_yaml
from kdash.cli import main

DEPLOYMENT = """apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: shop}
spec:
  replicas: 2
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec: {containers: [{name: web, image: "nginx:1.27"}]}
"""


def _cli(*argv: str, stdin: int | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "kdash", "check", *argv],
        capture_output=stdin is None,
        stdout=subprocess.PIPE if stdin is not None else None,
        stderr=subprocess.PIPE if stdin is not None else None,
        stdin=stdin,
        text=True,
        timeout=120,
        check=False,
    )


def _no_traceback(result: subprocess.CompletedProcess[str]) -> None:
    assert "Traceback" not in result.stderr
    assert "Error:" not in result.stderr.replace("kdash:", "")  # no RecursionError/MemoryError text


def check(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    rc = main(["check", *argv])
    out, err = capsys.readouterr()
    return rc, out, err


@pytest.mark.parametrize(
    "nesting",
    [
        pytest.param("[" * 10_000 + "]" * 10_000, id="flow-10000"),
        pytest.param("".join(" " * i + "a:\n" for i in range(300)) + " " * 300 + "b: 1\n", id="block-300"),
        pytest.param("- " * 10_000 + "x\n", id="compact-10000"),
    ],
)
def test_deep_yaml_is_refused_with_one_sentence(tmp_path: Path, nesting: str) -> None:
    path = tmp_path / "deep.yaml"
    path.write_text(DEPLOYMENT + "---\n" + nesting)  # the second document starts on line 11
    result = _cli("-f", str(path))
    assert result.returncode == 2
    _no_traceback(result)
    assert "deep.yaml: document 2 (line " in result.stderr
    assert f"): nested more than {MAX_DEPTH} levels deep; kdash reads no deeper" in result.stderr
    assert "Not checked (the report is incomplete)" in result.stdout
    assert "Deployment/web" in result.stdout or "1 object checked" in result.stdout  # the rest is checked


def test_deep_json_is_refused_with_one_sentence(tmp_path: Path) -> None:
    path = tmp_path / "deep.json"
    path.write_text('{"kind": "Pod", "metadata": {"name": "p"}, "spec": ' + "[" * 10_000 + "]" * 10_000 + "}")
    result = _cli("-f", str(path))
    assert result.returncode == 2
    _no_traceback(result)
    assert "deep.json: document 1 (line 1): nested more than" in result.stderr


def test_a_fifo_is_refused_at_once(tmp_path: Path) -> None:
    fifo = tmp_path / "manifests.yaml"
    os.mkfifo(fifo)  # no writer: opening it for reading would block forever
    result = _cli("-f", str(fifo))
    assert result.returncode == 2
    assert "manifests.yaml: a named pipe, not a file" in result.stderr
    assert "-f -" in result.stderr  # what to do instead
    _no_traceback(result)


def test_a_device_is_refused(tmp_path: Path) -> None:
    result = _cli("-f", "/dev/zero")
    assert result.returncode == 2
    assert "/dev/zero: a character device, not a file" in result.stderr
    _no_traceback(result)


def test_endless_stdin_stops_at_the_limit() -> None:
    with open("/dev/zero", "rb") as zero:
        result = _cli("-f", "-", stdin=zero.fileno())
    assert result.returncode == 2
    assert f"<stdin>: more than the {MAX_INPUT_BYTES // 2**20} MiB kdash reads from stdin" in result.stderr
    _no_traceback(result)


def test_a_file_over_the_size_limit_is_not_read(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    big = tmp_path / "big.yaml"
    with big.open("wb") as f:
        f.truncate(MAX_INPUT_BYTES + 1)  # sparse: nothing is written
    good = tmp_path / "good.yaml"
    good.write_text(DEPLOYMENT)
    rc, out, err = check(capsys, "-f", str(big), "-f", str(good), "-o", "json")
    assert rc == 2
    assert f"big.yaml: 100 MiB, over the {MAX_INPUT_BYTES // 2**20} MiB kdash reads from one file" in err
    doc = json.loads(out)
    assert [o["name"] for o in doc["objects"]] == ["web"]  # the other file is still checked
    assert doc["not_checked"] == [{"what": str(big), "why": doc["not_checked"][0]["why"]}]


def test_objects_that_could_not_be_read_make_the_report_incomplete(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A skipped document (not an object) is not checked: exit 2, never a quiet pass; an object
    with no name was read, and is an error in the report (see test_generate_name.py)."""
    path = tmp_path / "app.yaml"
    path.write_text(
        DEPLOYMENT + "---\n- just\n- a list\n---\nkind: Deployment\nmetadata: {namespace: shop}\n"
    )
    rc, out, err = check(capsys, "-f", str(path))
    assert rc == 2
    assert "app.yaml: document 2: not an object (list)" in err
    assert "app.yaml: document 3: Deployment without metadata.name or metadata.generateName" in err
    text = " ".join(out.split())
    assert "incomplete: 1 not checked" in text
    assert "partial: 1 not read)" in text
    assert "manifest-name-missing" in text


def test_only_custom_resources_are_not_graded(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "crs.yaml"
    path.write_text("apiVersion: example.com/v1\nkind: Widget\nmetadata: {name: w}\n")
    rc, out, _ = check(capsys, "-f", str(path), "-o", "json")
    doc = json.loads(out)
    assert doc["grade"] is None and doc["score"] is None  # nothing checked is never an A
    assert doc["complete"] is True  # a kind kdash does not model loses nothing it lints
    assert rc == 0


def test_many_documents_load_like_safe_load(tmp_path: Path) -> None:
    """Hundreds of documents through the fast path give the objects yaml.safe_load gives."""
    base = yaml.safe_load(DEPLOYMENT)
    path = tmp_path / "many.yaml"
    path.write_text(
        DEPLOYMENT.replace("name: web,", "name: web-0,")
        + "".join("---\n" + DEPLOYMENT.replace("name: web,", f"name: web-{i},") for i in range(1, 300))
    )
    loaded = load_manifests([str(path)])
    assert loaded.objects == 300
    assert not loaded.problems
    assert {k.name for k in loaded.snapshot.workloads} == {f"web-{i}" for i in range(300)}
    assert load_yaml(DEPLOYMENT) == base


_SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(2**40), 2**40),
    st.floats(allow_nan=False),
    st.text(max_size=12),
    st.sampled_from(
        ["yes", "off", "~", "0x1f", "017", "1_000", "1:30", "2024-01-01", ".inf", "<<", "=", "-", ""]
    ),
    st.dates(),
)
_VALUES = st.recursive(
    _SCALARS,
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=6) | st.integers(), inner, max_size=4)
    ),
    max_leaves=25,
)


@settings(max_examples=150, deadline=None)
@given(value=_VALUES, flow=st.sampled_from([True, False, None]))
def test_fast_loader_matches_safe_load(value: object, flow: bool | None) -> None:
    text = yaml.safe_dump(value, default_flow_style=flow, allow_unicode=True)
    assert repr(load_yaml(text)) == repr(yaml.safe_load(text))


@pytest.mark.parametrize(
    "text",
    [
        "a: &x {b: 1}\nc: *x",
        "base: &b {x: 1, y: 2}\nd:\n  <<: *b\n  y: 3",
        "s: !!set {a, b}",
        "- !!int '7'\n- !!float 3\n- !!str 5",
        "k: {1: a, 2.5: b, true: c, null: d}",
        "l: |\n  a\n  b\nf: >\n  c\n  d\n",
        "a: 1\na: 2",
    ],
)
def test_fast_loader_edge_cases_match_safe_load(text: str) -> None:
    assert repr(load_yaml(text)) == repr(yaml.safe_load(text))


@pytest.mark.parametrize(
    "text", ["x: !custom 5", "? [a, b]\n: c", "a: 1\n---\nb: 2", "a: <<", "c: *undefined", "a: [1"]
)
def test_fast_loader_errors_match_safe_load(text: str) -> None:
    with pytest.raises(yaml.YAMLError) as expected:
        yaml.safe_load(text)
    with pytest.raises(type(expected.value)):
        load_yaml(text)


def test_load_yaml_limit_is_the_stated_one() -> None:
    load_yaml("a: " + "[" * (MAX_DEPTH - 1) + "]" * (MAX_DEPTH - 1))  # at the limit: read
    with pytest.raises(TooDeepError):
        load_yaml("a: " + "[" * MAX_DEPTH + "]" * MAX_DEPTH)


@pytest.mark.parametrize(
    "doc",
    ["kind: [a]\nmetadata: {name: x}\n", '{"kind": {"a": 1}, "metadata": {"name": "x"}}\n'],
    ids=["yaml-list-kind", "json-object-kind"],
)
def test_a_kind_that_is_not_a_string_is_one_sentence(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], doc: str
) -> None:
    """`kind: [a]` once raised TypeError (unhashable) out of the NOT_LINTED test: a traceback."""
    path = tmp_path / "odd.yaml"
    path.write_text(doc + "---\n" + DEPLOYMENT)
    rc, out, err = check(capsys, "-f", str(path))
    assert rc == 2
    assert "odd.yaml: document 1: no kind" in err
    assert "Deployment/web" in out  # the rest is checked
    assert "Traceback" not in err
